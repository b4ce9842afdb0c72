// Retry policy for outbox sends: which failures are worth another attempt,
// and how long to wait before it.

/** Whether a failed send may succeed on a later attempt. */
export type SendErrorClass = 'temporary' | 'permanent';

/** Delay before the second attempt, before jitter. */
export const RETRY_BASE_DELAY_MS = 30_000;

/** Upper bound of any retry delay, so an old message is still tried hourly. */
export const RETRY_MAX_DELAY_MS = 60 * 60_000;

/** Knobs of `backoffDelay`; tests pass short delays and a fixed random. */
export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** Source of numbers in [0, 1); defaults to `Math.random`. */
  random?: () => number;
}

/**
 * Error for a message that no attempt can send (an invalid recipient, a
 * header with a line break), so `classifySendError` makes it permanent.
 */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
}

// Nodemailer codes for problems in the message or envelope itself, which
// the same message hits again on every attempt.
const PERMANENT_CODES = new Set([
  'EENVELOPE',
  'EMESSAGE',
  'EMAXRECIPIENTS',
  'EFILEACCESS',
  'EURLACCESS',
]);

/**
 * Classifies a send failure. SMTP 5xx replies are permanent, except 503
 * (bad sequence of commands), which RFC 5321 ties to the session rather
 * than the message. SMTP 4xx replies, refused or reset connections, DNS
 * failures and timeouts are temporary.
 */
export function classifySendError(error: unknown): SendErrorClass {
  if (error instanceof InvalidMessageError) {
    return 'permanent';
  }
  const replyCode = smtpReplyCode(error);
  if (replyCode !== undefined) {
    return replyCode >= 500 && replyCode !== 503 ? 'permanent' : 'temporary';
  }
  if (PERMANENT_CODES.has(errorCode(error) ?? '')) {
    return 'permanent';
  }
  // Connection, DNS and timeout errors land here, and so does anything
  // unrecognised: the outbox caps the number of attempts, while giving up
  // at once on an unknown error could drop a message that would go out.
  return 'temporary';
}

/**
 * Returns the delay in milliseconds before retry number `attempt` (1 for
 * the first retry): exponential from `baseMs`, capped at `maxMs`, with
 * "equal jitter". Half the delay is fixed so that retries never bunch near
 * zero, and half is random so relays that failed together spread out.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(
      `Retry attempt must be a whole number from 1, got ${String(attempt)}.`,
    );
  }
  const base = options.baseMs ?? RETRY_BASE_DELAY_MS;
  const max = options.maxMs ?? RETRY_MAX_DELAY_MS;
  const random = options.random ?? Math.random;

  const ceiling = Math.min(max, base * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

// Nodemailer puts the reply code of the failed command on the error. A
// rejected recipient may carry it only on the per-recipient errors.
function smtpReplyCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const { responseCode, rejectedErrors } = error as {
    responseCode?: unknown;
    rejectedErrors?: unknown;
  };
  if (typeof responseCode === 'number') {
    return responseCode;
  }
  if (Array.isArray(rejectedErrors) && rejectedErrors.length > 0) {
    return smtpReplyCode(rejectedErrors[0]);
  }
  return undefined;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const { code } = error as { code?: unknown };
  return typeof code === 'string' ? code : undefined;
}
