/**
 * One Yjs doc with its local persistence and its list of local updates
 * that the relay has not confirmed yet.
 */
import * as Y from 'yjs';
import { contactIdOfDoc } from '../protocol.js';
import type { PendingUpdate, YjsStore } from './yjs-store.js';

/** Origin of updates loaded from local storage; they are already stored. */
export const ORIGIN_STORE = Symbol('portico-store');
/** Origin of updates received from the relay. */
export const ORIGIN_REMOTE = Symbol('portico-remote');
/** Origin of writes made through the engine's record stores. */
export const ORIGIN_API = Symbol('portico-api');
/** Origin of app writes made on RxDB that the bridge copied into Yjs. */
export const ORIGIN_RXDB = Symbol('portico-rxdb');

/**
 * Stored rows of one doc that trigger a compaction into one snapshot. Each
 * row costs a read at the next open, and compacting costs a full encode.
 */
const COMPACT_AFTER_ROWS = 200;

export interface ReplicaEvents {
  /** A local update was made; it is pending until the relay stores it. */
  onLocalUpdate(replica: DocReplica, seq: number, update: Uint8Array): void;
  /** The number of pending updates of this replica changed. */
  onPendingChange(): void;
  onStorageError(replica: DocReplica, error: unknown): void;
}

export class DocReplica {
  readonly doc = new Y.Doc();
  readonly contactId: string | undefined;
  /** Local updates not yet confirmed by the relay, by sequence number. */
  readonly pending = new Map<number, Uint8Array>();
  private nextSeq = 1;
  private storedRows = 0;
  private writes: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly name: string,
    private readonly store: YjsStore,
    private readonly events: ReplicaEvents,
  ) {
    this.contactId = contactIdOfDoc(name);
  }

  /** Loads a doc from local storage (empty when it was never stored). */
  static async open(
    name: string,
    store: YjsStore,
    events: ReplicaEvents,
  ): Promise<DocReplica> {
    const replica = new DocReplica(name, store, events);
    await replica.load();
    replica.doc.on('update', replica.handleUpdate);
    return replica;
  }

  private async load(): Promise<void> {
    const stored = await this.store.load(this.name);
    if (stored.updates.length > 0) {
      Y.applyUpdate(this.doc, Y.mergeUpdates(stored.updates), ORIGIN_STORE);
    }
    this.restorePending(stored.pending);
    this.storedRows = stored.updates.length;
    if (this.storedRows > 1) this.compact();
  }

  private restorePending(pending: PendingUpdate[]): void {
    for (const { seq, update } of pending) {
      this.pending.set(seq, update);
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
    }
  }

  private readonly handleUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === ORIGIN_STORE) return;
    if (origin === ORIGIN_REMOTE) {
      this.enqueue(() => this.store.appendRemote(this.name, update));
    } else {
      const seq = this.nextSeq++;
      this.pending.set(seq, update);
      this.enqueue(() => this.store.appendLocal(this.name, seq, update));
      this.events.onLocalUpdate(this, seq, update);
      this.events.onPendingChange();
    }
    this.storedRows += 1;
    if (this.storedRows >= COMPACT_AFTER_ROWS) this.compact();
  };

  /** Marks pending updates as stored on the relay. */
  confirm(seqs: readonly number[]): void {
    const confirmed = seqs.filter((seq) => this.pending.delete(seq));
    if (confirmed.length === 0) return;
    this.enqueue(() => this.store.confirm(this.name, confirmed));
    this.events.onPendingChange();
  }

  /** Returns the pending updates merged into one, or undefined if none. */
  mergedPending(): { seqs: number[]; update: Uint8Array } | undefined {
    if (this.pending.size === 0) return undefined;
    const seqs = [...this.pending.keys()];
    return { seqs, update: Y.mergeUpdates([...this.pending.values()]) };
  }

  /** Resolves when every update made so far is in local storage. */
  whenPersisted(): Promise<void> {
    return this.writes;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.doc.off('update', this.handleUpdate);
    await this.writes;
    this.doc.destroy();
  }

  private compact(): void {
    // The snapshot is taken now, after every update already queued, so it
    // contains each row that the compaction deletes.
    const snapshot = Y.encodeStateAsUpdate(this.doc);
    this.storedRows = 1;
    this.enqueue(() => this.store.compact(this.name, snapshot));
  }

  private enqueue(write: () => Promise<void>): void {
    this.writes = this.writes
      .then(write)
      .catch((error: unknown) => this.events.onStorageError(this, error));
  }
}
