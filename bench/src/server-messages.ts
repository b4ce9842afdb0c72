/** IPC messages between a benchmark and the server child it started. */

export type ServerKind = 'portico' | 'y-websocket-server' | 'bare-ws';

export type ServerRequest =
  | { id: number; type: 'memory' }
  /** Holds `count` idle docs in memory, each with `update` applied. */
  | { id: number; type: 'loadDocs'; count: number; update: number[] }
  | { id: number; type: 'relayMetrics' }
  | { id: number; type: 'close' };

export interface MemoryUsage {
  heapUsed: number;
  external: number;
  rss: number;
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
  | { id: number; type: 'done' }
  | { id: number; type: 'failed'; message: string };
