import express, {
  Router,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { Logger } from 'pino';
import { sanitizeFileName } from '@portico/engine/files';
import {
  BadUploadRequestError,
  BlobError,
  BlobHashMismatchError,
  UploadNotFoundError,
} from './errors.js';
import {
  blobUploadMiddleware,
  checkTextFields,
  chunkUploadMiddleware,
  declaredSha256,
  discardIfCreated,
  storedUploadOf,
} from './multipart.js';
import { sendBlob } from './send.js';
import { assertSha256Hex, type BlobStore } from './store.js';
import {
  ChunkedUploads,
  MAX_CHUNK_BYTES,
  isUploadId,
  type CreateUploadRequest,
} from './uploads.js';

export interface BlobRouterOptions {
  store: BlobStore;
  /** Folder for resumable uploads in progress; it survives restarts. */
  uploadsDir: string;
  /** Largest accepted file in bytes, for both upload styles. */
  maxUploadBytes: number;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Middleware that lets only signed-in staff through. */
  requireStaff: RequestHandler;
}

/**
 * Builds the staff blob routes: `POST /api/blobs`, `GET /api/blobs/:sha256`
 * and the resumable upload routes under `/api/uploads` (see
 * docs/uploads.md). Errors are sent as `{ error: { code, message } }`.
 */
export function createBlobRouter(options: BlobRouterOptions): Router {
  const { store, logger, requireStaff, maxUploadBytes } = options;
  const uploads = new ChunkedUploads({
    dir: options.uploadsDir,
    store,
    maxUploadBytes,
  });
  const router = Router();

  router.post(
    '/api/blobs',
    requireStaff,
    blobUploadMiddleware(store, maxUploadBytes),
    async (req, res) => {
      const result = await finishBlobUpload(req, store);
      logger.info({ sha256: result.sha256, size: result.size }, 'blob stored');
      res.status(201).json(result);
    },
  );

  router.get('/api/blobs/:sha256', requireStaff, async (req, res) => {
    const sha256 = String(req.params.sha256);
    assertSha256Hex(sha256);
    const name = singleQueryValue(req, 'name');
    await sendBlob(res, req, store, sha256, { name, logger });
  });

  router.post(
    '/api/uploads',
    requireStaff,
    express.json({ limit: '4kb' }),
    async (req, res) => {
      const request = parseCreateUpload(req.body);
      const existing = await store.stat(request.sha256);
      if (existing && existing.size === request.size) {
        // The bytes are already here, for example because an earlier
        // complete succeeded but its response was lost.
        res.status(200).json({ alreadyStored: true, ...existing });
        return;
      }
      const session = await uploads.create(request);
      logger.info(
        { uploadId: session.id, size: session.size },
        'upload created',
      );
      res.status(201).location(`/api/uploads/${session.id}`);
      res.json({ ...session, receivedChunks: [], receivedBytes: 0 });
    },
  );

  router.get('/api/uploads/:id', requireStaff, async (req, res) => {
    res.json(await uploads.status(uploadIdOf(req)));
  });

  router.put(
    '/api/uploads/:id/chunks/:index',
    requireStaff,
    // Reject an unknown upload before multer reads the body.
    async (req, _res, next) => {
      await uploads.status(uploadIdOf(req));
      parseChunkIndex(req);
      next();
    },
    chunkUploadMiddleware(uploads, MAX_CHUNK_BYTES),
    (req, res) => {
      if (!req.file) throw missingFileError('chunk');
      res.json({ index: parseChunkIndex(req), size: req.file.size });
    },
  );

  router.post('/api/uploads/:id/complete', requireStaff, async (req, res) => {
    const id = uploadIdOf(req);
    const result = await uploads.complete(id);
    logger.info({ uploadId: id, sha256: result.sha256 }, 'upload completed');
    res.status(201).json({ sha256: result.sha256, size: result.size });
  });

  router.delete('/api/uploads/:id', requireStaff, async (req, res) => {
    await uploads.cancel(uploadIdOf(req));
    res.status(204).end();
  });

  router.use(createErrorHandler(logger));
  return router;
}

/**
 * Runs after the multer middleware: the file is stored, but fields sent
 * after it are only checked now. A failing check drops the blob this
 * request created.
 */
export async function finishBlobUpload(
  req: Request,
  store: BlobStore,
): Promise<{ sha256: string; size: number; name: string }> {
  const stored = storedUploadOf(req);
  if (!req.file || !stored) throw missingFileError('file');
  try {
    checkTextFields(req);
    const declared = declaredSha256(req);
    if (declared !== undefined && declared !== stored.sha256) {
      throw new BlobHashMismatchError(declared, stored.sha256);
    }
  } catch (error) {
    await discardIfCreated(req, store);
    throw error;
  }
  const name = sanitizeFileName(req.file.originalname);
  return { sha256: stored.sha256, size: stored.size, name };
}

function missingFileError(field: string): BadUploadRequestError {
  return new BadUploadRequestError(
    'missing_file',
    `No file received; send multipart/form-data with the file in the field "${field}".`,
  );
}

function parseCreateUpload(body: unknown): CreateUploadRequest {
  if (typeof body !== 'object' || body === null) {
    throw new BadUploadRequestError(
      'invalid_request',
      'Expected a JSON body { size, sha256, chunkSize? } with Content-Type application/json.',
    );
  }
  const { size, sha256, chunkSize } = body as Record<string, unknown>;
  if (typeof size !== 'number' || typeof sha256 !== 'string') {
    throw new BadUploadRequestError(
      'invalid_request',
      'Expected "size" as a number of bytes and "sha256" as 64 hex digits.',
    );
  }
  if (chunkSize !== undefined && typeof chunkSize !== 'number') {
    throw new BadUploadRequestError(
      'invalid_chunk_size',
      `Invalid chunkSize ${JSON.stringify(chunkSize)}: expected a number of bytes.`,
    );
  }
  return { size, sha256: sha256.toLowerCase(), chunkSize };
}

function uploadIdOf(req: Request): string {
  const id = String(req.params.id);
  if (!isUploadId(id)) throw new UploadNotFoundError(id.slice(0, 80));
  return id;
}

function parseChunkIndex(req: Request): number {
  const text = String(req.params.index);
  if (!/^\d{1,9}$/.test(text)) {
    throw new BadUploadRequestError(
      'invalid_chunk_index',
      `Invalid chunk index ${JSON.stringify(text.slice(0, 20))}: expected a whole number.`,
    );
  }
  return Number(text);
}

function singleQueryValue(req: Request, key: string): string | undefined {
  const value: unknown = req.query[key];
  if (value === undefined || typeof value === 'string') return value;
  throw new BadUploadRequestError(
    'invalid_query',
    `The query parameter "${key}" was given more than once; send it once.`,
  );
}

/** Sends blob errors as `{ error: { code, message } }` and logs them. */
export function createErrorHandler(
  logger: BlobRouterOptions['logger'],
): express.ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const body = describeError(error);
    if (body.status >= 500) {
      logger.error(
        { err: error, method: req.method, path: req.path },
        'blob request failed',
      );
    } else {
      logger.info(
        { code: body.code, method: req.method, path: req.path },
        'blob request rejected',
      );
    }
    res
      .status(body.status)
      .json({ error: { code: body.code, message: body.message } });
  };
}

function describeError(error: unknown): {
  status: number;
  code: string;
  message: string;
} {
  if (error instanceof BlobError) {
    return { status: error.status, code: error.code, message: error.message };
  }
  // body-parser marks a malformed or oversized JSON body with a 4xx status.
  if (isHttpClientError(error)) {
    return {
      status: error.status,
      code: 'invalid_request',
      message: `Invalid request body: ${error.message}`,
    };
  }
  return {
    status: 500,
    code: 'internal_error',
    message:
      'The relay failed to handle the file request; the error is logged.',
  };
}

function isHttpClientError(
  error: unknown,
): error is Error & { status: number } {
  return (
    error instanceof Error &&
    'status' in error &&
    typeof error.status === 'number' &&
    error.status >= 400 &&
    error.status < 500
  );
}
