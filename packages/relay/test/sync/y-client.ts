/**
 * A minimal y-protocol client for relay tests. It speaks the multiplexed
 * `/sync` endpoint or the single-doc `/sync/<docName>` endpoint with `ws`,
 * keeps one Y.Doc per followed doc, and records what the relay sent so
 * tests can wait for it.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import {
  MESSAGE_AWARENESS,
  MESSAGE_DENIED,
  MESSAGE_STORED,
  MESSAGE_SYNC,
  encodeMultiplexed,
  encodeUnsubscribe,
} from '@portico/engine/protocol';

const REMOTE = Symbol('remote');
const DEFAULT_TIMEOUT_MS = 10_000;

export interface Credentials {
  token?: string;
  cookie?: string;
  origin?: string;
}

export interface FollowedDoc {
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  /** Highest `MESSAGE_STORED` count received. */
  stored: number;
  /** Write messages this client sent for the doc. */
  writes: number;
  /** True once the relay replied to our sync step 1. */
  synced: boolean;
  /** Sync step 2 messages received. */
  step2Count: number;
  denied?: { code: number; reason: string };
}

export interface CloseEvent {
  code: number;
  reason: string;
}

/** Opens a WebSocket and resolves when it is open or rejects when refused. */
export function openSocket(
  url: string,
  credentials: Credentials = {},
): Promise<WebSocket> {
  const headers: Record<string, string> = {};
  if (credentials.token) headers.authorization = `Bearer ${credentials.token}`;
  if (credentials.cookie) headers.cookie = credentials.cookie;
  if (credentials.origin) headers.origin = credentials.origin;
  const ws = new WebSocket(url, { headers });
  ws.binaryType = 'nodebuffer';
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      reject(new UpgradeRefused(res.statusCode ?? 0));
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** The relay responded to the upgrade with an HTTP status, not 101. */
export class UpgradeRefused extends Error {
  constructor(readonly status: number) {
    super(`upgrade refused with HTTP ${status}`);
  }
}

/** Attempts a WebSocket upgrade and returns the refusal status, if any. */
export async function upgradeStatus(
  url: string,
  credentials: Credentials = {},
): Promise<number> {
  try {
    const ws = await openSocket(url, credentials);
    ws.close();
    return 101;
  } catch (error) {
    if (error instanceof UpgradeRefused) return error.status;
    throw error;
  }
}

/** Base for both endpoints: message log, waiting and close tracking. */
abstract class TestClientBase {
  readonly docs = new Map<string, FollowedDoc>();
  /** Every frame received, undecoded, in order. */
  readonly frames: Uint8Array[] = [];
  closed: CloseEvent | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const frame = new Uint8Array(data);
      this.frames.push(frame);
      this.onFrame(frame);
      this.notify();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.notify();
    });
  }

  /** Resolves when `check` returns true; rejects after the timeout. */
  waitFor(
    check: () => boolean,
    description: string,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`timed out waiting for ${description}`));
      }, timeoutMs);
      const listener = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve();
      };
      this.listeners.add(listener);
    });
  }

  async waitForClose(): Promise<CloseEvent> {
    await this.waitFor(() => this.closed !== undefined, 'the socket to close');
    return this.closed as CloseEvent;
  }

  doc(docName: string): FollowedDoc {
    const followed = this.docs.get(docName);
    if (!followed) throw new Error(`not following ${docName}`);
    return followed;
  }

  async waitForSynced(docName: string): Promise<void> {
    await this.waitFor(
      () => this.docs.get(docName)?.synced === true,
      `sync step 2 for ${docName}`,
    );
  }

  /** Waits until the relay acknowledged every write sent for the doc. */
  async waitForAllStored(docName: string): Promise<void> {
    const followed = this.doc(docName);
    await this.waitFor(
      () => followed.stored >= followed.writes,
      `MESSAGE_STORED ${followed.writes} for ${docName}`,
    );
  }

  /**
   * Sends sync step 1 again and waits for the reply. The relay handles a
   * connection's messages in order, so everything sent before has been
   * handled when this resolves.
   */
  async roundTrip(docName: string): Promise<void> {
    const followed = this.doc(docName);
    const before = followed.step2Count;
    this.send(
      docName,
      syncMessage((e) => syncProtocol.writeSyncStep1(e, followed.doc)),
    );
    await this.waitFor(
      () => followed.step2Count > before,
      `a sync step 2 round trip on ${docName}`,
    );
  }

  sendRaw(frame: Uint8Array | string): void {
    this.ws.send(frame);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close();
    this.ws.terminate();
  }

  protected abstract send(docName: string, message: Uint8Array): void;
  protected abstract onFrame(frame: Uint8Array): void;

  protected createFollowed(docName: string): FollowedDoc {
    const doc = new Y.Doc();
    const awareness = new awarenessProtocol.Awareness(doc);
    const followed: FollowedDoc = {
      doc,
      awareness,
      stored: 0,
      writes: 0,
      synced: false,
      step2Count: 0,
    };
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE) return;
      followed.writes++;
      this.send(
        docName,
        syncMessage((e) => syncProtocol.writeUpdate(e, update)),
      );
    });
    this.docs.set(docName, followed);
    this.send(
      docName,
      syncMessage((e) => syncProtocol.writeSyncStep1(e, doc)),
    );
    return followed;
  }

  /** Handles one y-websocket or Portico message for a doc. */
  protected handleMessage(docName: string, message: Uint8Array): void {
    const followed = this.docs.get(docName);
    if (!followed) return;
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MESSAGE_SYNC:
        this.handleSync(docName, followed, decoder);
        break;
      case MESSAGE_AWARENESS:
        awarenessProtocol.applyAwarenessUpdate(
          followed.awareness,
          decoding.readVarUint8Array(decoder),
          REMOTE,
        );
        break;
      case MESSAGE_STORED:
        followed.stored = decoding.readVarUint(decoder);
        break;
      case MESSAGE_DENIED:
        followed.denied = {
          code: decoding.readVarUint(decoder),
          reason: decoding.readVarString(decoder),
        };
        break;
    }
  }

  private handleSync(
    docName: string,
    followed: FollowedDoc,
    decoder: decoding.Decoder,
  ): void {
    const reply = encoding.createEncoder();
    encoding.writeVarUint(reply, MESSAGE_SYNC);
    const kind = syncProtocol.readSyncMessage(
      decoder,
      reply,
      followed.doc,
      REMOTE,
    );
    if (kind === syncProtocol.messageYjsSyncStep2) {
      followed.synced = true;
      followed.step2Count++;
    }
    // A reply (sync step 2 to the relay's step 1) is a write message.
    if (encoding.length(reply) > 1) {
      followed.writes++;
      this.send(docName, encoding.toUint8Array(reply));
    }
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Client of the multiplexed `/sync` endpoint. */
export class MultiplexClient extends TestClientBase {
  static async connect(
    baseUrl: string,
    credentials: Credentials,
  ): Promise<MultiplexClient> {
    const ws = await openSocket(`${wsUrl(baseUrl)}/sync`, credentials);
    return new MultiplexClient(ws);
  }

  /** Starts following a doc by sending sync step 1 for it. */
  follow(docName: string): FollowedDoc {
    return this.createFollowed(docName);
  }

  unsubscribe(docName: string): void {
    this.send(docName, encodeUnsubscribe());
    this.docs.delete(docName);
  }

  protected send(docName: string, message: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(encodeMultiplexed(docName, message));
    }
  }

  protected onFrame(frame: Uint8Array): void {
    const decoder = decoding.createDecoder(frame);
    const docName = decoding.readVarString(decoder);
    this.handleMessage(docName, decoding.readTailAsUint8Array(decoder));
  }
}

/** Client of the single-doc `/sync/<docName>` endpoint. */
export class SingleDocClient extends TestClientBase {
  readonly followed: FollowedDoc;

  /** Wraps an open socket to `/sync/<docName>`; see `connect`. */
  constructor(
    ws: WebSocket,
    readonly docName: string,
  ) {
    super(ws);
    this.followed = this.createFollowed(docName);
  }

  static async connect(
    baseUrl: string,
    docName: string,
    credentials: Credentials,
  ): Promise<SingleDocClient> {
    const path = docName.split('/').map(encodeURIComponent).join('/');
    const ws = await openSocket(`${wsUrl(baseUrl)}/sync/${path}`, credentials);
    return new SingleDocClient(ws, docName);
  }

  protected send(_docName: string, message: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(message);
  }

  protected onFrame(frame: Uint8Array): void {
    this.handleMessage(this.docName, frame);
  }
}

/** Builds one sync message (type 0) with the given body writer. */
export function syncMessage(
  write: (encoder: encoding.Encoder) => void,
): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** Message types the relay sent for a doc, decoded from raw frames. */
export function messageTypes(frames: Uint8Array[], multiplexed: boolean) {
  return frames.map((frame) => {
    const decoder = decoding.createDecoder(frame);
    if (multiplexed) decoding.readVarString(decoder);
    return decoding.readVarUint(decoder);
  });
}

export function wsUrl(baseUrl: string): string {
  return baseUrl.replace(/^http/, 'ws');
}
