import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { RelayMetrics } from '../../src/metrics.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import type { DocUpdate, Storage } from '../../src/storage/types.js';
import { UpdateWriter } from '../../src/storage/update-writer.js';
import { DocManager } from '../../src/sync/doc-manager.js';

const logger = pino({ level: 'silent' });
let dataDir: string;
let storage: SqliteStorage;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'portico-storage-'));
  storage = SqliteStorage.open(dataDir);
});

afterEach(async () => {
  await storage.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Returns a Yjs update that sets `contacts[id].displayName`. */
function contactUpdate(id: string, name: string): Uint8Array {
  const doc = new Y.Doc();
  const record = new Y.Map<unknown>();
  doc.getMap('contacts').set(id, record);
  record.set('displayName', name);
  return Y.encodeStateAsUpdate(doc);
}

function contactNames(doc: Y.Doc): Record<string, unknown> {
  const names: Record<string, unknown> = {};
  doc.getMap<Y.Map<unknown>>('contacts').forEach((record, id) => {
    names[id] = record.get('displayName');
  });
  return names;
}

function docManager(
  store: Storage,
  metrics = new RelayMetrics(),
  compactAfterRows = 500,
) {
  const writer = new UpdateWriter(store, metrics, logger);
  const docs = new DocManager({
    storage: store,
    writer,
    metrics,
    logger,
    docIdleMs: 10,
    compactAfterRows,
  });
  return { docs, writer, metrics };
}

describe('SqliteStorage', () => {
  it('loads appended updates in order', async () => {
    const first = contactUpdate('a', 'First');
    const second = contactUpdate('b', 'Second');
    await storage.appendUpdates([
      { docName: 'firm', update: first },
      { docName: 'portal/p1', update: second },
    ]);
    await storage.appendUpdates([{ docName: 'firm', update: second }]);

    const rows = await storage.loadUpdates('firm');
    expect(rows.map((row) => row.update)).toEqual([first, second]);
    expect(rows[0]?.id).toBeLessThan(rows[1]?.id ?? 0);
    expect(await storage.loadUpdates('portal/p1')).toHaveLength(1);
  });

  it('keeps appended updates across reopen', async () => {
    await storage.appendUpdates([
      { docName: 'firm', update: contactUpdate('a', 'A') },
    ]);
    await storage.close();
    storage = SqliteStorage.open(dataDir);
    expect(await storage.loadUpdates('firm')).toHaveLength(1);
  });

  it('replaces rows with a merged update', async () => {
    await storage.appendUpdates([
      { docName: 'firm', update: contactUpdate('a', 'A') },
      { docName: 'firm', update: contactUpdate('b', 'B') },
      { docName: 'firm', update: contactUpdate('c', 'C') },
    ]);
    const rows = await storage.loadUpdates('firm');
    const merged = Y.mergeUpdates(rows.slice(0, 2).map((row) => row.update));
    await storage.replaceUpdates(
      'firm',
      merged,
      rows.slice(0, 2).map((row) => row.id),
    );

    const after = await storage.loadUpdates('firm');
    expect(after).toHaveLength(2);
    expect(after.map((row) => row.id)).toContain(rows[2]?.id);
  });

  it('stores accounts with lower-cased unique emails', async () => {
    await storage.createAccount({
      id: 'id-1',
      email: 'Ann@Firm.Example',
      role: 'staff',
      contactId: null,
      passwordHash: 'x',
      mustChangePassword: false,
    });
    const found = await storage.findAccountByEmail('ANN@firm.example');
    expect(found?.id).toBe('id-1');
    await expect(
      storage.createAccount({
        id: 'id-2',
        email: 'ann@firm.example',
        role: 'staff',
        contactId: null,
        passwordHash: 'x',
        mustChangePassword: false,
      }),
    ).rejects.toThrow(/UNIQUE/);
  });
});

describe('DocManager with SQLite', () => {
  it('skips a corrupt row and loads the rest', async () => {
    const metrics = new RelayMetrics();
    await storage.appendUpdates([
      { docName: 'firm', update: contactUpdate('a', 'Before') },
      { docName: 'firm', update: new Uint8Array([1, 0xff, 0xff, 0xff, 7]) },
      { docName: 'firm', update: contactUpdate('b', 'After') },
    ]);
    const { docs } = docManager(storage, metrics);

    const doc = await docs.acquire('firm');
    expect(contactNames(doc.doc)).toEqual({ a: 'Before', b: 'After' });
    const corrupt = await metrics.corruptRows.get();
    expect(corrupt.values[0]?.value).toBe(1);
    docs.release('firm');
    await docs.close();
  });

  it('shares one load between concurrent first uses', async () => {
    let loads = 0;
    const counting: Storage = Object.create(storage) as Storage;
    counting.loadUpdates = (docName) => {
      loads++;
      return storage.loadUpdates(docName);
    };
    const { docs } = docManager(counting);

    const [first, second] = await Promise.all([
      docs.acquire('firm'),
      docs.acquire('firm'),
    ]);
    expect(first).toBe(second);
    expect(loads).toBe(1);
    await docs.close();
  });

  it('compacts after the configured number of rows', async () => {
    const { docs } = docManager(storage, new RelayMetrics(), 4);
    const doc = await docs.acquire('firm');
    const origin = {};
    for (let i = 0; i < 4; i++) {
      await docs.store(doc, contactUpdate(`c${i}`, `Name ${i}`), origin);
    }
    await waitUntil(
      async () => (await storage.loadUpdates('firm')).length === 1,
      'compaction to one row',
    );

    const reloaded = new Y.Doc();
    for (const row of await storage.loadUpdates('firm')) {
      Y.applyUpdate(reloaded, row.update);
    }
    expect(contactNames(reloaded)).toEqual(contactNames(doc.doc));
    expect(Object.keys(contactNames(reloaded))).toHaveLength(4);
    docs.release('firm');
    await docs.close();
  });

  it('compacts when an idle doc unloads', async () => {
    const { docs } = docManager(storage);
    const doc = await docs.acquire('firm');
    await docs.store(doc, contactUpdate('a', 'A'), {});
    await docs.store(doc, contactUpdate('b', 'B'), {});
    expect(await storage.loadUpdates('firm')).toHaveLength(2);

    docs.release('firm');
    await waitUntil(
      async () => (await storage.loadUpdates('firm')).length === 1,
      'compaction on unload',
    );
    expect(docs.size).toBe(0);
    await docs.close();
  });

  it('commits writes of one event-loop turn together', async () => {
    const batches: number[] = [];
    const recording: Storage = Object.create(storage) as Storage;
    recording.appendUpdates = (batch: readonly DocUpdate[]) => {
      batches.push(batch.length);
      return storage.appendUpdates(batch);
    };
    const { docs } = docManager(recording);
    const doc = await docs.acquire('firm');

    const origin = {};
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        docs.store(doc, contactUpdate(`c${i}`, 'x'), origin),
      ),
    );
    expect(batches).toEqual([5]);
    docs.release('firm');
    await docs.close();
  });

  it('applies nothing when the commit fails', async () => {
    const failing: Storage = Object.create(storage) as Storage;
    failing.appendUpdates = () => Promise.reject(new Error('disk full'));
    const { docs } = docManager(failing);
    const doc = await docs.acquire('firm');

    await expect(docs.store(doc, contactUpdate('a', 'A'), {})).rejects.toThrow(
      'disk full',
    );
    expect(contactNames(doc.doc)).toEqual({});
    docs.release('firm');
    await docs.close();
  });
});

async function waitUntil(
  check: () => Promise<boolean>,
  description: string,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
