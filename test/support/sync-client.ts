/**
 * A small client of the relay's multiplexed `/sync` endpoint for tests
 * that need to look at a doc the way a client sees it.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import {
  MESSAGE_SYNC,
  decodeMultiplexed,
  encodeMultiplexed,
} from '@portico/engine/protocol';
import { until } from './wait.js';

function wsUrl(url: string): string {
  return `${url.replace(/^http/, 'ws')}/sync`;
}

export class MultiplexClient {
  private readonly docs = new Map<string, Y.Doc>();
  private readonly synced = new Set<string>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.receive(new Uint8Array(data)));
  }

  /** Opens `/sync` with a bearer token; rejects when the upgrade fails. */
  static async connect(url: string, token: string): Promise<MultiplexClient> {
    const ws = new WebSocket(wsUrl(url), {
      headers: { authorization: `Bearer ${token}` },
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => {
        ws.terminate();
        reject(new Error(`upgrade refused with HTTP ${res.statusCode}`));
      });
      ws.once('error', reject);
    });
    return new MultiplexClient(ws);
  }

  /** Returns the HTTP status of a refused `/sync` upgrade, or 101. */
  static upgradeStatus(url: string, token: string): Promise<number> {
    const ws = new WebSocket(wsUrl(url), {
      headers: { authorization: `Bearer ${token}` },
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        ws.terminate();
        resolve(101);
      });
      ws.once('unexpected-response', (_req, res) => {
        ws.terminate();
        resolve(res.statusCode ?? 0);
      });
      ws.once('error', reject);
    });
  }

  /** Starts following a doc by sending sync step 1. */
  follow(docName: string): void {
    const doc = new Y.Doc();
    this.docs.set(docName, doc);
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, doc);
    this.ws.send(encodeMultiplexed(docName, encoding.toUint8Array(encoder)));
  }

  doc(docName: string): Y.Doc {
    const doc = this.docs.get(docName);
    if (!doc) throw new Error(`Not following ${docName}.`);
    return doc;
  }

  async waitForSynced(docName: string): Promise<void> {
    await until(() => this.synced.has(docName), `sync of ${docName}`);
  }

  close(): void {
    this.ws.terminate();
  }

  private receive(frame: Uint8Array): void {
    const { docName, message } = decodeMultiplexed(frame);
    const doc = this.docs.get(docName);
    if (!doc) return;
    const decoder = decoding.createDecoder(message);
    if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return;
    const reply = encoding.createEncoder();
    encoding.writeVarUint(reply, MESSAGE_SYNC);
    const kind = syncProtocol.readSyncMessage(decoder, reply, doc, this);
    if (kind === syncProtocol.messageYjsSyncStep2) this.synced.add(docName);
    // A read-only client sends no replies; the relay would drop them.
  }
}
