import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import {
  openStaffEngine,
  type EngineError,
  type StaffEngine,
} from '../src/index.js';
import { contactInput, testOptions, until, waitFor } from './support/engine.js';
import {
  recordMap,
  relayRecord,
  remoteContactFields,
  remoteWrite,
} from './support/remote.js';
import { TestRelay } from './support/test-relay.js';

let relay: TestRelay;
let engine: StaffEngine;
let errors: EngineError[];
/** Yjs updates the relay received from the engine. */
let updatesFromEngine: number;

beforeEach(async () => {
  relay = await TestRelay.start();
  updatesFromEngine = 0;
  relay.doc('firm').on('update', (_update: Uint8Array, origin: unknown) => {
    if (origin !== null && origin !== undefined) updatesFromEngine += 1;
  });
  engine = await openStaffEngine(testOptions(relay.url));
  errors = [];
  engine.errors$.subscribe((error) => errors.push(error));
  await waitFor(engine.connection$, (state) => state === 'online');
});

afterEach(async () => {
  await engine.close();
  await relay.close();
});

/** Writes a marker contact and waits until the relay stores it. */
async function flushThroughRelay(): Promise<void> {
  const marker = await engine.contacts.create({
    displayName: 'marker',
    kind: 'organization',
  });
  await engine.waitForAllSaved();
  await until(
    () => relayRecord(relay, 'firm', 'contacts', marker.id) !== undefined,
    'the marker on the relay',
  );
}

describe('Yjs to RxDB', () => {
  test('API create appears in RxDB', async () => {
    const created = await engine.contacts.create(contactInput);
    const rows = await engine.collections['contacts'].find().exec();
    expect(rows.map((row) => row.primary)).toEqual([created.id]);
    expect(created.portal).toEqual({ status: 'none' });
    expect(created.createdAt).toBe(created.updatedAt);
  });

  test('API create sends one update', async () => {
    await engine.contacts.create(contactInput);
    await flushThroughRelay();
    // One update per create: no echo of the RxDB projection into Yjs.
    expect(updatesFromEngine).toBe(2);
  });

  test('remote record reaches RxDB without echo', async () => {
    const id = crypto.randomUUID();
    remoteWrite(relay, 'firm', (doc) =>
      doc.getMap('contacts').set(id, recordMap(remoteContactFields)),
    );
    await until(
      async () => (await engine.contacts.get(id)) !== undefined,
      'the remote contact in RxDB',
    );
    expect((await engine.contacts.get(id))?.displayName).toBe('Grace Hopper');
    await flushThroughRelay();
    expect(updatesFromEngine).toBe(1);
  });

  test('remote delete removes the row', async () => {
    const created = await engine.contacts.create(contactInput);
    await engine.waitForAllSaved();
    remoteWrite(relay, 'firm', (doc) =>
      doc.getMap('contacts').delete(created.id),
    );
    await until(
      async () => (await engine.contacts.get(created.id)) === undefined,
      'the deleted contact to leave RxDB',
    );
  });

  test('invalid remote record is quarantined', async () => {
    const good = crypto.randomUUID();
    const bad = crypto.randomUUID();
    remoteWrite(relay, 'firm', (doc) => {
      const contacts = doc.getMap('contacts');
      contacts.set(good, recordMap(remoteContactFields));
      contacts.set(bad, recordMap({ ...remoteContactFields, kind: 'robot' }));
    });
    await until(
      async () => (await engine.contacts.get(good)) !== undefined,
      'the valid remote contact',
    );
    expect(await engine.contacts.get(bad)).toBeUndefined();
    const quarantined = errors.filter((error) => error.kind === 'quarantine');
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]?.doc).toBe('firm');
    expect(quarantined[0]?.collection).toBe('contacts');
    expect(quarantined[0]?.id).toBe(bad);
    expect(quarantined[0]?.reason).toContain('/kind');
  });

  test('fields a newer schema adds are kept in Yjs', async () => {
    const id = crypto.randomUUID();
    remoteWrite(relay, 'firm', (doc) =>
      doc
        .getMap('contacts')
        .set(id, recordMap({ ...remoteContactFields, nickname: 'Amazing' })),
    );
    await until(
      async () => (await engine.contacts.get(id)) !== undefined,
      'the remote contact',
    );
    expect(await engine.contacts.get(id)).not.toHaveProperty('nickname');
    await engine.contacts.update(id, { phone: '555' });
    await engine.waitForAllSaved();
    await until(
      () => relayRecord(relay, 'firm', 'contacts', id)?.['phone'] === '555',
      'the phone edit on the relay',
    );
    expect(relayRecord(relay, 'firm', 'contacts', id)?.['nickname']).toBe(
      'Amazing',
    );
  });
});

describe('RxDB to Yjs', () => {
  test('app write reaches Yjs per field', async () => {
    const created = await engine.contacts.create(contactInput);
    const row = await engine.collections['contacts'].findOne(created.id).exec();
    await row!.incrementalPatch({ phone: '+44 20 7946 0000' });
    await engine.waitForAllSaved();
    await until(
      () =>
        relayRecord(relay, 'firm', 'contacts', created.id)?.['phone'] ===
        '+44 20 7946 0000',
      'the app write on the relay',
    );
    expect(updatesFromEngine).toBe(2);
  });

  test('app write is not projected back', async () => {
    const created = await engine.contacts.create(contactInput);
    const collection = engine.collections['contacts'];
    const row = await collection.findOne(created.id).exec();
    await row!.incrementalPatch({ notes: 'called on Monday' });
    await flushThroughRelay();
    const after = await collection.findOne(created.id).exec();
    // Revision 1 from the create, 2 from the app write; a third would mean
    // the bridge wrote the same data back into RxDB.
    expect(after?.revision.startsWith('2-')).toBe(true);
  });

  test('app insert and remove reach Yjs', async () => {
    const id = crypto.randomUUID();
    const collection = engine.collections['contacts'];
    await collection.insert({ id, ...remoteContactFields });
    await until(
      () => relayRecord(relay, 'firm', 'contacts', id) !== undefined,
      'the app insert on the relay',
    );
    expect(relayRecord(relay, 'firm', 'contacts', id)).not.toHaveProperty('id');
    const row = await collection.findOne(id).exec();
    await row!.remove();
    await until(
      () => relayRecord(relay, 'firm', 'contacts', id) === undefined,
      'the app remove on the relay',
    );
  });

  test('stale app write keeps remote fields', async () => {
    const created = await engine.contacts.create(contactInput);
    await engine.waitForAllSaved();
    remoteWrite(relay, 'firm', (doc) => {
      const record = doc.getMap('contacts').get(created.id) as Y.Map<unknown>;
      record.set('email', 'remote@example.com');
    });
    await until(
      async () =>
        (await engine.contacts.get(created.id))?.email === 'remote@example.com',
      'the remote email edit',
    );
    const row = await engine.collections['contacts'].findOne(created.id).exec();
    await row!.incrementalPatch({ phone: '42' });
    await until(
      () =>
        relayRecord(relay, 'firm', 'contacts', created.id)?.['phone'] === '42',
      'the app phone edit on the relay',
    );
    const merged = relayRecord(relay, 'firm', 'contacts', created.id);
    expect(merged?.['email']).toBe('remote@example.com');
  });
});

describe('per-field merge', () => {
  test('concurrent edits of two fields both survive', async () => {
    const created = await engine.contacts.create(contactInput);
    await engine.waitForAllSaved();
    await engine.goOffline();
    await engine.contacts.update(created.id, { phone: '111' });
    remoteWrite(relay, 'firm', (doc) => {
      const record = doc.getMap('contacts').get(created.id) as Y.Map<unknown>;
      record.set('notes', 'from the other client');
    });
    engine.goOnline();
    await engine.waitForAllSaved();
    await until(
      async () =>
        (await engine.contacts.get(created.id))?.notes ===
        'from the other client',
      'the remote notes edit',
    );
    const merged = await engine.contacts.get(created.id);
    expect(merged?.phone).toBe('111');
    expect(relayRecord(relay, 'firm', 'contacts', created.id)?.['phone']).toBe(
      '111',
    );
  });
});

describe('record store', () => {
  test('update of a missing id throws', async () => {
    await expect(
      engine.contacts.update('missing', { phone: '1' }),
    ).rejects.toThrow(/No contacts record with id "missing"/);
  });

  test('invalid create throws and writes nothing', async () => {
    await expect(
      engine.contacts.create({ ...contactInput, displayName: '' }),
    ).rejects.toThrow(/Invalid contacts record/);
    await expect(
      engine.contacts.create({ ...contactInput, colour: 'red' } as never),
    ).rejects.toThrow(/unknown fields colour/);
    expect(await engine.contacts.list()).toEqual([]);
  });

  test('update removes a field set to undefined', async () => {
    const created = await engine.contacts.create(contactInput);
    const updated = await engine.contacts.update(created.id, {
      email: undefined,
    });
    expect(updated).not.toHaveProperty('email');
  });

  test('observe emits the current list', async () => {
    const created = await engine.contacts.create(contactInput);
    const list = await waitFor(engine.contacts.observe(), (rows) =>
      rows.some((row) => row.id === created.id),
    );
    expect(list).toHaveLength(1);
  });
});
