/**
 * Runs one staff engine inside a worker thread. RxDB's open core allows at
 * most 13 open collections per JavaScript realm and a staff engine opens
 * 10, so every simulated device needs its own realm.
 */
import { parentPort } from 'node:worker_threads';
import { IDBFactory } from 'fake-indexeddb';
import {
  RecordNotFoundError,
  openStaffEngine,
  type EngineError,
  type StaffEngine,
} from '@portico/engine';
import { nodeEngineOptions } from '@portico/engine/node';
import type { Subscription } from 'rxjs';
import type {
  Dump,
  OpenParams,
  Request,
  Response,
  WorkerApi,
} from './protocol.js';

if (parentPort === null) {
  throw new Error('engine-worker.ts must run in a worker thread.');
}
const port = parentPort;

/** The IndexedDB data survives restarts, as a browser profile would. */
const indexedDB = new IDBFactory();
let params: OpenParams | undefined;
let engine: StaffEngine | undefined;
let online = false;
let errors: EngineError[] = [];
let errorSubscription: Subscription | undefined;

function current(): StaffEngine {
  if (engine === undefined) throw new Error('The engine is not open.');
  return engine;
}

async function openEngine(): Promise<void> {
  if (params === undefined) throw new Error('Call open first.');
  const options = nodeEngineOptions({ ...params, indexedDB });
  engine = await openStaffEngine({ ...options, startOnline: online });
  errorSubscription = engine.errors$.subscribe((error) => errors.push(error));
}

async function closeEngine(): Promise<void> {
  errorSubscription?.unsubscribe();
  await engine?.close();
  engine = undefined;
}

/** The part of an RxDB collection the dump needs, for every record type. */
interface JsonCollection {
  find(): {
    exec(): Promise<Array<{ toMutableJSON(): Record<string, unknown> }>>;
  };
}

const api: WorkerApi = {
  async open(openParams) {
    params = openParams;
    online = openParams.startOnline;
    await openEngine();
  },
  async create(store, input) {
    return { ...(await current()[store].create(input as never)) };
  },
  async update(store, id, patch) {
    try {
      return { ...(await current()[store].update(id, patch)) };
    } catch (error) {
      if (error instanceof RecordNotFoundError) return null;
      throw error;
    }
  },
  async delete(store, id) {
    await current()[store].delete(id);
  },
  async dump() {
    const dump: Dump = {};
    const collections = current().collections as unknown as Record<
      string,
      JsonCollection
    >;
    for (const [name, collection] of Object.entries(collections)) {
      const rows = await collection.find().exec();
      dump[name] = rows
        .map((row) => stripMeta(row.toMutableJSON()))
        .sort((a, b) => (String(a['id']) < String(b['id']) ? -1 : 1));
    }
    return dump;
  },
  async pending() {
    const engineNow = current();
    return new Promise<number>((resolve) => {
      engineNow.pending$.subscribe((count) => resolve(count)).unsubscribe();
    });
  },
  async takeErrors() {
    const taken = errors.map(({ kind, message }) => ({ kind, message }));
    errors = [];
    return Promise.resolve(taken);
  },
  async goOffline() {
    online = false;
    await current().goOffline();
  },
  async goOnline() {
    online = true;
    current().goOnline();
    return Promise.resolve();
  },
  async waitForAllSaved() {
    await current().waitForAllSaved();
  },
  async restart() {
    await closeEngine();
    await openEngine();
  },
  async close() {
    await closeEngine();
  },
};

/**
 * Removes RxDB's bookkeeping fields and sorts the rest, so that equal rows
 * serialize to equal JSON whatever order their fields were written in.
 */
function stripMeta(row: Record<string, unknown>): Record<string, unknown> {
  const fields = Object.keys(row)
    .filter((key) => !key.startsWith('_'))
    .sort();
  return Object.fromEntries(fields.map((key) => [key, row[key]]));
}

port.on('message', (request: Request) => {
  const method = api[request.method].bind(api) as (
    ...args: unknown[]
  ) => Promise<unknown>;
  method(...request.args).then(
    (value) =>
      port.postMessage({ id: request.id, ok: true, value } satisfies Response),
    (error: unknown) =>
      port.postMessage({
        id: request.id,
        ok: false,
        error:
          error instanceof Error
            ? (error.stack ?? error.message)
            : String(error),
      } satisfies Response),
  );
});
