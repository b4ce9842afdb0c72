export * from './protocol.js';
export type { EngineOptions } from './options.js';
export type { EngineError, EngineErrorKind } from './errors.js';
export { InvalidRecordError, RecordNotFoundError } from './errors.js';
export type { ConnectionState } from './sync/connection.js';
export { backoffDelay, type BackoffOptions } from './sync/backoff.js';
export type { RecordStore, ReadOnlyStore } from './record-store.js';
export {
  openStaffEngine,
  type StaffEngine,
  type ContactInput,
  type DocumentInput,
  type InvoiceInput,
  type PaymentInput,
  type OutboxInput,
} from './staff-engine.js';
export {
  openPortalEngine,
  fetchSession,
  type PortalEngine,
  type Session,
} from './portal-engine.js';
export * from './schemas.js';
export * from './billing-api/index.js';
export type { StaffFiles, LocalFile } from './transfers/staff-files.js';
export type {
  Transfer,
  TransferKind,
  TransferState,
} from './transfers/types.js';
export { MAX_TRANSFER_ATTEMPTS } from './transfers/transfer-queue.js';
export { LOCAL_CHUNK_BYTES } from './transfers/file-store.js';
export * from './portal/index.js';
