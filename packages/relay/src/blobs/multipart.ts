import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import {
  BadUploadRequestError,
  BlobError,
  BlobTooLargeError,
  StorageFullError,
  isDiskFullError,
} from './errors.js';
import type { BlobStore, PutResult } from './store.js';
import { assertSha256Hex } from './store.js';
import type { ChunkedUploads } from './uploads.js';

/** Multipart field that carries the file of `POST /api/blobs`. */
export const FILE_FIELD = 'file';
/** Optional text field with the SHA-256 the client expects. */
export const SHA256_FIELD = 'sha256';
/** Multipart field that carries one chunk of a resumable upload. */
export const CHUNK_FIELD = 'chunk';

/** Result of the blob storage engine for one request. */
export interface StoredUpload extends PutResult {
  /** True when the declared hash arrived before the file and was checked. */
  declaredHashChecked: boolean;
}

const storedUploads = new WeakMap<Request, StoredUpload>();

/** Returns the blob the multer storage engine stored for `req`, if any. */
export function storedUploadOf(req: Request): StoredUpload | undefined {
  return storedUploads.get(req);
}

/**
 * Multer storage engine that streams the file straight into the blob
 * store, so the relay never keeps a whole file in memory or writes it
 * twice.
 */
class BlobStorageEngine implements multer.StorageEngine {
  constructor(
    private readonly store: BlobStore,
    private readonly maxBytes: number,
  ) {}

  _handleFile(
    req: Request,
    file: Express.Multer.File,
    callback: (error?: unknown, info?: Partial<Express.Multer.File>) => void,
  ): void {
    let declared: string | undefined;
    try {
      // Fields sent before the file are already parsed; checking them now
      // rejects a bad request before a single byte is written.
      checkTextFields(req);
      declared = declaredSha256(req);
    } catch (error) {
      file.stream.resume();
      callback(error);
      return;
    }

    const options = { expectedSha256: declared, maxBytes: this.maxBytes };
    this.store.put(file.stream, options).then(
      (result) => {
        storedUploads.set(req, {
          ...result,
          declaredHashChecked: declared !== undefined,
        });
        callback(null, { size: result.size, filename: result.sha256 });
      },
      (error: unknown) => callback(error),
    );
  }

  // Multer calls this when the request fails after the file was stored, for
  // example when the client aborts before the closing boundary.
  _removeFile(
    req: Request,
    _file: Express.Multer.File,
    callback: (error: Error | null) => void,
  ): void {
    discardIfCreated(req, this.store).then(
      () => callback(null),
      (error: unknown) => callback(toError(error)),
    );
  }
}

/**
 * Removes the blob stored for `req` if this request created it. A blob that
 * existed before belongs to someone else and stays.
 *
 * NOTE: an upload of the same bytes that runs at the same moment and found
 * the blob already stored loses it here. Its record then points at a missing
 * blob until the bytes are uploaded again; the window is one request.
 */
export async function discardIfCreated(
  req: Request,
  store: BlobStore,
): Promise<void> {
  const stored = storedUploads.get(req);
  storedUploads.delete(req);
  if (stored?.created) await store.delete(stored.sha256);
}

/** Multer storage engine that writes one chunk of a resumable upload. */
class ChunkStorageEngine implements multer.StorageEngine {
  constructor(private readonly uploads: ChunkedUploads) {}

  _handleFile(
    req: Request,
    file: Express.Multer.File,
    callback: (error?: unknown, info?: Partial<Express.Multer.File>) => void,
  ): void {
    const id = String(req.params.id);
    const index = Number(req.params.index);
    this.uploads.writeChunk(id, index, file.stream).then(
      (written) => callback(null, { size: written.size }),
      (error: unknown) => callback(error),
    );
  }

  // A stored chunk contains exactly the bytes the client sent, and sending it
  // again replaces it, so there is nothing to undo.
  _removeFile(
    _req: Request,
    _file: Express.Multer.File,
    callback: (error: Error | null) => void,
  ): void {
    callback(null);
  }
}

// Limits that make a hostile multipart body fail fast. A blob upload has
// one file and at most the sha256 field. The few spare parts let the handler
// name an unexpected field instead of reporting only "too many parts".
const BLOB_LIMITS = {
  files: 1,
  fields: 4,
  parts: 8,
  fieldNameSize: 100,
  fieldSize: 1024,
  headerPairs: 50,
};

/** Builds the multer middleware of `POST /api/blobs`. */
export function blobUploadMiddleware(
  store: BlobStore,
  maxBytes: number,
): RequestHandler {
  const upload = multer({
    storage: new BlobStorageEngine(store, maxBytes),
    // Browsers send the filename parameter as raw UTF-8; multer's default
    // of latin1 would garble every non-ASCII name.
    defParamCharset: 'utf8',
    // Without this busboy cuts the name to its last path segment and drops
    // "." and ".." entirely, which turns such an upload into "no file".
    // Names are cleaned by sanitizeFileName instead, which keeps them as data.
    preservePath: true,
    limits: { ...BLOB_LIMITS, fileSize: maxBytes },
  }).single(FILE_FIELD);
  return withUploadErrors(upload, maxBytes);
}

/** Builds the multer middleware of the chunk route. */
export function chunkUploadMiddleware(
  uploads: ChunkedUploads,
  maxChunkBytes: number,
): RequestHandler {
  const upload = multer({
    storage: new ChunkStorageEngine(uploads),
    limits: { ...BLOB_LIMITS, fields: 0, parts: 2, fileSize: maxChunkBytes },
  }).single(CHUNK_FIELD);
  return withUploadErrors(upload, maxChunkBytes);
}

/**
 * Rejects text fields other than `sha256`, a field with an empty name and a
 * field given twice, all with 400.
 */
export function checkTextFields(req: Request): void {
  const body = (req.body ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(body)) {
    if (name === '') {
      throw new BadUploadRequestError(
        'empty_field_name',
        'A multipart field has an empty name; name every field.',
      );
    }
    if (name !== SHA256_FIELD) {
      throw new BadUploadRequestError(
        'unexpected_field',
        `Unexpected multipart field ${JSON.stringify(name.slice(0, 100))}; send only "${FILE_FIELD}" and optionally "${SHA256_FIELD}".`,
      );
    }
    if (typeof value !== 'string') {
      throw new BadUploadRequestError(
        'duplicate_field',
        `The field "${name}" was given more than once; send it once.`,
      );
    }
  }
}

/** Returns the validated `sha256` field of `req`, if one was sent. */
export function declaredSha256(req: Request): string | undefined {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const value = body[SHA256_FIELD];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new BadUploadRequestError(
      'duplicate_field',
      `The field "${SHA256_FIELD}" was given more than once; send it once.`,
    );
  }
  const normalised = value.trim().toLowerCase();
  assertSha256Hex(normalised);
  return normalised;
}

// Multer reports parser failures as plain errors (for example busboy's
// "Unexpected end of form") next to its own MulterError codes. Both are the
// client's fault, so they become 400; only system errors stay 500.
function withUploadErrors(
  upload: RequestHandler,
  maxBytes: number,
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    void upload(req, res, (error?: unknown) => {
      next(error === undefined ? undefined : toUploadError(error, maxBytes));
    });
  };
}

// The store's pipeline destroys multer's file stream with the original
// error, and multer may report that before the store's own typed error.
function toUploadError(error: unknown, maxBytes: number): unknown {
  if (error instanceof BlobError) return error;
  if (isDiskFullError(error)) return new StorageFullError({ cause: error });
  if (error instanceof multer.MulterError)
    return fromMulterError(error, maxBytes);
  if (isSystemError(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new BadUploadRequestError(
    'invalid_multipart',
    `Invalid multipart body: ${detail}. Send multipart/form-data with a closing boundary.`,
  );
}

function fromMulterError(
  error: multer.MulterError,
  maxBytes: number,
): BlobError {
  switch (error.code) {
    case 'LIMIT_FILE_SIZE':
      return new BlobTooLargeError(maxBytes);
    case 'LIMIT_UNEXPECTED_FILE':
      return new BadUploadRequestError(
        'unexpected_file',
        `Unexpected file in field ${JSON.stringify(error.field ?? '')}; send exactly one file in the expected field.`,
      );
    case 'LIMIT_FILE_COUNT':
      return new BadUploadRequestError(
        'too_many_files',
        'The multipart body has more than one file; send one file per request.',
      );
    case 'MISSING_FIELD_NAME':
      return new BadUploadRequestError(
        'empty_field_name',
        'A multipart part has a missing or empty field name; name every field.',
      );
    case 'LIMIT_PART_COUNT':
    case 'LIMIT_FIELD_COUNT':
      return new BadUploadRequestError(
        'too_many_parts',
        `The multipart body has too many parts (${error.message}); send one file and at most the "${SHA256_FIELD}" field.`,
      );
    default:
      return new BadUploadRequestError(
        'invalid_multipart',
        `Invalid multipart body: ${error.message} (${error.code}).`,
      );
  }
}

function isSystemError(error: unknown): boolean {
  return error instanceof Error && 'syscall' in error;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
