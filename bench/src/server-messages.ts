/** IPC messages between a benchmark and the server child it started. */

export type ServerKind =
  'portico' | 'y-websocket-server' | 'bare-ws' | 'raw-file';

export type ServerRequest =
  | { id: number; type: 'memory' }
  /** Holds `count` idle docs in memory, each with `update` applied. */
  | { id: number; type: 'loadDocs'; count: number; update: number[] }
  | { id: number; type: 'relayMetrics' }
  /** Collects garbage, records a baseline and starts sampling memory. */
  | { id: number; type: 'watchMemory' }
  /** Stops the sampling and replies with the baseline and the peaks. */
  | { id: number; type: 'stopWatch' }
  | { id: number; type: 'close' };

export interface MemoryUsage {
  heapUsed: number;
  external: number;
  rss: number;
}

/** Memory before a transfer and the highest values sampled during it. */
export interface MemoryWatch {
  baseline: MemoryUsage;
  /** Highest value of each field, each taken from its own sample. */
  peak: MemoryUsage;
  samples: number;
  /** Milliseconds between samples as requested. */
  intervalMs: number;
}

/** Figures from the Portico relay's own metrics, zero for the peers. */
export interface RelayFigures {
  updatesStored: number;
  /** Mean time of one storage commit, ms. */
  commitMeanMs: number;
}

export type ServerReply =
  | { type: 'ready'; url: string; token?: string }
  | { id: number; type: 'memory'; usage: MemoryUsage }
  | { id: number; type: 'relayMetrics'; figures: RelayFigures }
  | { id: number; type: 'memoryWatch'; watch: MemoryWatch }
  | { id: number; type: 'done' }
  | { id: number; type: 'failed'; message: string };
