/**
 * The parts every engine shares: local databases, docs, bridge, sync
 * connection, pending count and error stream. The staff and portal
 * engines decide which docs to follow and which API to expose.
 */
import {
  BehaviorSubject,
  distinctUntilChanged,
  firstValueFrom,
  map,
  Subject,
  filter,
  type Observable,
} from 'rxjs';
import { Bridge } from './bridge/bridge.js';
import type { CollectionSpec } from './collections.js';
import { openDatabase, type EngineDatabase } from './database.js';
import type { EngineError } from './errors.js';
import { syncUrl, type EngineOptions } from './options.js';
import { DocReplica, type ReplicaEvents } from './persistence/doc-replica.js';
import { YjsStore } from './persistence/yjs-store.js';
import { DEFAULT_BACKOFF } from './sync/backoff.js';
import { SyncConnection, type ConnectionState } from './sync/connection.js';
import { RecordValidator } from './validation.js';

export class EngineCore {
  readonly errors$ = new Subject<EngineError>();
  readonly pending$ = new BehaviorSubject<number>(0);
  readonly allSaved$: Observable<boolean> = this.pending$.pipe(
    map((count) => count === 0),
    distinctUntilChanged(),
  );
  readonly connection: SyncConnection;
  readonly bridge: Bridge;
  readonly validator: RecordValidator;
  private readonly replicas = new Map<string, Promise<DocReplica>>();
  /** Replicas that finished loading, for synchronous counting. */
  private readonly loaded = new Map<string, DocReplica>();
  private closing: Promise<void> | undefined;

  private constructor(
    readonly options: EngineOptions,
    readonly database: EngineDatabase,
    readonly store: YjsStore,
    specs: readonly CollectionSpec[],
    readOnly: boolean,
  ) {
    const reportError = (error: EngineError) => this.errors$.next(error);
    this.validator = new RecordValidator(specs);
    this.bridge = new Bridge({
      specs,
      collections: database.collections,
      validator: this.validator,
      reportError,
      // An app write may be the first record of a portal doc; following it
      // makes sure the write reaches the relay.
      ...(readOnly ? {} : { openDoc: (name: string) => this.follow(name) }),
    });
    this.connection = new SyncConnection({
      url: syncUrl(options.relayUrl),
      createWebSocket: options.createWebSocket ?? defaultWebSocket,
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      reportError,
      readOnly,
    });
  }

  static async open(
    options: EngineOptions,
    specs: readonly CollectionSpec[],
    readOnly: boolean,
  ): Promise<EngineCore> {
    const store = await YjsStore.open(
      options.indexedDB,
      options.IDBKeyRange,
      `${options.databaseName}-yjs`,
    );
    try {
      const database = await openDatabase({ ...options, specs });
      return new EngineCore(options, database, store, specs, readOnly);
    } catch (error) {
      store.close();
      throw error;
    }
  }

  get connection$(): Observable<ConnectionState> {
    return this.connection.state$.pipe(distinctUntilChanged());
  }

  /** Loads a doc from local storage and attaches it to the bridge. */
  openDoc(name: string): Promise<DocReplica> {
    let replica = this.replicas.get(name);
    if (replica === undefined) {
      replica = this.loadDoc(name);
      this.replicas.set(name, replica);
      replica.catch(() => this.replicas.delete(name));
    }
    return replica;
  }

  /** Opens a doc and syncs it with the relay. */
  async follow(name: string): Promise<DocReplica> {
    const replica = await this.openDoc(name);
    if (this.closing === undefined) this.connection.follow(replica);
    return replica;
  }

  isOpen(name: string): boolean {
    return this.replicas.has(name);
  }

  async storedDocNames(): Promise<string[]> {
    return this.store.docNames();
  }

  waitForAllSaved(): Promise<void> {
    return firstValueFrom(this.allSaved$.pipe(filter(Boolean))).then(
      () => undefined,
    );
  }

  goOnline(): void {
    if (this.closing === undefined) this.connection.start();
  }

  goOffline(): Promise<void> {
    return this.connection.stop();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.connection.stop();
    await this.bridge.close();
    const replicas = await Promise.allSettled(this.replicas.values());
    for (const result of replicas) {
      if (result.status === 'fulfilled') await result.value.close();
    }
    await this.database.close();
    this.store.close();
    this.connection.state$.complete();
    this.pending$.complete();
    this.errors$.complete();
  }

  private async loadDoc(name: string): Promise<DocReplica> {
    const replica = await DocReplica.open(name, this.store, this.replicaEvents);
    this.loaded.set(name, replica);
    this.countPending();
    await this.bridge.attach(replica);
    return replica;
  }

  private readonly replicaEvents: ReplicaEvents = {
    onLocalUpdate: (replica, seq, update) =>
      this.connection.sendLocalUpdate(replica, seq, update),
    onPendingChange: () => this.countPending(),
    onStorageError: (replica, error) =>
      this.errors$.next({
        kind: 'storage',
        message: `Storing Yjs state of ${replica.name} locally failed: ${String(error)}`,
        doc: replica.name,
        cause: error,
      }),
  };

  private countPending(): void {
    let count = 0;
    for (const replica of this.loaded.values()) count += replica.pending.size;
    if (!this.pending$.closed) this.pending$.next(count);
  }
}

function defaultWebSocket(url: string): WebSocket {
  if (typeof WebSocket !== 'function') {
    throw new Error(
      'No global WebSocket: pass createWebSocket, or use nodeEngineOptions from @portico/engine/node.',
    );
  }
  return new WebSocket(url);
}
