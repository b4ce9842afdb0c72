/**
 * Blob upload and download through the relay against a raw `node:http`
 * server that streams the body to a file and fsyncs it. Both servers run
 * in child processes. One client in this process drives both over one
 * keep-alive connection each, and runs alternate which server goes first.
 *
 * - Small file: one `POST /api/blobs` (multipart, `sha256` field first),
 *   the request the engine sends for files up to 8 MiB.
 * - Large file: the resumable API in 8 MiB chunks sent one after another,
 *   the path the engine takes above 8 MiB. One `POST /api/blobs` of the
 *   same size is measured too, for context.
 * - Download: `GET /api/blobs/<sha256>` of the blob just stored.
 *
 * The peer gets the same bytes as a raw `PUT` body with no multipart
 * framing and no hashing. Content comes from seeded AES-CTR streams
 * (`seeded-bytes.ts`), generated while sending on both sides, and each
 * upload to the relay uses a new seed so that no upload finds its blob
 * already stored. The SHA-256 the relay's API requires up front is
 * computed before the clock starts.
 */
import type { Agent } from 'node:http';
import {
  expectStatus,
  multipartBody,
  receive,
  send,
  singleConnectionAgent,
} from './http-transfer.js';
import { seededBlocks, seededBuffer, seededSha256 } from './seeded-bytes.js';
import type { MemoryWatch } from './server-messages.js';
import { ServerProcess } from './server-process.js';
import { median, now } from './stats.js';

/** The chunk size the engine requests (`LOCAL_CHUNK_BYTES`). */
export const ENGINE_CHUNK_BYTES = 8 * 1024 * 1024;

export interface BlobTransferSizes {
  smallBytes: number;
  smallRuns: number;
  largeBytes: number;
  largeRuns: number;
}

/** Durations of one kind of transfer, one per run, in milliseconds. */
export interface TransferRuns {
  runsMs: number[];
}

/** Memory watches of the server over each run of one kind of transfer. */
export interface WatchedRuns extends TransferRuns {
  watches: MemoryWatch[];
}

export interface BlobTransferResult extends BlobTransferSizes {
  chunkBytes: number;
  small: {
    porticoUpload: TransferRuns;
    peerUpload: TransferRuns;
    porticoDownload: TransferRuns;
    peerDownload: TransferRuns;
  };
  large: {
    porticoResumableUpload: WatchedRuns;
    porticoSingleUpload: WatchedRuns;
    peerUpload: WatchedRuns;
    porticoDownload: WatchedRuns;
    peerDownload: WatchedRuns;
  };
}

/** A server under test: where it listens and how to authenticate. */
interface Target {
  server: ServerProcess;
  base: string;
  headers: Record<string, string>;
  agent: Agent;
}

const SMALL_SEED = 1_000;
const RESUMABLE_SEED = 2_000;
const SINGLE_SEED = 3_000;

export async function runBlobTransfer(
  sizes: BlobTransferSizes,
): Promise<BlobTransferResult> {
  const portico = await startTarget('portico');
  const peer = await startTarget('raw-file');
  try {
    return {
      ...sizes,
      chunkBytes: ENGINE_CHUNK_BYTES,
      small: await runSmall(portico, peer, sizes),
      large: await runLarge(portico, peer, sizes),
    };
  } finally {
    portico.agent.destroy();
    peer.agent.destroy();
    await Promise.all([portico.server.close(), peer.server.close()]);
  }
}

async function startTarget(kind: 'portico' | 'raw-file'): Promise<Target> {
  const server = await ServerProcess.start(kind);
  const headers: Record<string, string> = {};
  if (server.token !== undefined) {
    headers['authorization'] = `Bearer ${server.token}`;
  }
  return {
    server,
    base: server.url.replace(/^ws/, 'http'),
    headers,
    agent: singleConnectionAgent(),
  };
}

async function runSmall(
  portico: Target,
  peer: Target,
  sizes: BlobTransferSizes,
): Promise<BlobTransferResult['small']> {
  const size = sizes.smallBytes;
  const result = {
    porticoUpload: { runsMs: [] as number[] },
    peerUpload: { runsMs: [] as number[] },
    porticoDownload: { runsMs: [] as number[] },
    peerDownload: { runsMs: [] as number[] },
  };
  for (let run = 0; run < sizes.smallRuns; run++) {
    const bytes = seededBuffer(SMALL_SEED + run, size);
    const sha256 = seededSha256(SMALL_SEED + run, size);
    const porticoRun = async () => {
      result.porticoUpload.runsMs.push(
        await timed(() => postBlob(portico, sha256, size, [bytes])),
      );
      result.porticoDownload.runsMs.push(
        await timed(() => getBlob(portico, sha256, size)),
      );
    };
    const peerRun = async () => {
      result.peerUpload.runsMs.push(
        await timed(() => putRaw(peer, 'small', size, [bytes])),
      );
      result.peerDownload.runsMs.push(
        await timed(() => getRaw(peer, 'small', size)),
      );
    };
    await alternate(run, porticoRun, peerRun);
  }
  return result;
}

async function runLarge(
  portico: Target,
  peer: Target,
  sizes: BlobTransferSizes,
): Promise<BlobTransferResult['large']> {
  const size = sizes.largeBytes;
  const result = {
    porticoResumableUpload: emptyWatched(),
    porticoSingleUpload: emptyWatched(),
    peerUpload: emptyWatched(),
    porticoDownload: emptyWatched(),
    peerDownload: emptyWatched(),
  };
  for (let run = 0; run < sizes.largeRuns; run++) {
    const resumableSeed = RESUMABLE_SEED + run;
    const resumableSha = seededSha256(resumableSeed, size);
    const singleSeed = SINGLE_SEED + run;
    const singleSha = seededSha256(singleSeed, size);

    const porticoRun = async () => {
      await watched(portico, result.porticoResumableUpload, () =>
        resumableUpload(portico, resumableSeed, resumableSha, size),
      );
      await watched(portico, result.porticoDownload, () =>
        getBlob(portico, resumableSha, size),
      );
      await watched(portico, result.porticoSingleUpload, () =>
        postBlob(portico, singleSha, size, seededBlocks(singleSeed, size)),
      );
    };
    const peerRun = async () => {
      await watched(peer, result.peerUpload, () =>
        putRaw(peer, 'large', size, seededBlocks(resumableSeed, size)),
      );
      await watched(peer, result.peerDownload, () =>
        getRaw(peer, 'large', size),
      );
    };
    await alternate(run, porticoRun, peerRun);
  }
  return result;
}

/** Runs Portico first on even runs and the peer first on odd ones. */
async function alternate(
  run: number,
  porticoRun: () => Promise<void>,
  peerRun: () => Promise<void>,
): Promise<void> {
  const [first, second] =
    run % 2 === 0 ? [porticoRun, peerRun] : [peerRun, porticoRun];
  await first();
  await second();
}

function emptyWatched(): WatchedRuns {
  return { runsMs: [], watches: [] };
}

async function timed(transfer: () => Promise<void>): Promise<number> {
  const started = now();
  await transfer();
  return now() - started;
}

/** Times a transfer while the server samples its own memory. */
async function watched(
  target: Target,
  into: WatchedRuns,
  transfer: () => Promise<void>,
): Promise<void> {
  await target.server.watchMemory();
  try {
    into.runsMs.push(await timed(transfer));
  } finally {
    into.watches.push(await target.server.stopWatch());
  }
}

async function postBlob(
  target: Target,
  sha256: string,
  size: number,
  blocks: Iterable<Buffer>,
): Promise<void> {
  const body = multipartBody({ sha256 }, 'file', size, blocks);
  const reply = await send({
    method: 'POST',
    url: `${target.base}/api/blobs`,
    headers: { ...target.headers, 'content-type': body.contentType },
    body: body.blocks,
    contentLength: body.contentLength,
    agent: target.agent,
  });
  expectStatus(reply, 201, 'POST /api/blobs');
  expectStoredHash(reply.body, sha256);
}

/** Sends a file through the resumable API the way the engine does. */
async function resumableUpload(
  target: Target,
  seed: number,
  sha256: string,
  size: number,
): Promise<void> {
  const id = await createUpload(target, sha256, size);
  let index = 0;
  for (const chunk of seededBlocks(seed, size, ENGINE_CHUNK_BYTES)) {
    const body = multipartBody({}, 'chunk', chunk.length, [chunk]);
    const reply = await send({
      method: 'PUT',
      url: `${target.base}/api/uploads/${id}/chunks/${index}`,
      headers: { ...target.headers, 'content-type': body.contentType },
      body: body.blocks,
      contentLength: body.contentLength,
      agent: target.agent,
    });
    expectStatus(reply, 200, `PUT chunk ${index} of upload ${id}`);
    index++;
  }
  const completed = await send({
    method: 'POST',
    url: `${target.base}/api/uploads/${id}/complete`,
    headers: target.headers,
    body: [],
    contentLength: 0,
    agent: target.agent,
  });
  expectStatus(completed, 201, `POST complete of upload ${id}`);
  expectStoredHash(completed.body, sha256);
}

async function createUpload(
  target: Target,
  sha256: string,
  size: number,
): Promise<string> {
  const json = Buffer.from(
    JSON.stringify({ size, sha256, chunkSize: ENGINE_CHUNK_BYTES }),
  );
  const reply = await send({
    method: 'POST',
    url: `${target.base}/api/uploads`,
    headers: { ...target.headers, 'content-type': 'application/json' },
    body: [json],
    contentLength: json.length,
    agent: target.agent,
  });
  expectStatus(reply, 201, 'POST /api/uploads');
  const { id } = JSON.parse(reply.body) as { id: string };
  return id;
}

async function getBlob(
  target: Target,
  sha256: string,
  size: number,
): Promise<void> {
  const url = `${target.base}/api/blobs/${sha256}`;
  expectSize(await receive(url, target.headers, target.agent), size, url);
}

async function putRaw(
  target: Target,
  name: string,
  size: number,
  blocks: Iterable<Buffer>,
): Promise<void> {
  const reply = await send({
    method: 'PUT',
    url: `${target.base}/files/${name}`,
    headers: { 'content-type': 'application/octet-stream' },
    body: blocks,
    contentLength: size,
    agent: target.agent,
  });
  expectStatus(reply, 201, `PUT /files/${name}`);
}

async function getRaw(
  target: Target,
  name: string,
  size: number,
): Promise<void> {
  const url = `${target.base}/files/${name}`;
  expectSize(await receive(url, {}, target.agent), size, url);
}

function expectStoredHash(body: string, sha256: string): void {
  const stored = (JSON.parse(body) as { sha256?: string }).sha256;
  if (stored !== sha256) {
    throw new Error(`The relay stored ${stored} instead of ${sha256}.`);
  }
}

function expectSize(received: number, size: number, url: string): void {
  if (received !== size) {
    throw new Error(`GET ${url} sent ${received} bytes instead of ${size}.`);
  }
}

/** Megabytes (10^6 bytes) per second at the median duration of `runs`. */
export function megabytesPerSecond(runs: TransferRuns, bytes: number): number {
  return bytes / 1e6 / (median(runs.runsMs) / 1000);
}

/** Largest growth over the baseline in any run, for one memory field. */
export function peakGrowth(
  runs: WatchedRuns,
  field: 'rss' | 'heapUsed' | 'external',
): number {
  const growths = runs.watches.map(
    (watch) => watch.peak[field] - watch.baseline[field],
  );
  return Math.max(0, ...growths);
}

/** Highest value of one memory field seen in any run. */
export function peakValue(
  runs: WatchedRuns,
  field: 'rss' | 'heapUsed' | 'external',
): number {
  return Math.max(0, ...runs.watches.map((watch) => watch.peak[field]));
}
