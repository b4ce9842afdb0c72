// Two staff engines, each in its own worker thread, sync through a real
// relay: offline edits merge per field, one field converges, deletes
// spread, and a client restarted while offline keeps its edits.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { EngineClient } from './harness/engine-client.js';
import { startTestRelay, type TestRelay } from './harness/relay.js';
import type { Dump } from './harness/protocol.js';
import { until } from './harness/wait.js';

let relay: TestRelay;
let alice: EngineClient;
let bob: EngineClient;

beforeAll(async () => {
  relay = await startTestRelay();
  const open = async (name: string) =>
    EngineClient.start(name, {
      relayUrl: relay.url,
      token: await relay.staffToken(`${name}@example.com`),
      databaseName: name,
      startOnline: true,
    });
  [alice, bob] = await Promise.all([open('alice'), open('bob')]);
});

afterAll(async () => {
  await Promise.all([alice?.close(), bob?.close()]);
  await relay?.close();
});

type Row = Record<string, unknown>;

async function contactOn(client: EngineClient, id: string) {
  const dump = await client.dump();
  return dump['contacts']?.find((row) => row['id'] === id);
}

/** Waits until both clients have saved and show identical RxDB contents. */
async function converge(): Promise<Dump> {
  await Promise.all([alice.waitForAllSaved(), bob.waitForAllSaved()]);
  let dumps: [Dump, Dump] | undefined;
  await until(async () => {
    dumps = [await alice.dump(), await bob.dump()];
    return JSON.stringify(dumps[0]) === JSON.stringify(dumps[1]);
  }, 'both clients to show the same records');
  expect(dumps![1]).toEqual(dumps![0]);
  return dumps![0];
}

async function createContact(displayName: string): Promise<Row> {
  const contact = await alice.create('contacts', {
    displayName,
    kind: 'person',
    email: `${displayName.toLowerCase()}@example.com`,
  });
  await alice.waitForAllSaved();
  await until(
    async () => (await contactOn(bob, String(contact['id']))) !== undefined,
    `${displayName} to reach bob`,
  );
  return contact;
}

test('offline edits of different fields both survive', async () => {
  const contact = await createContact('Ada');
  const id = String(contact['id']);
  await Promise.all([alice.goOffline(), bob.goOffline()]);

  await alice.update('contacts', id, { phone: '+1 555 0100' });
  await bob.update('contacts', id, { notes: 'Prefers email' });
  await Promise.all([alice.goOnline(), bob.goOnline()]);
  await converge();

  for (const client of [alice, bob]) {
    const merged = await contactOn(client, id);
    expect(merged?.['phone']).toBe('+1 555 0100');
    expect(merged?.['notes']).toBe('Prefers email');
  }
});

test('same field converges to one value', async () => {
  const contact = await createContact('Grace');
  const id = String(contact['id']);
  await Promise.all([alice.goOffline(), bob.goOffline()]);

  await alice.update('contacts', id, { displayName: 'Grace A' });
  await bob.update('contacts', id, { displayName: 'Grace B' });
  await Promise.all([alice.goOnline(), bob.goOnline()]);
  await converge();

  const onAlice = await contactOn(alice, id);
  const onBob = await contactOn(bob, id);
  expect(['Grace A', 'Grace B']).toContain(onAlice?.['displayName']);
  expect(onBob?.['displayName']).toBe(onAlice?.['displayName']);
});

test('delete reaches both clients', async () => {
  const contact = await createContact('Edsger');
  const id = String(contact['id']);
  await bob.delete('contacts', id);
  await converge();

  expect(await contactOn(alice, id)).toBeUndefined();
  expect(await contactOn(bob, id)).toBeUndefined();
});

test('offline restart keeps edits and syncs once', async () => {
  const existing = await createContact('Barbara');
  const existingId = String(existing['id']);
  await bob.goOffline();

  const added = await bob.create('contacts', {
    displayName: 'Offline Only',
    kind: 'organization',
  });
  const addedId = String(added['id']);
  await bob.update('contacts', existingId, { phone: '+44 20 0000' });
  const invoice = await bob.create('invoices', {
    contactId: addedId,
    number: 'INV-1',
    issueDate: '2026-01-05',
    dueDate: '2026-02-05',
    currency: 'EUR',
    lines: [{ description: 'Advice', quantity: 2, unitAmount: 15000 }],
    total: 30000,
    status: 'issued',
  });
  expect(await bob.pending()).toBe(3);

  await bob.restart();
  expect(await bob.pending()).toBe(3);
  expect(await contactOn(bob, addedId)).toMatchObject({
    displayName: 'Offline Only',
  });
  expect((await contactOn(bob, existingId))?.['phone']).toBe('+44 20 0000');

  await bob.goOnline();
  const dump = await converge();
  expect(await bob.pending()).toBe(0);

  const named = (name: string) =>
    dump['contacts']!.filter((row) => row['displayName'] === name);
  expect(named('Offline Only')).toHaveLength(1);
  expect(named('Barbara')).toHaveLength(1);
  expect(named('Barbara')[0]?.['phone']).toBe('+44 20 0000');
  expect(dump['invoices']!.map((row) => row['id'])).toContain(invoice['id']);
  expect(dump['invoices']).toHaveLength(1);
});

test('no client reported an engine error', async () => {
  expect(await alice.takeErrors()).toEqual([]);
  expect(await bob.takeErrors()).toEqual([]);
});
