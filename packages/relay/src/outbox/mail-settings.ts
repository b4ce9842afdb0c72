/**
 * The values that shape every outbox email besides the message itself.
 * The relay publishes them into the firm doc (top-level map `relay`, key
 * `mail`), so the staff engine renders previews from the same values even
 * offline, with the same `renderMessage`.
 */
import * as Y from 'yjs';

export const RELAY_SETTINGS_MAP = 'relay';
export const MAIL_SETTINGS_KEY = 'mail';

export interface MailSettings {
  firmName: string;
  /** Absolute URL of the portal's login page. */
  portalUrl: string;
  /** Lifetime of a temporary password, in minutes. */
  inviteValidMinutes: number;
  /** Lifetime of a password reset link, in minutes. */
  resetValidMinutes: number;
}

/** Writes the settings into a doc, touching only fields that changed. */
export function writeMailSettings(doc: Y.Doc, settings: MailSettings): void {
  const map = doc.getMap<unknown>(RELAY_SETTINGS_MAP);
  let record = map.get(MAIL_SETTINGS_KEY);
  if (!(record instanceof Y.Map)) {
    record = new Y.Map<unknown>();
    map.set(MAIL_SETTINGS_KEY, record);
  }
  const fields = record as Y.Map<unknown>;
  for (const [name, value] of Object.entries(settings)) {
    if (fields.get(name) !== value) fields.set(name, value);
  }
}

/** Builds the portal URL from PUBLIC_URL: the portal is served at `/`. */
export function portalUrlOf(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/`;
}

/** Builds the reset link the client opens from the email. */
export function resetUrlOf(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/reset?token=${token}`;
}
