import type { Logger } from 'pino';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { CloseCode, encodeStored } from '@portico/engine/protocol';
import type { RelayMetrics } from '../metrics.js';
import type { DocManager } from './doc-manager.js';
import type { DocFollower, RelayDoc } from './relay-doc.js';
import { MalformedMessageError, describe, type ClientMessage } from './wire.js';

/** WebSocket close code for an unexpected server error (RFC 6455). */
export const INTERNAL_ERROR = 1011;

/** Services of the connection that a follower belongs to. */
export interface FollowerContext {
  docs: DocManager;
  metrics: RelayMetrics;
  logger: Logger;
  /** True on `/sync`, where Portico message types may be sent. */
  multiplexed: boolean;
  /** Sends one y-websocket message about this follower's doc. */
  sendForDoc(docName: string, message: Uint8Array): void;
  /** Closes the whole connection; `error` is logged when given. */
  fail(code: number, reason: string, error?: unknown): void;
}

/**
 * One connection following one doc. Messages that arrive while the doc is
 * loading wait in order and run once it is ready.
 */
export class Follower implements DocFollower {
  readonly awarenessClients = new Set<number>();
  private doc: RelayDoc | undefined;
  private queued: ClientMessage[] = [];
  /** Write messages numbered so far, for `MESSAGE_STORED`. */
  private writes = 0;
  private active = true;

  constructor(
    readonly docName: string,
    readonly writable: boolean,
    private readonly context: FollowerContext,
  ) {}

  /** Loads the doc, then sends sync step 1 and the current awareness. */
  start(): void {
    this.context.docs.acquire(this.docName).then(
      (doc) => this.attach(doc),
      (error: unknown) =>
        this.failOn(error, CloseCode.storageFailed, 'loading the doc failed'),
    );
  }

  /** Handles one message now, or after the load when still loading. */
  receive(message: ClientMessage): void {
    if (!this.active) return;
    if (this.doc) this.handle(this.doc, message);
    else this.queued.push(message);
  }

  stop(): void {
    if (!this.active) return;
    this.active = false;
    this.queued = [];
    if (this.doc) {
      this.doc.removeFollower(this);
      this.context.docs.release(this.docName);
    }
  }

  send(message: Uint8Array): void {
    if (this.active) this.context.sendForDoc(this.docName, message);
  }

  private attach(doc: RelayDoc): void {
    if (!this.active) {
      this.context.docs.release(this.docName);
      return;
    }
    this.doc = doc;
    doc.followers.add(this);
    // This runs in a promise callback, outside the connection's frame
    // handler, so errors are caught here and close only this connection.
    try {
      this.send(doc.syncStep1Message());
      const awareness = doc.awarenessMessage();
      if (awareness) this.send(awareness);

      const queued = this.queued;
      this.queued = [];
      for (const message of queued) this.receive(message);
    } catch (error) {
      this.failOn(error, INTERNAL_ERROR, 'handling a message failed');
    }
  }

  private handle(doc: RelayDoc, message: ClientMessage): void {
    switch (message.kind) {
      case 'syncStep1':
        this.send(doc.syncStep2Message(checkStateVector(message.stateVector)));
        return;
      case 'syncStep2':
      case 'update':
        this.write(doc, message.update);
        return;
      case 'awareness':
        applyAwareness(doc, message.update, this);
        return;
      case 'queryAwareness': {
        const awareness = doc.awarenessMessage();
        if (awareness) this.send(awareness);
        return;
      }
      case 'auth':
      case 'unsubscribe':
        return;
    }
  }

  /**
   * Stores the update, and only then applies, broadcasts and acknowledges
   * it. Writes on a read-only connection are dropped before any of that.
   */
  private write(doc: RelayDoc, update: Uint8Array): void {
    if (!this.writable) {
      this.context.metrics.droppedWrites.inc();
      this.context.logger.debug(
        { doc: this.docName },
        'dropped a write message on a read-only connection',
      );
      return;
    }
    checkUpdate(update);
    const number = ++this.writes;
    this.context.docs.store(doc, update, this).then(
      () => this.acknowledge(number),
      (error: unknown) =>
        this.failOn(error, CloseCode.storageFailed, 'storing an update failed'),
    );
  }

  private acknowledge(number: number): void {
    if (this.context.multiplexed) this.send(encodeStored(number));
  }

  /**
   * Closes the connection after an error outside the frame handler, with
   * 4400 for a malformed message and `code` for anything else.
   */
  private failOn(error: unknown, code: number, reason: string): void {
    if (error instanceof MalformedMessageError) {
      this.context.fail(CloseCode.malformed, error.message);
      return;
    }
    this.context.fail(code, `${reason} (doc ${this.docName})`, error);
  }
}

function checkStateVector(stateVector: Uint8Array): Uint8Array {
  try {
    Y.decodeStateVector(stateVector);
  } catch (error) {
    throw new MalformedMessageError(`invalid state vector: ${describe(error)}`);
  }
  return stateVector;
}

function checkUpdate(update: Uint8Array): void {
  try {
    Y.decodeUpdate(update);
  } catch (error) {
    throw new MalformedMessageError(`invalid Yjs update: ${describe(error)}`);
  }
}

function applyAwareness(
  doc: RelayDoc,
  update: Uint8Array,
  follower: Follower,
): void {
  try {
    awarenessProtocol.applyAwarenessUpdate(doc.awareness, update, follower);
  } catch (error) {
    throw new MalformedMessageError(
      `invalid awareness update: ${describe(error)}`,
    );
  }
}
