/** Turns any thrown value into a sentence the client can act on. */
import { ApiError } from '../api/http.js';

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) {
    return `Something went wrong: ${error.message}. Reload the page and try again.`;
  }
  return 'Something went wrong. Reload the page and try again.';
}
