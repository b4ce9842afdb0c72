import type { IncomingMessage } from 'node:http';
import { SESSION_COOKIE } from '@portico/engine/protocol';
import type { Accounts, Authenticated } from './accounts.js';

/** A session token and where the request carried it. */
export interface Credential {
  token: string;
  via: 'bearer' | 'cookie';
}

export type AuthResult =
  | ({ ok: true; via: Credential['via'] } & Authenticated)
  | { ok: false; status: 401 | 403; code: string; message: string };

/** Reads a bearer token, or else the session cookie, from a request. */
export function readCredential(req: IncomingMessage): Credential | undefined {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer ([A-Za-z0-9_-]{1,128})$/.exec(authorization);
    return match?.[1] ? { token: match[1], via: 'bearer' } : undefined;
  }
  const token = readCookie(req.headers.cookie, SESSION_COOKIE);
  return token ? { token, via: 'cookie' } : undefined;
}

/** Returns the value of one cookie from a `Cookie` header. */
export function readCookie(
  header: string | undefined,
  name: string,
): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0 || part.slice(0, separator).trim() !== name) continue;
    const value = part.slice(separator + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Returns true when the request's `Origin` is the relay's public origin or
 * matches its `Host` header. Browsers send cookies with requests that
 * other sites start; this check stops those from using a session.
 */
export function originAllowed(
  req: IncomingMessage,
  publicOrigin: string,
): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  if (origin === publicOrigin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Returns true when a cookie may authenticate this request. Browsers send
 * no `Origin` on a same-origin GET, so a safe, non-upgrade request without
 * one is accepted unless Fetch Metadata marks another site started it. The
 * cookie is `SameSite=Strict` as well, so cross-site GETs do not carry it
 * in current browsers. WebSocket upgrades always need a matching `Origin`,
 * because browsers send one and cross-site WebSockets are not blocked by
 * CORS.
 */
export function cookieRequestAllowed(
  req: IncomingMessage,
  publicOrigin: string,
): boolean {
  if (originAllowed(req, publicOrigin)) return true;
  if (req.headers.origin !== undefined) return false;
  if (req.headers.upgrade !== undefined) return false;
  if (!SAFE_METHODS.has(req.method ?? '')) return false;
  const site = req.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

/**
 * Authenticates a request by bearer token or session cookie. A cookie
 * counts only where `cookieRequestAllowed` allows it; a bearer token needs
 * no `Origin`, since browsers never attach it on their own.
 */
export async function authenticateRequest(
  req: IncomingMessage,
  accounts: Accounts,
  publicOrigin: string,
): Promise<AuthResult> {
  const credential = readCredential(req);
  if (!credential) {
    return failure(401, 'unauthenticated', 'Log in first.');
  }
  if (credential.via === 'cookie' && !cookieRequestAllowed(req, publicOrigin)) {
    return failure(403, 'origin_mismatch', 'Origin not allowed.');
  }
  const authenticated = await accounts.authenticate(credential.token);
  if (!authenticated) {
    return failure(401, 'unauthenticated', 'Session expired or invalid.');
  }
  return { ok: true, via: credential.via, ...authenticated };
}

function failure(status: 401 | 403, code: string, message: string): AuthResult {
  return { ok: false, status, code, message };
}
