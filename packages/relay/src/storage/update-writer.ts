import type { Logger } from 'pino';
import type { RelayMetrics } from '../metrics.js';
import type { DocUpdate, Storage } from './types.js';

interface PendingWrite extends DocUpdate {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Group commit: every update written during one event-loop turn is
 * appended in a single transaction, and each `write` resolves only after
 * that transaction committed. One fsync then covers a burst of messages
 * from many connections. Batches commit one after another, in order.
 */
export class UpdateWriter {
  private pending: PendingWrite[] = [];
  private scheduled = false;
  private committing: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: Storage,
    private readonly metrics: RelayMetrics,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the update is durably stored; rejects if that failed. */
  write(docName: string, update: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ docName, update, resolve, reject });
      this.schedule();
    });
  }

  /** Commits whatever is pending and waits for every earlier batch. */
  async flush(): Promise<void> {
    this.enqueueCommit();
    await this.committing;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after the poll phase, so every message that the
    // sockets delivered in this turn is already in `pending`.
    setImmediate(() => this.enqueueCommit());
  }

  private enqueueCommit(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.committing = this.committing.then(() => this.commit(batch));
  }

  private async commit(batch: PendingWrite[]): Promise<void> {
    const rows = batch.filter((write) => !isEmptyUpdate(write.update));
    const stopTimer = this.metrics.storageWriteSeconds.startTimer();
    try {
      if (rows.length > 0) await this.storage.appendUpdates(rows);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.logger.error(
        { err: failure, updates: batch.length },
        'storing a batch of doc updates failed',
      );
      for (const write of batch) write.reject(failure);
      return;
    }
    stopTimer();
    this.metrics.updatesStored.inc(rows.length);
    this.metrics.storageBatchSize.observe(rows.length);
    for (const write of batch) write.resolve();
  }
}

/**
 * Returns true for the two-byte update with no structs and no deletions.
 * Clients send it as sync step 2 when the relay lacks nothing. It gets no
 * row, but it keeps its place in the commit order so that
 * acknowledgements stay in order.
 */
function isEmptyUpdate(update: Uint8Array): boolean {
  return update.length === 2 && update[0] === 0 && update[1] === 0;
}
