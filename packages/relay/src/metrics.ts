import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';

/**
 * Prometheus metrics of one relay. Each relay owns its registry instead of
 * prom-client's global one, so several relays can run in one process
 * (tests do) without clashing metric names.
 */
export class RelayMetrics {
  readonly registry = new Registry();

  readonly connections = new Gauge({
    name: 'portico_ws_connections',
    help: 'Open WebSocket sync connections',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });

  readonly connectionsClosed = new Counter({
    name: 'portico_ws_connections_closed_total',
    help: 'Closed WebSocket sync connections by close code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly loadedDocs = new Gauge({
    name: 'portico_docs_loaded',
    help: 'Docs held in memory',
    registers: [this.registry],
  });

  readonly updatesStored = new Counter({
    name: 'portico_updates_stored_total',
    help: 'Doc updates written durably to storage',
    registers: [this.registry],
  });

  readonly storageWriteSeconds = new Histogram({
    name: 'portico_storage_write_seconds',
    help: 'Time to commit one batch of doc updates, in seconds',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    registers: [this.registry],
  });

  readonly storageBatchSize = new Histogram({
    name: 'portico_storage_batch_updates',
    help: 'Doc updates committed together in one transaction',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 1000],
    registers: [this.registry],
  });

  readonly droppedWrites = new Counter({
    name: 'portico_writes_dropped_total',
    help: 'Write messages dropped because the connection is read-only',
    registers: [this.registry],
  });

  readonly corruptRows = new Counter({
    name: 'portico_corrupt_update_rows_total',
    help: 'Stored update rows skipped on load because they failed to decode',
    registers: [this.registry],
  });

  readonly compactions = new Counter({
    name: 'portico_compactions_total',
    help: 'Doc compactions by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly authFailures = new Counter({
    name: 'portico_auth_failures_total',
    help: 'Rejected logins and WebSocket upgrades by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly malformedMessages = new Counter({
    name: 'portico_malformed_messages_total',
    help: 'Connections closed for a malformed message',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'portico_' });
  }
}
