import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DATABASE_FILE } from '../../src/storage/sqlite.js';
import {
  staffToken,
  startTestRelay,
  type RelayFixture,
} from '../sync/relay-fixture.js';
import { MultiplexClient } from '../sync/y-client.js';
import {
  outboxField,
  queueMessage,
  startSmtp,
  until,
  type Smtp,
} from '../outbox/outbox-fixture.js';

const CLIENT = 'ada@client.example';
const NEW_PASSWORD = 'a long private passphrase';

let fixture: RelayFixture | undefined;
let smtp: Smtp | undefined;
const clients: MultiplexClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await fixture?.stop();
  fixture = undefined;
  await smtp?.stop();
  smtp = undefined;
});

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function post(path: string, body: unknown, token?: string) {
  return request('POST', path, body, token);
}

async function request(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers['authorization'] = `Bearer ${token}`;
  const response = await fetch(`${fixture?.relay.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: response.headers,
  };
}

function code(reply: Reply): unknown {
  return (reply.body['error'] as { code?: unknown } | undefined)?.code;
}

async function start(): Promise<MultiplexClient> {
  smtp = await startSmtp();
  fixture = await startTestRelay(
    {
      SMTP_URL: smtp.url,
      FIRM_NAME: 'Hollis & Ward',
      PUBLIC_URL: 'https://portal.hollis.example',
    },
    { outbox: { pollMs: 50 } },
  );
  const token = await staffToken(fixture.relay, 'staff@firm.example');
  const client = await MultiplexClient.connect(fixture.relay.url, { token });
  clients.push(client);
  client.follow('firm');
  await client.waitForSynced('firm');
  const doc = client.doc('firm').doc;
  const contact = new Y.Map<unknown>();
  contact.set('displayName', 'Ada Lovelace');
  contact.set('portal', { status: 'invited' });
  doc.getMap<Y.Map<unknown>>('contacts').set('c1', contact);
  return client;
}

/** Queues an invitation, waits for it, and returns its password. */
async function invite(client: MultiplexClient, id: string): Promise<string> {
  const before = smtp?.received.length ?? 0;
  queueMessage(client, id, {
    kind: 'portal-invite',
    to: CLIENT,
    contactId: 'c1',
  });
  await until(
    () => (smtp?.received.length ?? 0) > before,
    `invitation ${id} at the SMTP server`,
  );
  const text = smtp?.received[before]?.parsed.text ?? '';
  const match = /^Temporary password: (\S+)$/m.exec(text);
  if (!match?.[1]) throw new Error(`no temporary password in ${text}`);
  return match[1];
}

function login(email: string, password: string) {
  return post('/api/auth/login', { email, password });
}

describe('temporary password', () => {
  it('works once', async () => {
    const password = await invite(await start(), 'inv-1');
    const first = await login(CLIENT, password);
    expect(first.status).toBe(200);
    expect(first.body['mustChangePassword']).toBe(true);
    const second = await login(CLIENT, password);
    expect(second.status).toBe(401);
    expect(code(second)).toBe('temporary_password_used');
  });

  it('expires', async () => {
    const password = await invite(await start(), 'inv-2');
    // Move the expiry into the past, as if the 7 days had gone by.
    const db = new Database(path.join(fixture?.dataDir ?? '', DATABASE_FILE));
    try {
      db.prepare('UPDATE client_credentials SET temporary_expires_at = ?').run(
        Date.now() - 1000,
      );
    } finally {
      db.close();
    }
    const reply = await login(CLIENT, password);
    expect(reply.status).toBe(401);
    expect(code(reply)).toBe('temporary_password_expired');
    expect(
      String((reply.body['error'] as { message: string }).message),
    ).toMatch(/expired/);
  });

  it('is voided by a later invite', async () => {
    const client = await start();
    const old = await invite(client, 'inv-3');
    const fresh = await invite(client, 'inv-4');
    expect(fresh).not.toBe(old);
    expect((await login(CLIENT, old)).status).toBe(401);
    expect((await login(CLIENT, fresh)).status).toBe(200);
  });
});

describe('password change', () => {
  it('checks the current and the new password', async () => {
    const password = await invite(await start(), 'inv-5');
    const token = String((await login(CLIENT, password)).body['token']);
    const wrong = await post(
      '/api/auth/password',
      { currentPassword: 'not the password', newPassword: NEW_PASSWORD },
      token,
    );
    expect(wrong.status).toBe(403);
    expect(code(wrong)).toBe('wrong_password');

    const weak = [
      ['short one', 'password_too_short'],
      ['password123456', 'password_common'],
      [CLIENT, 'password_is_email'],
    ] as const;
    for (const [newPassword, expected] of weak) {
      const reply = await post(
        '/api/auth/password',
        { currentPassword: password, newPassword },
        token,
      );
      expect(reply.status).toBe(400);
      expect(code(reply)).toBe(expected);
    }

    const ok = await post(
      '/api/auth/password',
      { currentPassword: password, newPassword: NEW_PASSWORD },
      token,
    );
    expect(ok.status).toBe(200);
    const relogin = await login(CLIENT, NEW_PASSWORD);
    expect(relogin.status).toBe(200);
    expect(relogin.body['mustChangePassword']).toBe(false);
  });

  it('marks the contact active', async () => {
    const client = await start();
    const password = await invite(client, 'inv-6');
    const token = String((await login(CLIENT, password)).body['token']);
    await post(
      '/api/auth/password',
      { currentPassword: password, newPassword: NEW_PASSWORD },
      token,
    );
    const contact = () =>
      client.doc('firm').doc.getMap<Y.Map<unknown>>('contacts').get('c1');
    await until(
      () =>
        (contact()?.get('portal') as { status?: string } | undefined)
          ?.status === 'active',
      'the contact to become active',
    );
  });
});

describe('forgot password', () => {
  it('answers alike and sends a single-use link', async () => {
    const client = await start();
    const password = await invite(client, 'inv-7');
    const first = await login(CLIENT, password);
    const oldToken = String(first.body['token']);
    await post(
      '/api/auth/password',
      { currentPassword: password, newPassword: NEW_PASSWORD },
      oldToken,
    );
    const session = String((await login(CLIENT, NEW_PASSWORD)).body['token']);

    const before = smtp?.received.length ?? 0;
    const known = await post('/api/auth/forgot', { email: CLIENT });
    const unknown = await post('/api/auth/forgot', {
      email: 'nobody@client.example',
    });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual(known.body);

    await until(
      () => (smtp?.received.length ?? 0) === before + 1,
      'the reset email',
    );
    const mail = smtp?.received[before];
    expect(mail?.recipients).toEqual([CLIENT]);
    const link = /(http\S+\/reset\?token=(\S+))/.exec(mail?.parsed.text ?? '');
    const resetToken = link?.[2] ?? '';
    expect(link?.[1]).toContain('https://portal.hollis.example/reset?token=');
    await fixture?.relay.outbox.idle();
    const ids = [...client.doc('firm').doc.getMap('outbox').keys()];
    const resetId = ids.find(
      (id) => outboxField(client, id, 'kind') === 'password-reset',
    );
    expect(resetId).toBeDefined();
    const stored = JSON.stringify(client.doc('firm').doc.toJSON());
    expect(stored).not.toContain(resetToken);

    const reset = await post('/api/auth/reset', {
      token: resetToken,
      newPassword: 'another private passphrase',
    });
    expect(reset.status).toBe(204);
    const reused = await post('/api/auth/reset', {
      token: resetToken,
      newPassword: 'a third private passphrase',
    });
    expect(reused.status).toBe(400);
    expect(code(reused)).toBe('reset_link_used');
    const ended = await request('GET', '/api/auth/session', undefined, session);
    expect(ended.status).toBe(401);
    const relogin = await login(CLIENT, 'another private passphrase');
    expect(relogin.status).toBe(200);
  });

  it('rejects an unknown token', async () => {
    await start();
    const reply = await post('/api/auth/reset', {
      token: 'made-up-token',
      newPassword: NEW_PASSWORD,
    });
    expect(reply.status).toBe(400);
    expect(code(reply)).toBe('reset_link_invalid');
  });
});

describe('login limits', () => {
  it('answers 429 with Retry-After', async () => {
    const password = await invite(await start(), 'inv-8');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await login(CLIENT, 'wrong password')).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const blocked = await login(CLIENT, password);
    expect(blocked.status).toBe(429);
    expect(code(blocked)).toBe('too_many_attempts');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
