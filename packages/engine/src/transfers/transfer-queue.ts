/**
 * The File Transfer Queue: uploads and downloads as durable records that
 * run one at a time while the engine is online, survive a restart, and
 * retry with backoff after failures that may pass (network, 5xx, full disk
 * on the relay).
 */
import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import { backoffDelay, type BackoffOptions } from '../sync/backoff.js';
import type { LocalFileStore } from './file-store.js';
import { RelayHttpError, type RelayHttp } from './relay-http.js';
import type { Transfer } from './types.js';

/** Attempts before a transfer that keeps failing is marked `failed`. */
export const MAX_TRANSFER_ATTEMPTS = 8;

export const TRANSFER_BACKOFF: BackoffOptions = {
  baseMs: 1_000,
  capMs: 60_000,
  random: Math.random,
};

/** Work that follows a finished transfer. It must be safe to repeat. */
export interface TransferHooks {
  afterUpload(transfer: Transfer): Promise<void>;
  afterDownload(transfer: Transfer): Promise<void>;
  /** Runs when a transfer is marked `failed` for good. */
  afterFailure(transfer: Transfer): Promise<void>;
  /** Runs when staff cancel a transfer that was not done. */
  afterCancel(transfer: Transfer): Promise<void>;
}

export type NewTransfer = Omit<
  Transfer,
  'id' | 'state' | 'bytesDone' | 'attempts' | 'createdAt' | 'updatedAt'
>;

interface Waiter {
  resolve(transfer: Transfer): void;
  reject(error: Error): void;
}

/** A failure that retrying the same transfer cannot fix. */
class PermanentTransferError extends Error {}

export class TransferQueue {
  private readonly records = new Map<string, Transfer>();
  private readonly subject = new BehaviorSubject<Transfer[]>([]);
  private readonly waiters = new Map<string, Waiter[]>();
  private subscription: Subscription | undefined;
  private online = false;
  private worker: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  private constructor(
    private readonly store: LocalFileStore,
    private readonly http: RelayHttp,
    private readonly hooks: TransferHooks,
    private readonly backoff: BackoffOptions,
  ) {}

  /**
   * Loads the stored records and starts following `online$`. A record left
   * `running` by a crash or a close goes back to `queued`.
   */
  static async open(
    store: LocalFileStore,
    http: RelayHttp,
    hooks: TransferHooks,
    online$: Observable<boolean>,
    backoff: BackoffOptions = TRANSFER_BACKOFF,
  ): Promise<TransferQueue> {
    const queue = new TransferQueue(store, http, hooks, backoff);
    for (const record of await store.listTransfers()) {
      const state = record.state === 'running' ? 'queued' : record.state;
      queue.records.set(record.id, { ...record, state });
    }
    queue.emit();
    queue.subscription = online$.subscribe((online) => queue.setOnline(online));
    return queue;
  }

  /** Every transfer, oldest first, now and after each change of any field. */
  get transfers$(): Observable<Transfer[]> {
    return this.subject.asObservable();
  }

  list(): Transfer[] {
    return this.subject.value;
  }

  get(id: string): Transfer | undefined {
    return this.records.get(id);
  }

  async add(input: NewTransfer): Promise<Transfer> {
    const now = new Date().toISOString();
    const transfer: Transfer = {
      ...input,
      id: crypto.randomUUID(),
      state: 'queued',
      bytesDone: 0,
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    };
    await this.save(transfer);
    this.kick();
    return transfer;
  }

  /** Queues a `failed` transfer again with a fresh attempt budget. */
  async retry(id: string): Promise<Transfer> {
    const transfer = this.records.get(id);
    if (transfer === undefined) {
      throw new Error(`No transfer with id "${id}"; list the transfers first.`);
    }
    if (transfer.state !== 'failed') return transfer;
    const queued = this.withChanges(transfer, {
      state: 'queued',
      attempts: 0,
      nextAttemptAt: undefined,
    });
    await this.save(queued);
    this.kick();
    return queued;
  }

  /**
   * Cancels a transfer that is not done: a queued or failed one never runs
   * again, and a running one has its requests aborted. A done transfer is
   * returned unchanged, because its bytes already arrived.
   */
  async cancel(id: string): Promise<Transfer> {
    const transfer = this.records.get(id);
    if (transfer === undefined) {
      throw new Error(`No transfer with id "${id}"; list the transfers first.`);
    }
    if (transfer.state === 'done' || transfer.state === 'cancelled') {
      return transfer;
    }
    const cancelled = this.withChanges(transfer, {
      state: 'cancelled',
      nextAttemptAt: undefined,
    });
    await this.save(cancelled);
    if (transfer.state === 'running') this.http.abortCurrent();
    this.settleWaiters(cancelled);
    await this.hooks.afterCancel(cancelled);
    return cancelled;
  }

  /** Resolves when the transfer is `done`; rejects when it is `failed`. */
  whenFinished(id: string): Promise<Transfer> {
    const transfer = this.records.get(id);
    if (transfer?.state === 'done') return Promise.resolve(transfer);
    if (transfer?.state === 'failed' || transfer?.state === 'cancelled') {
      return Promise.reject(failedError(transfer));
    }
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(id) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(id, list);
    });
  }

  /**
   * Stops starting transfers, cancels the running one (it is `queued` again
   * at the next open) and rejects every `whenFinished` promise.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.subscription?.unsubscribe();
    clearTimeout(this.timer);
    this.http.abort();
    await this.worker;
    for (const [id, list] of this.waiters) {
      const error = new Error(
        `The engine closed before transfer ${id} finished; it continues when the engine opens again.`,
      );
      for (const waiter of list) waiter.reject(error);
    }
    this.waiters.clear();
    this.subject.complete();
  }

  private setOnline(online: boolean): void {
    const cameOnline = online && !this.online;
    this.online = online;
    if (!cameOnline) return;
    // Failures while offline tell nothing about the relay, so transfers
    // that wait for a retry start at once.
    for (const transfer of this.records.values()) {
      if (transfer.state === 'queued') delete transfer.nextAttemptAt;
    }
    this.kick();
  }

  private kick(): void {
    if (this.closed || !this.online || this.worker !== undefined) return;
    clearTimeout(this.timer);
    this.worker = this.drain().finally(() => {
      this.worker = undefined;
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.closed || !this.online) return;
      const next = this.nextDue();
      if (next === undefined) return this.scheduleRetry();
      await this.run(next);
    }
  }

  private nextDue(): Transfer | undefined {
    const now = new Date().toISOString();
    return this.list().find(
      (transfer) =>
        transfer.state === 'queued' &&
        (transfer.nextAttemptAt === undefined || transfer.nextAttemptAt <= now),
    );
  }

  private scheduleRetry(): void {
    const waiting = this.list()
      .filter((transfer) => transfer.state === 'queued')
      .map((transfer) => Date.parse(transfer.nextAttemptAt ?? ''))
      .filter((time) => !Number.isNaN(time));
    if (waiting.length === 0) return;
    const delay = Math.max(0, Math.min(...waiting) - Date.now());
    this.timer = setTimeout(() => this.kick(), delay);
  }

  private async run(queued: Transfer): Promise<void> {
    let transfer = this.withChanges(queued, {
      state: 'running',
      attempts: queued.attempts + 1,
      lastError: undefined,
      nextAttemptAt: undefined,
    });
    await this.save(transfer);
    try {
      transfer = await this.transfer(transfer);
      if (this.isCancelled(transfer.id)) return;
      await (transfer.kind === 'upload'
        ? this.hooks.afterUpload(transfer)
        : this.hooks.afterDownload(transfer));
      transfer = this.withChanges(transfer, {
        state: 'done',
        bytesDone: transfer.bytesTotal,
      });
      await this.save(transfer);
      this.settleWaiters(transfer);
    } catch (error) {
      // The stored record carries the progress and upload id saved during
      // the attempt, which the next attempt continues from.
      const latest = this.records.get(transfer.id) ?? transfer;
      if (latest.state === 'cancelled') return;
      await this.recordFailure(latest, error);
    }
  }

  private async transfer(transfer: Transfer): Promise<Transfer> {
    return transfer.kind === 'upload'
      ? this.upload(transfer)
      : this.download(transfer);
  }

  private async upload(transfer: Transfer): Promise<Transfer> {
    const file = await this.store.get(transfer.sha256);
    if (file === undefined) {
      throw new PermanentTransferError(
        `The bytes of "${transfer.name}" (${transfer.sha256}) are not stored on this device; add the file again.`,
      );
    }
    let current = transfer;
    await this.http.upload(
      this.store,
      file,
      transfer.uploadId,
      async (progress) => {
        current = this.withChanges(current, {
          bytesDone: progress.bytesDone,
          ...(progress.uploadId === undefined
            ? {}
            : { uploadId: progress.uploadId }),
        });
        await this.save(current);
      },
    );
    return current;
  }

  private async download(transfer: Transfer): Promise<Transfer> {
    if ((await this.store.get(transfer.sha256)) !== undefined) return transfer;
    let current = transfer;
    const source = this.http.download(transfer.sha256, (bytesDone) => {
      current = this.withChanges(current, { bytesDone });
      this.records.set(current.id, current);
      this.emit();
    });
    const stored = await this.store.put(source);
    if (stored.sha256 !== transfer.sha256) {
      throw new PermanentTransferError(
        `The relay sent bytes with SHA-256 ${stored.sha256} for "${transfer.name}", expected ${transfer.sha256}.`,
      );
    }
    return current;
  }

  private async recordFailure(transfer: Transfer, error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    const retry =
      !(error instanceof PermanentTransferError) &&
      !(error instanceof RelayHttpError && !error.retryable) &&
      transfer.attempts < MAX_TRANSFER_ATTEMPTS;
    const delay = backoffDelay(transfer.attempts - 1, this.backoff);
    const failed = this.withChanges(transfer, {
      state: retry ? 'queued' : 'failed',
      lastError: message,
      nextAttemptAt: retry
        ? new Date(Date.now() + delay).toISOString()
        : undefined,
    });
    await this.save(failed);
    if (retry) return;
    this.settleWaiters(failed);
    await this.hooks.afterFailure(failed).catch(() => undefined);
  }

  private settleWaiters(transfer: Transfer): void {
    const list = this.waiters.get(transfer.id) ?? [];
    this.waiters.delete(transfer.id);
    for (const waiter of list) {
      if (transfer.state === 'done') waiter.resolve(transfer);
      else waiter.reject(failedError(transfer));
    }
  }

  private withChanges(transfer: Transfer, changes: Partial<Transfer>) {
    const next: Transfer = {
      ...transfer,
      ...changes,
      updatedAt: new Date().toISOString(),
    };
    // IndexedDB stores an explicit undefined as a present key; drop it.
    for (const key of Object.keys(changes) as (keyof Transfer)[]) {
      if (next[key] === undefined) delete next[key];
    }
    return next;
  }

  private isCancelled(id: string): boolean {
    return this.records.get(id)?.state === 'cancelled';
  }

  /**
   * Stores a record. Progress of a transfer cancelled meanwhile is dropped
   * with an error, so a late progress event cannot revive it.
   */
  private async save(transfer: Transfer): Promise<void> {
    if (transfer.state !== 'cancelled' && this.isCancelled(transfer.id)) {
      throw new Error(`Transfer of "${transfer.name}" was cancelled.`);
    }
    this.records.set(transfer.id, transfer);
    this.emit();
    await this.store.putTransfer(transfer);
  }

  private emit(): void {
    if (this.subject.closed) return;
    const sorted = [...this.records.values()].sort((a, b) =>
      a.createdAt === b.createdAt
        ? a.id.localeCompare(b.id)
        : a.createdAt.localeCompare(b.createdAt),
    );
    this.subject.next(sorted);
  }
}

function failedError(transfer: Transfer): Error {
  if (transfer.state === 'cancelled') {
    return new Error(`Transfer of "${transfer.name}" was cancelled.`);
  }
  return new Error(
    `Transfer of "${transfer.name}" failed after ${transfer.attempts} attempt(s): ${transfer.lastError ?? 'unknown error'}`,
  );
}
