/**
 * A small in-memory relay for the engine's unit tests. It speaks the
 * multiplexed `/sync` protocol, stores updates in memory, and can hold
 * back its `MESSAGE_STORED` acknowledgements. The real relay lives in
 * `@portico/relay`; the engine cannot depend on it, because the relay
 * depends on the engine.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocketServer, type WebSocket } from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import {
  decodeMultiplexed,
  encodeDenied,
  encodeMultiplexed,
  encodeStored,
  MESSAGE_SYNC,
  type CloseCode,
} from '../../src/protocol.js';

interface Peer {
  socket: WebSocket;
  /** Write messages received per doc on this connection. */
  writes: Map<string, number>;
  /** Acknowledgements held back while `holdAcks` is set. */
  heldAcks: Map<string, number>;
}

export class TestRelay {
  readonly docs = new Map<string, Y.Doc>();
  /** When true, writes are stored but not acknowledged. */
  holdAcks = false;
  /** Docs rejected with `MESSAGE_DENIED`. */
  readonly deniedDocs = new Set<string>();
  /** When set, connections without this bearer token are closed. */
  requiredToken: string | undefined;
  connections = 0;
  /** Write messages (step 2 and update) received from all clients. */
  writesReceived = 0;
  private readonly peers = new Set<Peer>();

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(): Promise<TestRelay> {
    const server = createServer();
    const wss = new WebSocketServer({ server, path: '/sync' });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    const { port } = server.address() as AddressInfo;
    const relay = new TestRelay(server, wss, `http://127.0.0.1:${port}`);
    wss.on('connection', (socket, request) =>
      relay.accept(socket, request.headers.authorization),
    );
    return relay;
  }

  doc(name: string): Y.Doc {
    let doc = this.docs.get(name);
    if (doc === undefined) {
      doc = new Y.Doc();
      this.docs.set(name, doc);
    }
    return doc;
  }

  /** Sends every held acknowledgement and stops holding them. */
  releaseAcks(): void {
    this.holdAcks = false;
    for (const peer of this.peers) {
      for (const [docName, count] of peer.heldAcks) {
        peer.socket.send(encodeMultiplexed(docName, encodeStored(count)));
      }
      peer.heldAcks.clear();
    }
  }

  /** Closes every client connection with a code. */
  dropAll(code = 1012): void {
    for (const peer of this.peers) peer.socket.close(code, 'test drop');
  }

  /** Applies an update as if another client wrote it, and forwards it. */
  injectUpdate(docName: string, update: Uint8Array): void {
    Y.applyUpdate(this.doc(docName), update);
    this.forward(undefined, docName, update);
  }

  async close(): Promise<void> {
    for (const peer of this.peers) peer.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private accept(socket: WebSocket, authorization: string | undefined) {
    if (
      this.requiredToken !== undefined &&
      authorization !== `Bearer ${this.requiredToken}`
    ) {
      socket.close(4401 satisfies CloseCode, 'unauthenticated');
      return;
    }
    this.connections += 1;
    const peer: Peer = { socket, writes: new Map(), heldAcks: new Map() };
    this.peers.add(peer);
    socket.on('close', () => this.peers.delete(peer));
    socket.on('message', (data: Buffer) => this.receive(peer, data));
  }

  private receive(peer: Peer, data: Buffer): void {
    const { docName, message } = decodeMultiplexed(new Uint8Array(data));
    if (this.deniedDocs.has(docName)) {
      const denied = encodeDenied(4403, 'not allowed in this test');
      peer.socket.send(encodeMultiplexed(docName, denied));
      return;
    }
    const decoder = decoding.createDecoder(message);
    if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return;
    const doc = this.doc(docName);
    const reply = encoding.createEncoder();
    encoding.writeVarUint(reply, MESSAGE_SYNC);
    const before = Y.encodeStateVector(doc);
    const type = syncProtocol.readSyncMessage(decoder, reply, doc, peer);
    if (type === syncProtocol.messageYjsSyncStep1) {
      this.send(peer, docName, encoding.toUint8Array(reply));
      this.sendStep1(peer, docName, doc);
      return;
    }
    this.acknowledge(peer, docName);
    this.forward(peer, docName, Y.encodeStateAsUpdate(doc, before));
  }

  private sendStep1(peer: Peer, docName: string, doc: Y.Doc): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, doc);
    this.send(peer, docName, encoding.toUint8Array(encoder));
  }

  private acknowledge(peer: Peer, docName: string): void {
    this.writesReceived += 1;
    const count = (peer.writes.get(docName) ?? 0) + 1;
    peer.writes.set(docName, count);
    if (this.holdAcks) peer.heldAcks.set(docName, count);
    else this.send(peer, docName, encodeStored(count));
  }

  private forward(
    from: Peer | undefined,
    docName: string,
    update: Uint8Array,
  ): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    const message = encoding.toUint8Array(encoder);
    for (const peer of this.peers) {
      if (peer !== from) this.send(peer, docName, message);
    }
  }

  private send(peer: Peer, docName: string, message: Uint8Array): void {
    if (peer.socket.readyState === peer.socket.OPEN) {
      peer.socket.send(encodeMultiplexed(docName, message));
    }
  }
}
