import { createWriteStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { FsBlobStore } from '../../src/blobs/store.js';
import {
  blobFiles,
  download,
  makeDataDir,
  removeDir,
  sha256Of,
  startRelay,
  tmpFiles,
  uploadBlob,
  type TestRelay,
} from './harness.js';

const DOCUMENTS = '/work/shared/fixtures/documents';

let relay: TestRelay | undefined;

afterEach(async () => {
  if (relay) {
    await relay.close();
    await removeDir(relay.dataDir);
    relay = undefined;
  }
});

describe('blob upload and download', () => {
  it('round-trips every fixture document byte for byte', async () => {
    relay = await startRelay();
    const names = await readdir(DOCUMENTS);
    expect(names.length).toBeGreaterThan(0);

    for (const name of names) {
      const bytes = await readFile(join(DOCUMENTS, name));
      const uploaded = await uploadBlob(relay.url, bytes, name);
      expect(uploaded.status, name).toBe(201);
      const body = (await uploaded.json()) as { sha256: string; size: number };
      expect(body.sha256, name).toBe(sha256Of(bytes));
      expect(body.size, name).toBe(bytes.length);

      const fetched = await download(relay.url, body.sha256, { name });
      expect(fetched.status, name).toBe(200);
      const received = new Uint8Array(await fetched.arrayBuffer());
      expect(sha256Of(received), name).toBe(body.sha256);
    }
    expect(await tmpFiles(relay.dataDir)).toEqual([]);
  });

  it('stores a zero-byte file', async () => {
    relay = await startRelay();
    const uploaded = await uploadBlob(
      relay.url,
      new Uint8Array(0),
      'empty.txt',
    );
    expect(uploaded.status).toBe(201);
    const body = (await uploaded.json()) as { sha256: string; size: number };
    expect(body.size).toBe(0);
    expect(body.sha256).toBe(sha256Of(new Uint8Array(0)));

    const fetched = await download(relay.url, body.sha256);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-length')).toBe('0');
    expect((await fetched.arrayBuffer()).byteLength).toBe(0);
  });

  it('writes an existing blob only once', async () => {
    relay = await startRelay();
    const bytes = new TextEncoder().encode('same bytes twice');
    expect((await uploadBlob(relay.url, bytes, 'a.txt')).status).toBe(201);
    const path = relay.store.pathOf(sha256Of(bytes));
    const firstIno = (await stat(path)).ino;

    expect((await uploadBlob(relay.url, bytes, 'b.txt')).status).toBe(201);
    expect((await stat(path)).ino).toBe(firstIno);
    expect(await blobFiles(relay.dataDir)).toHaveLength(1);
  });

  it('rejects an over-limit file with 413', async () => {
    relay = await startRelay({ maxUploadBytes: 1024 * 1024 });
    const bytes = new Uint8Array(2 * 1024 * 1024).fill(7);
    const uploaded = await uploadBlob(relay.url, bytes, 'big.bin');
    expect(uploaded.status).toBe(413);
    const body = (await uploaded.json()) as {
      error: { code: string; message: string };
    };
    expect(body.error.code).toBe('file_too_large');
    expect(body.error.message).toContain('1048576');
    expect(await tmpFiles(relay.dataDir)).toEqual([]);
    expect(await blobFiles(relay.dataDir)).toEqual([]);
  });

  it('accepts a file exactly at the limit', async () => {
    relay = await startRelay({ maxUploadBytes: 1024 });
    const uploaded = await uploadBlob(relay.url, new Uint8Array(1024), 'x.bin');
    expect(uploaded.status).toBe(201);
  });

  it('answers 507 on ENOSPC and keeps nothing', async () => {
    const dataDir = await makeDataDir();
    relay = await startRelay({
      dataDir,
      store: new FullDiskStore({ dataDir }),
    });
    const bytes = new Uint8Array(512 * 1024).fill(1);
    const uploaded = await uploadBlob(relay.url, bytes, 'full.bin');
    expect(uploaded.status).toBe(507);
    const body = (await uploaded.json()) as { error: { code: string } };
    expect(body.error.code).toBe('storage_full');
    expect(await tmpFiles(dataDir)).toEqual([]);
    expect(await blobFiles(dataDir)).toEqual([]);
  });

  it('rejects a declared hash that does not match', async () => {
    relay = await startRelay();
    const bytes = new TextEncoder().encode('real bytes');
    const wrong = sha256Of(new TextEncoder().encode('other bytes'));
    const uploaded = await uploadBlob(relay.url, bytes, 'a.txt', {
      sha256: wrong,
    });
    expect(uploaded.status).toBe(422);
    const body = (await uploaded.json()) as { error: { code: string } };
    expect(body.error.code).toBe('sha256_mismatch');
    expect(await blobFiles(relay.dataDir)).toEqual([]);
    expect(await tmpFiles(relay.dataDir)).toEqual([]);
  });

  it('accepts a declared hash that matches', async () => {
    relay = await startRelay();
    const bytes = new TextEncoder().encode('real bytes');
    const uploaded = await uploadBlob(relay.url, bytes, 'a.txt', {
      sha256: sha256Of(bytes).toUpperCase(),
    });
    expect(uploaded.status).toBe(201);
  });

  it('requires staff', async () => {
    relay = await startRelay();
    const form = new FormData();
    form.append('file', new Blob(['x']), 'x.txt');
    const response = await fetch(`${relay.url}/api/blobs`, {
      method: 'POST',
      body: form,
    });
    expect(response.status).toBe(401);
    expect(await blobFiles(relay.dataDir)).toEqual([]);
  });

  it('answers 404 for an unknown blob and 400 for a bad hash', async () => {
    relay = await startRelay();
    const missing = await download(relay.url, 'a'.repeat(64));
    expect(missing.status).toBe(404);
    const bad = await download(relay.url, '..%2F..%2Fetc%2Fpasswd');
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string } };
    expect(body.error.code).toBe('invalid_sha256');
  });
});

describe('blob download headers', () => {
  async function stored(bytes: Uint8Array): Promise<string> {
    relay ??= await startRelay();
    const response = await uploadBlob(relay.url, bytes, 'x.bin');
    expect(response.status).toBe(201);
    return ((await response.json()) as { sha256: string }).sha256;
  }

  const bytes = new Uint8Array(1000).map((_, i) => i % 251);

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=900-', 900, 999],
    ['bytes=-10', 990, 999],
    ['bytes=990-5000', 990, 999],
  ])('serves %s as 206', async (header, start, end) => {
    const sha256 = await stored(bytes);
    const response = await download(relay!.url, sha256, {
      headers: { Range: header },
    });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(
      `bytes ${start}-${end}/1000`,
    );
    const body = new Uint8Array(await response.arrayBuffer());
    expect(body).toEqual(bytes.subarray(start, end + 1));
  });

  it('answers 416 for a range past the end', async () => {
    const sha256 = await stored(bytes);
    const response = await download(relay!.url, sha256, {
      headers: { Range: 'bytes=1000-' },
    });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe('bytes */1000');
  });

  it('sends the whole body for several ranges or a stale If-Range', async () => {
    const sha256 = await stored(bytes);
    const several = await download(relay!.url, sha256, {
      headers: { Range: 'bytes=0-1,5-6' },
    });
    expect(several.status).toBe(200);
    expect((await several.arrayBuffer()).byteLength).toBe(1000);

    const stale = await download(relay!.url, sha256, {
      headers: { Range: 'bytes=0-1', 'If-Range': '"other"' },
    });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();

    const fresh = await download(relay!.url, sha256, {
      headers: { Range: 'bytes=0-1', 'If-Range': `"${sha256}"` },
    });
    expect(fresh.status).toBe(206);
    await fresh.arrayBuffer();
  });

  it.each([
    ['page.html', 'application/octet-stream'],
    ['image.svg', 'application/octet-stream'],
    ['feed.xml', 'application/octet-stream'],
    ['page.xhtml', 'application/octet-stream'],
    ['no-extension', 'application/octet-stream'],
    ['tool.exe', 'application/octet-stream'],
    ['report.PDF', 'application/pdf'],
    ['photo.jpg', 'image/jpeg'],
  ])('sends %s as %s with nosniff', async (name, type) => {
    const sha256 = await stored(bytes);
    const response = await download(relay!.url, sha256, { name });
    expect(response.headers.get('content-type')).toBe(type);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; /,
    );
    await response.arrayBuffer();
  });
});

// Fails every temp file write with ENOSPC after the first 64 KiB, as a full
// disk would. The bytes before that reach a real temp file, so the test also
// shows that the store removes it.
class FullDiskStore extends FsBlobStore {
  protected override createTempWriter(path: string): Writable {
    const file = createWriteStream(path, { flags: 'wx' });
    let written = 0;
    return new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        if (written <= 64 * 1024) {
          file.write(chunk, callback);
          return;
        }
        const error = Object.assign(
          new Error('ENOSPC: no space left on device, write'),
          { code: 'ENOSPC', errno: -28, syscall: 'write' },
        );
        callback(error);
      },
      destroy(error, callback) {
        file.destroy();
        file.once('close', () => callback(error));
      },
    });
  }
}
