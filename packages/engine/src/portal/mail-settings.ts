/**
 * The relay's mail settings, which staff engines fetch from
 * `GET /api/relay/info` and keep in the firm doc: top-level map `relay`,
 * key `mail`, a `Y.Map` with the fields of `MailSettings`. The firm doc
 * is stored locally, so previews work offline once an engine has been
 * online.
 */
import * as Y from 'yjs';

export const RELAY_SETTINGS_MAP = 'relay';
export const MAIL_SETTINGS_KEY = 'mail';

/** Values the relay fills into every outbox email. */
export interface MailSettings {
  firmName: string;
  /** Absolute URL of the portal's login page. */
  portalUrl: string;
  /** Lifetime of a temporary password, in minutes. */
  inviteValidMinutes: number;
  /** Lifetime of a password reset link, in minutes. */
  resetValidMinutes: number;
}

/** Reads the settings, or returns undefined before an engine stored them. */
export function readMailSettings(doc: Y.Doc): MailSettings | undefined {
  const record = doc.getMap<unknown>(RELAY_SETTINGS_MAP).get(MAIL_SETTINGS_KEY);
  if (!(record instanceof Y.Map)) return undefined;
  return toMailSettings((record as Y.Map<unknown>).toJSON());
}

/** Checks the field types of settings from the relay or the firm doc. */
export function toMailSettings(value: unknown): MailSettings | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { firmName, portalUrl, inviteValidMinutes, resetValidMinutes } =
    value as Record<string, unknown>;
  if (
    typeof firmName !== 'string' ||
    typeof portalUrl !== 'string' ||
    typeof inviteValidMinutes !== 'number' ||
    typeof resetValidMinutes !== 'number'
  ) {
    return undefined;
  }
  return { firmName, portalUrl, inviteValidMinutes, resetValidMinutes };
}
