/**
 * The values that shape every outbox email besides the message itself.
 * `GET /api/relay/info` gives them to staff engines, which keep a copy in
 * the firm doc (map `relay`, key `mail`) and render previews from it with
 * the same `renderMessage`, offline too.
 */

export interface MailSettings {
  firmName: string;
  /** Absolute URL of the portal's login page. */
  portalUrl: string;
  /** Lifetime of a temporary password, in minutes. */
  inviteValidMinutes: number;
  /** Lifetime of a password reset link, in minutes. */
  resetValidMinutes: number;
}

/** Builds the portal URL from PUBLIC_URL: the portal is served at `/`. */
export function portalUrlOf(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/`;
}

/** Builds the reset link the client opens from the email. */
export function resetUrlOf(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/reset?token=${token}`;
}
