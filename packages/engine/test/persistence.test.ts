import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, beforeEach, expect, test } from 'vitest';
import * as Y from 'yjs';
import { FIRM_COLLECTIONS, PORTAL_COLLECTIONS } from '../src/collections.js';
import { openDatabase } from '../src/database.js';
import { openStaffEngine, type StaffEngine } from '../src/index.js';
import type { EngineOptions } from '../src/options.js';
import { YjsStore } from '../src/persistence/yjs-store.js';
import { contactInput, testOptions, until, waitFor } from './support/engine.js';
import { relayRecord, remoteContactFields } from './support/remote.js';
import { TestRelay } from './support/test-relay.js';

let relay: TestRelay;
let options: EngineOptions;
let engine: StaffEngine | undefined;

beforeEach(async () => {
  relay = await TestRelay.start();
  options = testOptions(relay.url, { indexedDB: new IDBFactory() });
});

afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await relay.close();
});

async function reopen(startOnline: boolean): Promise<StaffEngine> {
  await engine?.close();
  engine = await openStaffEngine({ ...options, startOnline });
  return engine;
}

function openStore(): Promise<YjsStore> {
  return YjsStore.open(
    options.indexedDB,
    IDBKeyRange,
    `${options.databaseName}-yjs`,
  );
}

test('offline edits survive a restart', async () => {
  const first = await reopen(false);
  const created = await first.contacts.create(contactInput);
  await first.contacts.update(created.id, { phone: '999' });
  const second = await reopen(false);
  expect(await second.contacts.list()).toEqual([
    { ...created, phone: '999', updatedAt: expect.any(String) as string },
  ]);
});

test('pending count survives a restart', async () => {
  relay.holdAcks = true;
  const first = await reopen(true);
  const created = await first.contacts.create(contactInput);
  await until(
    () => relayRecord(relay, 'firm', 'contacts', created.id) !== undefined,
    'the contact on the relay',
  );
  // Sent but not acknowledged, so still pending.
  expect(await waitFor(first.pending$, () => true)).toBe(1);

  const second = await reopen(false);
  expect(await waitFor(second.pending$, () => true)).toBe(1);
  second.goOnline();
  await waitFor(second.connection$, (state) => state === 'online');
  await until(() => relay.connections === 2, 'the second connection');
  expect(await waitFor(second.pending$, () => true)).toBe(1);

  relay.releaseAcks();
  await second.waitForAllSaved();
  const third = await reopen(false);
  expect(await waitFor(third.pending$, () => true)).toBe(0);
});

test('reconnect after restart creates no duplicates', async () => {
  const first = await reopen(false);
  await first.contacts.create(contactInput);
  const second = await reopen(true);
  await second.waitForAllSaved();
  await reopen(true);
  await engine!.waitForAllSaved();
  expect(relay.doc('firm').getMap('contacts').size).toBe(1);
  expect(await engine!.contacts.list()).toHaveLength(1);
});

test('open rebuilds RxDB from Yjs after a crash', async () => {
  const first = await reopen(false);
  const kept = await first.contacts.create(contactInput);
  const edited = await first.contacts.create({
    ...contactInput,
    displayName: 'Edited',
  });
  const removed = await first.contacts.create({
    ...contactInput,
    displayName: 'Removed in RxDB',
  });
  await first.close();
  engine = undefined;

  // A crash between the two stores leaves RxDB out of step with Yjs.
  const database = await openDatabase({
    ...options,
    specs: [...FIRM_COLLECTIONS, ...PORTAL_COLLECTIONS],
  });
  const contacts = database.collections['contacts']!;
  await (await contacts.findOne(edited.id).exec())!.incrementalPatch({
    displayName: 'Stale',
  });
  await (await contacts.findOne(removed.id).exec())!.remove();
  await contacts.insert({ id: crypto.randomUUID(), ...remoteContactFields });
  await database.close();

  // And a Yjs update that was stored but never projected.
  const store = await openStore();
  const lost = crypto.randomUUID();
  await store.appendRemote('firm', contactUpdate(lost));
  store.close();

  const second = await reopen(false);
  const ids = (await second.contacts.list()).map((row) => row.id).sort();
  expect(ids).toEqual([kept.id, edited.id, removed.id, lost].sort());
  expect((await second.contacts.get(edited.id))?.displayName).toBe('Edited');
});

test('open compacts stored updates', async () => {
  const first = await reopen(false);
  for (let i = 0; i < 5; i += 1) {
    await first.contacts.create({ ...contactInput, displayName: `c${i}` });
  }
  await first.close();
  engine = undefined;
  let store = await openStore();
  expect((await store.load('firm')).updates.length).toBeGreaterThan(1);
  store.close();

  await reopen(false);
  await engine!.close();
  engine = undefined;
  store = await openStore();
  const stored = await store.load('firm');
  store.close();
  expect(stored.updates).toHaveLength(1);
  expect(stored.pending).toHaveLength(5);
});

/** Returns a Yjs update that adds one valid contact to the firm doc. */
function contactUpdate(id: string): Uint8Array {
  const doc = new Y.Doc();
  const record = new Y.Map<unknown>();
  for (const [field, value] of Object.entries(remoteContactFields)) {
    record.set(field, value);
  }
  doc.getMap('contacts').set(id, record);
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}
