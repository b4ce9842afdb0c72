/**
 * JSON requests to the relay on the portal's own origin. The relay returns
 * errors as `{ error: { code, message } }`; `ApiError` carries both, and
 * its message is written for the client to read.
 */

/** Code of an `ApiError` raised when no response arrived at all. */
export const NETWORK_ERROR = 'network_error';

export class ApiError extends Error {
  constructor(
    /** HTTP status, or 0 when the request got no response. */
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown };
}

/**
 * Sends a request with an optional JSON body and returns the parsed JSON
 * response, or undefined for 202 and 204. Raises `ApiError` for a failed
 * request or a non-2xx status.
 */
export async function requestJson<T>(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T | undefined> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
  };
  if (body !== undefined) {
    init.headers = { ...init.headers, 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }

  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(
      0,
      NETWORK_ERROR,
      'The portal cannot reach the server. Check your connection and try ' +
        'again.',
    );
  }
  if (!response.ok) throw await errorFromResponse(response);
  if (response.status === 202 || response.status === 204) return undefined;
  return (await response.json()) as T;
}

/** Builds an `ApiError` from an error response of any shape. */
export async function errorFromResponse(response: Response) {
  const text = await response.text().catch(() => '');
  return errorFromBody(response.status, text);
}

/** Builds an `ApiError` from a status and the raw response text. */
export function errorFromBody(status: number, text: string): ApiError {
  let parsed: ErrorBody = {};
  try {
    parsed = JSON.parse(text) as ErrorBody;
  } catch {
    // Not JSON, such as a proxy's HTML error page, so the status must do.
  }
  const code = parsed.error?.code;
  const message = parsed.error?.message;
  return new ApiError(
    status,
    typeof code === 'string' ? code : `http_${status}`,
    typeof message === 'string' && message !== ''
      ? message
      : `The server answered with status ${status}. Try again later.`,
  );
}
