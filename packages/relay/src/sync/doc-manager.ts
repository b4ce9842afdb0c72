import type { Logger } from 'pino';
import * as Y from 'yjs';
import type { RelayMetrics } from '../metrics.js';
import type { UpdateWriter } from '../storage/update-writer.js';
import type { Storage, StoredUpdate } from '../storage/types.js';
import { RelayDoc } from './relay-doc.js';
import { RELAY_ORIGIN, buildRelayUpdate } from './relay-write.js';
import { MalformedMessageError, describe } from './wire.js';

export interface DocManagerOptions {
  storage: Storage;
  writer: UpdateWriter;
  metrics: RelayMetrics;
  logger: Logger;
  /** Time a doc stays loaded after its last user left, in ms. */
  docIdleMs: number;
  /** Update rows appended to a doc before it is compacted. */
  compactAfterRows?: number;
}

interface Entry {
  ready: Promise<RelayDoc>;
  /** Followers plus writes in flight. The doc unloads only at zero. */
  users: number;
  appendedSinceCompaction: number;
  idleTimer?: NodeJS.Timeout;
}

const DEFAULT_COMPACT_AFTER_ROWS = 500;

/**
 * Loads docs on first use and shares them between both sync endpoints.
 * Concurrent first uses share one load. A doc leaves memory `docIdleMs`
 * after its last follower left and its last write was applied. It is then
 * compacted in the background.
 */
export class DocManager {
  private readonly entries = new Map<string, Entry>();
  private readonly background = new Set<Promise<void>>();
  private readonly compacting = new Set<string>();
  private readonly loadListeners = new Set<(doc: RelayDoc) => void>();
  /** Tail of each doc's chain of relay writes, see `writeAsRelay`. */
  private readonly relayWrites = new Map<string, Promise<void>>();
  private readonly compactAfterRows: number;
  private closed = false;

  constructor(private readonly options: DocManagerOptions) {
    this.compactAfterRows =
      options.compactAfterRows ?? DEFAULT_COMPACT_AFTER_ROWS;
  }

  /** Returns the loaded doc and keeps it loaded until `release`. */
  acquire(docName: string): Promise<RelayDoc> {
    const entry = this.entries.get(docName) ?? this.startLoad(docName);
    entry.users++;
    clearTimeout(entry.idleTimer);
    return entry.ready;
  }

  release(docName: string): void {
    const entry = this.entries.get(docName);
    if (!entry) return;
    entry.users--;
    if (entry.users === 0) this.scheduleUnload(docName, entry);
  }

  /**
   * Stores an update durably, then applies it to the doc, which broadcasts
   * it to every follower except `origin`. Rejects without applying when
   * storage fails, so memory never runs ahead of the database.
   */
  async store(doc: RelayDoc, update: Uint8Array, origin: object) {
    const entry = this.entries.get(doc.name);
    if (!entry) throw new Error(`Doc ${doc.name} is not loaded.`);
    entry.users++;
    try {
      await this.options.writer.write(doc.name, update);
      this.apply(doc, update, origin);
      entry.appendedSinceCompaction++;
      if (entry.appendedSinceCompaction >= this.compactAfterRows) {
        entry.appendedSinceCompaction = 0;
        this.runInBackground(this.compact(doc.name));
      }
    } finally {
      this.release(doc.name);
    }
  }

  /**
   * Writes into a doc as the relay, a fixed origin. `mutate` runs on a
   * scratch copy of the doc, so the live doc changes only after the update
   * is stored, as with a client's write. Then every follower receives it.
   * Relay writes to one doc run one after another, so each `mutate` works
   * on the result of the earlier ones. A `mutate` that changes nothing
   * stores nothing.
   */
  writeAsRelay(docName: string, mutate: (doc: Y.Doc) => void): Promise<void> {
    const previous = this.relayWrites.get(docName) ?? Promise.resolve();
    const next = previous.then(
      () => this.relayWrite(docName, mutate),
      () => this.relayWrite(docName, mutate),
    );
    this.relayWrites.set(docName, next);
    const forget = () => {
      if (this.relayWrites.get(docName) === next) {
        this.relayWrites.delete(docName);
      }
    };
    next.then(forget, forget);
    return next;
  }

  /**
   * Calls `listener` with each doc this manager loads from storage, before
   * any user gets it, so the listener can observe the doc's changes.
   * Returns a function that removes the listener.
   */
  onLoad(listener: (doc: RelayDoc) => void): () => void {
    this.loadListeners.add(listener);
    return () => this.loadListeners.delete(listener);
  }

  /** Number of docs in memory or loading. */
  get size(): number {
    return this.entries.size;
  }

  /** Unloads every doc and waits for background compactions. */
  async close(): Promise<void> {
    // Relay writes already asked for still land, like a client's write
    // that arrived before the shutdown.
    await Promise.allSettled([...this.relayWrites.values()]);
    this.closed = true;
    for (const [docName, entry] of this.entries) {
      clearTimeout(entry.idleTimer);
      this.unload(docName, entry, false);
    }
    await Promise.allSettled([...this.background]);
  }

  private async relayWrite(
    docName: string,
    mutate: (doc: Y.Doc) => void,
  ): Promise<void> {
    if (this.closed)
      throw new Error(`Relay is closing, so ${docName} was not written.`);
    const doc = await this.acquire(docName);
    try {
      const update = buildRelayUpdate(doc.doc, mutate);
      if (update !== undefined) await this.store(doc, update, RELAY_ORIGIN);
    } finally {
      this.release(docName);
    }
  }

  private apply(doc: RelayDoc, update: Uint8Array, origin: object): void {
    try {
      Y.applyUpdate(doc.doc, update, origin);
    } catch (error) {
      // The update decoded, so this is a Yjs inconsistency. It is stored
      // already; loading will skip the row as corrupt.
      this.options.logger.error(
        { err: error, doc: doc.name },
        'applying a stored update failed',
      );
      throw new MalformedMessageError(
        `update failed to apply: ${describe(error)}`,
      );
    }
  }

  private startLoad(docName: string): Entry {
    const entry: Entry = {
      ready: this.load(docName),
      users: 0,
      appendedSinceCompaction: 0,
    };
    entry.ready.catch(() => {
      // Forget a failed load so the next user retries it.
      if (this.entries.get(docName) === entry) this.entries.delete(docName);
    });
    this.entries.set(docName, entry);
    return entry;
  }

  private async load(docName: string): Promise<RelayDoc> {
    const rows = await this.options.storage.loadUpdates(docName);
    const doc = new RelayDoc(docName);
    for (const row of rows) {
      if (!applyRow(doc.doc, row)) this.reportCorruptRow(docName, row);
    }
    for (const listener of this.loadListeners) listener(doc);
    this.options.metrics.loadedDocs.inc();
    this.options.logger.debug(
      { doc: docName, rows: rows.length },
      'doc loaded',
    );
    if (rows.length >= this.compactAfterRows) {
      this.runInBackground(this.compact(docName));
    }
    return doc;
  }

  private reportCorruptRow(docName: string, row: StoredUpdate): void {
    this.options.metrics.corruptRows.inc();
    this.options.logger.error(
      { doc: docName, rowId: row.id, bytes: row.update.length },
      'skipped a stored update that failed to decode',
    );
  }

  private scheduleUnload(docName: string, entry: Entry): void {
    if (this.closed) return;
    entry.idleTimer = setTimeout(
      () => this.unload(docName, entry, true),
      this.options.docIdleMs,
    );
    entry.idleTimer.unref();
  }

  private unload(docName: string, entry: Entry, compact: boolean): void {
    if (entry.users > 0 && !this.closed) return;
    this.entries.delete(docName);
    const unloaded = entry.ready.then(
      (doc) => {
        doc.destroy();
        this.options.metrics.loadedDocs.dec();
        this.options.logger.debug({ doc: docName }, 'doc unloaded');
        if (compact) return this.compact(docName);
      },
      () => undefined,
    );
    this.runInBackground(unloaded);
  }

  /**
   * Replaces a doc's decodable rows by one merged update. Rows appended
   * meanwhile keep their own ids and stay; corrupt rows stay for
   * inspection.
   */
  private async compact(docName: string): Promise<void> {
    if (this.compacting.has(docName)) return;
    this.compacting.add(docName);
    const scratch = new Y.Doc();
    try {
      const rows = await this.options.storage.loadUpdates(docName);
      const merged = rows.filter((row) => applyRow(scratch, row));
      if (merged.length < 2) return;
      await this.options.storage.replaceUpdates(
        docName,
        Y.encodeStateAsUpdate(scratch),
        merged.map((row) => row.id),
      );
      this.options.metrics.compactions.inc({ result: 'ok' });
      this.options.logger.debug(
        { doc: docName, rows: merged.length },
        'doc compacted',
      );
    } catch (error) {
      this.options.metrics.compactions.inc({ result: 'failed' });
      this.options.logger.error(
        { err: error, doc: docName },
        'compacting a doc failed; its rows are unchanged',
      );
    } finally {
      scratch.destroy();
      this.compacting.delete(docName);
    }
  }

  private runInBackground(work: Promise<void>): void {
    this.background.add(work);
    void work.finally(() => this.background.delete(work));
  }
}

/** Applies one stored row; returns false when it does not decode. */
function applyRow(doc: Y.Doc, row: StoredUpdate): boolean {
  try {
    Y.decodeUpdate(row.update);
    Y.applyUpdate(doc, row.update);
    return true;
  } catch {
    return false;
  }
}
