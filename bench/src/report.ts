/** Turns benchmark results into table rows, console text and Markdown. */
import {
  megabytesPerSecond,
  peakGrowth,
  peakValue,
  type BlobTransferResult,
  type TransferRuns,
  type WatchedRuns,
} from './blob-transfer.js';
import type { ColdSyncResult } from './cold-sync.js';
import type { EditLatencyResult } from './edit-latency.js';
import type { MachineInfo } from './machine.js';
import type { MemoryResult, PerItem } from './memory.js';
import { formatNumber } from './stats.js';
import { CLIENTS, type ThroughputResult } from './throughput.js';

export interface Row {
  benchmark: string;
  portico: string;
  peer: string;
  /** Portico against the peer, in the form the target is stated. */
  comparison: string;
  target: string;
  met: boolean;
}

export interface Results {
  coldSync: ColdSyncResult;
  editLatency: EditLatencyResult;
  throughput: ThroughputResult;
  memory: MemoryResult;
  blobs: BlobTransferResult;
}

const ms = (value: number) => `${formatNumber(value, 1)} ms`;
const ratio = (value: number) => `${formatNumber(value, 2)}x`;
const list = (values: readonly number[], digits: number) =>
  values.map((value) => formatNumber(value, digits)).join(', ');
const bytes = (value: number) => `${formatNumber(value / 1024, 1)} KiB`;
const mebibytes = (value: number) =>
  `${formatNumber(value / 1024 ** 2, 1)} MiB`;

/** Transfer throughput must be at least this share of the peer's. */
const TRANSFER_TARGET = 0.9;
/**
 * The relay's memory counts as flat during a large transfer when no
 * sample rose more than this above the baseline taken before it.
 */
export const FLAT_MEMORY_BYTES = 64 * 1024 ** 2;

/** Formats a size in binary units, such as "1 MiB" or "1 GiB". */
function sizeName(value: number): string {
  if (value >= 1024 ** 3) return `${formatNumber(value / 1024 ** 3, 1)} GiB`;
  if (value >= 1024 ** 2) return mebibytes(value);
  return bytes(value);
}

export function buildRows(results: Results): Row[] {
  const { coldSync, editLatency, throughput, memory, blobs } = results;
  const coldRatio = coldSync.porticoMs / coldSync.peerMs;
  const p50Gap = editLatency.porticoP50 - editLatency.peerP50;
  const p95Ratio = editLatency.porticoP95 / editLatency.peerP95;
  const rate =
    throughput.portico.updatesPerSecond / throughput.peer.updatesPerSecond;
  return [
    {
      benchmark: 'Cold sync, 1k contacts + 10k invoices (median)',
      portico: ms(coldSync.porticoMs),
      peer: ms(coldSync.peerMs),
      comparison: ratio(coldRatio),
      target: 'at most 1.3x',
      met: coldRatio <= 1.3,
    },
    {
      benchmark: 'Edit latency A to B, p50',
      portico: ms(editLatency.porticoP50),
      peer: ms(editLatency.peerP50),
      comparison: `+${ms(p50Gap)}`,
      target: 'at most peer + 5 ms',
      met: p50Gap <= 5,
    },
    {
      benchmark: 'Edit latency A to B, p95',
      portico: ms(editLatency.porticoP95),
      peer: ms(editLatency.peerP95),
      comparison: ratio(p95Ratio),
      target: 'at most 2x',
      met: p95Ratio <= 2,
    },
    {
      benchmark: 'Relay throughput, 50 clients, 1 doc (updates/s)',
      portico: formatNumber(throughput.portico.updatesPerSecond, 0),
      peer: formatNumber(throughput.peer.updatesPerSecond, 0),
      comparison: ratio(rate),
      target: 'at least 1x',
      met: rate >= 1,
    },
    memoryRow(
      'Memory per idle doc, heap',
      memory.porticoDoc,
      memory.peerDoc,
      'heapBytes',
    ),
    memoryRow(
      'Memory per idle doc, RSS',
      memory.porticoDoc,
      memory.peerDoc,
      'rssBytes',
    ),
    memoryRow(
      'Memory per idle connection, heap',
      memory.porticoConnection,
      memory.peerConnection,
      'heapBytes',
    ),
    memoryRow(
      'Memory per idle connection, RSS',
      memory.porticoConnection,
      memory.peerConnection,
      'rssBytes',
    ),
    ...blobRows(blobs),
  ];
}

function blobRows(blobs: BlobTransferResult): Row[] {
  const small = sizeName(blobs.smallBytes);
  const large = sizeName(blobs.largeBytes);
  const { porticoResumableUpload, porticoSingleUpload, porticoDownload } =
    blobs.large;
  const porticoLarge = [
    porticoResumableUpload,
    porticoSingleUpload,
    porticoDownload,
  ];
  const peerLarge = [blobs.large.peerUpload, blobs.large.peerDownload];
  return [
    transferRow(
      `Upload ${small}, POST /api/blobs (MB/s)`,
      blobs.small.porticoUpload,
      blobs.small.peerUpload,
      blobs.smallBytes,
    ),
    transferRow(
      `Upload ${large}, resumable, ${sizeName(blobs.chunkBytes)} chunks (MB/s)`,
      porticoResumableUpload,
      blobs.large.peerUpload,
      blobs.largeBytes,
    ),
    transferRow(
      `Upload ${large}, one POST /api/blobs (MB/s)`,
      porticoSingleUpload,
      blobs.large.peerUpload,
      blobs.largeBytes,
    ),
    transferRow(
      `Download ${small}, GET /api/blobs (MB/s)`,
      blobs.small.porticoDownload,
      blobs.small.peerDownload,
      blobs.smallBytes,
    ),
    transferRow(
      `Download ${large}, GET /api/blobs (MB/s)`,
      porticoDownload,
      blobs.large.peerDownload,
      blobs.largeBytes,
    ),
    growthRow(
      `Server RSS growth, ${large} transfers`,
      porticoLarge,
      peerLarge,
      'rss',
    ),
    growthRow(
      `Server heap growth, ${large} transfers`,
      porticoLarge,
      peerLarge,
      'heapUsed',
    ),
  ];
}

function transferRow(
  benchmark: string,
  portico: TransferRuns,
  peer: TransferRuns,
  size: number,
): Row {
  const porticoRate = megabytesPerSecond(portico, size);
  const peerRate = megabytesPerSecond(peer, size);
  const value = porticoRate / peerRate;
  return {
    benchmark,
    portico: formatNumber(porticoRate, 1),
    peer: formatNumber(peerRate, 1),
    comparison: ratio(value),
    target: `at least ${TRANSFER_TARGET}x`,
    met: value >= TRANSFER_TARGET,
  };
}

/** Builds a row from the largest growth over all runs of the transfers. */
function growthRow(
  benchmark: string,
  portico: readonly WatchedRuns[],
  peer: readonly WatchedRuns[],
  field: 'rss' | 'heapUsed',
): Row {
  const porticoGrowth = maxGrowth(portico, field);
  const peerGrowth = maxGrowth(peer, field);
  return {
    benchmark,
    portico: mebibytes(porticoGrowth),
    peer: mebibytes(peerGrowth),
    comparison: `+${mebibytes(porticoGrowth - peerGrowth)}`,
    target: `under ${mebibytes(FLAT_MEMORY_BYTES)} (flat)`,
    met: porticoGrowth < FLAT_MEMORY_BYTES,
  };
}

function maxGrowth(
  transfers: readonly WatchedRuns[],
  field: 'rss' | 'heapUsed',
): number {
  return Math.max(...transfers.map((runs) => peakGrowth(runs, field)));
}

function memoryRow(
  benchmark: string,
  portico: PerItem,
  peer: PerItem,
  field: keyof PerItem,
): Row {
  const value = portico[field] / peer[field];
  return {
    benchmark,
    portico: bytes(portico[field]),
    peer: bytes(peer[field]),
    comparison: ratio(value),
    target: 'at most 1.5x',
    met: value <= 1.5,
  };
}

/**
 * Renders rows as a Markdown table with padded columns, the layout
 * Prettier gives tables, so the page passes the format check as written.
 */
export function markdownTable(rows: readonly Row[]): string {
  const header = [
    'Benchmark',
    'Portico',
    'Peer',
    'Portico vs peer',
    'Target',
    'Met',
  ];
  const body = rows.map((row) => [
    row.benchmark,
    row.portico,
    row.peer,
    row.comparison,
    row.target,
    row.met ? 'yes' : '**no**',
  ]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...body].map((cells) => cells[column]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const divider = widths.map((width) => '-'.repeat(width));
  return [line(header), line(divider), ...body.map(line)].join('\n');
}

export interface RunContext {
  machine: MachineInfo;
  date: string;
  command: string;
  /** Load averages (1, 5, 15 min) before and after the run. */
  loadBefore: readonly number[];
  loadAfter: readonly number[];
  durationSeconds: number;
}

/** Renders the generated section of `docs/benchmarks.md`. */
export function markdownSection(results: Results, context: RunContext): string {
  const { machine } = context;
  const { coldSync, editLatency, throughput, memory, blobs } = results;
  const load = (values: readonly number[]) =>
    values.map((value) => value.toFixed(2)).join(', ');
  return [
    `Run on ${context.date} with \`${context.command}\` in ${formatNumber(context.durationSeconds, 0)} s.`,
    '',
    `- CPU: ${machine.cpuModel}, ${machine.cores} cores; memory ${formatNumber(machine.memoryGiB, 1)} GiB`,
    `- Node ${machine.node} on ${machine.platform}`,
    `- Load average (1, 5, 15 min): ${load(context.loadBefore)} before, ${load(context.loadAfter)} after`,
    '',
    markdownTable(buildRows(results)),
    '',
    'Details:',
    '',
    `- Cold sync: ${coldSync.runs} runs of each, median; encoded firm state ${bytes(coldSync.stateBytes)}. ` +
      `Runs, Portico: ${list(coldSync.porticoRunsMs, 0)} ms; peer: ${list(coldSync.peerRunsMs, 0)} ms. ` +
      `Peer split: Yjs encode, transfer and apply ${ms(coldSync.peerTransferMs)}, ` +
      `RxDB open and bulk insert ${ms(coldSync.peerInsertMs)}.`,
    `- Edit latency: ${editLatency.samples} samples of each after warm-up, alternating. ` +
      `Portico p50 until client A's \`update\` call resolved: ${ms(editLatency.porticoLocalP50)}; ` +
      `mean relay storage commit (SQLite, \`synchronous = FULL\`): ${ms(editLatency.relayCommitMeanMs)}.`,
    `- Throughput: median of ${throughput.rounds} rounds of each; ${throughput.updatesPerClient} updates per client, mean Yjs update ${formatNumber(throughput.meanUpdateBytes, 0)} bytes. ` +
      `Updates/s per round, Portico: ${list(throughput.porticoRates, 0)}; peer: ${list(throughput.peerRates, 0)}. ` +
      `Deliveries per second (echoes excluded): Portico ${formatNumber(throughput.portico.deliveriesPerSecond, 0)}, ` +
      `peer ${formatNumber(throughput.peer.deliveriesPerSecond, 0)}. ` +
      `The relay's stored-updates counter read ${throughput.portico.stored ?? 0} for ${throughput.updatesPerClient * CLIENTS} updates sent.`,
    `- Memory: ${memory.docs} idle docs of a ${formatNumber(memory.docUpdateBytes, 0)}-byte update, ` +
      `${memory.connections} idle connections. A synced \`@y/websocket-server\` connection, for context: ` +
      `heap ${bytes(memory.yWebsocketConnection.heapBytes)}, RSS ${bytes(memory.yWebsocketConnection.rssBytes)}.`,
    ...blobDetails(blobs),
  ].join('\n');
}

function blobDetails(blobs: BlobTransferResult): string[] {
  const small = sizeName(blobs.smallBytes);
  const large = sizeName(blobs.largeBytes);
  const rates = (runs: TransferRuns, size: number) =>
    runs.runsMs
      .map((runMs) => formatNumber(size / 1e6 / (runMs / 1000), 1))
      .join(', ');
  const memoryOf = (name: string, runs: WatchedRuns) =>
    `${name} RSS peak ${mebibytes(peakValue(runs, 'rss'))} (+${mebibytes(peakGrowth(runs, 'rss'))}), ` +
    `heap peak ${mebibytes(peakValue(runs, 'heapUsed'))} (+${mebibytes(peakGrowth(runs, 'heapUsed'))}), ` +
    `external +${mebibytes(peakGrowth(runs, 'external'))}`;
  const { large: big } = blobs;
  const samples = big.porticoResumableUpload.watches.map(
    (watch) => watch.samples,
  );
  return [
    `- Blob transfers: ${blobs.smallRuns} runs of ${small} and ${blobs.largeRuns} of ${large}, median, alternating which server goes first; MB is 10^6 bytes. ` +
      `MB/s per run, ${small} upload, Portico: ${rates(blobs.small.porticoUpload, blobs.smallBytes)}; peer: ${rates(blobs.small.peerUpload, blobs.smallBytes)}. ` +
      `${large} upload, Portico resumable: ${rates(big.porticoResumableUpload, blobs.largeBytes)}; Portico one POST: ${rates(big.porticoSingleUpload, blobs.largeBytes)}; ` +
      `peer: ${rates(big.peerUpload, blobs.largeBytes)}. ${large} download, Portico: ${rates(big.porticoDownload, blobs.largeBytes)}; ` +
      `peer: ${rates(big.peerDownload, blobs.largeBytes)}.`,
    `- Server memory during the ${large} transfers, highest over the runs, growth over the pre-transfer baseline in brackets: ` +
      `${memoryOf('Portico resumable upload', big.porticoResumableUpload)}; ` +
      `${memoryOf('Portico one POST', big.porticoSingleUpload)}; ` +
      `${memoryOf('Portico download', big.porticoDownload)}; ` +
      `${memoryOf('peer upload', big.peerUpload)}; ${memoryOf('peer download', big.peerDownload)}. ` +
      `Samples every ${big.porticoResumableUpload.watches[0]?.intervalMs ?? 0} ms; the resumable uploads took ${samples.join(', ')} samples.`,
  ];
}
