import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import {
  mkdir,
  open,
  readFile,
  readdir,
  rename,
  rm,
  stat,
} from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BadUploadRequestError,
  BlobHashMismatchError,
  BlobTooLargeError,
  StorageFullError,
  UploadIncompleteError,
  UploadNotFoundError,
  hasErrorCode,
  isDiskFullError,
} from './errors.js';
import { fsyncDirectory, removeIfPresent } from './fs-utils.js';
import { assertSha256Hex, type BlobStore, type PutResult } from './store.js';

/** Chunk size used when the client does not ask for one. */
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;
/** Smallest chunk a client may ask for; smaller ones cost a request each. */
export const MIN_CHUNK_BYTES = 256 * 1024;
/** Largest chunk a client may ask for; a lost request re-sends at most this. */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

const UPLOAD_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CHUNK_FILE = /^(\d+)\.chunk$/;
const META_FILE = 'upload.json';

/** A resumable upload as declared by the client. */
export interface UploadSession {
  id: string;
  /** Total size of the file in bytes. */
  size: number;
  /** SHA-256 of the whole file, checked on completion. */
  sha256: string;
  /** Size of every chunk but the last, in bytes. */
  chunkSize: number;
  chunkCount: number;
  createdAt: string;
}

/** A session plus what the relay already stored for it. */
export interface UploadStatus extends UploadSession {
  /** Indexes of the chunks stored durably, ascending. */
  receivedChunks: number[];
  receivedBytes: number;
}

export interface CreateUploadRequest {
  size: number;
  sha256: string;
  chunkSize?: number;
}

export interface ChunkedUploadsOptions {
  /** Folder holding one sub-folder per upload in progress. */
  dir: string;
  store: BlobStore;
  maxUploadBytes: number;
}

/**
 * Resumable uploads cut into fixed-size chunks. Each upload is a folder
 * with `upload.json` and one `<index>.chunk` file per stored chunk, so
 * the state is the directory listing and survives a relay restart. A chunk
 * file appears only by rename after an fsync, so a listed chunk is whole.
 *
 * NOTE: completion is serialised per upload only inside one process. If two
 * relay processes share this folder and complete one upload at once, the
 * blob is still stored correctly, but the slower request may fail with a
 * read error because the faster one removed the chunks.
 */
export class ChunkedUploads {
  private readonly completing = new Map<string, Promise<PutResult>>();

  constructor(private readonly options: ChunkedUploadsOptions) {}

  async create(request: CreateUploadRequest): Promise<UploadSession> {
    const session = this.buildSession(request);
    const folder = this.folderOf(session.id);
    await mkdir(folder, { recursive: true });
    await writeFileDurably(folder, META_FILE, JSON.stringify(session));
    await fsyncDirectory(this.options.dir);
    return session;
  }

  async status(id: string): Promise<UploadStatus> {
    const session = await this.readSession(id);
    const receivedChunks = await this.listChunks(session);
    const receivedBytes = receivedChunks.reduce(
      (sum, index) => sum + chunkLength(session, index),
      0,
    );
    return { ...session, receivedChunks, receivedBytes };
  }

  /**
   * Stores chunk `index` from `source`. The chunk must have exactly its
   * expected length. Sending a stored chunk again replaces it.
   */
  async writeChunk(
    id: string,
    index: number,
    source: Readable,
  ): Promise<{ index: number; size: number }> {
    const session = await this.readSession(id);
    if (
      !Number.isSafeInteger(index) ||
      index < 0 ||
      index >= session.chunkCount
    ) {
      throw new BadUploadRequestError(
        'invalid_chunk_index',
        `Invalid chunk index ${index}: upload ${id} has chunks 0 to ${session.chunkCount - 1}.`,
      );
    }

    const expected = chunkLength(session, index);
    const folder = this.folderOf(id);
    const tmpPath = join(folder, `${index}.${randomUUID()}.part`);
    try {
      const size = await writeExactly(source, tmpPath, expected);
      if (size !== expected) {
        throw new BadUploadRequestError(
          'invalid_chunk_size',
          `Chunk ${index} of upload ${id} has ${size} bytes; it must have exactly ${expected}.`,
        );
      }
      await rename(tmpPath, join(folder, `${index}.chunk`));
      await fsyncDirectory(folder);
      return { index, size };
    } catch (error) {
      await removeIfPresent(tmpPath);
      throw isDiskFullError(error)
        ? new StorageFullError({ cause: error })
        : error;
    }
  }

  /**
   * Joins the chunks into the blob store, which checks the declared hash,
   * and removes the upload. A hash mismatch also removes the upload, because
   * no later request can repair it.
   */
  complete(id: string): Promise<PutResult> {
    const running = this.completing.get(id);
    if (running) return running;

    const result = this.joinIntoStore(id).finally(() => {
      this.completing.delete(id);
    });
    this.completing.set(id, result);
    return result;
  }

  async cancel(id: string): Promise<void> {
    await this.readSession(id);
    await rm(this.folderOf(id), { recursive: true, force: true });
  }

  /** Removes uploads created before `cutoff`; returns their ids. */
  async removeCreatedBefore(cutoff: Date): Promise<string[]> {
    const removed: string[] = [];
    for (const id of await listUploadIds(this.options.dir)) {
      const created = await this.createdAt(id);
      if (created !== undefined && created < cutoff) {
        await rm(this.folderOf(id), { recursive: true, force: true });
        removed.push(id);
      }
    }
    return removed;
  }

  private async joinIntoStore(id: string): Promise<PutResult> {
    const { receivedChunks, ...session } = await this.status(id);
    const missing = missingChunks(session.chunkCount, receivedChunks);
    if (missing.length > 0) throw new UploadIncompleteError(id, missing);

    const folder = this.folderOf(id);
    try {
      const result = await this.options.store.put(
        readChunksInOrder(folder, session.chunkCount),
        { expectedSha256: session.sha256, maxBytes: session.size },
      );
      await rm(folder, { recursive: true, force: true });
      return result;
    } catch (error) {
      if (error instanceof BlobHashMismatchError) {
        await rm(folder, { recursive: true, force: true });
      }
      throw error;
    }
  }

  private buildSession(request: CreateUploadRequest): UploadSession {
    const { size, sha256 } = request;
    const chunkSize = request.chunkSize ?? DEFAULT_CHUNK_BYTES;
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new BadUploadRequestError(
        'invalid_size',
        `Invalid size ${String(size)}: expected the file size as a whole number of bytes.`,
      );
    }
    if (size > this.options.maxUploadBytes) {
      throw new BlobTooLargeError(this.options.maxUploadBytes);
    }
    assertSha256Hex(sha256);
    if (
      !Number.isSafeInteger(chunkSize) ||
      chunkSize < MIN_CHUNK_BYTES ||
      chunkSize > MAX_CHUNK_BYTES
    ) {
      throw new BadUploadRequestError(
        'invalid_chunk_size',
        `Invalid chunkSize ${String(chunkSize)}: expected ${MIN_CHUNK_BYTES} to ${MAX_CHUNK_BYTES} bytes.`,
      );
    }

    // A zero-byte file still has one (empty) chunk, so every upload
    // completes the same way.
    const chunkCount = Math.max(1, Math.ceil(size / chunkSize));
    const createdAt = new Date().toISOString();
    return { id: randomUUID(), size, sha256, chunkSize, chunkCount, createdAt };
  }

  private async readSession(id: string): Promise<UploadSession> {
    if (!UPLOAD_ID.test(id)) throw new UploadNotFoundError(id.slice(0, 80));
    try {
      const text = await readFile(join(this.folderOf(id), META_FILE), 'utf8');
      return JSON.parse(text) as UploadSession;
    } catch (error) {
      if (hasErrorCode(error, 'ENOENT')) throw new UploadNotFoundError(id);
      throw error;
    }
  }

  private async createdAt(id: string): Promise<Date | undefined> {
    try {
      return new Date((await this.readSession(id)).createdAt);
    } catch (error) {
      // A folder without upload.json was left by a crash during create.
      if (error instanceof UploadNotFoundError) {
        return (await stat(this.folderOf(id))).mtime;
      }
      throw error;
    }
  }

  private async listChunks(session: UploadSession): Promise<number[]> {
    const indexes: number[] = [];
    for (const name of await readdir(this.folderOf(session.id))) {
      const match = CHUNK_FILE.exec(name);
      const index = match ? Number(match[1]) : -1;
      if (index >= 0 && index < session.chunkCount) indexes.push(index);
    }
    return indexes.sort((a, b) => a - b);
  }

  private folderOf(id: string): string {
    return join(this.options.dir, id);
  }
}

/** Tells whether `value` has the form of an upload id. */
export function isUploadId(value: string): boolean {
  return UPLOAD_ID.test(value);
}

function chunkLength(session: UploadSession, index: number): number {
  const start = index * session.chunkSize;
  return Math.min(session.chunkSize, session.size - start);
}

function missingChunks(chunkCount: number, received: number[]): number[] {
  const have = new Set(received);
  const missing: number[] = [];
  for (let index = 0; index < chunkCount; index += 1) {
    if (!have.has(index)) missing.push(index);
  }
  return missing;
}

async function* readChunksInOrder(
  folder: string,
  chunkCount: number,
): AsyncIterable<Uint8Array> {
  for (let index = 0; index < chunkCount; index += 1) {
    for await (const piece of createReadStream(
      join(folder, `${index}.chunk`),
    )) {
      yield piece as Buffer;
    }
  }
}

// Writes `source` to `path` and fsyncs it. Fails as soon as more than
// `maxBytes` arrive; returns the byte count so the caller can reject a short
// chunk.
async function writeExactly(
  source: Readable,
  path: string,
  maxBytes: number,
): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        callback(
          new BadUploadRequestError(
            'invalid_chunk_size',
            `The chunk is longer than its expected ${maxBytes} bytes.`,
          ),
        );
        return;
      }
      callback(null, chunk);
    },
  });

  // `flush` fsyncs the file before the stream closes.
  const writer = createWriteStream(path, { flags: 'wx', flush: true });
  await pipeline(source, counter, writer);
  return bytes;
}

async function writeFileDurably(
  folder: string,
  name: string,
  text: string,
): Promise<void> {
  const tmpPath = join(folder, `${name}.${randomUUID()}.part`);
  const handle = await open(tmpPath, 'wx');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmpPath, join(folder, name));
  await fsyncDirectory(folder);
}

async function listUploadIds(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter(isUploadId);
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return [];
    throw error;
  }
}
