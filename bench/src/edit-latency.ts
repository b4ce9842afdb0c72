/**
 * Edit latency: one field edit on client A until client B's RxDB emits it
 * (Portico), against the same edit between two bare Y.Docs through
 * `@y/websocket-server` (peer). Both servers run in child processes, as
 * they would on another machine, so that client A's work never delays
 * them. Client B of both runs in one worker thread, so both figures
 * include the same message hop back to the main thread. Samples alternate between Portico and the peer so that load
 * from other processes falls on both alike.
 */
import type { Worker } from 'node:worker_threads';
import * as Y from 'yjs';
import { openStaffEngine, type StaffEngine } from '@portico/engine';
import { nodeEngineOptions } from '@portico/engine/node';
import type {
  EditWorkerInput,
  EditWorkerMessage,
} from './edit-latency-worker.js';
import { ServerProcess } from './server-process.js';
import { now, quantile, withTimeout } from './stats.js';
import { startTsWorker } from './worker-thread.js';
import { openSocket, SyncedDoc } from './y-wire.js';

/** Samples taken before measuring, to warm up JIT and caches. */
const WARMUP = 10;
const SAMPLE_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 60_000;
const PEER_DOC = 'bench-edit';

export interface EditLatencyResult {
  samples: number;
  porticoP50: number;
  porticoP95: number;
  peerP50: number;
  peerP95: number;
  /** Median time until client A's `update` call resolved, ms. */
  porticoLocalP50: number;
  /** Mean time of the relay's storage commits over the whole run, ms. */
  relayCommitMeanMs: number;
}

type Side = 'portico' | 'peer';

/** Edit times in ms. `porticoLocal` ends when client A's write resolved. */
type Samples = Record<Side | 'porticoLocal', number[]>;

export async function runEditLatency(
  samples: number,
): Promise<EditLatencyResult> {
  const relay = await ServerProcess.start('portico');
  const peerServer = await ServerProcess.start('y-websocket-server');
  const clientA = await openClientA(relay, peerServer);
  const worker = startTsWorker(
    new URL('./edit-latency-worker.ts', import.meta.url),
    {
      relayUrl: relay.url,
      token: relay.token ?? '',
      contactId: clientA.contactId,
      peerDocUrl: `${peerServer.url}/${PEER_DOC}`,
    } satisfies EditWorkerInput,
  );
  const seen = new SeenValues(worker);
  try {
    await withTimeout(seen.ready, START_TIMEOUT_MS, 'edit worker start');
    const times = await sampleBoth(clientA, seen, samples);
    return {
      samples,
      porticoP50: quantile(times.portico, 0.5),
      porticoP95: quantile(times.portico, 0.95),
      peerP50: quantile(times.peer, 0.5),
      peerP95: quantile(times.peer, 0.95),
      porticoLocalP50: quantile(times.porticoLocal, 0.5),
      relayCommitMeanMs: (await relay.relayFigures()).commitMeanMs,
    };
  } finally {
    await seen.close();
    await clientA.close();
    await peerServer.close();
    await relay.close();
  }
}

async function sampleBoth(
  clientA: ClientA,
  seen: SeenValues,
  samples: number,
): Promise<Samples> {
  const times: Samples = { portico: [], peer: [], porticoLocal: [] };
  for (let i = 0; i < WARMUP + samples; i++) {
    for (const side of ['portico', 'peer'] as const) {
      const value = `${side} edit ${i}`;
      const start = now();
      const arrived = seen.waitFor(side, value);
      await clientA.edit(side, value);
      const local = now() - start;
      await withTimeout(arrived, SAMPLE_TIMEOUT_MS, `${side} edit ${i}`);
      if (i < WARMUP) continue;
      times[side].push(now() - start);
      if (side === 'portico') times.porticoLocal.push(local);
    }
  }
  return times;
}

interface ClientA {
  contactId: string;
  edit(side: Side, notes: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens client A of both sides, each with one contact written. */
async function openClientA(
  relay: ServerProcess,
  peerServer: ServerProcess,
): Promise<ClientA> {
  const engine = await openStaffEngine(
    nodeEngineOptions({
      relayUrl: relay.url,
      token: relay.token ?? '',
      databaseName: 'bench-edit-a',
    }),
  );
  const contact = await engine.contacts.create({
    displayName: 'Latency Probe',
    kind: 'person',
    notes: 'initial',
  });
  await engine.waitForAllSaved();

  const doc = new Y.Doc();
  const peer = new SyncedDoc(
    doc,
    await openSocket(`${peerServer.url}/${PEER_DOC}`),
  );
  await peer.synced;
  const record = new Y.Map<unknown>();
  record.set('displayName', 'Latency Probe');
  record.set('notes', 'initial');
  doc.getMap<Y.Map<unknown>>('contacts').set(contact.id, record);

  return {
    contactId: contact.id,
    edit: (side, notes) => editOn(side, notes, engine, record, contact.id),
    close: async () => {
      await engine.close();
      await peer.close();
      doc.destroy();
    },
  };
}

async function editOn(
  side: Side,
  notes: string,
  engine: StaffEngine,
  record: Y.Map<unknown>,
  contactId: string,
): Promise<void> {
  if (side === 'portico') await engine.contacts.update(contactId, { notes });
  else record.set('notes', notes);
}

/** Resolves waits for values that client B reports from the worker. */
class SeenValues {
  readonly ready: Promise<void>;
  private readonly waiting = new Map<string, () => void>();
  private readonly closed: Promise<void>;

  constructor(private readonly worker: Worker) {
    let markReady: () => void = () => undefined;
    let markClosed: () => void = () => undefined;
    this.ready = new Promise((resolve) => (markReady = resolve));
    this.closed = new Promise((resolve) => (markClosed = resolve));
    worker.on('message', (message: EditWorkerMessage) => {
      if (message.type === 'ready') markReady();
      if (message.type === 'closed') markClosed();
      if (message.type !== 'seen') return;
      const key = `${message.side}:${message.value}`;
      this.waiting.get(key)?.();
      this.waiting.delete(key);
    });
    worker.on('error', (error) => {
      console.error('The edit-latency worker failed:', error);
    });
  }

  waitFor(side: Side, value: string): Promise<void> {
    return new Promise((resolve) =>
      this.waiting.set(`${side}:${value}`, resolve),
    );
  }

  /** Asks the worker to close its clients, then stops the thread. */
  async close(): Promise<void> {
    this.worker.postMessage('close');
    await withTimeout(this.closed, START_TIMEOUT_MS, 'edit worker close').catch(
      (error: unknown) => console.error(String(error)),
    );
    await this.worker.terminate();
  }
}
