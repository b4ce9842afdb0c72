import { afterEach, describe, expect, it } from 'vitest';
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
} from './outbox-fixture.js';

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

async function connect(token: string): Promise<MultiplexClient> {
  const client = await MultiplexClient.connect(fixture?.relay.url ?? '', {
    token,
  });
  clients.push(client);
  client.follow('firm');
  await client.waitForSynced('firm');
  return client;
}

function messageIds(received: Smtp['received']): string[] {
  return received.map((mail) => mail.parsed.messageId ?? '');
}

describe('outbox across restarts', () => {
  it('sends each message once', async () => {
    smtp = await startSmtp(undefined, 0, 40);
    fixture = await startTestRelay(
      { SMTP_URL: smtp.url },
      { outbox: { pollMs: 50 } },
    );
    const token = await staffToken(fixture.relay, 'staff@firm.example');
    const client = await connect(token);
    const ids = Array.from({ length: 12 }, (_, i) => `m${i}`);
    for (const id of ids) {
      queueMessage(client, id, { to: 'desk@firm.example', contactId: 'c1' });
    }
    await client.waitForAllStored('firm');

    // Restart while the relay is in the middle of the batch.
    const received = smtp.received;
    await until(() => received.length >= 1, 'the first message');
    expect(received.length).toBeLessThan(ids.length);
    client.close();
    await fixture.restart();

    const after = await connect(token);
    await until(
      () => ids.every((id) => outboxField(after, id, 'status') === 'sent'),
      'every message to show sent',
    );
    await fixture.relay.outbox.idle();
    expect(received).toHaveLength(ids.length);
    expect(new Set(messageIds(received)).size).toBe(ids.length);

    // A restart after draining finds nothing left to send.
    after.close();
    await fixture.restart();
    const last = await connect(token);
    fixture.relay.outbox.kick();
    await fixture.relay.outbox.idle();
    expect(received).toHaveLength(ids.length);
    for (const id of ids) {
      expect(outboxField(last, id, 'status')).toBe('sent');
      expect(outboxField(last, id, 'attempts')).toBe(1);
    }
  });

  it('shows a send the doc missed as sent', async () => {
    smtp = await startSmtp();
    fixture = await startTestRelay(
      { SMTP_URL: smtp.url },
      { outbox: { pollMs: 50 } },
    );
    const token = await staffToken(fixture.relay, 'staff@firm.example');
    const client = await connect(token);
    queueMessage(client, 'm-stale', { to: 'desk@firm.example' });
    await until(
      () => outboxField(client, 'm-stale', 'status') === 'sent',
      'the message to be sent',
    );
    // A client writes `queued` over `sent`; the relay must not resend.
    client
      .doc('firm')
      .doc.getMap<import('yjs').Map<unknown>>('outbox')
      .get('m-stale')
      ?.set('status', 'queued');
    await until(
      () => outboxField(client, 'm-stale', 'status') === 'sent',
      'the relay to restore sent',
    );
    await fixture.relay.outbox.idle();
    expect(smtp.received).toHaveLength(1);
  });
});
