export * from './errors.js';
export { safeMediaType, OPAQUE_MEDIA_TYPE } from './media-types.js';
export { CHUNK_FIELD, FILE_FIELD, SHA256_FIELD } from './multipart.js';
export { parseRange, type RangeResult } from './range.js';
export {
  createBlobRouter,
  finishBlobUpload,
  type BlobRouterOptions,
} from './routes.js';
export {
  BlobMaintenance,
  DEFAULT_MAINTENANCE_INTERVAL_MS,
  type BlobMaintenanceOptions,
  type MaintenanceResult,
} from './maintenance.js';
export {
  blobUploadMiddleware,
  discardIfCreated,
  storedUploadOf,
} from './multipart.js';
export { sendBlob, type SendBlobOptions } from './send.js';
export {
  FsBlobStore,
  assertSha256Hex,
  isSha256Hex,
  type BlobInfo,
  type BlobRange,
  type BlobStore,
  type FsBlobStoreOptions,
  type PutOptions,
  type PutResult,
} from './store.js';
export {
  ChunkedUploads,
  DEFAULT_CHUNK_BYTES,
  MAX_CHUNK_BYTES,
  MIN_CHUNK_BYTES,
  isUploadId,
  type ChunkedUploadsOptions,
  type CreateUploadRequest,
  type UploadSession,
  type UploadStatus,
} from './uploads.js';
