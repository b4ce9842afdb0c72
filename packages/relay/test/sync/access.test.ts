import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode, SESSION_COOKIE } from '@portico/engine/protocol';
import {
  CLIENT_PASSWORD,
  clientToken,
  staffToken,
  startTestRelay,
  type RelayFixture,
} from './relay-fixture.js';
import {
  MultiplexClient,
  SingleDocClient,
  upgradeStatus,
  wsUrl,
  type FollowedDoc,
} from './y-client.js';

const OWN_DOC = 'portal/c1';
const OTHER_DOC = 'portal/c2';

let fixture: RelayFixture;
let staff: string;
let client: string;
const clients: { close(): void }[] = [];

function track<T extends { close(): void }>(value: T): T {
  clients.push(value);
  return value;
}

function setName(followed: FollowedDoc, id: string, name: string): void {
  const record = new Y.Map<unknown>();
  followed.doc.getMap('contacts').set(id, record);
  record.set('displayName', name);
}

function names(followed: FollowedDoc): string[] {
  return [...followed.doc.getMap('contacts').keys()].sort();
}

async function storedRows(docName: string): Promise<number> {
  return (await fixture.relay.storage.loadUpdates(docName)).length;
}

beforeAll(async () => {
  fixture = await startTestRelay();
  staff = await staffToken(fixture.relay, 'ann@firm.example');
  client = await clientToken(fixture.relay, 'bob@client.example', 'c1');

  // Seed the docs so that leaked data would be visible.
  const seeder = await MultiplexClient.connect(fixture.relay.url, {
    token: staff,
  });
  for (const name of ['firm', OWN_DOC, OTHER_DOC]) {
    setName(seeder.follow(name), 'seed', name);
    await seeder.waitForAllStored(name);
  }
  seeder.close();
});

afterAll(async () => {
  for (const value of clients.splice(0)) value.close();
  await fixture.stop();
});

describe('upgrade authentication', () => {
  it('refuses connections without credentials', async () => {
    const base = wsUrl(fixture.relay.url);
    expect(await upgradeStatus(`${base}/sync`)).toBe(401);
    expect(await upgradeStatus(`${base}/sync/firm`)).toBe(401);
  });

  it('refuses an unknown token', async () => {
    const base = wsUrl(fixture.relay.url);
    const token = 'A'.repeat(43);
    expect(await upgradeStatus(`${base}/sync`, { token })).toBe(401);
  });

  it('requires a matching Origin with the cookie', async () => {
    const base = wsUrl(fixture.relay.url);
    const cookie = `${SESSION_COOKIE}=${staff}`;
    expect(await upgradeStatus(`${base}/sync`, { cookie })).toBe(403);
    expect(
      await upgradeStatus(`${base}/sync`, {
        cookie,
        origin: 'https://evil.example',
      }),
    ).toBe(403);
    expect(
      await upgradeStatus(`${base}/sync`, {
        cookie,
        origin: fixture.relay.url,
      }),
    ).toBe(101);
  });

  it('refuses a client that must change its password', async () => {
    await fixture.relay.accounts.createClient(
      'new@client.example',
      CLIENT_PASSWORD,
      'c1',
      { mustChangePassword: true },
    );
    const { token } = await fixture.relay.accounts.login(
      'new@client.example',
      CLIENT_PASSWORD,
      'test',
    );
    const base = wsUrl(fixture.relay.url);
    expect(await upgradeStatus(`${base}/sync`, { token })).toBe(403);
    expect(await upgradeStatus(`${base}/sync/${OWN_DOC}`, { token })).toBe(403);
  });
});

describe('client on the single-doc endpoint', () => {
  it('cannot open the firm doc or another portal doc', async () => {
    const base = wsUrl(fixture.relay.url);
    const token = client;
    expect(await upgradeStatus(`${base}/sync/firm`, { token })).toBe(403);
    expect(await upgradeStatus(`${base}/sync/${OTHER_DOC}`, { token })).toBe(
      403,
    );
    expect(await upgradeStatus(`${base}/sync/nonsense`, { token })).toBe(403);
  });

  it('reads its own portal doc', async () => {
    const reader = track(
      await SingleDocClient.connect(fixture.relay.url, OWN_DOC, {
        token: client,
      }),
    );
    await reader.waitForSynced(OWN_DOC);
    expect(names(reader.followed)).toEqual(['seed']);
  });

  it('has its writes dropped', async () => {
    const watcher = track(
      await MultiplexClient.connect(fixture.relay.url, { token: staff }),
    );
    const watched = watcher.follow(OWN_DOC);
    await watcher.waitForSynced(OWN_DOC);
    await watcher.waitForAllStored(OWN_DOC);
    const rowsBefore = await storedRows(OWN_DOC);

    const reader = track(
      await SingleDocClient.connect(fixture.relay.url, OWN_DOC, {
        token: client,
      }),
    );
    await reader.waitForSynced(OWN_DOC);
    setName(reader.followed, 'from-single', 'x');
    await reader.roundTrip(OWN_DOC);
    await watcher.roundTrip(OWN_DOC);

    expect(await storedRows(OWN_DOC)).toBe(rowsBefore);
    expect(names(watched)).toEqual(['seed']);
  });
});

describe('client on the multiplexed endpoint', () => {
  it('is denied the firm doc and other portal docs', async () => {
    const reader = track(
      await MultiplexClient.connect(fixture.relay.url, { token: client }),
    );
    const firm = reader.follow('firm');
    const other = reader.follow(OTHER_DOC);
    const own = reader.follow(OWN_DOC);
    await reader.waitForSynced(OWN_DOC);
    await reader.waitFor(
      () => firm.denied !== undefined && other.denied !== undefined,
      'MESSAGE_DENIED for both docs',
    );

    expect(firm.denied?.code).toBe(CloseCode.forbidden);
    expect(other.denied?.code).toBe(CloseCode.forbidden);
    expect(firm.synced).toBe(false);
    expect(other.synced).toBe(false);
    expect(names(firm)).toEqual([]);
    expect(names(other)).toEqual([]);
    expect(names(own)).toEqual(['seed']);
    expect(reader.closed).toBeUndefined();
  });

  it('keeps ignoring a denied doc', async () => {
    const reader = track(
      await MultiplexClient.connect(fixture.relay.url, { token: client }),
    );
    const firm = reader.follow('firm');
    await reader.waitFor(() => firm.denied !== undefined, 'MESSAGE_DENIED');
    setName(firm, 'sneaky', 'x');
    reader.follow(OWN_DOC);
    await reader.roundTrip(OWN_DOC);

    expect(firm.synced).toBe(false);
    expect(names(firm)).toEqual(['sneaky']);
    const stored = await fixture.relay.storage.loadUpdates('firm');
    const doc = new Y.Doc();
    for (const row of stored) Y.applyUpdate(doc, row.update);
    expect(doc.getMap('contacts').has('sneaky')).toBe(false);
  });

  it('has its writes dropped, never stored or forwarded', async () => {
    const watcher = track(
      await MultiplexClient.connect(fixture.relay.url, { token: staff }),
    );
    const watched = watcher.follow(OWN_DOC);
    await watcher.waitForSynced(OWN_DOC);
    await watcher.waitForAllStored(OWN_DOC);
    const rowsBefore = await storedRows(OWN_DOC);
    const droppedBefore = (await fixture.relay.metrics.droppedWrites.get())
      .values[0]?.value;

    const reader = track(
      await MultiplexClient.connect(fixture.relay.url, { token: client }),
    );
    const own = reader.follow(OWN_DOC);
    await reader.waitForSynced(OWN_DOC);
    setName(own, 'from-multiplexed', 'x');
    await reader.roundTrip(OWN_DOC);
    await watcher.roundTrip(OWN_DOC);

    expect(await storedRows(OWN_DOC)).toBe(rowsBefore);
    expect(names(watched)).toEqual(['seed']);
    expect(own.stored).toBe(0);
    const droppedAfter = (await fixture.relay.metrics.droppedWrites.get())
      .values[0]?.value;
    expect(droppedAfter).toBeGreaterThan(droppedBefore ?? 0);
  });

  it('still receives what staff write', async () => {
    const reader = track(
      await MultiplexClient.connect(fixture.relay.url, { token: client }),
    );
    const own = reader.follow(OWN_DOC);
    await reader.waitForSynced(OWN_DOC);
    const writer = track(
      await MultiplexClient.connect(fixture.relay.url, { token: staff }),
    );
    setName(writer.follow(OWN_DOC), 'published', 'x');

    await reader.waitFor(
      () => names(own).includes('published'),
      'the staff update',
    );
    expect(names(own)).toContain('published');
  });
});
