import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Accounts } from './accounts/accounts.js';
import { startBlobService, type BlobService } from './blobs/service.js';
import type { RelayConfig } from './config.js';
import { createApp } from './http/app.js';
import { payRoutes } from './http/pay-routes.js';
import { createPaymentProvider } from './payments/index.js';
import type { WebAppDirs } from './http/web-apps.js';
import { createLogger, type Logger } from './logger.js';
import { RelayMetrics } from './metrics.js';
import { SqliteStorage } from './storage/sqlite.js';
import type { Storage } from './storage/types.js';
import { UpdateWriter } from './storage/update-writer.js';
import { DocManager } from './sync/doc-manager.js';
import { SyncServer } from './sync/sync-server.js';
import type { Outbox } from './outbox/outbox.js';
import { startMailService, type OutboxTuning } from './outbox/service.js';

export interface RelayOptions {
  /** Root logger; defaults to JSON lines at `config.logLevel`. */
  logger?: Logger;
  /** Update rows appended to a doc before it is compacted. */
  compactAfterRows?: number;
  /** Folders of the built web apps; defaults to the UI packages' dist. */
  webApps?: WebAppDirs;
  /** Outbox poll and retry timing; tests shorten it. */
  outbox?: OutboxTuning;
}

/** A running relay. */
export interface Relay {
  /** Base URL the relay listens on, such as `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly port: number;
  readonly accounts: Accounts;
  readonly storage: Storage;
  readonly docs: DocManager;
  readonly metrics: RelayMetrics;
  /** Blob store, upload routes and blob garbage collection. */
  readonly blobs: BlobService;
  /** The email outbox; `queueStaffNotice` notifies staff of uploads. */
  readonly outbox: Outbox;
  /**
   * Stops accepting connections, closes open sockets with 1001, commits
   * the pending batch of updates and closes the database.
   */
  close(): Promise<void>;
}

/** Opens storage under `config.dataDir` and starts listening. */
export async function startRelay(
  config: RelayConfig,
  options: RelayOptions = {},
): Promise<Relay> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = new RelayMetrics();
  const storage = SqliteStorage.open(config.dataDir);
  const accounts = new Accounts(storage);
  const writer = new UpdateWriter(storage, metrics, logger);
  const docs = new DocManager({
    storage,
    writer,
    metrics,
    logger,
    docIdleMs: config.docIdleMs,
    compactAfterRows: options.compactAfterRows,
  });
  const publicOrigin = new URL(config.publicUrl).origin;
  const sync = new SyncServer({
    accounts,
    docs,
    metrics,
    logger: logger.child({ component: 'sync' }),
    publicOrigin,
    maxMessageBytes: config.maxMessageBytes,
    maxDocsPerConnection: config.maxDocsPerConnection,
    maxConnectionsPerAccount: config.maxConnectionsPerAccount,
  });

  const blobs = startBlobService({
    config,
    accounts,
    docs,
    storage,
    logger,
    // Called only for uploads, which start after `mail` below exists.
    notifyStaff: async (notice) => {
      await mail.outbox.queueStaffNotice(notice);
    },
  });
  const mail = await startMailService({
    config,
    accounts,
    storage,
    docs,
    logger,
    tuning: options.outbox,
  });

  const pay = payRoutes({
    accounts,
    docs,
    storage,
    provider: createPaymentProvider(config.payments),
    logger,
    publicOrigin,
    publicUrl: config.publicUrl,
  });

  let stopping = false;
  const app = createApp({
    accounts,
    metrics,
    logger,
    publicOrigin,
    secureCookie: publicOrigin.startsWith('https:'),
    webApps: options.webApps,
    isHealthy: () => !stopping,
    payRoutes: pay,
    apiRouters: [...blobs.routers, ...mail.routers],
    admitLogin: (result) => mail.admitLogin(result),
  });
  const server = http.createServer(app);
  server.on('upgrade', (req, socket, head) =>
    sync.handleUpgrade(req, socket, head),
  );
  let port: number;
  try {
    port = await listen(server, config.port, config.host);
  } catch (error) {
    await mail.stop();
    await blobs.stop();
    await storage.close();
    throw error;
  }
  const url = `http://${urlHost(config.host)}:${port}`;
  logger.info({ url, dataDir: config.dataDir }, 'relay started');

  const close = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const closed = new Promise<void>((resolve) =>
      server.close(() => resolve()),
    );
    await mail.stop();
    await sync.close();
    server.closeAllConnections();
    await closed;
    await blobs.stop();
    await writer.flush();
    await docs.close();
    await storage.close();
    logger.info('relay stopped');
  };
  const { outbox } = mail;
  return { url, port, accounts, storage, docs, metrics, blobs, outbox, close };
}

function listen(
  server: http.Server,
  port: number,
  host: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
