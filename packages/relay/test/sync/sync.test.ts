import * as encoding from 'lib0/encoding';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import {
  CloseCode,
  MESSAGE_AWARENESS,
  MESSAGE_DENIED,
  MESSAGE_STORED,
} from '@portico/engine/protocol';
import {
  staffToken,
  startTestRelay,
  type RelayFixture,
} from './relay-fixture.js';
import {
  MultiplexClient,
  SingleDocClient,
  messageTypes,
  openSocket,
  upgradeStatus,
  wsUrl,
  type FollowedDoc,
} from './y-client.js';

let fixture: RelayFixture;
let token: string;
const clients: { close(): void }[] = [];

function track<T extends { close(): void }>(client: T): T {
  clients.push(client);
  return client;
}

function contact(followed: FollowedDoc, id: string): Y.Map<unknown> {
  const contacts = followed.doc.getMap<Y.Map<unknown>>('contacts');
  let record = contacts.get(id);
  if (!record) {
    record = new Y.Map<unknown>();
    contacts.set(id, record);
  }
  return record;
}

function contactName(followed: FollowedDoc, id: string): unknown {
  return followed.doc
    .getMap<Y.Map<unknown>>('contacts')
    .get(id)
    ?.get('displayName');
}

beforeEach(async () => {
  fixture = await startTestRelay({ DOC_IDLE_MS: '50' });
  token = await staffToken(fixture.relay, 'ann@firm.example');
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await fixture.stop();
});

describe('multiplexed endpoint', () => {
  it('syncs an update between two staff connections', async () => {
    const a = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    const b = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    const docA = a.follow('firm');
    const docB = b.follow('firm');
    await a.waitForSynced('firm');
    await b.waitForSynced('firm');

    contact(docA, 'c1').set('displayName', 'Acme Ltd');
    await a.waitForAllStored('firm');
    await b.waitFor(
      () => contactName(docB, 'c1') === 'Acme Ltd',
      'the contact on b',
    );
    expect(contactName(docB, 'c1')).toBe('Acme Ltd');
  });

  it('acknowledges stored writes with a running count', async () => {
    const a = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    const followed = a.follow('firm');
    await a.waitForSynced('firm');
    for (let i = 0; i < 5; i++) contact(followed, `c${i}`).set('n', i);
    await a.waitForAllStored('firm');

    expect(followed.stored).toBe(followed.writes);
    expect(followed.writes).toBeGreaterThanOrEqual(5);
  });

  it('serves a late joiner the stored state', async () => {
    const a = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    contact(a.follow('firm'), 'c1').set('displayName', 'Stored');
    await a.waitForAllStored('firm');
    a.close();

    await fixture.restart();
    const b = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    const docB = b.follow('firm');
    await b.waitForSynced('firm');
    expect(contactName(docB, 'c1')).toBe('Stored');
  });

  it('follows several docs on one socket', async () => {
    const a = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    const b = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    const names = ['firm', 'portal/p1', 'portal/p2'];
    for (const name of names) {
      a.follow(name);
      b.follow(name);
    }
    for (const name of names) {
      contact(a.doc(name), 'x').set('displayName', name);
    }
    for (const name of names) {
      await b.waitFor(
        () => contactName(b.doc(name), 'x') === name,
        `the contact in ${name}`,
      );
      expect(contactName(b.doc(name), 'x')).toBe(name);
    }
  });

  it('stops forwarding after unsubscribe', async () => {
    const a = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    const b = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    a.follow('firm');
    const docB = b.follow('firm');
    await b.waitForSynced('firm');
    b.unsubscribe('firm');
    // A second doc proves b's later frames were processed in order.
    b.follow('portal/marker');
    await b.waitForSynced('portal/marker');

    const framesBefore = b.frames.length;
    contact(a.doc('firm'), 'c1').set('displayName', 'After');
    await a.waitForAllStored('firm');
    contact(a.follow('portal/marker'), 'm').set('displayName', 'marker');
    await b.waitFor(
      () => contactName(b.doc('portal/marker'), 'm') === 'marker',
      'the marker update',
    );
    expect(contactName(docB, 'c1')).toBeUndefined();
    expect(b.frames.length).toBeGreaterThan(framesBefore);
  });

  it('denies docs past the per-connection limit', async () => {
    await fixture.stop();
    fixture = await startTestRelay({ MAX_DOCS_PER_CONNECTION: '2' });
    token = await staffToken(fixture.relay, 'ann@firm.example');
    const a = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    a.follow('firm');
    a.follow('portal/p1');
    const third = a.follow('portal/p2');
    await a.waitFor(() => third.denied !== undefined, 'MESSAGE_DENIED');

    expect(third.denied?.code).toBe(CloseCode.tooMany);
    await a.waitForSynced('portal/p1');
    expect(a.closed).toBeUndefined();
  });

  it('closes connections past the per-account limit', async () => {
    await fixture.stop();
    fixture = await startTestRelay({ MAX_CONNECTIONS_PER_ACCOUNT: '2' });
    token = await staffToken(fixture.relay, 'ann@firm.example');
    const first = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    track(await MultiplexClient.connect(fixture.relay.url, { token }));
    const third = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );

    expect((await third.waitForClose()).code).toBe(CloseCode.tooMany);
    first.follow('firm');
    await first.waitForSynced('firm');
    expect(first.closed).toBeUndefined();
  });

  it('acknowledges an empty update without a row', async () => {
    const a = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    const followed = a.follow('firm');
    await a.waitForSynced('firm');
    await a.waitForAllStored('firm');

    expect(followed.writes).toBeGreaterThan(0);
    expect(followed.stored).toBe(followed.writes);
    expect(await fixture.relay.storage.loadUpdates('firm')).toEqual([]);
  });

  it('closes with 4500 when storing fails', async () => {
    const a = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    const b = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    const followed = a.follow('firm');
    const docB = b.follow('firm');
    await a.waitForAllStored('firm');
    await b.waitForSynced('firm');
    await fixture.relay.storage.close();

    contact(followed, 'c1').set('displayName', 'Lost');
    const closed = await a.waitForClose();
    expect(closed.code).toBe(CloseCode.storageFailed);
    expect(followed.stored).toBeLessThan(followed.writes);
    expect(contactName(docB, 'c1')).toBeUndefined();
  });

  it('unloads an idle doc and reloads it', async () => {
    const a = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    contact(a.follow('firm'), 'c1').set('displayName', 'Kept');
    await a.waitForAllStored('firm');
    a.close();
    await a.waitForClose();
    await waitUntil(() => fixture.relay.docs.size === 0, 'the doc to unload');

    const b = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    const docB = b.follow('firm');
    await b.waitForSynced('firm');
    expect(contactName(docB, 'c1')).toBe('Kept');
  });
});

describe('single-doc endpoint', () => {
  it('syncs with the multiplexed endpoint', async () => {
    const single = track(
      await SingleDocClient.connect(fixture.relay.url, 'portal/p1', { token }),
    );
    const multi = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    const docM = multi.follow('portal/p1');
    await single.waitForSynced('portal/p1');
    await multi.waitForSynced('portal/p1');

    contact(single.followed, 'c1').set('displayName', 'From single');
    await multi.waitFor(
      () => contactName(docM, 'c1') === 'From single',
      'single-doc update on the multiplexed client',
    );
    contact(docM, 'c2').set('displayName', 'From multi');
    await single.waitFor(
      () => contactName(single.followed, 'c2') === 'From multi',
      'multiplexed update on the single-doc client',
    );
    expect(contactName(single.followed, 'c2')).toBe('From multi');
  });

  it('percent-decodes the doc name and ignores the query', async () => {
    const writer = track(
      await MultiplexClient.connect(fixture.relay.url, { token }),
    );
    contact(writer.follow('portal/p1'), 'c1').set('displayName', 'Encoded');
    await writer.waitForAllStored('portal/p1');

    const ws = await openSocket(
      `${wsUrl(fixture.relay.url)}/sync/portal%2Fp1?room=ignored`,
      { token },
    );
    const reader = track(new SingleDocClient(ws, 'portal/p1'));
    await reader.waitForSynced('portal/p1');
    expect(contactName(reader.followed, 'c1')).toBe('Encoded');
  });

  it('answers other paths with 404', async () => {
    const base = wsUrl(fixture.relay.url);
    expect(await upgradeStatus(`${base}/elsewhere`, { token })).toBe(404);
    expect(await upgradeStatus(`${base}/sync/`, { token })).toBe(404);
  });

  it('never sends Portico message types', async () => {
    const single = track(
      await SingleDocClient.connect(fixture.relay.url, 'firm', { token }),
    );
    await single.waitForSynced('firm');
    contact(single.followed, 'c1').set('displayName', 'x');
    // A second client's update arriving proves the first write was handled.
    const other = track(
      await SingleDocClient.connect(fixture.relay.url, 'firm', { token }),
    );
    await other.waitFor(
      () => contactName(other.followed, 'c1') === 'x',
      'the update on a second connection',
    );

    const types = messageTypes(single.frames, false);
    expect(types).not.toContain(MESSAGE_STORED);
    expect(types).not.toContain(MESSAGE_DENIED);
    expect(types.every((type) => type < 100)).toBe(true);
  });

  it('sends awareness to other followers', async () => {
    const a = track(
      await SingleDocClient.connect(fixture.relay.url, 'firm', { token }),
    );
    const b = track(
      await SingleDocClient.connect(fixture.relay.url, 'firm', { token }),
    );
    await a.waitForSynced('firm');
    await b.waitForSynced('firm');
    const clientId = a.followed.doc.clientID;
    a.followed.awareness.setLocalState({ user: 'ann' });
    a.sendRaw(awarenessFrame(a.followed));
    await b.waitFor(
      () => b.followed.awareness.getStates().has(clientId),
      'the awareness state on b',
    );

    a.close();
    await b.waitFor(
      () => !b.followed.awareness.getStates().has(clientId),
      'the awareness state removed on b',
    );
    expect(b.followed.awareness.getStates().has(clientId)).toBe(false);
  });
});

async function waitUntil(
  check: () => boolean,
  description: string,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function awarenessFrame(followed: FollowedDoc): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(
    encoder,
    awarenessProtocol.encodeAwarenessUpdate(followed.awareness, [
      followed.doc.clientID,
    ]),
  );
  return encoding.toUint8Array(encoder);
}
