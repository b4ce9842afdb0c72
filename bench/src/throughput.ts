/**
 * Relay throughput: 50 clients on one doc each send their share of
 * 200-byte Yjs updates as fast as the socket takes them, and the run ends
 * when every client has received every other client's updates. The server
 * runs in a child process, and the clients share this one. Portico's
 * clients use the single-doc endpoint `/sync/firm` with a staff token. The
 * peer's clients use `@y/websocket-server`, whose broadcast also echoes
 * each update to its sender, and echoes are not counted as deliveries.
 */
import * as decoding from 'lib0/decoding';
import type WebSocket from 'ws';
import * as Y from 'yjs';
import { ServerProcess } from './server-process.js';
import type { ServerKind } from './server-messages.js';
import { now, withTimeout } from './stats.js';
import {
  closeSocket,
  openSocket,
  syncKind,
  syncStep1Message,
  updateMessage,
} from './y-wire.js';

export const CLIENTS = 50;
export const UPDATE_BYTES = 200;
const RUN_TIMEOUT_MS = 180_000;

export interface ThroughputFigures {
  /** Updates per second, each counted once it reached all other clients. */
  updatesPerSecond: number;
  /** Messages received by clients per second, echoes excluded. */
  deliveriesPerSecond: number;
  /** Updates the server stored durably (Portico only). */
  stored?: number;
  elapsedMs: number;
}

export interface ThroughputResult {
  updatesPerClient: number;
  rounds: number;
  /** Updates per second of every round, in run order. */
  porticoRates: number[];
  peerRates: number[];
  meanUpdateBytes: number;
  portico: ThroughputFigures;
  peer: ThroughputFigures;
}

/**
 * Measures the peer and Portico alternately, `rounds` times each, and
 * keeps each side's round with the median rate.
 */
export async function runThroughput(
  updatesPerClient: number,
  rounds: number,
): Promise<ThroughputResult> {
  const updates = generateUpdates(CLIENTS, updatesPerClient);
  const sizes = updates.flatMap((client) =>
    client.updates.map((u) => u.length),
  );
  const meanUpdateBytes = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  const peerRounds: ThroughputFigures[] = [];
  const porticoRounds: ThroughputFigures[] = [];
  for (let round = 0; round < rounds; round++) {
    peerRounds.push(await measure('y-websocket-server', updates));
    porticoRounds.push(await measure('portico', updates));
  }
  return {
    updatesPerClient,
    rounds,
    porticoRates: porticoRounds.map((figures) => figures.updatesPerSecond),
    peerRates: peerRounds.map((figures) => figures.updatesPerSecond),
    meanUpdateBytes,
    portico: medianRound(porticoRounds),
    peer: medianRound(peerRounds),
  };
}

function medianRound(rounds: ThroughputFigures[]): ThroughputFigures {
  const sorted = [...rounds].sort(
    (a, b) => a.updatesPerSecond - b.updatesPerSecond,
  );
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!middle) throw new Error('runThroughput needs at least one round');
  return middle;
}

interface ClientUpdates {
  clientId: number;
  updates: Uint8Array[];
  /** The updates as y-websocket messages, ready to send. */
  messages: Uint8Array[];
}

/**
 * Generates each client's updates from its own Y.Doc ahead of time, so
 * that encoding is not part of the measurement. Each update sets one map
 * key to a string sized so that the Yjs update is about 200 bytes.
 */
function generateUpdates(clients: number, perClient: number): ClientUpdates[] {
  const overhead = updateOverhead();
  return Array.from({ length: clients }, () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    const map = doc.getMap<string>('load');
    for (let i = 0; i < perClient; i++) {
      const key = `c${doc.clientID}-${i}`;
      map.set(key, 'x'.repeat(UPDATE_BYTES - overhead - key.length));
    }
    doc.destroy();
    return {
      clientId: doc.clientID,
      updates,
      messages: updates.map(updateMessage),
    };
  });
}

/** Bytes a one-key map update adds to its key and value, measured once. */
function updateOverhead(): number {
  const doc = new Y.Doc();
  let size = 0;
  doc.on('update', (update: Uint8Array) => (size = update.length));
  doc.getMap<string>('load').set('k', 'x'.repeat(100));
  doc.destroy();
  return size - 101;
}

async function measure(
  kind: ServerKind,
  updates: ClientUpdates[],
): Promise<ThroughputFigures> {
  const server = await ServerProcess.start(kind);
  const clients: LoadClient[] = [];
  try {
    const url =
      kind === 'portico'
        ? `${server.url}/sync/firm`
        : `${server.url}/throughput`;
    for (const own of updates) {
      clients.push(await LoadClient.connect(url, server.token, own));
    }
    const perClient = updates[0]?.messages.length ?? 0;
    const expected = (clients.length - 1) * perClient;
    const start = now();
    for (const client of clients) client.sendAll();
    await withTimeout(
      Promise.all(clients.map((client) => client.received(expected))),
      RUN_TIMEOUT_MS,
      `${kind} throughput`,
    );
    const elapsedMs = now() - start;
    const seconds = elapsedMs / 1000;
    const stored =
      kind === 'portico'
        ? (await server.relayFigures()).updatesStored
        : undefined;
    return {
      updatesPerSecond: (clients.length * perClient) / seconds,
      deliveriesPerSecond: (clients.length * expected) / seconds,
      ...(stored === undefined ? {} : { stored }),
      elapsedMs,
    };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
  }
}

/** One load client: sends its updates and counts other clients' updates. */
class LoadClient {
  private count = 0;
  private target = Infinity;
  private reached: () => void = () => undefined;

  private constructor(
    private readonly socket: WebSocket,
    private readonly own: ClientUpdates,
  ) {}

  /** Connects and resolves after the server's sync step 2 reply. */
  static async connect(
    url: string,
    token: string | undefined,
    own: ClientUpdates,
  ): Promise<LoadClient> {
    const socket = await openSocket(url, token);
    const client = new LoadClient(socket, own);
    const synced = new Promise<void>((resolve) => {
      socket.on('message', (data: Buffer) => {
        const message = new Uint8Array(
          data.buffer,
          data.byteOffset,
          data.length,
        );
        const kind = syncKind(message);
        if (kind === 1) resolve();
        if (kind === 2) client.countUpdate(message);
      });
    });
    socket.send(syncStep1Message(new Y.Doc()));
    await withTimeout(synced, RUN_TIMEOUT_MS, 'load client sync');
    return client;
  }

  sendAll(): void {
    for (const message of this.own.messages) this.socket.send(message);
  }

  received(target: number): Promise<void> {
    this.target = target;
    return new Promise((resolve) => {
      this.reached = resolve;
      if (this.count >= target) resolve();
    });
  }

  close(): Promise<void> {
    return closeSocket(this.socket);
  }

  private countUpdate(message: Uint8Array): void {
    if (firstClientOf(message) === this.own.clientId) return;
    this.count++;
    if (this.count >= this.target) this.reached();
  }
}

/**
 * Reads the client id of the first struct group of a sync update message
 * without decoding the whole update: message type, sync type, update
 * length, group count, struct count, then the client id.
 */
function firstClientOf(message: Uint8Array): number {
  const decoder = decoding.createDecoder(message);
  decoding.readVarUint(decoder);
  decoding.readVarUint(decoder);
  decoding.readVarUint(decoder);
  decoding.readVarUint(decoder);
  decoding.readVarUint(decoder);
  return decoding.readVarUint(decoder);
}
