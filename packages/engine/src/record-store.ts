/**
 * Record stores: the staff API over one firm collection. Writes go to Yjs
 * first with the `ORIGIN_API` origin; the bridge then projects them into
 * RxDB. A write resolves once it is stored locally and visible in RxDB.
 * Reads come from RxDB.
 */
import { map, type Observable } from 'rxjs';
import type { RxCollection } from 'rxdb';
import * as Y from 'yjs';
import type { Bridge } from './bridge/bridge.js';
import { createRecordMap, setChangedFields } from './bridge/bridge.js';
import {
  rowFromYjs,
  yjsFromRow,
  type CollectionSpec,
  type JsonRecord,
} from './collections.js';
import { InvalidRecordError, RecordNotFoundError } from './errors.js';
import { withoutMeta } from './json.js';
import { ORIGIN_API, type DocReplica } from './persistence/doc-replica.js';
import type { RecordValidator } from './validation.js';

export interface RecordStore<T, TInput = T> {
  /** Adds a record; fills `id` and timestamps the input leaves out. */
  create(input: TInput): Promise<T>;
  /** Sets the given fields; a field set to `undefined` is removed. */
  update(id: string, patch: Partial<Omit<T, 'id'>>): Promise<T>;
  /** Deletes a record; deleting a missing record does nothing. */
  delete(id: string): Promise<void>;
  get(id: string): Promise<T | undefined>;
  /** Returns every record, sorted by id. */
  list(): Promise<T[]>;
  /** Emits every record, sorted by id, now and after each change. */
  observe(): Observable<T[]>;
}

/** Read-only view of a collection, for the portal engine. */
export type ReadOnlyStore<T> = Pick<RecordStore<T>, 'get' | 'list' | 'observe'>;

export interface RecordHooks {
  /** Fills defaults of a new record, such as timestamps. */
  prepareCreate?(input: JsonRecord, now: string): JsonRecord;
  /** Adjusts a changed record, such as setting `updatedAt`. */
  prepareUpdate?(row: JsonRecord, now: string): JsonRecord;
}

export class RxReadStore<T> implements ReadOnlyStore<T> {
  constructor(protected readonly collection: RxCollection<JsonRecord>) {}

  async get(id: string): Promise<T | undefined> {
    const row = await this.collection.findOne(id).exec();
    return row === null ? undefined : (withoutMeta(row.toMutableJSON()) as T);
  }

  async list(): Promise<T[]> {
    const rows = await this.query().exec();
    return rows.map((row) => withoutMeta(row.toMutableJSON()) as T);
  }

  observe(): Observable<T[]> {
    return this.query().$.pipe(
      map((rows) => rows.map((row) => withoutMeta(row.toMutableJSON()) as T)),
    );
  }

  private query() {
    const primary = this.collection.schema.primaryPath;
    return this.collection.find({ sort: [{ [primary]: 'asc' }] });
  }
}

export class YjsRecordStore<T, TInput>
  extends RxReadStore<T>
  implements RecordStore<T, TInput>
{
  constructor(
    collection: RxCollection<JsonRecord>,
    private readonly spec: CollectionSpec,
    private readonly replica: DocReplica,
    private readonly bridge: Bridge,
    private readonly validator: RecordValidator,
    private readonly hooks: RecordHooks = {},
  ) {
    super(collection);
  }

  async create(input: TInput): Promise<T> {
    let row: JsonRecord = { id: crypto.randomUUID(), ...dropUndefined(input) };
    row = this.hooks.prepareCreate?.(row, now()) ?? row;
    this.assertValid(row);

    const { key, fields } = yjsFromRow(this.spec, row);
    this.transact((records) => {
      if (records.has(key)) {
        throw new InvalidRecordError(this.spec.name, `id "${key}" exists`);
      }
      records.set(key, createRecordMap(fields));
    });
    return this.settle(key);
  }

  async update(id: string, patch: Partial<Omit<T, 'id'>>): Promise<T> {
    const record = this.records().get(id);
    if (!(record instanceof Y.Map)) {
      throw new RecordNotFoundError(this.spec.name, id);
    }
    const current = (record as Y.Map<unknown>).toJSON();
    const currentRow = rowFromYjs(this.spec, id, current, undefined);
    let row: JsonRecord = { ...currentRow, ...(patch as JsonRecord), id };
    row = dropUndefined(this.hooks.prepareUpdate?.(row, now()) ?? row);
    // Fields a newer client added may already be in Yjs; only the patch
    // itself must stick to the known fields.
    this.assertValid(row, Object.keys(dropUndefined(patch)));

    const { fields } = yjsFromRow(this.spec, row);
    this.transact(() => {
      setChangedFields(record as Y.Map<unknown>, current, fields);
    });
    return this.settle(id);
  }

  async delete(id: string): Promise<void> {
    if (!this.records().has(id)) return;
    this.transact((records) => records.delete(id));
    await this.whenSettled();
  }

  private records(): Y.Map<unknown> {
    return this.replica.doc.getMap(this.spec.mapName);
  }

  private transact(change: (records: Y.Map<unknown>) => void): void {
    this.replica.doc.transact(() => change(this.records()), ORIGIN_API);
  }

  /** Throws for a record that fails its schema or sets unknown fields. */
  private assertValid(row: JsonRecord, written = Object.keys(row)): void {
    const check = this.validator.check(this.spec.name, row);
    if (!check.valid) {
      throw new InvalidRecordError(this.spec.name, check.reason);
    }
    const unknown = written.filter((field) => !(field in check.row));
    if (unknown.length > 0) {
      const names = unknown.join(', ');
      throw new InvalidRecordError(this.spec.name, `unknown fields ${names}`);
    }
  }

  private async whenSettled(): Promise<void> {
    await Promise.all([this.replica.whenPersisted(), this.bridge.whenIdle()]);
  }

  private async settle(id: string): Promise<T> {
    await this.whenSettled();
    const row = await this.get(id);
    if (row === undefined) {
      // Another client may have deleted the record in the meantime.
      throw new RecordNotFoundError(this.spec.name, id);
    }
    return row;
  }
}

function now(): string {
  return new Date().toISOString();
}

function dropUndefined(input: unknown): JsonRecord {
  const row: JsonRecord = {};
  for (const [key, value] of Object.entries(input as JsonRecord)) {
    if (value !== undefined) row[key] = value;
  }
  return row;
}
