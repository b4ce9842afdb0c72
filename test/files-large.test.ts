/**
 * Large uploads through a real relay: a 1 GiB upload streams with flat
 * memory, and a staff engine's chunked upload cut part-way continues after
 * a restart without sending the stored chunks again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LOCAL_CHUNK_BYTES,
  openStaffEngine,
  type StaffEngine,
  type Transfer,
} from '@portico/engine';
import { nodeEngineOptions } from '@portico/engine/node';
import {
  publishedContact,
  relayFileRecord,
  startFilesRelay,
  until,
  type FilesRelay,
} from './files-fixtures.js';

const GIB = 1024 * 1024 * 1024;
const MIB = 1024 * 1024;
const MAX_MEMORY_GROWTH = 64 * MIB;

let relay: FilesRelay | undefined;
let engine: StaffEngine | undefined;

afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await relay?.close();
  relay = undefined;
});

/** Repeats one random MiB, so a gigabyte needs no fixture and little memory. */
function repeatedBytes(block: Buffer, total: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const size = Math.min(block.length, total - sent);
      sent += size;
      this.push(block.subarray(0, size));
    },
  });
}

function hashOfRepeated(block: Buffer, total: number): string {
  const hash = createHash('sha256');
  for (let sent = 0; sent < total; sent += block.length) {
    hash.update(block.subarray(0, Math.min(block.length, total - sent)));
  }
  return hash.digest('hex');
}

/** JavaScript heap plus Buffers of this process, where the relay runs too. */
function usedMemory(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function postMultipart(
  url: string,
  token: string,
  body: Readable,
  length: number,
  boundary: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/blobs`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(length),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (data: Buffer) => (text += data.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text }),
        );
      },
    );
    req.on('error', reject);
    body.pipe(req);
  });
}

describe('large uploads', () => {
  it('stream 1 GiB with flat memory', async () => {
    relay = await startFilesRelay();
    const token = await relay.staffToken();
    const block = randomBytes(MIB);
    const expected = hashOfRepeated(block, GIB);
    const boundary = 'large-upload-boundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="sha256"\r\n\r\n${expected}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    async function* body() {
      yield head;
      yield* repeatedBytes(block, GIB);
      yield tail;
    }

    global.gc?.();
    const baseline = usedMemory();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, usedMemory());
    }, 20);
    const response = await postMultipart(
      relay.url,
      token,
      Readable.from(body()),
      head.length + GIB + tail.length,
      boundary,
    );
    clearInterval(sampler);

    expect(response.status).toBe(201);
    expect(JSON.parse(response.body)).toMatchObject({
      sha256: expected,
      size: GIB,
    });
    expect(peak - baseline).toBeLessThan(MAX_MEMORY_GROWTH);
  }, 300_000);

  it('resume after a cut and a restart', async () => {
    relay = await startFilesRelay();
    const current = relay;
    const token = await relay.staffToken();
    const indexedDB = new IDBFactory();
    const chunkCount = 5;
    const size = chunkCount * LOCAL_CHUNK_BYTES - 1000;
    const bytes = randomBytes(size);

    // The first engine's fetch fails the fourth chunk as a dropped network.
    const firstRun: number[] = [];
    const cuttingFetch: typeof fetch = async (input, init) => {
      const index = chunkIndexOf(urlOf(input), init?.method);
      if (index !== undefined) {
        if (firstRun.length === 3) throw new TypeError('network cut by test');
        firstRun.push(index);
      }
      return fetch(input, init);
    };
    engine = await openStaffEngine({
      ...nodeEngineOptions({
        relayUrl: relay.url,
        token,
        databaseName: 'staff',
        indexedDB,
      }),
      fetch: cuttingFetch,
    });
    const contactId = await publishedContact(engine, 'erin@client.example');
    const file = await engine.files.uploadFileFromDisk(
      contactId,
      new File([bytes], 'large.bin'),
    );
    const first = engine;
    let cut: Transfer | undefined;
    await until(() => {
      cut = first.files.listTransfers().find((t) => t.lastError !== undefined);
      return cut !== undefined;
    }, 'the cut chunk to fail the transfer');
    expect(cut?.uploadId).toBeDefined();
    expect(cut?.bytesDone).toBe(3 * LOCAL_CHUNK_BYTES);
    await first.close();
    engine = undefined;

    const secondRun: number[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      const index = chunkIndexOf(urlOf(input), init?.method);
      if (index !== undefined) secondRun.push(index);
      return fetch(input, init);
    };
    engine = await openStaffEngine({
      ...nodeEngineOptions({
        relayUrl: current.url,
        token,
        databaseName: 'staff',
        indexedDB,
      }),
      fetch: countingFetch,
    });
    const second = engine;
    const [transfer] = second.files.listTransfers();
    const done = await second.files.whenTransferFinished(transfer?.id ?? '');

    expect(firstRun).toEqual([0, 1, 2]);
    expect(secondRun).toEqual([3, 4]);
    expect(done.bytesDone).toBe(size);
    expect(done.uploadId).toBe(cut?.uploadId);
    await until(
      async () =>
        (await relayFileRecord(current.relay, contactId, file.id))?.[
          'status'
        ] === 'available',
      'the large file to be available',
    );
    const stored = await current.relay.blobs.store.stat(file.sha256);
    expect(stored?.size).toBe(size);
  }, 120_000);
});

function chunkIndexOf(url: string, method: string | undefined) {
  const match = /\/api\/uploads\/[^/]+\/chunks\/(\d+)$/.exec(url);
  return method === 'PUT' && match ? Number(match[1]) : undefined;
}

function urlOf(input: string | URL | Request): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}
