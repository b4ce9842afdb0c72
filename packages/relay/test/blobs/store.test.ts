import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BlobNotFoundError,
  BlobTooLargeError,
  InvalidSha256Error,
} from '../../src/blobs/errors.js';
import { FsBlobStore } from '../../src/blobs/store.js';
import { makeDataDir, removeDir, sha256Of, tmpFiles } from './harness.js';

let dataDir: string | undefined;

afterEach(async () => {
  if (dataDir) await removeDir(dataDir);
  dataDir = undefined;
});

async function newStore(): Promise<FsBlobStore> {
  dataDir = await makeDataDir();
  return new FsBlobStore({ dataDir });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const bytes = Buffer.from('0123456789abcdef');
const hash = sha256Of(bytes);

describe('FsBlobStore', () => {
  it('stores by hash and reads ranges', async () => {
    const store = await newStore();
    const result = await store.put(Readable.from([bytes]), { maxBytes: 100 });
    expect(result).toEqual({ sha256: hash, size: 16, created: true });
    expect(store.pathOf(hash)).toBe(
      join(dataDir ?? '', 'blobs', hash.slice(0, 2), hash.slice(2, 4), hash),
    );
    expect(await readAll(await store.open(hash))).toEqual(bytes);
    const part = await readAll(await store.open(hash, { start: 2, end: 5 }));
    expect(part.toString()).toBe('2345');
  });

  it('reports an existing blob as not created', async () => {
    const store = await newStore();
    await store.put(Readable.from([bytes]), { maxBytes: 100 });
    const again = await store.put(Readable.from([bytes]), { maxBytes: 100 });
    expect(again.created).toBe(false);
    expect(await tmpFiles(dataDir ?? '')).toEqual([]);
  });

  it('fails over the limit and keeps nothing', async () => {
    const store = await newStore();
    const put = store.put(Readable.from([bytes]), { maxBytes: 15 });
    await expect(put).rejects.toBeInstanceOf(BlobTooLargeError);
    await expect(put).rejects.toMatchObject({ limitBytes: 15 });
    expect(await store.exists(hash)).toBe(false);
    expect(await tmpFiles(dataDir ?? '')).toEqual([]);
  });

  it('removes the temp file when the source fails', async () => {
    const store = await newStore();
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(store.put(failing, { maxBytes: 1e6 })).rejects.toThrow(
      'connection reset',
    );
    expect(await tmpFiles(dataDir ?? '')).toEqual([]);
  });

  it('rejects malformed hashes before touching the disk', async () => {
    const store = await newStore();
    await expect(store.open('../../etc/passwd')).rejects.toBeInstanceOf(
      InvalidSha256Error,
    );
    await expect(store.delete('A'.repeat(64))).rejects.toBeInstanceOf(
      InvalidSha256Error,
    );
    await expect(store.open('b'.repeat(64))).rejects.toBeInstanceOf(
      BlobNotFoundError,
    );
  });

  it('deletes a blob once', async () => {
    const store = await newStore();
    await store.put(Readable.from([bytes]), { maxBytes: 100 });
    expect(await store.delete(hash)).toBe(true);
    expect(await store.delete(hash)).toBe(false);
    expect(await store.stat(hash)).toBeUndefined();
  });

  it('lists only blobs older than the cutoff', async () => {
    const store = await newStore();
    const other = Buffer.from('newer');
    await store.put(Readable.from([bytes]), { maxBytes: 100 });
    await store.put(Readable.from([other]), { maxBytes: 100 });
    const old = new Date('2020-01-01T00:00:00Z');
    await utimes(store.pathOf(hash), old, old);

    const listed: string[] = [];
    for await (const info of store.listOlderThan(new Date('2021-01-01'))) {
      listed.push(info.sha256);
    }
    expect(listed).toEqual([hash]);
  });

  it('removes stale temp files only', async () => {
    const store = await newStore();
    await mkdir(store.tmpDir, { recursive: true });
    const stale = join(store.tmpDir, 'stale.part');
    const fresh = join(store.tmpDir, 'fresh.part');
    await writeFile(stale, 'x');
    await writeFile(fresh, 'y');
    const old = new Date('2020-01-01T00:00:00Z');
    await utimes(stale, old, old);

    expect(await store.removeStaleTempFiles(new Date('2021-01-01'))).toBe(1);
    expect(await tmpFiles(dataDir ?? '')).toEqual(['fresh.part']);
  });
});
