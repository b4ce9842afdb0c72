/**
 * The bridge between Yjs docs and RxDB collections, both ways.
 *
 * Yjs to RxDB: every transaction marks the records it touched. A serial
 * queue then reads those records from Yjs, checks them against their
 * schema, and writes the ones that differ from RxDB with `bulkUpsert` and
 * `bulkRemove`. A record that fails its schema is quarantined: removed from
 * RxDB and reported, while the rest of the batch still applies.
 *
 * RxDB to Yjs: change events of app writes made directly on a collection
 * are copied into Yjs field by field, one transaction per doc and batch,
 * with the `ORIGIN_RXDB` origin. Events caused by the bridge's own writes
 * are recognised by the `EchoGuard` and skipped.
 */
import type { RxChangeEvent, RxCollection } from 'rxdb';
import type { Subscription } from 'rxjs';
import * as Y from 'yjs';
import {
  primaryOf,
  primaryOfKey,
  rowFromYjs,
  yjsFromRow,
  type CollectionSpec,
  type JsonRecord,
} from '../collections.js';
import type { EngineError } from '../errors.js';
import { canonicalJson, isJsonRecord, withoutMeta } from '../json.js';
import { FIRM_DOC, portalDocName } from '../protocol.js';
import { ORIGIN_RXDB, type DocReplica } from '../persistence/doc-replica.js';
import type { RecordValidator } from '../validation.js';
import { EchoGuard } from './echo-guard.js';

export type Collections = Record<string, RxCollection<JsonRecord>>;

export interface BridgeOptions {
  specs: readonly CollectionSpec[];
  collections: Collections;
  validator: RecordValidator;
  reportError(error: EngineError): void;
  /**
   * Opens the doc an app write belongs to when it is not attached yet, or
   * returns undefined when app writes are not copied to Yjs (read-only).
   */
  openDoc?(docName: string): Promise<DocReplica>;
}

/** Yjs keys touched per doc and collection since the last flush. */
type DirtyKeys = Map<DocReplica, Map<CollectionSpec, Set<string>>>;

export class Bridge {
  private readonly docs = new Map<string, DocReplica>();
  private readonly guard = new EchoGuard();
  private readonly subscriptions: Subscription[] = [];
  private readonly detachers = new Map<DocReplica, () => void>();
  private dirty: DirtyKeys = new Map();
  private flushScheduled = false;
  private queue: Promise<void> = Promise.resolve();
  private appEvents: Array<[CollectionSpec, RxChangeEvent<JsonRecord>]> = [];

  constructor(private readonly options: BridgeOptions) {
    if (options.openDoc !== undefined) this.watchAppWrites();
  }

  /** Attaches a loaded doc, then makes RxDB match its Yjs state. */
  async attach(replica: DocReplica): Promise<void> {
    this.docs.set(replica.name, replica);
    const detach: Array<() => void> = [];
    for (const spec of this.specsOf(replica)) {
      const map = replica.doc.getMap(spec.mapName);
      const observer = (events: Array<Y.YEvent<Y.AbstractType<unknown>>>) =>
        this.markDirty(replica, spec, events, map);
      map.observeDeep(observer);
      detach.push(() => map.unobserveDeep(observer));
    }
    this.detachers.set(replica, () => detach.forEach((undo) => undo()));
    await this.enqueue(() => this.reconcile(replica));
  }

  detach(replica: DocReplica): void {
    this.detachers.get(replica)?.();
    this.detachers.delete(replica);
    this.docs.delete(replica.name);
  }

  /**
   * Removes portal rows of contacts whose doc is not attached, such as a
   * doc the relay denied. Runs once every stored doc is attached.
   */
  async removeOrphans(): Promise<void> {
    await this.enqueue(async () => {
      for (const spec of this.options.specs) {
        if (spec.docKind !== 'portal') continue;
        const rows = await this.collection(spec).find().exec();
        const orphans = rows
          .map((row) => withoutMeta(row.toMutableJSON()))
          .filter(
            (row) => !this.docs.has(portalDocName(String(row['contactId']))),
          )
          .map((row) => primaryOf(spec, row));
        await this.write(spec, new Map(), orphans);
      }
    });
  }

  /** Resolves when every change seen so far is projected. */
  whenIdle(): Promise<void> {
    return this.queue;
  }

  async close(): Promise<void> {
    this.subscriptions.forEach((subscription) => subscription.unsubscribe());
    for (const replica of [...this.detachers.keys()]) this.detach(replica);
    await this.queue;
  }

  private specsOf(replica: DocReplica): CollectionSpec[] {
    const kind = replica.contactId === undefined ? 'firm' : 'portal';
    return this.options.specs.filter((spec) => spec.docKind === kind);
  }

  private collection(spec: CollectionSpec): RxCollection<JsonRecord> {
    const collection = this.options.collections[spec.name];
    if (collection === undefined) {
      throw new Error(`Collection "${spec.name}" is not open.`);
    }
    return collection;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch((error: unknown) =>
      this.options.reportError({
        kind: 'storage',
        message: `Projecting Yjs records into RxDB failed: ${String(error)}`,
        cause: error,
      }),
    );
    return run;
  }

  // Yjs to RxDB ------------------------------------------------------------

  private markDirty(
    replica: DocReplica,
    spec: CollectionSpec,
    events: Array<Y.YEvent<Y.AbstractType<unknown>>>,
    map: Y.Map<unknown>,
  ): void {
    const keys = this.dirtyKeys(replica, spec);
    for (const event of events) {
      if (event.target === map) {
        for (const key of event.keys.keys()) keys.add(key);
      } else {
        const key = event.path[0];
        if (typeof key === 'string') keys.add(key);
      }
    }
    this.scheduleFlush();
  }

  private dirtyKeys(replica: DocReplica, spec: CollectionSpec): Set<string> {
    let bySpec = this.dirty.get(replica);
    if (bySpec === undefined) {
      bySpec = new Map();
      this.dirty.set(replica, bySpec);
    }
    let keys = bySpec.get(spec);
    if (keys === undefined) {
      keys = new Set();
      bySpec.set(spec, keys);
    }
    return keys;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    void this.enqueue(() => {
      this.flushScheduled = false;
      return this.flush();
    });
  }

  private async flush(): Promise<void> {
    const dirty = this.dirty;
    this.dirty = new Map();
    for (const [replica, bySpec] of dirty) {
      if (!this.docs.has(replica.name)) continue;
      for (const [spec, keys] of bySpec) {
        await this.project(replica, spec, [...keys]);
      }
    }
  }

  /** Makes RxDB match Yjs for some keys of one map. */
  private async project(
    replica: DocReplica,
    spec: CollectionSpec,
    keys: readonly string[],
  ): Promise<void> {
    const map = replica.doc.getMap(spec.mapName);
    const wanted = new Map<string, JsonRecord>();
    const removed: string[] = [];
    for (const key of keys) {
      const primary = primaryOfKey(spec, key, replica.contactId);
      const row = this.readRecord(replica, spec, map, key);
      if (row === undefined) removed.push(primary);
      else wanted.set(primary, row);
    }
    await this.write(spec, wanted, removed);
  }

  /** Makes RxDB match the whole Yjs state of a doc. */
  private async reconcile(replica: DocReplica): Promise<void> {
    for (const spec of this.specsOf(replica)) {
      const map = replica.doc.getMap(spec.mapName);
      const wanted = new Map<string, JsonRecord>();
      for (const key of map.keys()) {
        const row = this.readRecord(replica, spec, map, key);
        const primary = primaryOfKey(spec, key, replica.contactId);
        if (row !== undefined) wanted.set(primary, row);
      }
      const query =
        replica.contactId === undefined
          ? this.collection(spec).find()
          : this.collection(spec).find({
              selector: { contactId: replica.contactId },
            });
      const present = (await query.exec()).map((row) => row.primary);
      const removed = present.filter((primary) => !wanted.has(primary));
      await this.write(spec, wanted, removed);
    }
  }

  /**
   * Reads one record from Yjs as a checked RxDB row. Returns undefined when
   * the key is absent or the record is quarantined.
   */
  private readRecord(
    replica: DocReplica,
    spec: CollectionSpec,
    map: Y.Map<unknown>,
    key: string,
  ): JsonRecord | undefined {
    const value = map.get(key);
    if (value === undefined) return undefined;
    const primary = primaryOfKey(spec, key, replica.contactId);
    const quarantine = (reason: string) => {
      this.options.reportError({
        kind: 'quarantine',
        message: `Record "${key}" in ${replica.name}/${spec.mapName} failed its schema and was kept out of RxDB: ${reason}`,
        doc: replica.name,
        collection: spec.name,
        id: primary,
        reason,
      });
      return undefined;
    };
    if (spec.singletonKey !== undefined && key !== spec.singletonKey) {
      return quarantine(`only the key "${spec.singletonKey}" is allowed`);
    }
    if (!(value instanceof Y.Map)) {
      return quarantine('the value is not a Y.Map of fields');
    }
    const fields = (value as Y.Map<unknown>).toJSON();
    const row = rowFromYjs(spec, key, fields, replica.contactId);
    const check = this.options.validator.check(spec.name, row);
    return check.valid ? check.row : quarantine(check.reason);
  }

  /** Writes the rows that differ from RxDB and removes the given keys. */
  private async write(
    spec: CollectionSpec,
    wanted: Map<string, JsonRecord>,
    removed: readonly string[],
  ): Promise<void> {
    const collection = this.collection(spec);
    const ids = [...wanted.keys(), ...removed];
    if (ids.length === 0) return;
    const existing = await collection.findByIds(ids).exec();

    const upserts: JsonRecord[] = [];
    for (const [primary, row] of wanted) {
      const current = existing.get(primary);
      const currentRow = current && withoutMeta(current.toMutableJSON());
      if (currentRow && canonicalJson(currentRow) === canonicalJson(row)) {
        continue;
      }
      this.guard.expect(spec.name, primary, row);
      upserts.push(row);
    }
    const removals = removed.filter((primary) => existing.has(primary));
    for (const primary of removals) {
      this.guard.expect(spec.name, primary, undefined);
    }

    if (upserts.length > 0) {
      const result = await collection.bulkUpsert(upserts);
      this.reportWriteErrors(spec, result.error);
    }
    if (removals.length > 0) {
      const result = await collection.bulkRemove(removals);
      this.reportWriteErrors(spec, result.error);
    }
  }

  private reportWriteErrors(
    spec: CollectionSpec,
    errors: ReadonlyArray<{ documentId: string; status: number }>,
  ): void {
    for (const error of errors) {
      this.options.reportError({
        kind: 'storage',
        message: `RxDB rejected the write of ${spec.name} "${error.documentId}" with status ${error.status}.`,
        collection: spec.name,
        id: error.documentId,
      });
    }
  }

  // RxDB to Yjs ------------------------------------------------------------

  private watchAppWrites(): void {
    for (const spec of this.options.specs) {
      const subscription = this.collection(spec).$.subscribe((event) => {
        this.appEvents.push([spec, event]);
        if (this.appEvents.length === 1) queueMicrotask(this.applyAppEvents);
      });
      this.subscriptions.push(subscription);
    }
  }

  /** Copies one batch of app writes into Yjs, one transaction per doc. */
  private readonly applyAppEvents = () => {
    const batch = this.appEvents;
    this.appEvents = [];
    const byDoc = new Map<
      string,
      Array<[CollectionSpec, RxChangeEvent<JsonRecord>]>
    >();
    for (const [spec, event] of batch) {
      if (this.isEcho(spec, event)) continue;
      const docName = this.docNameOf(spec, event);
      const list = byDoc.get(docName) ?? [];
      list.push([spec, event]);
      byDoc.set(docName, list);
    }
    for (const [docName, events] of byDoc) {
      const replica = this.docs.get(docName);
      if (replica !== undefined) this.applyToDoc(replica, events);
      else void this.applyWhenOpen(docName, events);
    }
  };

  private isEcho(spec: CollectionSpec, event: RxChangeEvent<JsonRecord>) {
    const row =
      event.operation === 'DELETE'
        ? undefined
        : withoutMeta(event.documentData);
    return this.guard.consume(spec.name, event.documentId, row);
  }

  private docNameOf(
    spec: CollectionSpec,
    event: RxChangeEvent<JsonRecord>,
  ): string {
    if (spec.docKind === 'firm') return FIRM_DOC;
    const data = event.documentData ?? event.previousDocumentData;
    return portalDocName(String(data['contactId']));
  }

  private async applyWhenOpen(
    docName: string,
    events: Array<[CollectionSpec, RxChangeEvent<JsonRecord>]>,
  ): Promise<void> {
    if (this.options.openDoc === undefined) return;
    try {
      // NOTE: opening reconciles the doc first, which removes the new row
      // from RxDB until the write below is projected back. Observers of the
      // collection may see the row disappear for a moment.
      const replica = await this.options.openDoc(docName);
      this.applyToDoc(replica, events);
    } catch (error) {
      this.options.reportError({
        kind: 'storage',
        message: `Opening ${docName} for an app write failed: ${String(error)}`,
        doc: docName,
        cause: error,
      });
    }
  }

  private applyToDoc(
    replica: DocReplica,
    events: Array<[CollectionSpec, RxChangeEvent<JsonRecord>]>,
  ): void {
    replica.doc.transact(() => {
      for (const [spec, event] of events) this.applyEvent(replica, spec, event);
    }, ORIGIN_RXDB);
  }

  private applyEvent(
    replica: DocReplica,
    spec: CollectionSpec,
    event: RxChangeEvent<JsonRecord>,
  ): void {
    const map = replica.doc.getMap(spec.mapName);
    const row = withoutMeta(event.documentData);
    const { key, fields } = yjsFromRow(spec, row);
    if (event.operation === 'DELETE') {
      map.delete(key);
      return;
    }

    const check = this.options.validator.check(spec.name, row);
    if (!check.valid) {
      this.rejectAppWrite(replica, spec, key, event.documentId, check.reason);
      return;
    }
    const record = map.get(key);
    if (event.operation === 'INSERT' || !(record instanceof Y.Map)) {
      // A record deleted in Yjs stays deleted: a concurrent delete wins
      // over an edit, as it does for edits made through Yjs.
      if (event.operation === 'UPDATE') {
        this.dirtyKeys(replica, spec).add(key);
        this.scheduleFlush();
        return;
      }
      map.set(key, createRecordMap(fields));
      return;
    }

    const previous = yjsFromRow(spec, withoutMeta(event.previousDocumentData));
    setChangedFields(record as Y.Map<unknown>, previous.fields, fields);
  }

  /** Reports an invalid app write and puts the Yjs state back into RxDB. */
  private rejectAppWrite(
    replica: DocReplica,
    spec: CollectionSpec,
    key: string,
    id: string,
    reason: string,
  ): void {
    this.options.reportError({
      kind: 'invalid-write',
      message: `The app wrote an invalid ${spec.name} record "${id}"; it was not synced and RxDB was reset to the synced state: ${reason}`,
      doc: replica.name,
      collection: spec.name,
      id,
      reason,
    });
    this.dirtyKeys(replica, spec).add(key);
    this.scheduleFlush();
  }
}

/** Builds the `Y.Map` of a new record. */
export function createRecordMap(fields: JsonRecord): Y.Map<unknown> {
  const record = new Y.Map<unknown>();
  for (const [field, value] of Object.entries(fields)) {
    if (value !== undefined) record.set(field, value);
  }
  return record;
}

/**
 * Sets the fields whose value changed between two versions of a row and
 * deletes the ones that disappeared. Other fields keep their Yjs value, so
 * a concurrent edit to another field survives.
 */
export function setChangedFields(
  record: Y.Map<unknown>,
  previous: JsonRecord,
  next: JsonRecord,
): void {
  const names = new Set([...Object.keys(previous), ...Object.keys(next)]);
  for (const name of names) {
    if (canonicalJson(previous[name]) === canonicalJson(next[name])) continue;
    const value = next[name];
    if (value === undefined) record.delete(name);
    else record.set(name, isJsonRecord(value) ? { ...value } : value);
  }
}
