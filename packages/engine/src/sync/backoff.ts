/**
 * Reconnect delays: exponential backoff with full jitter, so that clients
 * cut off by one relay restart do not all come back at the same moment.
 */

export interface BackoffOptions {
  /** Upper bound of the first delay, in milliseconds. */
  baseMs: number;
  /** Upper bound of any delay, in milliseconds. */
  capMs: number;
  /** Returns a number in [0, 1); tests pass a seeded generator. */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  baseMs: 500,
  capMs: 30_000,
  random: Math.random,
};

/** Returns the delay before reconnect attempt `attempt` (counting from 0). */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** attempt);
  return Math.floor(options.random() * ceiling);
}
