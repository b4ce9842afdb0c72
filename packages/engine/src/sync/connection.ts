/**
 * The engine's WebSocket to the relay's multiplexed `/sync` endpoint.
 *
 * Per followed doc and per connection, the engine sends sync step 1, then
 * its pending local updates as one update message, replies to the relay's
 * step 1 with step 2, and sends each new local update. Write messages
 * (step 2 and update) are numbered from 1 per doc and connection. When the
 * relay sends `MESSAGE_STORED n`, every pending update carried by writes
 * 1..n is stored on the relay and stops being pending.
 */
import { BehaviorSubject } from 'rxjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import type { EngineError } from '../errors.js';
import { ORIGIN_REMOTE, type DocReplica } from '../persistence/doc-replica.js';
import {
  decodeMultiplexed,
  encodeMultiplexed,
  encodeUnsubscribe,
  MESSAGE_DENIED,
  MESSAGE_STORED,
  MESSAGE_SYNC,
} from '../protocol.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';

export type ConnectionState = 'offline' | 'connecting' | 'online';

export interface ConnectionOptions {
  /** WebSocket URL of the relay's `/sync` endpoint. */
  url: string;
  createWebSocket: (url: string) => WebSocket;
  backoff: BackoffOptions;
  reportError(error: EngineError): void;
  /**
   * Sends no write messages, for portal clients whose writes the relay
   * drops anyway.
   */
  readOnly?: boolean;
  /** Called when the relay refuses a doc; the connection stops following it. */
  onDenied?(docName: string): void;
}

/** A write message sent on this connection and the pending updates in it. */
interface SentWrite {
  number: number;
  seqs: readonly number[];
}

interface Followed {
  replica: DocReplica;
  writes: number;
  unconfirmed: SentWrite[];
}

const OPEN = 1;

export class SyncConnection {
  readonly state$ = new BehaviorSubject<ConnectionState>('offline');
  private readonly followed = new Map<string, Followed>();
  private socket: WebSocket | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private running = false;
  private closedSocket: Promise<void> = Promise.resolve();

  constructor(private readonly options: ConnectionOptions) {}

  /** Connects now and keeps reconnecting until `stop`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.connect();
  }

  /** Closes the socket, cancels any reconnect and waits for the close. */
  async stop(): Promise<void> {
    this.running = false;
    this.clearRetry();
    this.socket?.close(1000, 'client going offline');
    await this.closedSocket;
    this.state$.next('offline');
  }

  follow(replica: DocReplica): void {
    if (this.followed.has(replica.name)) return;
    const entry: Followed = { replica, writes: 0, unconfirmed: [] };
    this.followed.set(replica.name, entry);
    if (this.isOpen()) this.subscribe(entry);
  }

  unfollow(docName: string): void {
    if (!this.followed.delete(docName)) return;
    if (this.isOpen()) this.send(docName, encodeUnsubscribe());
  }

  isFollowing(docName: string): boolean {
    return this.followed.has(docName);
  }

  /** Sends a new local update of a followed doc, if the socket is open. */
  sendLocalUpdate(replica: DocReplica, seq: number, update: Uint8Array) {
    const entry = this.followed.get(replica.name);
    if (entry === undefined || !this.isOpen()) return;
    if (this.options.readOnly === true) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    this.sendWrite(entry, encoding.toUint8Array(encoder), [seq]);
  }

  // Socket lifecycle -------------------------------------------------------

  private connect(): void {
    this.retryTimer = undefined;
    this.state$.next('connecting');
    let socket: WebSocket;
    try {
      socket = this.options.createWebSocket(this.options.url);
    } catch (error) {
      this.options.reportError({
        kind: 'protocol',
        message: `Creating a WebSocket to ${this.options.url} failed: ${String(error)}`,
        cause: error,
      });
      this.scheduleReconnect();
      return;
    }
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    this.closedSocket = new Promise((resolve) => {
      socket.onclose = (event) => {
        resolve();
        this.handleClose(socket, event.code, event.reason);
      };
    });
    socket.onopen = () => this.handleOpen(socket);
    socket.onmessage = (event: MessageEvent) =>
      this.handleFrame(socket, event.data);
    // The close event that follows an error carries what we need.
    socket.onerror = () => undefined;
  }

  private handleOpen(socket: WebSocket): void {
    if (socket !== this.socket) return;
    this.state$.next('online');
    for (const entry of this.followed.values()) this.subscribe(entry);
  }

  private handleClose(socket: WebSocket, code: number, reason: string) {
    if (socket !== this.socket) return;
    this.socket = undefined;
    if (!this.running) return;
    if (code >= 4400 && code <= 4499) {
      // Retrying with the same credentials cannot succeed.
      this.running = false;
      this.state$.next('offline');
      this.options.reportError({
        kind: 'connection-rejected',
        message: `The relay closed the sync connection with code ${code} (${reason || 'no reason given'}); not reconnecting.`,
        code,
        reason,
      });
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.running) return;
    this.state$.next('connecting');
    const delay = backoffDelay(this.attempt, this.options.backoff);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private clearRetry(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private isOpen(): boolean {
    return this.socket?.readyState === OPEN;
  }

  // Messages ---------------------------------------------------------------

  /** Starts syncing one doc on the current socket. */
  private subscribe(entry: Followed): void {
    entry.writes = 0;
    entry.unconfirmed = [];
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, entry.replica.doc);
    this.send(entry.replica.name, encoding.toUint8Array(encoder));
    if (this.options.readOnly === true) return;

    // Sent even though step 2 would carry them too, so that pending updates
    // are confirmed whether or not the relay sends its own step 1.
    const pending = entry.replica.mergedPending();
    if (pending === undefined) return;
    const update = encoding.createEncoder();
    encoding.writeVarUint(update, MESSAGE_SYNC);
    syncProtocol.writeUpdate(update, pending.update);
    this.sendWrite(entry, encoding.toUint8Array(update), pending.seqs);
  }

  private handleFrame(socket: WebSocket, data: unknown): void {
    if (socket !== this.socket) return;
    this.attempt = 0;
    if (!(data instanceof ArrayBuffer)) {
      this.dropSocket(socket, 'a text frame');
      return;
    }
    try {
      const { docName, message } = decodeMultiplexed(new Uint8Array(data));
      const entry = this.followed.get(docName);
      if (entry !== undefined) this.handleMessage(entry, message);
    } catch (error) {
      this.dropSocket(socket, `an undecodable frame (${String(error)})`);
    }
  }

  private handleMessage(entry: Followed, message: Uint8Array): void {
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MESSAGE_SYNC:
        this.handleSync(entry, decoder);
        break;
      case MESSAGE_STORED:
        this.handleStored(entry, decoding.readVarUint(decoder));
        break;
      case MESSAGE_DENIED:
        this.handleDenied(entry, decoder);
        break;
      default:
        // Awareness and other message types carry nothing the engine uses.
        break;
    }
  }

  private handleSync(entry: Followed, decoder: decoding.Decoder): void {
    const reply = encoding.createEncoder();
    encoding.writeVarUint(reply, MESSAGE_SYNC);
    const doc = entry.replica.doc;
    syncProtocol.readSyncMessage(decoder, reply, doc, ORIGIN_REMOTE);
    if (encoding.length(reply) <= 1 || this.options.readOnly === true) return;
    // The reply is step 2: it brings the relay up to our whole state, so
    // it carries every update that is pending right now.
    const seqs = [...entry.replica.pending.keys()];
    this.sendWrite(entry, encoding.toUint8Array(reply), seqs);
  }

  private handleStored(entry: Followed, count: number): void {
    const confirmed = entry.unconfirmed.filter(
      (write) => write.number <= count,
    );
    entry.unconfirmed = entry.unconfirmed.filter(
      (write) => write.number > count,
    );
    entry.replica.confirm(confirmed.flatMap((write) => write.seqs));
  }

  private handleDenied(entry: Followed, decoder: decoding.Decoder): void {
    const code = decoding.readVarUint(decoder);
    const reason = decoding.readVarString(decoder);
    const docName = entry.replica.name;
    this.followed.delete(docName);
    this.options.reportError({
      kind: 'doc-denied',
      message: `The relay rejected ${docName} with code ${code} (${reason}); stopped syncing it. Check the account's access.`,
      doc: docName,
      code,
      reason,
    });
    this.options.onDenied?.(docName);
  }

  private sendWrite(
    entry: Followed,
    message: Uint8Array,
    seqs: readonly number[],
  ): void {
    entry.writes += 1;
    entry.unconfirmed.push({ number: entry.writes, seqs });
    this.send(entry.replica.name, message);
  }

  private send(docName: string, message: Uint8Array): void {
    if (!this.isOpen()) return;
    this.socket?.send(encodeMultiplexed(docName, message));
  }

  /** Closes a socket that sent something unusable; reconnecting may help. */
  private dropSocket(socket: WebSocket, what: string): void {
    this.options.reportError({
      kind: 'protocol',
      message: `The relay sent ${what}; reconnecting.`,
    });
    socket.close(1002, 'protocol error');
  }
}
