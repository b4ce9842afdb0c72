// Typed failures of the blob store and the upload routes. Each carries a
// stable `code` for the `{ error: { code, message } }` body and the HTTP
// status it maps to, so the routes never parse messages.

/** Base class of every failure the blob module reports on purpose. */
export class BlobError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A blob or upload body is larger than the configured limit. */
export class BlobTooLargeError extends BlobError {
  constructor(readonly limitBytes: number) {
    super(
      'file_too_large',
      413,
      `The upload exceeds the limit of ${limitBytes} bytes; send a smaller file or ask the operator to raise the limit.`,
    );
  }
}

/** The disk ran out of space (ENOSPC or EDQUOT) while writing. */
export class StorageFullError extends BlobError {
  constructor(options?: { cause?: unknown }) {
    super(
      'storage_full',
      507,
      'The relay has no disk space left for this upload; try again after the operator frees space.',
    );
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** The bytes received do not hash to the SHA-256 the client declared. */
export class BlobHashMismatchError extends BlobError {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      'sha256_mismatch',
      422,
      `The declared SHA-256 ${expected} does not match the received bytes (${actual}); nothing was stored, upload the file again.`,
    );
  }
}

/** A SHA-256 given by a client is not 64 lowercase hex digits. */
export class InvalidSha256Error extends BlobError {
  constructor(value: string) {
    super(
      'invalid_sha256',
      400,
      `Invalid SHA-256 ${JSON.stringify(value.slice(0, 80))}: expected 64 lowercase hexadecimal digits.`,
    );
  }
}

/** No blob with this hash is stored. */
export class BlobNotFoundError extends BlobError {
  constructor(readonly sha256: string) {
    super('blob_not_found', 404, `Blob ${sha256} not found.`);
  }
}

/** A request was rejected before anything was stored (bad field, bad JSON). */
export class BadUploadRequestError extends BlobError {
  constructor(code: string, message: string) {
    super(code, 400, message);
  }
}

/** No resumable upload with this id exists (never created, completed or expired). */
export class UploadNotFoundError extends BlobError {
  constructor(readonly uploadId: string) {
    super(
      'upload_not_found',
      404,
      `Upload ${uploadId} not found; it was completed, cancelled or expired. Start a new upload.`,
    );
  }
}

/** `complete` was called before every chunk was stored. */
export class UploadIncompleteError extends BlobError {
  constructor(
    readonly uploadId: string,
    readonly missingChunks: number[],
  ) {
    const shown = missingChunks.slice(0, 20).join(', ');
    const more = missingChunks.length > 20 ? ', ...' : '';
    super(
      'upload_incomplete',
      409,
      `Upload ${uploadId} is missing ${missingChunks.length} chunk(s) (${shown}${more}); send them before completing.`,
    );
  }
}

const SYSTEM_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

/** Tells whether `error` is a Node.js system error for a full disk or quota. */
export function isDiskFullError(error: unknown): boolean {
  return (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    SYSTEM_FULL_CODES.has(error.code)
  );
}

/** Tells whether `error` is a Node.js system error with the given code. */
export function hasErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
