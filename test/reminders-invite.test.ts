/**
 * Sync Contact through first login: a staff engine in this process, a
 * real relay and a real SMTP server on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  InvalidContactEmailError,
  ReminderStateError,
  type StaffEngine,
} from '@portico/engine';
import { MASKED_PASSWORD } from '@portico/engine/mail';
import {
  api,
  errorCode,
  login,
  startTestRelay,
  type TestRelay,
} from './support/relay.js';
import { startSmtpServer, type TestSmtp } from './support/smtp.js';
import {
  openTestStaffEngine,
  waitForMailSettings,
} from './support/staff-engine.js';
import { until } from './support/wait.js';
import { MultiplexClient } from './support/sync-client.js';

let relay: TestRelay | undefined;
let smtp: TestSmtp | undefined;
let engine: StaffEngine | undefined;

afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await relay?.close();
  relay = undefined;
  await smtp?.close();
  smtp = undefined;
});

async function setUp() {
  smtp = await startSmtpServer();
  relay = await startTestRelay({
    SMTP_URL: smtp.url,
    FIRM_NAME: 'Hollis & Ward Accountants',
    MAIL_FROM: 'Hollis & Ward <portal@hollis.example>',
  });
  engine = await openTestStaffEngine(relay.url, await relay.staffToken());
  await waitForMailSettings(engine);
  return { relay, smtp, engine };
}

/** Finds the temporary password in an invitation's text body. */
function temporaryPasswordIn(text: string): string {
  const match = /^Temporary password: (\S+)$/m.exec(text);
  if (!match?.[1]) throw new Error(`No temporary password in:\n${text}`);
  return match[1];
}

describe('Sync Contact invitation', () => {
  it('arrives and leads to a first login', async () => {
    const { relay, smtp, engine } = await setUp();
    const contact = await engine.contacts.create({
      displayName: 'Ada Lovelace',
      kind: 'person',
      email: 'Ada.Lovelace@Client.Example',
    });
    const { invite } = await engine.portal.syncContact(contact.id);
    expect(invite?.status).toBe('pending');
    expect(invite?.to).toBe('Ada.Lovelace@client.example');
    expect((await engine.contacts.get(contact.id))?.portal.status).toBe(
      'invited',
    );
    await until(
      async () => (await engine.portal.listPendingReminders()).length === 1,
      'one pending reminder',
    );

    await engine.portal.sendAllReminders();
    await smtp.waitForMessages(1);
    const [mail] = smtp.received;
    expect(mail?.recipients).toEqual(['Ada.Lovelace@client.example']);
    const password = temporaryPasswordIn(mail?.parsed.text ?? '');

    // The outbox record shows the send to staff.
    await until(
      async () =>
        (await engine.outbox.get(invite?.id ?? ''))?.status === 'sent',
      'the invite to show sent',
    );
    const sent = await engine.outbox.get(invite?.id ?? '');
    expect(sent?.messageId).toBe(`<${invite?.id}@127.0.0.1>`);
    expect(sent?.attempts).toBe(1);
    expect(sent?.sentAt).toBeDefined();
    expect(mail?.parsed.messageId).toBe(sent?.messageId);

    const first = await login(
      relay.url,
      'ada.lovelace@client.example',
      password,
    );
    expect(first.status).toBe(200);
    expect(first.mustChangePassword).toBe(true);
    const token = first.token ?? '';

    // Everything but the password change is forbidden for now.
    const files = await api(relay.url, 'GET', '/api/blobs/' + '0'.repeat(64), {
      token,
    });
    expect(files.status).toBe(403);
    expect(errorCode(files)).toBe('password_change_required');
    const unknown = await api(relay.url, 'GET', '/api/portal/anything', {
      token,
    });
    expect(unknown.status).toBe(403);
    const refused = await MultiplexClient.upgradeStatus(relay.url, token);
    expect(refused).toBe(403);
    const session = await api(relay.url, 'GET', '/api/auth/session', { token });
    expect(session.body['mustChangePassword']).toBe(true);

    const changed = await api(relay.url, 'POST', '/api/auth/password', {
      token,
      body: {
        currentPassword: password,
        newPassword: 'a long and private passphrase',
      },
    });
    expect(changed.status).toBe(200);
    const newToken = String(changed.body['token']);
    expect(newToken).not.toBe(token);

    // The old session ended; the new one may open its own portal doc.
    const old = await api(relay.url, 'GET', '/api/auth/session', { token });
    expect(old.status).toBe(401);
    const client = await MultiplexClient.connect(relay.url, newToken);
    try {
      client.follow(`portal/${contact.id}`);
      await client.waitForSynced(`portal/${contact.id}`);
      const profile = client
        .doc(`portal/${contact.id}`)
        .getMap<Y.Map<unknown>>('profile')
        .get('profile');
      expect(profile?.get('email')).toBe('Ada.Lovelace@client.example');
    } finally {
      client.close();
    }

    const again = await login(
      relay.url,
      'ada.lovelace@client.example',
      password,
    );
    expect(again.status).toBe(401);
    await until(
      async () =>
        (await engine.contacts.get(contact.id))?.portal.status === 'active',
      'the contact to become active',
    );
  });

  it('is not repeated for an unchanged contact', async () => {
    const { engine } = await setUp();
    const contact = await engine.contacts.create({
      displayName: 'Grace Hopper',
      kind: 'person',
      email: 'grace@client.example',
    });
    const counts: number[] = [];
    const subscription = engine.portal.pendingReminderCount$.subscribe(
      (count) => counts.push(count),
    );
    const first = await engine.portal.syncContact(contact.id);
    const second = await engine.portal.syncContact(contact.id);
    expect(first.invite).toBeDefined();
    expect(second.invite).toBeUndefined();
    expect(await engine.portal.listPendingReminders()).toHaveLength(1);
    await until(() => counts.at(-1) === 1, 'a pending count of 1');
    subscription.unsubscribe();

    await engine.contacts.update(contact.id, {
      email: 'grace.hopper@client.example',
    });
    const third = await engine.portal.syncContact(contact.id);
    expect(third.invite?.to).toBe('grace.hopper@client.example');
    const pending = await engine.portal.listPendingReminders();
    expect(pending.map((message) => message.to)).toEqual([
      'grace.hopper@client.example',
    ]);
    const old = await engine.outbox.get(first.invite?.id ?? '');
    expect(old?.status).toBe('cancelled');

    await expect(
      engine.portal.sendReminders([first.invite?.id ?? '']),
    ).rejects.toBeInstanceOf(ReminderStateError);
    await expect(
      engine.portal.requeueReminder(third.invite?.id ?? ''),
    ).rejects.toBeInstanceOf(ReminderStateError);
    const cancelled = await engine.portal.cancelReminder(
      third.invite?.id ?? '',
    );
    expect(cancelled.status).toBe('cancelled');
    expect(await engine.portal.listPendingReminders()).toHaveLength(0);
  });

  it('works offline and goes out later', async () => {
    const { smtp, engine } = await setUp();
    await engine.goOffline();
    const contact = await engine.contacts.create({
      displayName: 'Offline Olga',
      kind: 'person',
      email: 'olga@client.example',
    });
    const { invite } = await engine.portal.syncContact(contact.id);
    await engine.portal.sendReminders([invite?.id ?? '']);
    expect(smtp.received).toHaveLength(0);

    engine.goOnline();
    await smtp.waitForMessages(1);
    expect(smtp.received[0]?.recipients).toEqual(['olga@client.example']);
  });

  it('previews exactly what is sent', async () => {
    const { smtp, engine } = await setUp();
    const contact = await engine.contacts.create({
      displayName: 'Mary <b>Somerville</b>',
      kind: 'person',
      email: 'mary@client.example',
    });
    const { invite } = await engine.portal.syncContact(contact.id);
    const preview = await engine.portal.previewReminder(invite?.id ?? '');
    expect(preview.text).toContain(MASKED_PASSWORD);

    await engine.portal.sendAllReminders();
    await smtp.waitForMessages(1);
    const mail = smtp.received[0]?.parsed;
    const password = temporaryPasswordIn(mail?.text ?? '');
    const mask = (value: string) => value.replaceAll(password, MASKED_PASSWORD);
    expect(mail?.subject).toBe(preview.subject);
    expect(mask(mail?.text ?? '')).toBe(preview.text);
    expect(mask(String(mail?.html))).toBe(preview.html);
  });
});

describe('Sync Contact with a bad address', () => {
  const hostile = [
    ['missing', undefined],
    ['empty', ''],
    ['line feed', 'ada@client.example\nBcc: eve@evil.example'],
    ['carriage return', 'ada@client.example\r'],
    ['two addresses', 'ada@client.example, eve@evil.example'],
    ['semicolon list', 'ada@client.example;eve@evil.example'],
    ['display name', 'Ada <ada@client.example>'],
    ['quoted @', '"eve@evil.example"@client.example'],
    ['comment', 'ada(comment)@client.example'],
    ['trailing dot', 'ada@client.example.'],
    ['local trailing dot', 'ada.@client.example'],
    ['over-long local part', `${'a'.repeat(65)}@client.example`],
    ['over-long label', `ada@${'b'.repeat(64)}.example`],
    ['no domain', 'ada@'],
  ] as const;

  it.each(hostile)('rejects %s and publishes nothing', async (_, email) => {
    const { engine } = await setUp();
    const contact = await engine.contacts.create({
      displayName: 'Hostile Input',
      kind: 'person',
      ...(email === undefined ? {} : { email }),
    });
    await expect(engine.portal.syncContact(contact.id)).rejects.toBeInstanceOf(
      InvalidContactEmailError,
    );
    expect((await engine.contacts.get(contact.id))?.portal.status).toBe('none');
    expect(await engine.outbox.list()).toHaveLength(0);
    const profiles = await engine.collections.portalprofiles
      .find({ selector: { contactId: contact.id } })
      .exec();
    expect(profiles).toHaveLength(0);
  });
});
