/**
 * The relay's blob API as the staff engine uses it: one-request uploads for
 * small files, resumable chunked uploads for large ones, and streamed
 * downloads. In Node the bearer token authenticates; in a browser the
 * same-origin session cookie does, so no token is passed there.
 */
import { copyToArrayBuffer, LOCAL_CHUNK_BYTES } from './file-store.js';
import type { LocalFileStore, StoredFile } from './file-store.js';

/** Files up to this size go in one `POST /api/blobs`; larger ones resume. */
export const SINGLE_REQUEST_MAX_BYTES = LOCAL_CHUNK_BYTES;

/** A failed relay request; `status` is undefined when no response came. */
export class RelayHttpError extends Error {
  override name = 'RelayHttpError';
  constructor(
    readonly status: number | undefined,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** True when the same request may succeed later without any change. */
  get retryable(): boolean {
    const status = this.status;
    if (status === undefined) return true;
    return status >= 500 || status === 408 || status === 429;
  }
}

export interface UploadProgress {
  bytesDone: number;
  /** Set once a resumable upload exists, so a restart can continue it. */
  uploadId?: string;
}

interface UploadStatusBody {
  id: string;
  receivedChunks: number[];
  chunkCount: number;
}

export class RelayHttp {
  private readonly base: string;
  private readonly aborter = new AbortController();
  /** Aborts only the requests of the transfer that runs now. */
  private current = new AbortController();

  constructor(
    relayUrl: string,
    private readonly token: string | undefined,
    private readonly fetchFn: typeof fetch,
  ) {
    this.base = relayUrl.replace(/\/+$/, '');
  }

  /** Cancels every request in flight and every later one. */
  abort(): void {
    this.aborter.abort(new Error('the engine is closing'));
  }

  /** Cancels the requests in flight; later requests are not affected. */
  abortCurrent(): void {
    this.current.abort(new Error('the transfer was cancelled'));
    this.current = new AbortController();
  }

  /** Sends a locally stored file; resolves once the relay stores the blob. */
  async upload(
    store: LocalFileStore,
    file: StoredFile,
    uploadId: string | undefined,
    onProgress: (progress: UploadProgress) => Promise<void>,
  ): Promise<void> {
    if (file.size <= SINGLE_REQUEST_MAX_BYTES) {
      await this.uploadInOneRequest(store, file);
      await onProgress({ bytesDone: file.size });
      return;
    }
    await this.uploadInChunks(store, file, uploadId, onProgress);
  }

  /** Streams a blob's bytes from `GET /api/blobs/<sha256>`. */
  async *download(
    sha256: string,
    onProgress: (bytesDone: number) => void,
  ): AsyncIterable<Uint8Array> {
    const response = await this.request(`/api/blobs/${sha256}`, {});
    if (response.body === null) return;
    const reader = response.body.getReader();
    let bytesDone = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        bytesDone += value.length;
        onProgress(bytesDone);
        yield value;
      }
    } catch (error) {
      throw toHttpError(error);
    } finally {
      reader.releaseLock();
    }
  }

  private async uploadInOneRequest(store: LocalFileStore, file: StoredFile) {
    const form = new FormData();
    // The hash goes first, so the relay checks it while the bytes stream.
    form.append('sha256', file.sha256);
    const bytes = file.chunkCount === 0 ? [] : [await store.readChunk(file, 0)];
    form.append('file', new Blob(bytes.map(copyToArrayBuffer)), 'file');
    await this.request('/api/blobs', { method: 'POST', body: form });
  }

  private async uploadInChunks(
    store: LocalFileStore,
    file: StoredFile,
    knownUploadId: string | undefined,
    onProgress: (progress: UploadProgress) => Promise<void>,
  ): Promise<void> {
    const status = await this.openUpload(file, knownUploadId);
    if (status === undefined) return;
    const uploadId = status.id;
    const received = new Set(status.receivedChunks);
    let bytesDone = chunkBytes(file, received);
    await onProgress({ bytesDone, uploadId });

    for (let index = 0; index < file.chunkCount; index++) {
      if (received.has(index)) continue;
      const bytes = await store.readChunk(file, index);
      await this.sendChunk(uploadId, index, bytes);
      bytesDone += bytes.length;
      await onProgress({ bytesDone, uploadId });
    }
    await this.request(`/api/uploads/${uploadId}/complete`, {
      method: 'POST',
    });
  }

  /**
   * Returns the status of the upload to continue: the known one if the
   * relay still has it, else a new one. Returns undefined when the relay
   * already stores the blob.
   */
  private async openUpload(
    file: StoredFile,
    knownUploadId: string | undefined,
  ): Promise<UploadStatusBody | undefined> {
    if (knownUploadId !== undefined) {
      try {
        const known = await this.request(`/api/uploads/${knownUploadId}`, {});
        return (await known.json()) as UploadStatusBody;
      } catch (error) {
        // The upload expired or was completed; start over below.
        if (!(error instanceof RelayHttpError) || error.status !== 404) {
          throw error;
        }
      }
    }
    const created = await this.request('/api/uploads', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        size: file.size,
        sha256: file.sha256,
        chunkSize: LOCAL_CHUNK_BYTES,
      }),
    });
    const body = (await created.json()) as UploadStatusBody & {
      alreadyStored?: boolean;
    };
    return body.alreadyStored === true ? undefined : body;
  }

  private async sendChunk(uploadId: string, index: number, bytes: Uint8Array) {
    const form = new FormData();
    form.append('chunk', new Blob([copyToArrayBuffer(bytes)]), 'chunk');
    await this.request(`/api/uploads/${uploadId}/chunks/${index}`, {
      method: 'PUT',
      body: form,
    });
  }

  private async request(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token !== undefined) {
      headers.set('authorization', `Bearer ${this.token}`);
    }
    let response: Response;
    try {
      response = await this.fetchFn(`${this.base}${path}`, {
        ...init,
        headers,
        credentials: 'same-origin',
        signal: AbortSignal.any([this.aborter.signal, this.current.signal]),
      });
    } catch (error) {
      throw toHttpError(error);
    }
    if (!response.ok) throw await errorOf(response, path);
    return response;
  }
}

function chunkBytes(file: StoredFile, received: Set<number>): number {
  let bytes = 0;
  for (const index of received) {
    const start = index * LOCAL_CHUNK_BYTES;
    bytes += Math.max(0, Math.min(LOCAL_CHUNK_BYTES, file.size - start));
  }
  return bytes;
}

async function errorOf(response: Response, path: string) {
  let code = 'http_error';
  let message = `${path} failed with status ${response.status}.`;
  try {
    const body = (await response.json()) as {
      error?: { code?: string; message?: string };
    };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // The body was not the relay's JSON error; keep the status message.
  }
  return new RelayHttpError(response.status, code, message);
}

function toHttpError(error: unknown): RelayHttpError {
  if (error instanceof RelayHttpError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new RelayHttpError(
    undefined,
    'network_error',
    `The relay could not be reached: ${detail}`,
  );
}
