/**
 * The portal's one view of the engine. Every other module reads the
 * client's replica through `PortalData`, so a change of the engine's API
 * touches this file only.
 */
import {
  openPortalEngine,
  type ConnectionState,
  type EngineError,
  type PortalEngine,
  type PortalFile,
  type PortalInvoice,
  type PortalPayment,
  type PortalProfile,
  type PortalSettings,
} from '@portico/engine';

/** Everything the portal shows, as one immutable value. */
export interface PortalSnapshot {
  profile: PortalProfile | undefined;
  settings: PortalSettings | undefined;
  /** Files that are not deleted, newest first. */
  files: PortalFile[];
  /** Issued and void invoices, newest issue date first. */
  invoices: PortalInvoice[];
  /** Payments, newest first. */
  payments: PortalPayment[];
  connection: ConnectionState;
}

export interface PortalData {
  readonly contactId: string;
  readonly snapshot: PortalSnapshot;
  /** Calls `listener` now and after each change; returns the unsubscribe. */
  subscribe(listener: (snapshot: PortalSnapshot) => void): () => void;
  /** Calls `listener` for each error the engine reports. */
  onError(listener: (error: EngineError) => void): () => void;
  close(): Promise<void>;
}

/** Prefix of the IndexedDB databases that hold the client's replica. */
export const DATABASE_NAME = 'portico-portal';

export const EMPTY_SNAPSHOT: PortalSnapshot = {
  profile: undefined,
  settings: undefined,
  files: [],
  invoices: [],
  payments: [],
  connection: 'offline',
};

/**
 * Opens the replica of the signed-in client. The engine authenticates to
 * `/sync` with the same-origin session cookie.
 */
export async function openPortalData(): Promise<PortalData> {
  const engine = await openPortalEngine({
    relayUrl: location.origin,
    databaseName: DATABASE_NAME,
    indexedDB,
    IDBKeyRange,
  });
  return new EnginePortalData(engine);
}

/**
 * Deletes the local replica, so that the next person on a shared device
 * cannot read the previous client's data. Call it after `close`.
 */
export async function deleteLocalReplica(): Promise<void> {
  const databases = await indexedDB.databases();
  const names = databases
    .map((database) => database.name)
    .filter((name): name is string => name?.startsWith(DATABASE_NAME) ?? false);
  await Promise.all(names.map(deleteDatabase));
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error(name));
    // Another tab still has it open; it is deleted once that tab closes.
    request.onblocked = () => resolve();
  });
}

class EnginePortalData implements PortalData {
  snapshot: PortalSnapshot = EMPTY_SNAPSHOT;
  private readonly listeners = new Set<(snapshot: PortalSnapshot) => void>();
  private readonly errorListeners = new Set<(error: EngineError) => void>();
  private readonly subscriptions: { unsubscribe(): void }[] = [];

  constructor(private readonly engine: PortalEngine) {
    this.watch(engine.profile.observe(), (rows) => ({ profile: rows[0] }));
    this.watch(engine.settings.observe(), (rows) => ({ settings: rows[0] }));
    this.watch(engine.files.observe(), (rows) => ({ files: sortFiles(rows) }));
    this.watch(engine.invoices.observe(), (rows) => ({
      invoices: sortInvoices(rows),
    }));
    this.watch(engine.payments.observe(), (rows) => ({
      payments: sortPayments(rows),
    }));
    this.watch(engine.connection$, (connection) => ({ connection }));
    this.subscriptions.push(
      engine.errors$.subscribe((error) => {
        for (const listener of this.errorListeners) listener(error);
      }),
    );
  }

  get contactId(): string {
    return this.engine.contactId;
  }

  subscribe(listener: (snapshot: PortalSnapshot) => void): () => void {
    this.listeners.add(listener);
    listener(this.snapshot);
    return () => this.listeners.delete(listener);
  }

  onError(listener: (error: EngineError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  async close(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.listeners.clear();
    this.errorListeners.clear();
    await this.engine.close();
  }

  private watch<T>(
    source: { subscribe(next: (value: T) => void): { unsubscribe(): void } },
    change: (value: T) => Partial<PortalSnapshot>,
  ): void {
    const subscription = source.subscribe((value) => {
      this.snapshot = { ...this.snapshot, ...change(value) };
      for (const listener of this.listeners) listener(this.snapshot);
    });
    this.subscriptions.push(subscription);
  }
}

/** Hides deleted files and puts the newest upload first. */
export function sortFiles(files: readonly PortalFile[]): PortalFile[] {
  return files
    .filter((file) => file.status !== 'deleted')
    .sort(newestFirst((file) => file.uploadedAt));
}

/** Hides drafts, which a firm should never publish, newest first. */
export function sortInvoices(
  invoices: readonly PortalInvoice[],
): PortalInvoice[] {
  return invoices
    .filter((invoice) => invoice.status !== 'draft')
    .sort(newestFirst((invoice) => invoice.issueDate));
}

export function sortPayments(
  payments: readonly PortalPayment[],
): PortalPayment[] {
  return [...payments].sort(newestFirst((payment) => payment.receivedAt));
}

// ISO 8601 UTC strings of one form sort correctly as text; the id breaks
// ties so that the order is stable across renders.
function newestFirst<T extends { id: string }>(time: (row: T) => string) {
  return (a: T, b: T): number =>
    time(b).localeCompare(time(a)) || a.id.localeCompare(b.id);
}
