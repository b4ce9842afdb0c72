import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  download,
  rawRequest,
  removeDir,
  seededSha256,
  seededStream,
  startRelay,
  type TestRelay,
} from './harness.js';

const GIB = 1024 * 1024 * 1024;
const SEED = 'portico-1gib';
const BOUNDARY = 'big-boundary';
const MAX_GROWTH = 64 * 1024 * 1024;

// Memory the relay holds for itself: the JavaScript heap plus Buffers.
function usedBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

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

    const baseline = usedBytes();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, usedBytes());
    }, 25);
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
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;

    expect(response.status).toBe(201);
    expect(JSON.parse(response.body)).toMatchObject({
      sha256: expected,
      size: GIB,
    });
    console.info(
      `1 GiB upload: ${seconds.toFixed(1)} s, memory growth ${((peak - baseline) / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(peak - baseline).toBeLessThan(MAX_GROWTH);

    // Download streams the same bytes back.
    const fetched = await download(relay.url, expected);
    const hash = createHash('sha256');
    for await (const chunk of fetched.body ?? [])
      hash.update(chunk as Uint8Array);
    expect(hash.digest('hex')).toBe(expected);
  }, 300_000);
});
