/**
 * Values the portal keeps in localStorage between visits: the signed-in
 * email, so that a reload with no network reopens the local replica, and
 * the firm's name, so that the login page can show it. No secret is kept,
 * because the session itself is an HttpOnly cookie.
 */

const EMAIL_KEY = 'portico.portal.email';
const FIRM_NAME_KEY = 'portico.portal.firmName';

export function rememberedEmail(): string | undefined {
  return read(EMAIL_KEY);
}

export function rememberEmail(email: string): void {
  write(EMAIL_KEY, email);
}

export function forgetEmail(): void {
  try {
    localStorage.removeItem(EMAIL_KEY);
  } catch {
    // Storage is off (private mode); there is nothing to forget.
  }
}

export function rememberedFirmName(): string | undefined {
  return read(FIRM_NAME_KEY);
}

export function rememberFirmName(name: string): void {
  write(FIRM_NAME_KEY, name);
}

function read(key: string): string | undefined {
  try {
    return localStorage.getItem(key) ?? undefined;
  } catch {
    return undefined;
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage is off or full; the portal works without it while online.
  }
}
