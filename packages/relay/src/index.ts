export { startRelay, type Relay, type RelayOptions } from './relay.js';
export { loadConfig, ConfigError, type RelayConfig } from './config.js';
export { createLogger } from './logger.js';
export { Accounts, hashToken } from './accounts/accounts.js';
export { hashPassword, verifyPassword } from './accounts/passwords.js';
export { SqliteStorage, DATABASE_FILE } from './storage/sqlite.js';
export type {
  Account,
  DocUpdate,
  NewAccount,
  PaymentEventRecord,
  Role,
  Session,
  Storage,
  StoredUpdate,
} from './storage/types.js';
export {
  createBackup,
  restoreBackup,
  BackupError,
  type BackupManifest,
} from './backup/backup.js';
export * from './blobs/index.js';
export { startBlobService, type BlobService } from './blobs/service.js';
export {
  createPortalFilesRouter,
  requireRole,
  type PortalFilesOptions,
  type UploadNotice,
} from './http/portal-files.js';
export type { Outbox, StaffNotice } from './outbox/outbox.js';
export type { OutboxTuning } from './outbox/service.js';
