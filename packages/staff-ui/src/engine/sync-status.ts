/**
 * Combines the engine's connection state and pending count into the one
 * value the status bar shows, and keeps the last sync time.
 */
export type ConnectionState = 'offline' | 'connecting' | 'online';

export interface SyncStatus {
  connection: ConnectionState;
  /** Local changes that the relay has not confirmed as stored. */
  pending: number;
  /**
   * Last moment the app was online with every local change stored on the
   * relay, as an ISO 8601 string; undefined before the first such moment.
   */
  lastSyncedAt: string | undefined;
}

/** The part of an RxJS Observable this module needs. */
interface Source<T> {
  subscribe(listener: (value: T) => void): { unsubscribe(): void };
}

export interface StatusSources {
  connection$: Source<ConnectionState>;
  pending$: Source<number>;
}

type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** How often the last sync time moves on while nothing is pending. */
const REFRESH_MS = 30_000;

export class SyncStatusTracker {
  private status: SyncStatus;
  private readonly listeners = new Set<(status: SyncStatus) => void>();
  private readonly subscriptions: { unsubscribe(): void }[];
  private refreshTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    sources: StatusSources,
    private readonly storageKey: string,
    private readonly storage?: KeyValueStorage,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.status = {
      connection: 'offline',
      pending: 0,
      lastSyncedAt: storage?.getItem(storageKey) ?? undefined,
    };
    this.subscriptions = [
      sources.connection$.subscribe((connection) =>
        this.update({ connection }),
      ),
      sources.pending$.subscribe((pending) => this.update({ pending })),
    ];
  }

  get current(): SyncStatus {
    return this.status;
  }

  /** Calls `listener` now and after every change, until unsubscribed. */
  watch(listener: (status: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    listener(this.status);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.setRefresh(false);
    this.listeners.clear();
  }

  private update(change: Partial<SyncStatus>): void {
    const next = { ...this.status, ...change };
    const synced = next.connection === 'online' && next.pending === 0;
    if (synced) next.lastSyncedAt = this.markSynced();
    this.status = next;
    this.setRefresh(synced);
    for (const listener of this.listeners) listener(next);
  }

  private markSynced(): string {
    const time = this.now().toISOString();
    this.storage?.setItem(this.storageKey, time);
    return time;
  }

  // While connected with nothing pending the replica is current, so the
  // shown time keeps moving instead of freezing at the moment of connect.
  private setRefresh(on: boolean): void {
    if (on && this.refreshTimer === undefined) {
      this.refreshTimer = setInterval(() => this.update({}), REFRESH_MS);
    } else if (!on && this.refreshTimer !== undefined) {
      clearInterval(this.refreshTimer);
      this.refreshTimer = undefined;
    }
  }
}
