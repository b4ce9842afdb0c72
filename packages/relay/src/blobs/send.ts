import type { Request, Response } from 'express';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { contentDispositionAttachment } from '@portico/engine/files';
import { BlobNotFoundError } from './errors.js';
import { safeMediaType } from './media-types.js';
import { parseRange, type RangeResult } from './range.js';
import type { BlobStore } from './store.js';

export interface SendBlobOptions {
  /** Name offered to the browser; it is cleaned before use. */
  name?: string;
  /** Recorded media type; active types are sent as octet-stream. */
  mediaType?: string;
  logger?: Pick<Logger, 'warn'>;
}

/**
 * Streams a stored blob as a download: `Range` support (206 and 416),
 * `Content-Disposition: attachment`, `X-Content-Type-Options: nosniff` and a
 * passive Content-Type. A missing blob rejects with `BlobNotFoundError`
 * before any header is sent. The caller checks access first.
 */
export async function sendBlob(
  res: Response,
  req: Request,
  store: BlobStore,
  sha256: string,
  options: SendBlobOptions = {},
): Promise<void> {
  const info = await store.stat(sha256);
  if (!info) throw new BlobNotFoundError(sha256);
  const range = requestedRange(req, sha256, info.size);

  if (range.kind === 'unsatisfiable') {
    setDownloadHeaders(res, sha256, options);
    res.status(416).set('Content-Range', `bytes */${info.size}`).end();
    return;
  }

  const body = range.kind === 'partial' ? range.range : undefined;
  const length = body ? body.end - body.start + 1 : info.size;
  // Open before any header is set, so a blob deleted since the stat still
  // gets a clean 404 from the error handler.
  const stream =
    req.method === 'HEAD' || length === 0
      ? undefined
      : await store.open(sha256, body);

  setDownloadHeaders(res, sha256, options);
  res.status(body ? 206 : 200);
  if (body) {
    res.set('Content-Range', `bytes ${body.start}-${body.end}/${info.size}`);
  }
  res.set('Content-Length', String(length));
  if (!stream) {
    res.end();
    return;
  }
  await streamBody(res, stream, sha256, options.logger);
}

// A client resuming a download sends If-Range with the ETag it saw. Any
// other validator means its partial copy is of different bytes, so the
// Range header is ignored and the whole blob is sent.
function requestedRange(
  req: Request,
  sha256: string,
  size: number,
): RangeResult {
  const ifRange = req.get('If-Range');
  const honoured = ifRange === undefined || ifRange === `"${sha256}"`;
  return parseRange(honoured ? req.get('Range') : undefined, size);
}

function setDownloadHeaders(
  res: Response,
  sha256: string,
  options: SendBlobOptions,
): void {
  res.set({
    'Content-Type': safeMediaType(options.mediaType, options.name),
    'Content-Disposition': contentDispositionAttachment(options.name ?? sha256),
    'X-Content-Type-Options': 'nosniff',
    // Should a browser render the bytes anyway, they get no script and no
    // access to the relay's origin.
    'Content-Security-Policy': "default-src 'none'; sandbox",
    // Client documents are confidential, so no shared or disk cache keeps
    // them; the ETag still lets a client resume with If-Range.
    'Cache-Control': 'private, no-store',
    'Accept-Ranges': 'bytes',
    ETag: `"${sha256}"`,
  });
}

async function streamBody(
  res: Response,
  stream: Readable,
  sha256: string,
  logger: Pick<Logger, 'warn'> | undefined,
): Promise<void> {
  try {
    await pipeline(stream, res);
  } catch (error) {
    // The status line is already sent, so the only signal left is a cut
    // connection; a client that went away lands here too.
    logger?.warn({ err: error, sha256 }, 'blob download stopped early');
    res.destroy();
  }
}
