import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  download,
  rawRequest,
  removeDir,
  seededSha256,
  seededStream,
  staffHeaders,
  startRelay,
  trackPeakMemory,
  type TestRelay,
} from './harness.js';

const GIB = 1024 * 1024 * 1024;
const SEED = 'portico-1gib';
// A second file, so the resumable test does not find the first one stored.
const RESUME_SEED = 'portico-1gib-resumable';
const BOUNDARY = 'big-boundary';
const MAX_GROWTH = 64 * 1024 * 1024;

let relay: TestRelay;

beforeAll(async () => {
  relay = await startRelay({ maxUploadBytes: 2 * GIB });
});

afterAll(async () => {
  await relay.close();
  await removeDir(relay.dataDir);
});

describe('1 GiB upload', () => {
  it('streams with flat memory and the right hash', async () => {
    const expected = await seededSha256(SEED, GIB);
    const head = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="sha256"\r\n\r\n${expected}\r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
    const body = new PassThrough();
    body.write(head);
    const source = seededStream(SEED, GIB);
    source.pipe(body, { end: false });
    source.on('end', () => body.end(tail));

    const memory = trackPeakMemory();
    const started = Date.now();
    const response = await rawRequest(
      relay.url,
      'POST',
      '/api/blobs',
      {
        'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
        'Content-Length': String(head.length + GIB + tail.length),
      },
      body,
    );
    const growth = memory.stop();
    const seconds = (Date.now() - started) / 1000;

    expect(response.status).toBe(201);
    expect(JSON.parse(response.body)).toMatchObject({
      sha256: expected,
      size: GIB,
    });
    console.info(
      `1 GiB upload: ${seconds.toFixed(1)} s, memory growth ${(growth / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(growth).toBeLessThan(MAX_GROWTH);

    // Download streams the same bytes back.
    const fetched = await download(relay.url, expected);
    const hash = createHash('sha256');
    for await (const chunk of fetched.body ?? [])
      hash.update(chunk as Uint8Array);
    expect(hash.digest('hex')).toBe(expected);
  }, 300_000);

  it('resumes after a cut at 60% without re-sending chunks', async () => {
    const expected = await seededSha256(RESUME_SEED, GIB);
    const chunkSize = 8 * 1024 * 1024;
    const chunkCount = GIB / chunkSize;
    const cutAt = Math.round(chunkCount * 0.6);
    const dataDir = relay.dataDir;
    const memory = trackPeakMemory();

    const created = await fetch(`${relay.url}/api/uploads`, {
      method: 'POST',
      headers: { ...staffHeaders, 'Content-Type': 'application/json' },
      body: JSON.stringify({ size: GIB, sha256: expected, chunkSize }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    for (let index = 0; index < cutAt; index += 1) {
      const sent = await sendChunk(relay.url, id, index, chunkSize);
      expect(sent.status).toBe(200);
    }
    await cutChunk(relay.url, id, cutAt, chunkSize);
    await relay.close();

    // A new relay process on the same data folder continues the upload.
    relay = await startRelay({ dataDir, maxUploadBytes: 2 * GIB });
    const status = (await (
      await fetch(`${relay.url}/api/uploads/${id}`, { headers: staffHeaders })
    ).json()) as { receivedChunks: number[] };
    expect(status.receivedChunks).toEqual([...Array(cutAt).keys()]);

    for (let index = cutAt; index < chunkCount; index += 1) {
      const sent = await sendChunk(relay.url, id, index, chunkSize);
      expect(sent.status).toBe(200);
    }
    const chunkPuts = relay.requests.filter((line) => line.startsWith('PUT '));
    expect(chunkPuts).toHaveLength(chunkCount - cutAt);

    const completed = await fetch(`${relay.url}/api/uploads/${id}/complete`, {
      method: 'POST',
      headers: staffHeaders,
    });
    expect(completed.status).toBe(201);
    expect(await completed.json()).toEqual({ sha256: expected, size: GIB });
    const growth = memory.stop();
    console.info(
      `1 GiB resumable upload: memory growth ${(growth / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(growth).toBeLessThan(MAX_GROWTH);
  }, 300_000);
});

function chunkHeaders(length: number): Record<string, string> {
  return {
    'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
    'Content-Length': String(length),
  };
}

const CHUNK_HEAD = Buffer.from(
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="chunk"; filename="blob"\r\n\r\n`,
);
const CHUNK_TAIL = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

// Streams chunk `index` of the seeded gigabyte as a multipart body.
function chunkBodyStream(index: number, chunkSize: number): PassThrough {
  const body = new PassThrough();
  body.write(CHUNK_HEAD);
  const source = seededStream(RESUME_SEED, chunkSize, index * chunkSize);
  source.pipe(body, { end: false });
  source.on('end', () => body.end(CHUNK_TAIL));
  return body;
}

function sendChunk(url: string, id: string, index: number, chunkSize: number) {
  return rawRequest(
    url,
    'PUT',
    `/api/uploads/${id}/chunks/${index}`,
    chunkHeaders(CHUNK_HEAD.length + chunkSize + CHUNK_TAIL.length),
    chunkBodyStream(index, chunkSize),
  );
}

// Sends half of chunk `index` and then drops the connection.
function cutChunk(
  url: string,
  id: string,
  index: number,
  chunkSize: number,
): Promise<void> {
  return new Promise((resolve) => {
    const req = httpRequest(`${url}/api/uploads/${id}/chunks/${index}`, {
      method: 'PUT',
      headers: {
        ...staffHeaders,
        ...chunkHeaders(CHUNK_HEAD.length + chunkSize + CHUNK_TAIL.length),
      },
    });
    req.on('error', () => resolve());
    req.write(CHUNK_HEAD);
    const half = seededStream(RESUME_SEED, chunkSize / 2, index * chunkSize);
    half.on('data', (piece: Buffer) => req.write(piece));
    half.on('end', () => {
      req.destroy();
      resolve();
    });
  });
}
