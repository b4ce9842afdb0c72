/**
 * Relay memory per idle doc and per idle connection. Each server runs in
 * a child process with `--expose-gc`. The child collects garbage and
 * reads `process.memoryUsage()` before and after the docs or connections
 * are added. The delta divided by their count is the figure.
 *
 * - Idle doc: Portico stores the same portal-doc update for every doc and
 *   loads each through its doc manager without releasing it. The peer
 *   applies that update to bare Y.Docs held in a Map.
 * - Idle connection: Portico accepts staff connections on `/sync/firm`
 *   that finished the sync handshake. The peer accepts bare `ws`
 *   connections that do nothing. For context, synced connections to
 *   `@y/websocket-server` are measured the same way.
 */
import type WebSocket from 'ws';
import * as Y from 'yjs';
import type { MemoryUsage, ServerKind } from './server-messages.js';
import { ServerProcess } from './server-process.js';
import { withTimeout } from './stats.js';
import {
  closeSocket,
  openSocket,
  syncKind,
  syncStep1Message,
} from './y-wire.js';

const CONNECT_BATCH = 50;
const CONNECT_TIMEOUT_MS = 60_000;

/** Bytes per item: the deltas of heap used and of resident set size. */
export interface PerItem {
  heapBytes: number;
  rssBytes: number;
}

export interface MemoryResult {
  docs: number;
  connections: number;
  docUpdateBytes: number;
  porticoDoc: PerItem;
  peerDoc: PerItem;
  porticoConnection: PerItem;
  peerConnection: PerItem;
  /** Context only: a synced connection to `@y/websocket-server`. */
  yWebsocketConnection: PerItem;
}

export async function runMemory(
  docs: number,
  connections: number,
): Promise<MemoryResult> {
  const update = portalDocUpdate();
  return {
    docs,
    connections,
    docUpdateBytes: update.length,
    peerDoc: await perDoc('y-websocket-server', docs, update),
    porticoDoc: await perDoc('portico', docs, update),
    peerConnection: await perConnection('bare-ws', connections),
    porticoConnection: await perConnection('portico', connections),
    yWebsocketConnection: await perConnection(
      'y-websocket-server',
      connections,
    ),
  };
}

async function perDoc(
  kind: ServerKind,
  count: number,
  update: Uint8Array,
): Promise<PerItem> {
  const server = await ServerProcess.start(kind);
  try {
    const before = await server.memory();
    await server.loadDocs(count, update);
    return divide(before, await server.memory(), count);
  } finally {
    await server.close();
  }
}

async function perConnection(
  kind: ServerKind,
  count: number,
): Promise<PerItem> {
  const server = await ServerProcess.start(kind);
  const sockets: WebSocket[] = [];
  try {
    const url = connectionUrl(kind, server.url);
    const handshake = kind !== 'bare-ws';
    // Warm up the accept path once so its one-time costs stay out.
    const warm = await connectIdle(url, server.token, handshake);
    const before = await server.memory();
    for (let i = 0; i < count; i += CONNECT_BATCH) {
      const batch = Math.min(CONNECT_BATCH, count - i);
      const opened = Array.from({ length: batch }, () =>
        connectIdle(url, server.token, handshake),
      );
      sockets.push(...(await Promise.all(opened)));
    }
    const after = await server.memory();
    sockets.push(warm);
    return divide(before, after, count);
  } finally {
    await Promise.all(sockets.map(closeSocket));
    await server.close();
  }
}

function connectionUrl(kind: ServerKind, base: string): string {
  if (kind === 'portico') return `${base}/sync/firm`;
  if (kind === 'y-websocket-server') return `${base}/idle`;
  return base;
}

/** Opens one connection; with `handshake`, completes y-websocket sync. */
async function connectIdle(
  url: string,
  token: string | undefined,
  handshake: boolean,
): Promise<WebSocket> {
  const socket = await openSocket(url, token);
  if (!handshake) return socket;
  const synced = new Promise<void>((resolve) => {
    socket.on('message', (data: Buffer) => {
      const message = new Uint8Array(data.buffer, data.byteOffset, data.length);
      if (syncKind(message) === 1) resolve();
    });
  });
  socket.send(syncStep1Message(new Y.Doc()));
  await withTimeout(synced, CONNECT_TIMEOUT_MS, 'idle connection sync');
  return socket;
}

function divide(
  before: MemoryUsage,
  after: MemoryUsage,
  count: number,
): PerItem {
  return {
    heapBytes: (after.heapUsed - before.heapUsed) / count,
    rssBytes: (after.rss - before.rss) / count,
  };
}

/**
 * Encodes a typical published contact's portal doc: profile, settings and three
 * files, written the way the engine writes records.
 */
function portalDocUpdate(): Uint8Array {
  const doc = new Y.Doc();
  const contactId = crypto.randomUUID();
  doc.transact(() => {
    setRecord(doc, 'profile', 'profile', {
      contactId,
      displayName: 'Ada Lovelace',
      email: 'ada@example.com',
    });
    setRecord(doc, 'settings', 'settings', {
      allowPayments: true,
      firmName: 'Example Accountants LLP',
    });
    for (let i = 0; i < 3; i++) {
      setRecord(doc, 'files', crypto.randomUUID(), {
        name: `Statement ${i + 1}.pdf`,
        size: 120_000 + i,
        sha256: 'ab'.repeat(32),
        mediaType: 'application/pdf',
        direction: 'to-client',
        uploadedAt: '2026-03-01T09:00:00.000Z',
        status: 'available',
      });
    }
  });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

function setRecord(
  doc: Y.Doc,
  mapName: string,
  key: string,
  fields: Record<string, unknown>,
): void {
  const record = new Y.Map<unknown>();
  for (const [name, value] of Object.entries(fields)) record.set(name, value);
  doc.getMap<Y.Map<unknown>>(mapName).set(key, record);
}
