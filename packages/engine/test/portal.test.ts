import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, expect, test } from 'vitest';
import {
  openPortalEngine,
  openStaffEngine,
  type PortalEngine,
  type Session,
  type StaffEngine,
} from '../src/index.js';
import { contactInput, testOptions, until } from './support/engine.js';
import { recordMap, relayRecord, remoteWrite } from './support/remote.js';
import { TestRelay } from './support/test-relay.js';

let relay: TestRelay;
let engine: StaffEngine | PortalEngine | undefined;

beforeEach(async () => {
  relay = await TestRelay.start();
});

afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await relay.close();
});

const fileFields = {
  name: 'report.pdf',
  size: 1024,
  sha256: 'a'.repeat(64),
  mediaType: 'application/pdf',
  direction: 'from-client',
  uploadedAt: '2026-02-01T09:00:00.000Z',
  status: 'available',
};

/** Returns a `fetch` stand-in that serves one session. */
function sessionFetch(session: Session): typeof fetch {
  return () => Promise.resolve(Response.json(session));
}

test('staff follows a published contact', async () => {
  const staff = await openStaffEngine(testOptions(relay.url));
  engine = staff;
  const contact = await staff.contacts.create({
    ...contactInput,
    portal: { status: 'invited' },
  });
  const docName = `portal/${contact.id}`;
  await until(() => relay.docs.has(docName), 'the portal doc on the relay');

  await staff.collections['portalprofiles'].insert({
    contactId: contact.id,
    displayName: 'Ada Lovelace',
    email: 'ada@example.com',
  });
  await until(
    () => relayRecord(relay, docName, 'profile', 'profile') !== undefined,
    'the profile on the relay',
  );
  expect(relayRecord(relay, docName, 'profile', 'profile')).toEqual({
    displayName: 'Ada Lovelace',
    email: 'ada@example.com',
  });

  const fileId = crypto.randomUUID();
  remoteWrite(relay, docName, (doc) =>
    doc.getMap('files').set(fileId, recordMap(fileFields)),
  );
  const files = staff.collections['portalfiles'];
  await until(
    async () => (await files.findOne(fileId).exec()) !== null,
    'the client upload in RxDB',
  );
  const file = await files.findOne(fileId).exec();
  expect(file?.get('contactId')).toBe(contact.id);
});

test('staff ignores unpublished contacts', async () => {
  const staff = await openStaffEngine(testOptions(relay.url));
  engine = staff;
  const contact = await staff.contacts.create(contactInput);
  await staff.waitForAllSaved();
  expect(relay.docs.has(`portal/${contact.id}`)).toBe(false);
});

test('app write opens and syncs a portal doc', async () => {
  const staff = await openStaffEngine(testOptions(relay.url));
  engine = staff;
  const contactId = crypto.randomUUID();
  await staff.collections.portalsettings.insert({
    contactId,
    allowPayments: false,
    firmName: 'Example Firm',
  });
  const docName = `portal/${contactId}`;
  await until(
    () => relayRecord(relay, docName, 'settings', 'settings') !== undefined,
    'the settings on the relay',
  );
  expect(relayRecord(relay, docName, 'settings', 'settings')).toEqual({
    allowPayments: false,
    firmName: 'Example Firm',
  });
});

test('portal engine reads its portal doc', async () => {
  const contactId = crypto.randomUUID();
  const docName = `portal/${contactId}`;
  remoteWrite(relay, docName, (doc) => {
    doc
      .getMap('profile')
      .set('profile', recordMap({ displayName: 'Ada', email: 'a@b.example' }));
    doc
      .getMap('settings')
      .set('settings', recordMap({ allowPayments: true, firmName: 'Firm' }));
  });
  const options = testOptions(relay.url, {
    indexedDB: new IDBFactory(),
    fetch: sessionFetch({
      role: 'client',
      email: 'a@b.example',
      contactId,
      mustChangePassword: false,
    }),
  });
  let portal = await openPortalEngine(options);
  engine = portal;
  expect(portal.contactId).toBe(contactId);
  await until(
    async () => (await portal.settings.get(contactId)) !== undefined,
    'the portal settings',
  );
  expect(await portal.profile.get(contactId)).toEqual({
    contactId,
    displayName: 'Ada',
    email: 'a@b.example',
  });
  // Closing the socket flushes every frame the engine sent before it.
  await portal.goOffline();
  expect(relay.writesReceived).toBe(0);

  // With the session endpoint unreachable, the stored contact id and Yjs
  // state are enough.
  await portal.close();
  portal = await openPortalEngine({
    ...options,
    fetch: () => Promise.reject(new TypeError('fetch failed')),
  });
  engine = portal;
  expect(portal.contactId).toBe(contactId);
  expect((await portal.settings.get(contactId))?.firmName).toBe('Firm');
});

test('portal engine rejects a staff session', async () => {
  const options = testOptions(relay.url, {
    fetch: sessionFetch({
      role: 'staff',
      email: 'staff@example.com',
      mustChangePassword: false,
    }),
  });
  await expect(openPortalEngine(options)).rejects.toThrow(
    /has no portal contact/,
  );
});
