/**
 * A minimal y-websocket protocol client over `ws`, shared by the peers and
 * the relay load tests so that Portico and `@y/websocket-server` are
 * driven by the same client code.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

const MESSAGE_SYNC = 0;

/** Opens a WebSocket and resolves once it is open. */
export function openSocket(url: string, token?: string): Promise<WebSocket> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  const socket = new WebSocket(url, { headers });
  socket.binaryType = 'nodebuffer';
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Closes a socket and resolves once the close handshake finished. */
export function closeSocket(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.close();
  });
}

/** Wraps a Yjs update in a y-websocket sync update message. */
export function updateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** Builds sync step 1 with the state vector of `doc`. */
export function syncStep1Message(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(encoder, doc);
  return encoding.toUint8Array(encoder);
}

/**
 * Returns the sync subtype of a message (0 step 1, 1 step 2, 2 update), or
 * undefined for awareness and other message types.
 */
export function syncKind(message: Uint8Array): number | undefined {
  const decoder = decoding.createDecoder(message);
  if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return undefined;
  return decoding.readVarUint(decoder);
}

/**
 * Keeps a Y.Doc in sync over one socket the way y-websocket's provider
 * does. It replies to sync step 1, applies step 2 and updates, and sends
 * local updates. `synced` resolves on the first step 2 from the server.
 */
export class SyncedDoc {
  readonly synced: Promise<void>;
  private markSynced: () => void = () => undefined;

  constructor(
    readonly doc: Y.Doc,
    private readonly socket: WebSocket,
  ) {
    this.synced = new Promise((resolve) => (this.markSynced = resolve));
    socket.on('message', (data: Buffer) => this.receive(data));
    doc.on('update', this.sendLocal);
    socket.send(syncStep1Message(doc));
  }

  close(): Promise<void> {
    this.doc.off('update', this.sendLocal);
    return closeSocket(this.socket);
  }

  private readonly sendLocal = (update: Uint8Array, origin: unknown) => {
    if (origin !== this) this.socket.send(updateMessage(update));
  };

  private receive(data: Buffer): void {
    const message = new Uint8Array(data.buffer, data.byteOffset, data.length);
    const decoder = decoding.createDecoder(message);
    if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    const kind = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this);
    if (encoding.length(encoder) > 1) {
      this.socket.send(encoding.toUint8Array(encoder));
    }
    if (kind === syncProtocol.messageYjsSyncStep2) this.markSynced();
  }
}
