import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

/**
 * Paths that may carry credentials. pino-http logs request and response
 * headers, so bearer tokens, session cookies and passwords are censored at
 * the root logger and every child inherits that.
 */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  'token',
];

/** Creates the relay's root logger (JSON lines on stdout). */
export function createLogger(level: LogLevel): Logger {
  return pino({
    name: 'portico-relay',
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
}
