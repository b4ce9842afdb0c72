/**
 * Cold sync: a fresh staff engine opens against a relay that contains a firm
 * of 1,000 contacts and 10,000 invoices, and syncs until RxDB returns every
 * record. The peer encodes the same Yjs state, sends it over a plain `ws`
 * socket, applies it into a fresh Y.Doc and bulk-inserts the records into
 * a fresh RxDB database on Dexie and fake-indexeddb.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createRxDatabase, type RxCollection } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import {
  contactSchema,
  invoiceSchema,
  openStaffEngine,
  type Contact,
  type Invoice,
} from '@portico/engine';
import { nodeEngineOptions } from '@portico/engine/node';
import { buildFirmDoc, generateFirm } from './firm-data.js';
import { startRelayFixture, type RelayFixture } from './relay-fixture.js';
import { median, now, withTimeout } from './stats.js';
import { closeSocket, openSocket } from './y-wire.js';

export const CONTACTS = 1_000;
export const INVOICES = 10_000;
/** Maximum time of one sync. A slower run fails instead of giving a figure. */
const RUN_TIMEOUT_MS = 120_000;

export interface ColdSyncResult {
  runs: number;
  /** Median wall time of Portico, ms. */
  porticoMs: number;
  /** Median wall time of the peer, ms. */
  peerMs: number;
  /** Median of the peer's Yjs encode, transfer and apply, ms. */
  peerTransferMs: number;
  /** Median of the peer's RxDB open and bulk insert, ms. */
  peerInsertMs: number;
  /** Every run's wall time, ms, in run order. */
  porticoRunsMs: number[];
  peerRunsMs: number[];
  /** Size of the encoded firm state, bytes. */
  stateBytes: number;
}

/** Runs Portico and the peer alternately, `runs` times each. */
export async function runColdSync(runs: number): Promise<ColdSyncResult> {
  const firmDoc = buildFirmDoc(generateFirm(CONTACTS, INVOICES));
  const state = Y.encodeStateAsUpdate(firmDoc);
  const fixture = await startRelayFixture();
  const relayDoc = await fixture.relay.docs.acquire('firm');
  try {
    await fixture.relay.docs.store(relayDoc, state, {});
    const portico: number[] = [];
    const peer: PeerTiming[] = [];
    for (let run = 0; run < runs; run++) {
      peer.push(await syncPeer(firmDoc, run));
      portico.push(await syncPortico(fixture, run));
    }
    return {
      runs,
      porticoMs: median(portico),
      peerMs: median(peer.map((timing) => timing.totalMs)),
      peerTransferMs: median(peer.map((timing) => timing.transferMs)),
      peerInsertMs: median(peer.map((timing) => timing.insertMs)),
      porticoRunsMs: portico,
      peerRunsMs: peer.map((timing) => timing.totalMs),
      stateBytes: state.length,
    };
  } finally {
    fixture.relay.docs.release('firm');
    await fixture.close();
    firmDoc.destroy();
  }
}

/** Opens a fresh engine and waits until RxDB counts every record. */
async function syncPortico(fixture: RelayFixture, run: number) {
  const start = now();
  const engine = await openStaffEngine(
    nodeEngineOptions({
      relayUrl: fixture.relay.url,
      token: fixture.token,
      databaseName: `bench-cold-${run}`,
    }),
  );
  try {
    await withTimeout(
      Promise.all([
        waitForCount(engine.collections['contacts'], CONTACTS),
        waitForCount(engine.collections['invoices'], INVOICES),
      ]),
      RUN_TIMEOUT_MS,
      'Portico cold sync',
    );
    return now() - start;
  } finally {
    await engine.close();
  }
}

function waitForCount(
  collection: RxCollection | undefined,
  expected: number,
): Promise<void> {
  if (!collection) throw new Error('The engine has no such collection.');
  return new Promise((resolve) => {
    const subscription = collection.count().$.subscribe((count) => {
      if (count < expected) return;
      resolve();
      // The first emission can arrive before `subscribe` returns.
      queueMicrotask(() => subscription.unsubscribe());
    });
  });
}

interface PeerTiming {
  totalMs: number;
  transferMs: number;
  insertMs: number;
}

async function syncPeer(source: Y.Doc, run: number): Promise<PeerTiming> {
  const server = await startStateServer(source);
  try {
    const start = now();
    const doc = await withTimeout(
      receiveDoc(server.url),
      RUN_TIMEOUT_MS,
      'peer transfer',
    );
    const transferMs = now() - start;
    await insertRecords(doc, `bench-peer-${run}`);
    const totalMs = now() - start;
    doc.destroy();
    return { totalMs, transferMs, insertMs: totalMs - transferMs };
  } finally {
    await server.close();
  }
}

/**
 * Starts a `ws` server on loopback that encodes the doc's full state for
 * each connection and sends it as one binary message.
 */
async function startStateServer(source: Y.Doc) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  wss.on('connection', (socket) => {
    socket.send(Y.encodeStateAsUpdate(source));
  });
  const address = wss.address();
  if (address === null || typeof address === 'string') {
    throw new Error('The state server has no TCP address.');
  }
  const close = async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
  return { url: `ws://127.0.0.1:${address.port}`, close };
}

async function receiveDoc(url: string): Promise<Y.Doc> {
  const socket = await openSocket(url);
  const data = await new Promise<Buffer>((resolve) =>
    socket.once('message', resolve),
  );
  const doc = new Y.Doc();
  Y.applyUpdate(doc, new Uint8Array(data.buffer, data.byteOffset, data.length));
  await closeSocket(socket);
  return doc;
}

/** Opens a fresh RxDB database and bulk-inserts every record of the doc. */
async function insertRecords(doc: Y.Doc, name: string): Promise<void> {
  const database = await createRxDatabase({
    name,
    storage: getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange }),
    multiInstance: false,
    eventReduce: true,
  });
  try {
    const collections = await database.addCollections({
      contacts: { schema: contactSchema },
      invoices: { schema: invoiceSchema },
    });
    const contacts = rowsOf<Contact>(doc.getMap('contacts'));
    const invoices = rowsOf<Invoice>(doc.getMap('invoices'));
    const results = await Promise.all([
      collections.contacts.bulkInsert(contacts),
      collections.invoices.bulkInsert(invoices),
    ]);
    const errors = results.flatMap((result) => result.error);
    if (errors.length > 0) {
      throw new Error(`peer bulk insert failed for ${errors.length} records`);
    }
  } finally {
    await database.close();
  }
}

function rowsOf<T>(map: Y.Map<Y.Map<unknown>>): T[] {
  const rows: T[] = [];
  for (const [id, fields] of map) rows.push({ ...fields.toJSON(), id } as T);
  return rows;
}
