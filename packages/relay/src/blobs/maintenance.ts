/**
 * Background upkeep of the blob folder: temp files left by a crash,
 * abandoned resumable uploads, and blobs that no record references any
 * more (a deleted portal file, an upload whose record was never written).
 */
import * as Y from 'yjs';
import type { Logger } from 'pino';
import { FIRM_DOC, contactIdOfDoc } from '@portico/engine/protocol';
import type { Storage } from '../storage/types.js';
import type { FsBlobStore } from './store.js';
import type { ChunkedUploads } from './uploads.js';

/** Time between two runs of the upkeep. */
export const DEFAULT_MAINTENANCE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Temp files older than this belong to no running upload, because a live
 * upload writes its temp file continuously and finishes or fails.
 */
const STALE_TEMP_FILE_MS = 60 * 60 * 1000;

export interface BlobMaintenanceOptions {
  store: FsBlobStore;
  uploads: ChunkedUploads;
  storage: Storage;
  logger: Pick<Logger, 'info' | 'error'>;
  /** Age before an unreferenced blob or an unfinished upload is removed. */
  graceMs: number;
  intervalMs?: number;
}

export interface MaintenanceResult {
  tempFiles: number;
  uploads: number;
  blobs: number;
}

export class BlobMaintenance {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<MaintenanceResult> | undefined;

  constructor(private readonly options: BlobMaintenanceOptions) {}

  /** Runs once now in the background, then on every interval. */
  start(): void {
    this.runLogged();
    const interval = this.options.intervalMs ?? DEFAULT_MAINTENANCE_INTERVAL_MS;
    this.timer = setInterval(() => this.runLogged(), interval);
    this.timer.unref();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Runs every upkeep step once, after any run already in progress. */
  run(now = new Date()): Promise<MaintenanceResult> {
    const previous = this.running?.catch(() => undefined);
    const next = (async () => {
      await previous;
      return this.runSteps(now);
    })();
    this.running = next;
    return next;
  }

  private runLogged(): void {
    this.run().then(
      (result) => {
        const total = result.tempFiles + result.uploads + result.blobs;
        if (total > 0)
          this.options.logger.info(result, 'blob upkeep removed files');
      },
      (error: unknown) =>
        this.options.logger.error({ err: error }, 'blob upkeep failed'),
    );
  }

  private async runSteps(now: Date): Promise<MaintenanceResult> {
    const { store, uploads, graceMs } = this.options;
    const tempCutoff = new Date(now.getTime() - STALE_TEMP_FILE_MS);
    const graceCutoff = new Date(now.getTime() - graceMs);
    const tempFiles = await store.removeStaleTempFiles(tempCutoff);
    const removedUploads = await uploads.removeCreatedBefore(graceCutoff);
    const blobs = await this.collectGarbage(graceCutoff);
    return { tempFiles, uploads: removedUploads.length, blobs };
  }

  /**
   * Removes blobs stored before `cutoff` that no record references. The
   * cutoff gives a blob just uploaded time to get its record.
   *
   * NOTE: this reads every firm and portal doc from storage on each run,
   * which costs time in proportion to all stored data. A reference count
   * kept by the relay's writes would scale better.
   */
  private async collectGarbage(cutoff: Date): Promise<number> {
    const referenced = await this.referencedHashes();
    let removed = 0;
    for await (const blob of this.options.store.listOlderThan(cutoff)) {
      if (referenced.has(blob.sha256)) continue;
      if (await this.options.store.delete(blob.sha256)) removed += 1;
    }
    return removed;
  }

  /**
   * Collects the hashes of the firm's documents and of every portal file
   * that is not deleted, read from storage rather than from the docs in
   * memory, because every applied update is stored first.
   */
  private async referencedHashes(): Promise<Set<string>> {
    const hashes = new Set<string>();
    for (const docName of await this.options.storage.listDocNames()) {
      const mapName = referencingMap(docName);
      if (mapName === undefined) continue;
      const doc = await this.loadDoc(docName);
      try {
        collectHashes(doc.getMap(mapName), hashes);
      } finally {
        doc.destroy();
      }
    }
    return hashes;
  }

  /**
   * Loads a doc from storage. A row that fails to apply stops the whole
   * collection, because a record in it might reference a blob.
   */
  private async loadDoc(docName: string): Promise<Y.Doc> {
    const doc = new Y.Doc();
    for (const row of await this.options.storage.loadUpdates(docName)) {
      try {
        Y.applyUpdate(doc, row.update);
      } catch (error) {
        doc.destroy();
        throw new Error(
          `Doc ${docName} has an update row (${row.id}) that fails to apply, so no blob was removed; inspect that row.`,
          { cause: error },
        );
      }
    }
    return doc;
  }
}

function referencingMap(docName: string): string | undefined {
  if (docName === FIRM_DOC) return 'documents';
  return contactIdOfDoc(docName) === undefined ? undefined : 'files';
}

function collectHashes(records: Y.Map<unknown>, hashes: Set<string>): void {
  for (const record of records.values()) {
    if (!(record instanceof Y.Map)) continue;
    const fields = record as Y.Map<unknown>;
    const sha256 = fields.get('sha256');
    if (typeof sha256 !== 'string' || fields.get('status') === 'deleted') {
      continue;
    }
    hashes.add(sha256);
  }
}
