/// <reference types="node" />
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startRelay, type Relay } from '@portico/relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthClient, AuthError } from '../src/auth/session.js';

// The relay checks Origin against its public URL, as it does for browsers.
const PUBLIC_URL = 'http://staff.portico.test';
const EMAIL = 'staff@example.com';
const PASSWORD = 'a long staff password';

let relay: Relay;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'portico-staff-ui-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    PUBLIC_URL,
    LOG_LEVEL: 'silent',
  });
  relay = await startRelay(config);
  await relay.accounts.createStaff(EMAIL, PASSWORD);
});

afterAll(async () => {
  await relay?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/**
 * Creates a fetch that keeps cookies and sends Origin on every request.
 * NOTE: browsers omit Origin on a same-origin GET, and the relay rejects a
 * session cookie without Origin, so a browser's session check gets 403.
 */
function browserFetch(): typeof fetch {
  let cookie = '';
  return async (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('origin', PUBLIC_URL);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(input, { ...init, headers });
    const set = response.headers.getSetCookie()[0];
    if (set !== undefined) cookie = set.split(';')[0] ?? '';
    return response;
  };
}

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

function client(fetcher = browserFetch(), storage = memoryStorage()) {
  return new AuthClient({ relayUrl: relay.url, fetch: fetcher, storage });
}

describe('AuthClient', () => {
  it('logs in and finds the session', async () => {
    const auth = client();
    expect(await auth.check()).toEqual({ kind: 'signed-out' });
    expect(await auth.login(EMAIL, PASSWORD)).toEqual({ email: EMAIL });
    expect(await auth.check()).toEqual({
      kind: 'signed-in',
      account: { email: EMAIL },
    });
  });

  it('shows the relay message for a wrong password', async () => {
    const error = await client()
      .login(EMAIL, 'wrong password')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).not.toBe('');
  });

  it('ends the session on logout', async () => {
    const storage = memoryStorage();
    const auth = client(browserFetch(), storage);
    await auth.login(EMAIL, PASSWORD);
    expect(await auth.logout()).toBe(true);
    expect(storage.items.size).toBe(0);
    expect(await auth.check()).toEqual({ kind: 'signed-out' });
  });

  it('keeps the account on 403', async () => {
    const storage = memoryStorage();
    await client(browserFetch(), storage).login(EMAIL, PASSWORD);
    const forbidden: typeof fetch = () =>
      Promise.resolve(
        Response.json(
          {
            error: { code: 'origin_mismatch', message: 'Origin not allowed.' },
          },
          { status: 403 },
        ),
      );
    const check = await client(forbidden, storage).check();
    expect(check).toEqual({ kind: 'signed-out' });
    expect(storage.items.size).toBe(1);
  });

  it('starts offline with the remembered account', async () => {
    const storage = memoryStorage();
    await client(browserFetch(), storage).login(EMAIL, PASSWORD);
    const unreachable: typeof fetch = () =>
      Promise.reject(new TypeError('fetch failed'));
    expect(await client(unreachable, storage).check()).toEqual({
      kind: 'offline',
      account: { email: EMAIL },
    });
  });

  it('cannot log in while the relay is unreachable', async () => {
    const unreachable: typeof fetch = () =>
      Promise.reject(new TypeError('fetch failed'));
    await expect(client(unreachable).login(EMAIL, PASSWORD)).rejects.toThrow(
      /cannot be reached/,
    );
  });
});
