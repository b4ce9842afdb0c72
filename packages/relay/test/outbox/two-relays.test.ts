/**
 * Two `portico start` processes on one DATA_DIR drain the same outbox.
 * The delivery table's claims must keep each message to one send. Needs
 * `npm run build` first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  assertCliBuilt,
  runCli,
  startCliRelay,
  type RunningRelay,
} from '../cli/cli-process.js';
import { MultiplexClient } from '../sync/y-client.js';
import {
  outboxField,
  queueMessage,
  startSmtp,
  until,
  type Smtp,
} from './outbox-fixture.js';

const STAFF = 'staff@firm.example';
const PASSWORD = 'staff password for two relays';

let dataDir: string;
let smtp: Smtp | undefined;
const relays: RunningRelay[] = [];
const clients: MultiplexClient[] = [];

beforeAll(() => assertCliBuilt());

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const relay of relays.splice(0)) {
    if (relay.child.exitCode === null) relay.child.kill('SIGTERM');
    await relay.exited;
  }
  await smtp?.stop();
  smtp = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

async function login(url: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: STAFF, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

async function stop(relay: RunningRelay): Promise<void> {
  relay.child.kill('SIGTERM');
  const { code } = await relay.exited;
  expect(code).toBe(0);
}

describe('two relay processes', () => {
  it('send each message once', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'portico-two-'));
    smtp = await startSmtp(undefined, 0, 60);
    const env = {
      DATA_DIR: dataDir,
      SMTP_URL: smtp.url,
      LOG_LEVEL: 'info',
      FIRM_NAME: 'Hollis & Ward',
    };
    const added = await runCli(['staff', 'add', STAFF], env, PASSWORD);
    expect(added.code).toBe(0);
    const first = await startCliRelay(env);
    relays.push(first);
    const second = await startCliRelay(env);
    relays.push(second);

    const token = await login(first.url);
    const client = await MultiplexClient.connect(first.url, { token });
    clients.push(client);
    client.follow('firm');
    await client.waitForSynced('firm');
    const ids = Array.from({ length: 30 }, (_, i) => `two-${i}`);
    for (const id of ids) {
      queueMessage(client, id, { to: 'desk@firm.example', contactId: 'c1' });
    }
    await client.waitForAllStored('firm');

    const received = smtp.received;
    await until(
      () => received.length >= ids.length,
      'every message at the SMTP server',
      60_000,
    );
    client.close();
    await stop(first);
    await stop(second);
    const messageIds = received.map((mail) => mail.parsed.messageId);
    expect(received).toHaveLength(ids.length);
    expect(new Set(messageIds).size).toBe(ids.length);
    const sentBy = (relay: RunningRelay) =>
      relay
        .output()
        .split('\n')
        .filter((line) => line.includes('"outbox message sent"')).length;
    expect(sentBy(first) + sentBy(second)).toBe(ids.length);
    // Each claim takes at most 10 messages and each send takes 60 ms, so
    // the second process polls (every second) before the first one has
    // claimed all 30, and both take part.
    expect(sentBy(first)).toBeGreaterThan(0);
    expect(sentBy(second)).toBeGreaterThan(0);

    // Both processes recorded their sends in the firm doc.
    const third = await startCliRelay(env);
    relays.push(third);
    const reader = await MultiplexClient.connect(third.url, {
      token: await login(third.url),
    });
    clients.push(reader);
    reader.follow('firm');
    await reader.waitForSynced('firm');
    for (const id of ids) {
      expect(outboxField(reader, id, 'status')).toBe('sent');
    }
  });
});
