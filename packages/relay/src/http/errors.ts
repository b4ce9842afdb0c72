import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

/** An error with the HTTP status and stable code to send to the client. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Sends the API's error body `{ error: { code, message } }`. */
export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
): void {
  res.status(status).json({ error: { code, message } });
}

/** Last Express middleware: turns thrown errors into JSON error bodies. */
export function errorHandler(logger: Logger) {
  return (
    error: unknown,
    _req: Request,
    res: Response,
    next: NextFunction,
  ): void => {
    if (res.headersSent) return next(error);
    if (error instanceof HttpError) {
      return sendError(res, error.status, error.code, error.message);
    }
    if (isBodyParserError(error)) {
      return sendError(res, error.status, 'invalid_body', error.message);
    }
    logger.error({ err: error }, 'request failed');
    sendError(res, 500, 'internal_error', 'Internal error; see relay logs.');
  };
}

function isBodyParserError(
  error: unknown,
): error is { status: number; message: string } {
  return (
    error instanceof Error &&
    'status' in error &&
    typeof error.status === 'number' &&
    error.status >= 400 &&
    error.status < 500
  );
}
