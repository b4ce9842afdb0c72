import { isCommonPassword } from './common-passwords.js';

/** Shortest password a client may choose. */
export const MIN_CLIENT_PASSWORD_LENGTH = 12;
/** Maximum password length, so a request cannot make scrypt hash MiBs. */
export const MAX_PASSWORD_LENGTH = 1024;

/** A new password that breaks a rule; `code` is the API error code. */
export class WeakPasswordError extends Error {
  override name = 'WeakPasswordError';
  constructor(
    readonly code:
      | 'password_too_short'
      | 'password_too_long'
      | 'password_common'
      | 'password_is_email',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks a new password: at least 12 characters (code points), not on the
 * common-password list, and not the account's email address or its part
 * before the @. Throws `WeakPasswordError` naming the rule.
 */
export function checkNewPassword(password: string, email: string): void {
  const length = Array.from(password).length;
  if (length < MIN_CLIENT_PASSWORD_LENGTH) {
    throw new WeakPasswordError(
      'password_too_short',
      `Password has ${length} characters; use at least ` +
        `${MIN_CLIENT_PASSWORD_LENGTH}.`,
    );
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new WeakPasswordError(
      'password_too_long',
      `Password is longer than ${MAX_PASSWORD_LENGTH} characters; use a ` +
        'shorter one.',
    );
  }
  if (isCommonPassword(password)) {
    throw new WeakPasswordError(
      'password_common',
      'Password is on the list of common passwords; choose another.',
    );
  }
  const lowered = password.trim().toLowerCase();
  const address = email.toLowerCase();
  if (lowered === address || lowered === address.split('@')[0]) {
    throw new WeakPasswordError(
      'password_is_email',
      'Password must not be your email address; choose another.',
    );
  }
}
