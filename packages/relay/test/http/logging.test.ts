import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SESSION_COOKIE } from '@portico/engine/protocol';
import {
  STAFF_PASSWORD,
  startTestRelay,
  type RelayFixture,
} from '../sync/relay-fixture.js';
import { MultiplexClient } from '../sync/y-client.js';

let fixture: RelayFixture;
let logText = '';

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logText += chunk.toString();
      done();
    },
  });
  // A logger without redaction: the relay must not depend on the caller's
  // configuration to keep tokens out of the logs.
  fixture = await startTestRelay(
    {},
    { logger: pino({ level: 'trace' }, sink) },
  );
  await fixture.relay.accounts.createStaff('ann@firm.example', STAFF_PASSWORD);
});

afterAll(async () => {
  await fixture.stop();
});

it('logs requests without secrets', async () => {
  const url = fixture.relay.url;
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'ann@firm.example',
      password: STAFF_PASSWORD,
    }),
  });
  const { token } = (await response.json()) as { token: string };
  await fetch(`${url}/api/auth/session`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await fetch(`${url}/api/auth/session`, {
    headers: { cookie: `${SESSION_COOKIE}=${token}`, origin: url },
  });
  const client = await MultiplexClient.connect(url, { token });
  client.follow('firm');
  await client.waitForSynced('firm');
  client.close();
  await client.waitForClose();

  expect(logText).toContain('/api/auth/session');
  expect(logText).toContain('connection opened');
  expect(logText).not.toContain(token);
  expect(logText).not.toContain(STAFF_PASSWORD);
});
