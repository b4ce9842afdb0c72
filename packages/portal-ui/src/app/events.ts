/**
 * Events that views send up to the app shell. They bubble and cross
 * shadow roots, so a view needs no reference to the shell.
 */

/** Asks the shell to show another path, as a link click would. */
export const NAVIGATE_EVENT = 'portal-navigate';
/** A login, password change or reset changed the session. */
export const SESSION_CHANGED_EVENT = 'portal-session-changed';

export function navigate(from: EventTarget, url: string): void {
  from.dispatchEvent(
    new CustomEvent<string>(NAVIGATE_EVENT, {
      detail: url,
      bubbles: true,
      composed: true,
    }),
  );
}

/** Reason for a session change, which the shell may tell the client. */
export type SessionChange = 'login' | 'password-changed';

export function sessionChanged(
  from: EventTarget,
  change: SessionChange = 'login',
): void {
  from.dispatchEvent(
    new CustomEvent<SessionChange>(SESSION_CHANGED_EVENT, {
      detail: change,
      bubbles: true,
      composed: true,
    }),
  );
}
