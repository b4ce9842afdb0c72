import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  staffToken,
  startTestRelay,
  type RelayFixture,
} from '../sync/relay-fixture.js';
import { MultiplexClient } from '../sync/y-client.js';

let fixture: RelayFixture;
let token: string;
const clients: MultiplexClient[] = [];

beforeEach(async () => {
  fixture = await startTestRelay({ DOC_IDLE_MS: '50' });
  token = await staffToken(fixture.relay, 'ann@firm.example');
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await fixture.stop();
});

async function connect(): Promise<MultiplexClient> {
  const client = await MultiplexClient.connect(fixture.relay.url, { token });
  clients.push(client);
  client.follow('firm');
  await client.waitForSynced('firm');
  return client;
}

function setStatus(id: string, status: string) {
  return (doc: Y.Doc) => {
    const outbox = doc.getMap<Y.Map<unknown>>('outbox');
    let record = outbox.get(id);
    if (!record) {
      record = new Y.Map<unknown>();
      outbox.set(id, record);
    }
    record.set('status', status);
  };
}

function statusIn(doc: Y.Doc, id: string): unknown {
  return doc.getMap<Y.Map<unknown>>('outbox').get(id)?.get('status');
}

describe('writeAsRelay', () => {
  it('reaches staff and survives restart', async () => {
    const client = await connect();
    await fixture.relay.docs.writeAsRelay('firm', setStatus('m1', 'sent'));

    await client.waitFor(
      () => statusIn(client.doc('firm').doc, 'm1') === 'sent',
      'the relay write to arrive',
    );
    client.close();

    await fixture.restart();
    const again = await connect();
    expect(statusIn(again.doc('firm').doc, 'm1')).toBe('sent');
  });

  it('stores before changing live doc', async () => {
    const docs = fixture.relay.docs;
    const live = await docs.acquire('firm');
    try {
      const written = docs.writeAsRelay('firm', setStatus('m2', 'queued'));
      // The write is still waiting for its commit here.
      expect(statusIn(live.doc, 'm2')).toBeUndefined();
      await written;
      expect(statusIn(live.doc, 'm2')).toBe('queued');
      const rows = await fixture.relay.storage.loadUpdates('firm');
      const stored = new Y.Doc();
      for (const row of rows) Y.applyUpdate(stored, row.update);
      expect(statusIn(stored, 'm2')).toBe('queued');
    } finally {
      docs.release('firm');
    }
  });

  it('orders writes and skips no-ops', async () => {
    const docs = fixture.relay.docs;
    const seen: unknown[] = [];
    const writes = [1, 2, 3].map((n) =>
      docs.writeAsRelay('firm', (doc) => {
        const counter = doc.getMap<number>('counter');
        seen.push(counter.get('n'));
        counter.set('n', n);
      }),
    );
    await Promise.all(writes);
    expect(seen).toEqual([undefined, 1, 2]);

    const before = (await fixture.relay.storage.loadUpdates('firm')).length;
    await docs.writeAsRelay('firm', () => undefined);
    const after = (await fixture.relay.storage.loadUpdates('firm')).length;
    expect(after).toBe(before);
  });

  it('writes under its own client id', async () => {
    const client = await connect();
    const followed = client.doc('firm').doc;
    const before = new Set(followed.store.clients.keys());
    await fixture.relay.docs.writeAsRelay('firm', setStatus('m3', 'sent'));
    await client.waitFor(
      () => statusIn(followed, 'm3') === 'sent',
      'the relay write',
    );
    const added = [...followed.store.clients.keys()].filter(
      (id) => !before.has(id),
    );
    expect(added).toHaveLength(1);
    expect(added).not.toContain(followed.clientID);
  });
});
