import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '@portico/engine/protocol';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import {
  CLIENT_PASSWORD,
  STAFF_PASSWORD,
  startTestRelay,
  type RelayFixture,
} from '../sync/relay-fixture.js';

let fixture: RelayFixture;
let url: string;

beforeAll(async () => {
  fixture = await startTestRelay();
  url = fixture.relay.url;
  await fixture.relay.accounts.createStaff('ann@firm.example', STAFF_PASSWORD);
  await fixture.relay.accounts.createClient(
    'bob@client.example',
    CLIENT_PASSWORD,
    'contact-1',
    { mustChangePassword: true },
  );
});

afterAll(async () => {
  await fixture.stop();
});

function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

interface LoginBody {
  token: string;
  role: string;
  mustChangePassword: boolean;
}

function login(email: string, password: string) {
  return post('/api/auth/login', { email, password });
}

function sessionCookie(response: Response): string {
  const header = response.headers.get('set-cookie') ?? '';
  const match = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(header);
  if (!match?.[1]) throw new Error(`no session cookie in "${header}"`);
  return `${SESSION_COOKIE}=${match[1]}`;
}

describe('POST /api/auth/login', () => {
  it('returns a token, role and cookie', async () => {
    const response = await login('ann@firm.example', STAFF_PASSWORD);
    expect(response.status).toBe(200);
    const body = (await response.json()) as LoginBody;
    expect(body.role).toBe('staff');
    expect(body.mustChangePassword).toBe(false);
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`${SESSION_COOKIE}=${body.token}`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toMatch(/Secure/i);
  });

  it('accepts the email in any case', async () => {
    const response = await login('ANN@Firm.Example', STAFF_PASSWORD);
    expect(response.status).toBe(200);
  });

  it('reports a client that must change its password', async () => {
    const response = await login('bob@client.example', CLIENT_PASSWORD);
    const body = (await response.json()) as LoginBody;
    expect(body.role).toBe('client');
    expect(body.mustChangePassword).toBe(true);
  });

  it('rejects a wrong password with 401', async () => {
    const response = await login('ann@firm.example', 'wrong password');
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('invalid_credentials');
  });

  it('rejects a malformed body with 400', async () => {
    const response = await post('/api/auth/login', { email: 'x' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('invalid_body');
  });

  it('stores only a hash of the session token', async () => {
    const response = await login('ann@firm.example', STAFF_PASSWORD);
    const { token } = (await response.json()) as LoginBody;
    const { hashToken } = await import('../../src/accounts/accounts.js');
    const storage = fixture.relay.storage as SqliteStorage;
    expect(await storage.findSession(token)).toBeUndefined();
    expect(await storage.findSession(hashToken(token))).toBeDefined();
  });

  it('ends the previous session on a new login', async () => {
    const first = await login('ann@firm.example', STAFF_PASSWORD);
    const cookie = sessionCookie(first);
    const second = await post(
      '/api/auth/login',
      { email: 'ann@firm.example', password: STAFF_PASSWORD },
      { cookie, origin: url },
    );
    expect(second.status).toBe(200);
    const old = await fetch(`${url}/api/auth/session`, {
      headers: { cookie, origin: url },
    });
    expect(old.status).toBe(401);
  });
});

describe('GET /api/auth/session', () => {
  it('describes the session of a bearer token', async () => {
    const { token } = (await (
      await login('ann@firm.example', STAFF_PASSWORD)
    ).json()) as LoginBody;
    const response = await fetch(`${url}/api/auth/session`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      role: 'staff',
      email: 'ann@firm.example',
      mustChangePassword: false,
    });
  });

  it('includes the contact id of a client', async () => {
    const { token } = (await (
      await login('bob@client.example', CLIENT_PASSWORD)
    ).json()) as LoginBody;
    const response = await fetch(`${url}/api/auth/session`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as { contactId?: string };
    expect(body.contactId).toBe('contact-1');
  });

  it('accepts the cookie with a matching Origin', async () => {
    const cookie = sessionCookie(
      await login('ann@firm.example', STAFF_PASSWORD),
    );
    const response = await fetch(`${url}/api/auth/session`, {
      headers: { cookie, origin: url },
    });
    expect(response.status).toBe(200);
  });

  it('rejects the cookie from another origin', async () => {
    const cookie = sessionCookie(
      await login('ann@firm.example', STAFF_PASSWORD),
    );
    const response = await fetch(`${url}/api/auth/session`, {
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(response.status).toBe(403);
  });

  it('accepts the cookie on a same-origin GET without Origin', async () => {
    const cookie = sessionCookie(
      await login('ann@firm.example', STAFF_PASSWORD),
    );
    const response = await fetch(`${url}/api/auth/session`, {
      headers: { cookie, 'sec-fetch-site': 'same-origin' },
    });
    expect(response.status).toBe(200);
  });

  it('rejects the cookie on a cross-site GET without Origin', async () => {
    const cookie = sessionCookie(
      await login('ann@firm.example', STAFF_PASSWORD),
    );
    const response = await fetch(`${url}/api/auth/session`, {
      headers: { cookie, 'sec-fetch-site': 'cross-site' },
    });
    expect(response.status).toBe(403);
  });

  it('returns 401 without a session', async () => {
    const response = await fetch(`${url}/api/auth/session`);
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('unauthenticated');
  });
});

describe('POST /api/auth/logout', () => {
  it('ends the session and clears the cookie', async () => {
    const { token } = (await (
      await login('ann@firm.example', STAFF_PASSWORD)
    ).json()) as LoginBody;
    const authorization = `Bearer ${token}`;
    const response = await post('/api/auth/logout', {}, { authorization });
    expect(response.status).toBe(204);
    expect(response.headers.get('set-cookie')).toContain(`${SESSION_COOKIE}=;`);

    const after = await fetch(`${url}/api/auth/session`, {
      headers: { authorization },
    });
    expect(after.status).toBe(401);
  });

  it('rejects a cookie logout without Origin', async () => {
    const cookie = sessionCookie(
      await login('ann@firm.example', STAFF_PASSWORD),
    );
    const response = await post('/api/auth/logout', {}, { cookie });
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('origin_mismatch');
  });

  it('rejects a cookie logout from another origin', async () => {
    const cookie = sessionCookie(
      await login('ann@firm.example', STAFF_PASSWORD),
    );
    const response = await post(
      '/api/auth/logout',
      {},
      { cookie, origin: 'https://evil.example' },
    );
    expect(response.status).toBe(403);
    const still = await fetch(`${url}/api/auth/session`, {
      headers: { cookie, origin: url },
    });
    expect(still.status).toBe(200);
  });
});

describe('login rate limit', () => {
  it('answers 429 with Retry-After after repeated failures', async () => {
    await fixture.relay.accounts.createStaff(
      'carol@firm.example',
      STAFF_PASSWORD,
    );
    for (let attempt = 1; attempt <= 5; attempt++) {
      const response = await login('carol@firm.example', 'wrong password');
      expect(response.status).toBe(401);
    }
    const blocked = await login('carol@firm.example', STAFF_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await blocked.json()) as { error: { code: string } };
    expect(body.error.code).toBe('too_many_attempts');
  });
});

describe('operations endpoints', () => {
  it('serves /healthz', async () => {
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('serves Prometheus metrics', async () => {
    const response = await fetch(`${url}/metrics`);
    const text = await response.text();
    for (const name of [
      'portico_ws_connections',
      'portico_docs_loaded',
      'portico_updates_stored_total',
      'portico_storage_write_seconds',
      'portico_auth_failures_total',
      'portico_ws_connections_closed_total',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('sets security headers', async () => {
    const response = await fetch(`${url}/healthz`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const response = await fetch(`${url}/api/nothing`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('not_found');
  });
});
