/**
 * The relay's file service: the blob store under `DATA_DIR/blobs`, the
 * staff blob and upload routes, the client file routes, and the upkeep
 * that removes stale temp files, abandoned uploads and unreferenced blobs.
 */
import { join } from 'node:path';
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { Accounts } from '../accounts/accounts.js';
import type { RelayConfig } from '../config.js';
import {
  createPortalFilesRouter,
  requireRole,
  type UploadNotice,
} from '../http/portal-files.js';
import type { Storage } from '../storage/types.js';
import type { DocManager } from '../sync/doc-manager.js';
import { BlobMaintenance } from './maintenance.js';
import { createBlobRouter } from './routes.js';
import { FsBlobStore } from './store.js';
import { ChunkedUploads } from './uploads.js';

export interface BlobServiceOptions {
  config: Pick<
    RelayConfig,
    | 'dataDir'
    | 'publicUrl'
    | 'maxUploadBytes'
    | 'blobGraceMs'
    | 'firmNotifyEmail'
  >;
  accounts: Accounts;
  docs: DocManager;
  storage: Storage;
  logger: Logger;
  /** Queues the `staff-notice` email about a client's upload. */
  notifyStaff: (notice: UploadNotice) => Promise<void>;
}

export interface BlobService {
  readonly store: FsBlobStore;
  readonly maintenance: BlobMaintenance;
  /** Express routers to mount on the relay's app. */
  readonly routers: readonly Router[];
  stop(): Promise<void>;
}

/** Creates the service and starts its upkeep (once now, then hourly). */
export function startBlobService(options: BlobServiceOptions): BlobService {
  const { config, accounts, docs, storage } = options;
  const logger = options.logger.child({ component: 'blobs' });
  const publicOrigin = new URL(config.publicUrl).origin;
  const store = new FsBlobStore({ dataDir: config.dataDir });
  const uploadsDir = join(config.dataDir, 'uploads');
  const maxUploadBytes = config.maxUploadBytes;

  const staffRoutes = createBlobRouter({
    store,
    uploadsDir,
    maxUploadBytes,
    logger,
    requireStaff: requireRole(accounts, publicOrigin, 'staff'),
  });
  const clientRoutes = createPortalFilesRouter({
    accounts,
    publicOrigin,
    docs,
    store,
    maxUploadBytes,
    logger,
    notifyStaff: options.notifyStaff,
  });

  const maintenance = new BlobMaintenance({
    store,
    uploads: new ChunkedUploads({ dir: uploadsDir, store, maxUploadBytes }),
    storage,
    logger,
    graceMs: config.blobGraceMs,
  });
  maintenance.start();

  return {
    store,
    maintenance,
    routers: [staffRoutes, clientRoutes],
    stop: () => maintenance.stop(),
  };
}
