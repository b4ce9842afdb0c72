import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { RelayOptions } from '../../src/relay.js';
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

const FAST: RelayOptions = {
  outbox: {
    pollMs: 50,
    maxAttempts: 4,
    retry: { baseMs: 100, maxMs: 400 },
  },
};

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

async function start(env: Record<string, string>) {
  fixture = await startTestRelay(
    {
      FIRM_NAME: 'Hollis & Ward',
      FIRM_NOTIFY_EMAIL: 'desk@firm.example',
      ...env,
    },
    FAST,
  );
  const token = await staffToken(fixture.relay, 'staff@firm.example');
  const client = await MultiplexClient.connect(fixture.relay.url, { token });
  clients.push(client);
  client.follow('firm');
  await client.waitForSynced('firm');
  return { relay: fixture.relay, client };
}

const notice = { to: 'desk@firm.example', contactId: 'c1' };

describe('outbox over SMTP', () => {
  it('retries while SMTP is down, then sends', async () => {
    smtp = await startSmtp();
    await smtp.stop();
    const { relay, client } = await start({ SMTP_URL: smtp.url });
    queueMessage(client, 'm-down', notice);

    await until(
      () => Number(outboxField(client, 'm-down', 'attempts')) >= 2,
      'two failed attempts',
    );
    expect(outboxField(client, 'm-down', 'status')).not.toBe('sent');
    expect(String(outboxField(client, 'm-down', 'lastError'))).toMatch(
      /ECONNREFUSED|connect/i,
    );
    expect(outboxField(client, 'm-down', 'nextAttemptAt')).toBeTypeOf('string');

    await smtp.start();
    await until(
      () => outboxField(client, 'm-down', 'status') === 'sent',
      'the message to be sent',
    );
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]?.recipients).toEqual(['desk@firm.example']);
    expect(
      Number(outboxField(client, 'm-down', 'attempts')),
    ).toBeGreaterThanOrEqual(3);
    expect(outboxField(client, 'm-down', 'lastError')).toBeUndefined();
    expect(outboxField(client, 'm-down', 'messageId')).toBe(
      '<m-down@127.0.0.1>',
    );
    await relay.outbox.idle();
  });

  it('fails at once on a 550 reply', async () => {
    smtp = await startSmtp({ code: 550, text: 'No such mailbox here' });
    const { client } = await start({ SMTP_URL: smtp.url });
    queueMessage(client, 'm-550', notice);

    await until(
      () => outboxField(client, 'm-550', 'status') === 'failed',
      'the message to fail',
    );
    expect(outboxField(client, 'm-550', 'attempts')).toBe(1);
    expect(String(outboxField(client, 'm-550', 'lastError'))).toContain(
      'No such mailbox here',
    );
    expect(smtp.received).toHaveLength(0);
  });

  it('sends a re-queued failed message again', async () => {
    smtp = await startSmtp();
    await smtp.stop();
    const { client } = await start({ SMTP_URL: smtp.url });
    queueMessage(client, 'm-again', notice);
    await until(
      () => outboxField(client, 'm-again', 'status') === 'failed',
      'the message to fail after its attempts',
      30_000,
    );
    expect(outboxField(client, 'm-again', 'attempts')).toBe(4);

    await smtp.start();
    client
      .doc('firm')
      .doc.getMap<Y.Map<unknown>>('outbox')
      .get('m-again')
      ?.set('status', 'queued');
    await until(
      () => outboxField(client, 'm-again', 'status') === 'sent',
      'the re-queued message to be sent',
    );
    expect(smtp.received).toHaveLength(1);
  });

  it('never sends a cancelled message', async () => {
    smtp = await startSmtp();
    const { relay, client } = await start({ SMTP_URL: smtp.url });
    queueMessage(client, 'm-cancel', { ...notice, status: 'cancelled' });
    queueMessage(client, 'm-after', notice);
    await until(
      () => outboxField(client, 'm-after', 'status') === 'sent',
      'the later message to be sent',
    );
    await relay.outbox.idle();
    expect(smtp.received).toHaveLength(1);
    expect(outboxField(client, 'm-cancel', 'status')).toBe('cancelled');
  });

  it('rejects hostile recipients without sending', async () => {
    smtp = await startSmtp();
    const { client } = await start({ SMTP_URL: smtp.url });
    const hostile = [
      'ada@client.example\r\nBcc: eve@evil.example',
      'ada@client.example, eve@evil.example',
      '"eve@evil.example"@client.example',
      'ada(comment)@client.example',
      'ada@client.example.',
      `${'a'.repeat(65)}@client.example`,
      'Ada <ada@client.example>',
    ];
    hostile.forEach((to, i) => queueMessage(client, `bad-${i}`, { to }));
    for (const [i] of hostile.entries()) {
      await until(
        () => outboxField(client, `bad-${i}`, 'status') === 'failed',
        `bad-${i} to fail`,
      );
      expect(String(outboxField(client, `bad-${i}`, 'lastError'))).toMatch(
        /Recipient rejected/,
      );
    }
    expect(smtp.received).toHaveLength(0);
  });
});

describe('outbox without SMTP', () => {
  it('writes a parseable .eml file', async () => {
    const { relay, client } = await start({});
    await relay.outbox.queueStaffNotice({
      clientName: 'Ada Lovelace',
      fileName: 'tax-return.pdf',
      contactId: 'c1',
    });
    const mailDir = path.join(fixture?.dataDir ?? '', 'mail');
    await until(async () => {
      const files = await readdir(mailDir).catch(() => []);
      return files.length === 1;
    }, 'one .eml file');
    const [name] = await readdir(mailDir);
    const parsed = await simpleParser(
      await readFile(path.join(mailDir, name ?? '')),
    );
    expect(parsed.subject).toBe('Ada Lovelace uploaded tax-return.pdf');
    expect(parsed.text).toContain('Client: Ada Lovelace');
    expect(parsed.text).toContain('File: tax-return.pdf');
    expect(parsed.html).toContain('<strong>tax-return.pdf</strong>');
    const to = parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : '';
    expect(to).toBe('desk@firm.example');

    await until(
      () =>
        [...client.doc('firm').doc.getMap('outbox').keys()].some(
          (id) => outboxField(client, id, 'status') === 'sent',
        ),
      'the notice to show sent',
    );
    const [id] = [...client.doc('firm').doc.getMap('outbox').keys()];
    expect(parsed.messageId).toBe(outboxField(client, id ?? '', 'messageId'));
  });
});
