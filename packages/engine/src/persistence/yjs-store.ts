/**
 * Local persistence of Yjs state in a plain IndexedDB database next to the
 * RxDB ones. A plain object store keeps the binary updates as they are and
 * does not count against RxDB's limit on open collections.
 *
 * Stores:
 * - `updates`: every update applied to a doc, appended in order and merged
 *   into one snapshot row by `compact`.
 * - `pending`: local updates the relay has not confirmed yet, keyed by doc
 *   and a per-doc sequence number. They are also in `updates`; this store
 *   only tracks which ones still need the relay's `MESSAGE_STORED`.
 * - `meta`: small values such as the contact id of a portal session.
 */

const VERSION = 1;
const UPDATES = 'updates';
const PENDING = 'pending';
const META = 'meta';

export interface PendingUpdate {
  seq: number;
  update: Uint8Array;
}

export interface StoredDoc {
  updates: Uint8Array[];
  pending: PendingUpdate[];
}

interface UpdateRow {
  docName: string;
  update: Uint8Array;
}

interface PendingRow extends PendingUpdate {
  docName: string;
}

export class YjsStore {
  private constructor(
    private readonly db: IDBDatabase,
    private readonly keyRange: typeof IDBKeyRange,
  ) {}

  static async open(
    factory: IDBFactory,
    keyRange: typeof IDBKeyRange,
    name: string,
  ): Promise<YjsStore> {
    const request = factory.open(name, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      const updates = db.createObjectStore(UPDATES, { autoIncrement: true });
      updates.createIndex('docName', 'docName');
      db.createObjectStore(PENDING, { keyPath: ['docName', 'seq'] });
      db.createObjectStore(META);
    };
    return new YjsStore(await settle(request), keyRange);
  }

  async load(docName: string): Promise<StoredDoc> {
    const tx = this.db.transaction([UPDATES, PENDING], 'readonly');
    const byDoc = tx.objectStore(UPDATES).index('docName').getAll(docName);
    const rows = settle(byDoc as IDBRequest<UpdateRow[]>);
    const ofDoc = tx.objectStore(PENDING).getAll(this.docRange(docName));
    const pending = settle(ofDoc as IDBRequest<PendingRow[]>);
    const [updateRows, pendingRows] = await Promise.all([rows, pending]);
    return {
      updates: updateRows.map((row) => row.update),
      pending: pendingRows.map(({ seq, update }) => ({ seq, update })),
    };
  }

  /** Lists the docs that have any stored state. */
  async docNames(): Promise<string[]> {
    const tx = this.db.transaction(UPDATES, 'readonly');
    const index = tx.objectStore(UPDATES).index('docName');
    const cursor = index.openKeyCursor(null, 'nextunique');
    const names: string[] = [];
    await new Promise<void>((resolve, reject) => {
      cursor.onsuccess = () => {
        const current = cursor.result;
        if (current === null) return resolve();
        names.push(current.key as string);
        current.continue();
      };
      cursor.onerror = () => reject(cursor.error ?? new Error('IDB failed'));
    });
    return names;
  }

  /** Appends an update that came from the relay. */
  async appendRemote(docName: string, update: Uint8Array): Promise<void> {
    const tx = this.db.transaction(UPDATES, 'readwrite');
    tx.objectStore(UPDATES).add({ docName, update } satisfies UpdateRow);
    await done(tx);
  }

  /** Appends a local update and marks it pending in one transaction. */
  async appendLocal(
    docName: string,
    seq: number,
    update: Uint8Array,
  ): Promise<void> {
    const tx = this.db.transaction([UPDATES, PENDING], 'readwrite');
    tx.objectStore(UPDATES).add({ docName, update } satisfies UpdateRow);
    tx.objectStore(PENDING).put({ docName, seq, update } satisfies PendingRow);
    await done(tx);
  }

  /** Forgets pending updates that the relay has stored. */
  async confirm(docName: string, seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    const tx = this.db.transaction(PENDING, 'readwrite');
    const store = tx.objectStore(PENDING);
    for (const seq of seqs) store.delete([docName, seq]);
    await done(tx);
  }

  /**
   * Replaces every stored update of a doc with one snapshot. The caller
   * passes a snapshot taken after every append it has issued, and IndexedDB
   * runs overlapping read-write transactions in the order they were
   * created, so the deleted rows are all contained in the snapshot.
   */
  async compact(docName: string, snapshot: Uint8Array): Promise<void> {
    const tx = this.db.transaction(UPDATES, 'readwrite');
    const store = tx.objectStore(UPDATES);
    const keys = store.index('docName').getAllKeys(docName);
    // Issue the writes from the success callback: a transaction with no
    // request in flight may commit before a promise continuation runs.
    keys.onsuccess = () => {
      for (const key of keys.result) store.delete(key);
      store.add({ docName, update: snapshot } satisfies UpdateRow);
    };
    await done(tx);
  }

  async getMeta(key: string): Promise<unknown> {
    const tx = this.db.transaction(META, 'readonly');
    return settle<unknown>(tx.objectStore(META).get(key));
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    const tx = this.db.transaction(META, 'readwrite');
    tx.objectStore(META).put(value, key);
    await done(tx);
  }

  close(): void {
    this.db.close();
  }

  /** Key range over every pending row of one doc. */
  private docRange(docName: string): IDBKeyRange {
    return this.keyRange.bound([docName, 0], [docName, Infinity]);
  }
}

function settle<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IDB failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IDB failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IDB aborted'));
  });
}
