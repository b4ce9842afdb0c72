/**
 * The relay's mail settings as the relay publishes them into the firm
 * doc: top-level map `relay`, key `mail`, a `Y.Map` with the fields of
 * `MailSettings`. The engine keeps the firm doc locally, so previews work
 * offline once the engine has synced with the relay.
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

/** Reads the settings, or returns undefined before the relay wrote them. */
export function readMailSettings(doc: Y.Doc): MailSettings | undefined {
  const record = doc.getMap<unknown>(RELAY_SETTINGS_MAP).get(MAIL_SETTINGS_KEY);
  if (!(record instanceof Y.Map)) return undefined;
  const fields = (record as Y.Map<unknown>).toJSON();
  const { firmName, portalUrl, inviteValidMinutes, resetValidMinutes } = fields;
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
