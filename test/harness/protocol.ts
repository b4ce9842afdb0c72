/** Messages between a test and an engine running in a worker thread. */

/** Firm record stores the harness can write to. */
export type StoreName =
  'contacts' | 'documents' | 'invoices' | 'payments' | 'outbox';

export interface OpenParams {
  relayUrl: string;
  token: string;
  databaseName: string;
  startOnline: boolean;
}

/** RxDB contents of every collection, each sorted by primary key. */
export type Dump = Record<string, Array<Record<string, unknown>>>;

export interface WorkerApi {
  open(params: OpenParams): Promise<void>;
  create(
    store: StoreName,
    input: Record<string, unknown>,
  ): Promise<Record<string, unknown>>;
  /** Returns null when the record does not exist on this client. */
  update(
    store: StoreName,
    id: string,
    patch: Record<string, unknown>,
  ): Promise<Record<string, unknown> | null>;
  delete(store: StoreName, id: string): Promise<void>;
  dump(): Promise<Dump>;
  pending(): Promise<number>;
  /** Returns the engine errors reported since the last call. */
  takeErrors(): Promise<Array<{ kind: string; message: string }>>;
  goOffline(): Promise<void>;
  goOnline(): Promise<void>;
  waitForAllSaved(): Promise<void>;
  /** Closes the engine and opens it again on the same IndexedDB data. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export type Method = keyof WorkerApi;

export interface Request {
  id: number;
  method: Method;
  args: unknown[];
}

export type Response =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string };
