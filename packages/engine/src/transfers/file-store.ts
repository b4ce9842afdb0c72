/**
 * Local file bytes and transfer records in a plain IndexedDB database next
 * to the RxDB ones. A plain object store keeps binary chunks as they are and
 * does not count against RxDB's limit on open collections.
 *
 * Stores:
 * - `files`: one row per stored file, keyed by SHA-256, naming the chunk
 *   group that contains its bytes.
 * - `chunks`: the bytes in pieces of `LOCAL_CHUNK_BYTES`, keyed by
 *   `[group, index]`, so a large file is never one IndexedDB value.
 * - `transfers`: the File Transfer Queue's records, keyed by id.
 */
import { Sha256 } from './sha256.js';
import type { Transfer } from './types.js';

/**
 * Size of a stored piece. It equals the chunk size of the relay's resumable
 * uploads, so piece `i` is sent as upload chunk `i` without re-cutting.
 */
export const LOCAL_CHUNK_BYTES = 8 * 1024 * 1024;

const VERSION = 1;
const FILES = 'files';
const CHUNKS = 'chunks';
const TRANSFERS = 'transfers';

/** A file whose bytes are stored locally. */
export interface StoredFile {
  sha256: string;
  size: number;
  chunkCount: number;
  /** Key prefix of the file's rows in `chunks`. */
  group: string;
}

/** Bytes to store: a `Blob` (browser `File`, Node `Blob`) or a byte stream. */
export type FileSource = Blob | AsyncIterable<Uint8Array>;

export class LocalFileStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(factory: IDBFactory, name: string) {
    const request = factory.open(name, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore(FILES, { keyPath: 'sha256' });
      db.createObjectStore(CHUNKS);
      db.createObjectStore(TRANSFERS, { keyPath: 'id' });
    };
    return new LocalFileStore(await settle(request));
  }

  /**
   * Stores bytes chunk by chunk while hashing them, then records the file
   * under its SHA-256. Bytes already stored under that hash are kept and
   * the new copy is dropped.
   */
  async put(source: FileSource): Promise<StoredFile> {
    const group = crypto.randomUUID();
    const hash = new Sha256();
    let size = 0;
    let chunkCount = 0;
    for await (const piece of pieces(source)) {
      hash.update(piece);
      size += piece.length;
      await this.writeChunk(group, chunkCount, piece);
      chunkCount += 1;
    }
    const file = { sha256: hash.digestHex(), size, chunkCount, group };
    return this.commit(file);
  }

  async get(sha256: string): Promise<StoredFile | undefined> {
    const tx = this.db.transaction(FILES, 'readonly');
    const request = tx.objectStore(FILES).get(sha256);
    return settle(request as IDBRequest<StoredFile | undefined>);
  }

  /** Reads piece `index` of a stored file. */
  async readChunk(file: StoredFile, index: number): Promise<Uint8Array> {
    const tx = this.db.transaction(CHUNKS, 'readonly');
    const key = [file.group, index];
    const request = tx.objectStore(CHUNKS).get(key);
    const bytes = await settle(request as IDBRequest<Uint8Array | undefined>);
    if (bytes === undefined) {
      throw new Error(
        `Local chunk ${index} of file ${file.sha256} is missing; add the file again.`,
      );
    }
    return bytes;
  }

  /**
   * Returns a stored file's bytes as one `Blob`.
   *
   * NOTE: the pieces are read into memory to build the Blob. Browsers may
   * move a large Blob to disk, but Node keeps it all in memory.
   */
  async read(sha256: string, type = ''): Promise<Blob | undefined> {
    const file = await this.get(sha256);
    if (file === undefined) return undefined;
    const parts: BlobPart[] = [];
    for (let index = 0; index < file.chunkCount; index++) {
      parts.push(copyToArrayBuffer(await this.readChunk(file, index)));
    }
    return new Blob(parts, { type });
  }

  async listTransfers(): Promise<Transfer[]> {
    const tx = this.db.transaction(TRANSFERS, 'readonly');
    const request = tx.objectStore(TRANSFERS).getAll();
    return settle(request as IDBRequest<Transfer[]>);
  }

  async putTransfer(transfer: Transfer): Promise<void> {
    const tx = this.db.transaction(TRANSFERS, 'readwrite');
    tx.objectStore(TRANSFERS).put(transfer);
    await done(tx);
  }

  close(): void {
    this.db.close();
  }

  private async writeChunk(group: string, index: number, bytes: Uint8Array) {
    const tx = this.db.transaction(CHUNKS, 'readwrite');
    tx.objectStore(CHUNKS).put(bytes, [group, index]);
    await done(tx);
  }

  private async commit(file: StoredFile): Promise<StoredFile> {
    const existing = await this.get(file.sha256);
    if (existing !== undefined) {
      await this.deleteGroup(file.group, file.chunkCount);
      return existing;
    }
    const tx = this.db.transaction(FILES, 'readwrite');
    tx.objectStore(FILES).put(file);
    await done(tx);
    return file;
  }

  private async deleteGroup(group: string, chunkCount: number) {
    const tx = this.db.transaction(CHUNKS, 'readwrite');
    const store = tx.objectStore(CHUNKS);
    for (let index = 0; index < chunkCount; index++) {
      store.delete([group, index]);
    }
    await done(tx);
  }
}

/** Cuts a source into pieces of exactly `LOCAL_CHUNK_BYTES`, the last shorter. */
async function* pieces(source: FileSource): AsyncIterable<Uint8Array> {
  if (source instanceof Blob) {
    for (let start = 0; start < source.size; start += LOCAL_CHUNK_BYTES) {
      const slice = source.slice(start, start + LOCAL_CHUNK_BYTES);
      yield new Uint8Array(await slice.arrayBuffer());
    }
    return;
  }
  yield* rechunk(source);
}

async function* rechunk(
  source: AsyncIterable<Uint8Array>,
): AsyncIterable<Uint8Array> {
  let buffer = new Uint8Array(LOCAL_CHUNK_BYTES);
  let filled = 0;
  for await (const data of source) {
    let offset = 0;
    while (offset < data.length) {
      const count = Math.min(LOCAL_CHUNK_BYTES - filled, data.length - offset);
      buffer.set(data.subarray(offset, offset + count), filled);
      filled += count;
      offset += count;
      if (filled === LOCAL_CHUNK_BYTES) {
        yield buffer;
        buffer = new Uint8Array(LOCAL_CHUNK_BYTES);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.slice(0, filled);
}

/** Copies bytes into a fresh `ArrayBuffer`, the part type `Blob` accepts. */
export function copyToArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
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
