import { createHash, randomUUID, type Hash } from 'node:crypto';
import { mkdir, open, readdir, rename, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BlobHashMismatchError,
  BlobNotFoundError,
  BlobTooLargeError,
  InvalidSha256Error,
  StorageFullError,
  hasErrorCode,
  isDiskFullError,
} from './errors.js';
import { fsyncDirectory, removeIfPresent } from './fs-utils.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Byte range of a blob, both ends inclusive as in an HTTP `Range` header. */
export interface BlobRange {
  start: number;
  end: number;
}

/** Metadata of a stored blob. */
export interface BlobInfo {
  sha256: string;
  size: number;
  /** When the blob was first stored; garbage collection uses it as the age. */
  storedAt: Date;
}

export interface PutOptions {
  /** SHA-256 the client declared; a blob with other bytes is not kept. */
  expectedSha256?: string;
  /** Upper bound on the body in bytes; one byte more fails the put. */
  maxBytes: number;
}

export interface PutResult {
  sha256: string;
  size: number;
  /** False when a blob with the same hash was already stored. */
  created: boolean;
}

/**
 * Content-addressed blob storage. The relay only talks to this interface, so
 * an S3-compatible implementation can replace the file system one.
 */
export interface BlobStore {
  /**
   * Stores the bytes of `source`, hashing them while they stream.
   * Rejects with `BlobTooLargeError`, `StorageFullError` or
   * `BlobHashMismatchError`, and then keeps nothing of the attempt.
   */
  put(
    source: Readable | AsyncIterable<Uint8Array>,
    options: PutOptions,
  ): Promise<PutResult>;
  /** Opens a blob for reading; rejects with `BlobNotFoundError`. */
  open(sha256: string, range?: BlobRange): Promise<Readable>;
  stat(sha256: string): Promise<BlobInfo | undefined>;
  exists(sha256: string): Promise<boolean>;
  /** Removes a blob; resolves to false when there was none. */
  delete(sha256: string): Promise<boolean>;
  /** Lists blobs stored before `cutoff`, for garbage collection. */
  listOlderThan(cutoff: Date): AsyncIterable<BlobInfo>;
}

/** Tells whether `value` is a SHA-256 in the form blobs are named by. */
export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

/** Throws `InvalidSha256Error` unless `value` is 64 lowercase hex digits. */
export function assertSha256Hex(value: string): void {
  if (!isSha256Hex(value)) throw new InvalidSha256Error(value);
}

export interface FsBlobStoreOptions {
  /** Relay data folder; blobs live in `<dataDir>/blobs`. */
  dataDir: string;
}

/**
 * Blob store on the local file system: `<dataDir>/blobs/ab/cd/<sha256>`,
 * with uploads in progress under `<dataDir>/blobs/tmp`. A blob becomes
 * visible only by an atomic rename after its bytes and its directory entry
 * are fsynced, so a crash leaves either the whole blob or a temp file.
 */
export class FsBlobStore implements BlobStore {
  readonly root: string;
  readonly tmpDir: string;

  constructor(options: FsBlobStoreOptions) {
    this.root = join(options.dataDir, 'blobs');
    this.tmpDir = join(this.root, 'tmp');
  }

  /** Returns the path of a blob; `sha256` must already be validated. */
  pathOf(sha256: string): string {
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(
    source: Readable | AsyncIterable<Uint8Array>,
    options: PutOptions,
  ): Promise<PutResult> {
    if (options.expectedSha256 !== undefined) {
      assertSha256Hex(options.expectedSha256);
    }
    await mkdir(this.tmpDir, { recursive: true });
    const tmpPath = join(this.tmpDir, `${randomUUID()}.part`);

    try {
      const { sha256, size } = await this.writeTemp(source, tmpPath, options);
      const created = await this.commit(tmpPath, sha256);
      return { sha256, size, created };
    } catch (error) {
      await removeIfPresent(tmpPath);
      throw isDiskFullError(error)
        ? new StorageFullError({ cause: error })
        : error;
    }
  }

  async open(sha256: string, range?: BlobRange): Promise<Readable> {
    assertSha256Hex(sha256);
    let handle: FileHandle;
    try {
      handle = await open(this.pathOf(sha256), 'r');
    } catch (error) {
      if (hasErrorCode(error, 'ENOENT')) throw new BlobNotFoundError(sha256);
      throw error;
    }
    return handle.createReadStream({
      start: range?.start,
      end: range?.end,
      autoClose: true,
    });
  }

  async stat(sha256: string): Promise<BlobInfo | undefined> {
    assertSha256Hex(sha256);
    try {
      const stats = await stat(this.pathOf(sha256));
      return { sha256, size: stats.size, storedAt: stats.mtime };
    } catch (error) {
      if (hasErrorCode(error, 'ENOENT')) return undefined;
      throw error;
    }
  }

  async exists(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== undefined;
  }

  async delete(sha256: string): Promise<boolean> {
    assertSha256Hex(sha256);
    return removeIfPresent(this.pathOf(sha256));
  }

  async *listOlderThan(cutoff: Date): AsyncIterable<BlobInfo> {
    for (const first of await listHexDirectories(this.root)) {
      const firstPath = join(this.root, first);
      for (const second of await listHexDirectories(firstPath)) {
        const secondPath = join(firstPath, second);
        for (const name of await readdir(secondPath)) {
          if (!isSha256Hex(name)) continue;
          const info = await this.stat(name);
          if (info && info.storedAt < cutoff) yield info;
        }
      }
    }
  }

  /**
   * Removes temp files older than `cutoff`. They remain only when the relay
   * died in the middle of an upload, because every failure path removes its
   * own. Returns how many were removed.
   */
  async removeStaleTempFiles(cutoff: Date): Promise<number> {
    let removed = 0;
    for (const name of await readdirIfPresent(this.tmpDir)) {
      const path = join(this.tmpDir, name);
      const stats = await stat(path).catch(() => undefined);
      if (stats && stats.mtime < cutoff && (await removeIfPresent(path))) {
        removed += 1;
      }
    }
    return removed;
  }

  /**
   * Creates the temp file (failing if it exists) and the stream that writes
   * it. With `flush`, the stream fsyncs the file before closing, and the
   * pipeline resolves only after that close. Tests override this to make
   * the disk look full.
   */
  protected createTempWriter(path: string): Writable {
    return createWriteStream(path, { flags: 'wx', flush: true });
  }

  private async writeTemp(
    source: Readable | AsyncIterable<Uint8Array>,
    tmpPath: string,
    options: PutOptions,
  ): Promise<{ sha256: string; size: number }> {
    const hash = createHash('sha256');
    const meter = new HashingMeter(hash, options.maxBytes);
    await pipeline(source, meter, this.createTempWriter(tmpPath));

    const sha256 = hash.digest('hex');
    const expected = options.expectedSha256;
    if (expected !== undefined && expected !== sha256) {
      throw new BlobHashMismatchError(expected, sha256);
    }
    return { sha256, size: meter.bytes };
  }

  // Moves a finished temp file to its content address. Returns false when
  // the blob already existed, in which case the temp file is dropped and the
  // stored copy is left untouched.
  private async commit(tmpPath: string, sha256: string): Promise<boolean> {
    const finalPath = this.pathOf(sha256);
    if (await this.exists(sha256)) {
      await removeIfPresent(tmpPath);
      return false;
    }

    const secondDir = join(this.root, sha256.slice(0, 2), sha256.slice(2, 4));
    await mkdir(secondDir, { recursive: true });
    // Two uploads of the same bytes may both get here; the second rename
    // replaces an identical file, so the race is harmless.
    await rename(tmpPath, finalPath);

    // The rename is durable only once the directory entries are on disk,
    // including the entries of directories mkdir may just have created.
    await fsyncDirectory(secondDir);
    await fsyncDirectory(join(this.root, sha256.slice(0, 2)));
    await fsyncDirectory(this.root);
    return true;
  }
}

// Counts and hashes bytes on their way to disk and fails the pipeline as
// soon as the limit is passed, so an oversized body is never written whole.
class HashingMeter extends Transform {
  bytes = 0;

  constructor(
    private readonly hash: Hash,
    private readonly maxBytes: number,
  ) {
    super();
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null, data?: Buffer) => void,
  ): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(new BlobTooLargeError(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }
}

async function listHexDirectories(path: string): Promise<string[]> {
  const entries = await readdirIfPresent(path);
  return entries.filter((name) => /^[0-9a-f]{2}$/.test(name));
}

async function readdirIfPresent(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return [];
    throw error;
  }
}
