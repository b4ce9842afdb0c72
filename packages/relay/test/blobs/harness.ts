// Shared set-up for the blob route tests: a plain Express app on 127.0.0.1
// port 0 that mounts the blob router over a temp data folder.
import { createCipheriv, createHash } from 'node:crypto';
import express, { type RequestHandler } from 'express';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { createBlobRouter } from '../../src/blobs/routes.js';
import { FsBlobStore } from '../../src/blobs/store.js';

export const STAFF_HEADER = 'x-test-staff';

// Stand-in for the core's session check: the blob routes only need a
// middleware that rejects requests without staff rights, and a fixed header
// exercises that path without the accounts module.
export const requireStaffStub: RequestHandler = (req, res, next) => {
  if (req.get(STAFF_HEADER) === 'yes') {
    next();
    return;
  }
  res
    .status(401)
    .json({ error: { code: 'unauthorized', message: 'staff only' } });
};

export interface TestRelay {
  url: string;
  dataDir: string;
  store: FsBlobStore;
  /** Paths of every request that reached the app, in order. */
  requests: string[];
  close(): Promise<void>;
}

export interface StartOptions {
  maxUploadBytes?: number;
  dataDir?: string;
  store?: FsBlobStore;
}

export async function makeDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'portico-blobs-'));
}

export async function startRelay(
  options: StartOptions = {},
): Promise<TestRelay> {
  const dataDir = options.dataDir ?? (await makeDataDir());
  const store = options.store ?? new FsBlobStore({ dataDir });
  const requests: string[] = [];
  const app = express();
  app.use((req, _res, next) => {
    requests.push(`${req.method} ${req.path}`);
    next();
  });
  app.use(
    createBlobRouter({
      store,
      uploadsDir: join(dataDir, 'uploads'),
      maxUploadBytes: options.maxUploadBytes ?? 64 * 1024 * 1024,
      logger: pino({ level: 'silent' }),
      requireStaff: requireStaffStub,
    }),
  );
  app.get('/ping', (_req, res) => {
    res.send('pong');
  });

  const server = await listen(app);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    store,
    requests,
    close: () => closeServer(server),
  };
}

function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (error?: Error) => {
      if (error) reject(error);
      else resolve(server);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
  });
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export const staffHeaders = { [STAFF_HEADER]: 'yes' };

/** Uploads `bytes` as the `file` field through fetch and FormData. */
export async function uploadBlob(
  url: string,
  bytes: Uint8Array,
  name: string,
  fields: Record<string, string> = {},
): Promise<Response> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append('file', new Blob([bytes]), name);
  return fetch(`${url}/api/blobs`, {
    method: 'POST',
    headers: staffHeaders,
    body: form,
  });
}

export async function download(
  url: string,
  sha256: string,
  init: { name?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const query =
    init.name === undefined ? '' : `?name=${encodeURIComponent(init.name)}`;
  return fetch(`${url}/api/blobs/${sha256}${query}`, {
    headers: { ...staffHeaders, ...init.headers },
  });
}

/** Lists every file under `root`, as paths relative to it with `/`. */
export async function listFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(dir: string): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry);
      if ((await stat(path)).isDirectory()) await walk(path);
      else found.push(relative(root, path).split(sep).join('/'));
    }
  }
  await walk(root);
  return found.sort();
}

/** Polls `condition` every 20 ms until it is true or `timeoutMs` passes. */
export async function waitFor(
  condition: () => Promise<boolean>,
  timeoutMs = 5_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends a hand-built request body, for multipart the fetch API cannot make. */
export function rawRequest(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | Readable,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}${path}`,
      { method, headers: { ...staffHeaders, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

/**
 * Deterministic pseudo-random bytes: AES-256-CTR over zeros with a key made
 * from `seed`. Fast enough to stream a gigabyte without a fixture. Because
 * CTR mode can start at any block, `offset` (a multiple of 16) yields the
 * same bytes as skipping that far into the stream.
 */
export function seededStream(
  seed: string,
  totalBytes: number,
  offset = 0,
): Readable {
  const key = createHash('sha256').update(seed).digest();
  const counter = Buffer.alloc(16);
  counter.writeBigUInt64BE(BigInt(offset / 16), 8);
  const cipher = createCipheriv('aes-256-ctr', key, counter);
  const block = Buffer.alloc(64 * 1024);
  let remaining = totalBytes;
  return new Readable({
    read() {
      if (remaining === 0) {
        this.push(null);
        return;
      }
      const size = Math.min(block.length, remaining);
      remaining -= size;
      this.push(cipher.update(block.subarray(0, size)));
    },
  });
}

/** Returns the SHA-256 of `seededStream(seed, totalBytes)`. */
export async function seededSha256(
  seed: string,
  totalBytes: number,
): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of seededStream(seed, totalBytes))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Checks that only whole blobs exist under the data folder. */
export async function blobFiles(dataDir: string): Promise<string[]> {
  return (await listFiles(join(dataDir, 'blobs'))).filter(
    (p) => !p.startsWith('tmp/'),
  );
}

export async function tmpFiles(dataDir: string): Promise<string[]> {
  return listFiles(join(dataDir, 'blobs', 'tmp'));
}

/** Memory the test process uses for itself: JavaScript heap plus Buffers. */
export function usedMemoryBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Samples `usedMemoryBytes` every 25 ms until `stop` is called. */
export function trackPeakMemory(): { stop(): number } {
  const baseline = usedMemoryBytes();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, usedMemoryBytes());
  }, 25);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, usedMemoryBytes()) - baseline;
    },
  };
}
