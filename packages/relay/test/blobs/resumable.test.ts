import { request as httpRequest } from 'node:http';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIN_CHUNK_BYTES } from '../../src/blobs/uploads.js';
import {
  download,
  makeDataDir,
  removeDir,
  sha256Of,
  staffHeaders,
  startRelay,
  waitFor,
  type TestRelay,
} from './harness.js';

const CHUNK = MIN_CHUNK_BYTES;
const BOUNDARY = 'chunk-boundary';

interface Status {
  id: string;
  chunkCount: number;
  chunkSize: number;
  receivedChunks: number[];
  receivedBytes: number;
}

function chunkBody(bytes: Uint8Array): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="chunk"; filename="blob"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    bytes,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

async function createUpload(url: string, bytes: Uint8Array): Promise<Status> {
  const response = await fetch(`${url}/api/uploads`, {
    method: 'POST',
    headers: { ...staffHeaders, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      size: bytes.length,
      sha256: sha256Of(bytes),
      chunkSize: CHUNK,
    }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Status;
}

async function putChunk(
  url: string,
  id: string,
  index: number,
  bytes: Uint8Array,
): Promise<Response> {
  const slice = bytes.subarray(index * CHUNK, (index + 1) * CHUNK);
  return fetch(`${url}/api/uploads/${id}/chunks/${index}`, {
    method: 'PUT',
    headers: {
      ...staffHeaders,
      'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
    },
    body: chunkBody(slice),
  });
}

async function getStatus(url: string, id: string): Promise<Status> {
  const response = await fetch(`${url}/api/uploads/${id}`, {
    headers: staffHeaders,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Status;
}

async function complete(url: string, id: string): Promise<Response> {
  return fetch(`${url}/api/uploads/${id}/complete`, {
    method: 'POST',
    headers: staffHeaders,
  });
}

function testBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) bytes[i] = (i * 7919 + (i >> 11)) & 0xff;
  return bytes;
}

const relays: TestRelay[] = [];
let dataDir: string | undefined;

afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.close();
  if (dataDir) await removeDir(dataDir);
  dataDir = undefined;
});

describe('resumable upload', () => {
  it('resumes after a cut at 60% and a relay restart', async () => {
    dataDir = await makeDataDir();
    const bytes = testBytes(CHUNK * 10 - 1234);
    const first = await startRelay({ dataDir });
    relays.push(first);
    const session = await createUpload(first.url, bytes);
    expect(session.chunkCount).toBe(10);

    for (let index = 0; index < 6; index += 1) {
      expect((await putChunk(first.url, session.id, index, bytes)).status).toBe(
        200,
      );
    }

    // Chunk 6 is cut off half-way, as by a dropped connection.
    await new Promise<void>((resolve) => {
      const req = httpRequest(
        `${first.url}/api/uploads/${session.id}/chunks/6`,
        {
          method: 'PUT',
          headers: {
            ...staffHeaders,
            'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
            'Content-Length': String(CHUNK + 500),
          },
        },
      );
      req.on('error', () => resolve());
      const partial = chunkBody(bytes.subarray(6 * CHUNK, 7 * CHUNK)).subarray(
        0,
        CHUNK / 2,
      );
      req.write(partial, () => {
        req.destroy();
        resolve();
      });
    });
    const folder = join(dataDir, 'uploads', session.id);
    const noPartial = await waitFor(async () =>
      (await readdir(folder)).every((name) => !name.endsWith('.part')),
    );
    expect(noPartial).toBe(true);
    await first.close();
    relays.pop();

    const second = await startRelay({ dataDir });
    relays.push(second);
    const status = await getStatus(second.url, session.id);
    expect(status.receivedChunks).toEqual([0, 1, 2, 3, 4, 5]);
    expect(status.receivedBytes).toBe(6 * CHUNK);

    const missing = [...Array(status.chunkCount).keys()].filter(
      (index) => !status.receivedChunks.includes(index),
    );
    for (const index of missing) {
      expect(
        (await putChunk(second.url, session.id, index, bytes)).status,
      ).toBe(200);
    }
    const chunkPuts = second.requests.filter((line) => line.startsWith('PUT '));
    expect(chunkPuts).toEqual(
      [6, 7, 8, 9].map((i) => `PUT /api/uploads/${session.id}/chunks/${i}`),
    );

    const done = await complete(second.url, session.id);
    expect(done.status).toBe(201);
    expect(await done.json()).toEqual({
      sha256: sha256Of(bytes),
      size: bytes.length,
    });

    const fetched = await download(second.url, sha256Of(bytes));
    expect(sha256Of(new Uint8Array(await fetched.arrayBuffer()))).toBe(
      sha256Of(bytes),
    );
    expect(await readdir(join(dataDir, 'uploads'))).toEqual([]);

    // The same file again is recognised as stored.
    const again = await fetch(`${second.url}/api/uploads`, {
      method: 'POST',
      headers: { ...staffHeaders, 'Content-Type': 'application/json' },
      body: JSON.stringify({ size: bytes.length, sha256: sha256Of(bytes) }),
    });
    expect(again.status).toBe(200);
    expect(
      ((await again.json()) as { alreadyStored: boolean }).alreadyStored,
    ).toBe(true);
  });

  it('refuses to complete with chunks missing', async () => {
    const relay = await startRelay();
    relays.push(relay);
    dataDir = relay.dataDir;
    const bytes = testBytes(CHUNK * 2);
    const session = await createUpload(relay.url, bytes);
    expect((await putChunk(relay.url, session.id, 0, bytes)).status).toBe(200);
    const response = await complete(relay.url, session.id);
    expect(response.status).toBe(409);
    const body = (await response.json()) as {
      error: { code: string; message: string };
    };
    expect(body.error.code).toBe('upload_incomplete');
    expect(body.error.message).toContain('1');
  });

  it('rejects a chunk of the wrong size', async () => {
    const relay = await startRelay();
    relays.push(relay);
    dataDir = relay.dataDir;
    const bytes = testBytes(CHUNK * 2);
    const session = await createUpload(relay.url, bytes);
    const response = await fetch(
      `${relay.url}/api/uploads/${session.id}/chunks/0`,
      {
        method: 'PUT',
        headers: {
          ...staffHeaders,
          'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
        },
        body: chunkBody(bytes.subarray(0, 100)),
      },
    );
    expect(response.status).toBe(400);
    expect(
      ((await response.json()) as { error: { code: string } }).error.code,
    ).toBe('invalid_chunk_size');
    expect((await getStatus(relay.url, session.id)).receivedChunks).toEqual([]);
  });

  it('drops an upload whose bytes do not match the declared hash', async () => {
    const relay = await startRelay();
    relays.push(relay);
    dataDir = relay.dataDir;
    const declared = testBytes(CHUNK);
    const session = await createUpload(relay.url, declared);
    const other = declared.map((value) => value ^ 1);
    expect((await putChunk(relay.url, session.id, 0, other)).status).toBe(200);
    const response = await complete(relay.url, session.id);
    expect(response.status).toBe(422);
    const gone = await fetch(`${relay.url}/api/uploads/${session.id}`, {
      headers: staffHeaders,
    });
    expect(gone.status).toBe(404);
    expect(await relay.store.exists(sha256Of(other))).toBe(false);
  });

  it('rejects a declared size over the limit', async () => {
    const relay = await startRelay({ maxUploadBytes: CHUNK });
    relays.push(relay);
    dataDir = relay.dataDir;
    const response = await fetch(`${relay.url}/api/uploads`, {
      method: 'POST',
      headers: { ...staffHeaders, 'Content-Type': 'application/json' },
      body: JSON.stringify({ size: CHUNK + 1, sha256: 'a'.repeat(64) }),
    });
    expect(response.status).toBe(413);
    expect(
      ((await response.json()) as { error: { message: string } }).error.message,
    ).toContain(String(CHUNK));
  });

  it('completes a zero-byte upload', async () => {
    const relay = await startRelay();
    relays.push(relay);
    dataDir = relay.dataDir;
    const empty = new Uint8Array(0);
    const session = await createUpload(relay.url, empty);
    expect(session.chunkCount).toBe(1);
    expect((await putChunk(relay.url, session.id, 0, empty)).status).toBe(200);
    expect((await complete(relay.url, session.id)).status).toBe(201);
  });

  it('answers 404 for an unknown or malformed upload id', async () => {
    const relay = await startRelay();
    relays.push(relay);
    dataDir = relay.dataDir;
    for (const id of [
      '00000000-0000-4000-8000-000000000000',
      '..%2F..%2Fetc',
    ]) {
      const response = await fetch(`${relay.url}/api/uploads/${id}`, {
        headers: staffHeaders,
      });
      expect(response.status).toBe(404);
    }
  });
});
