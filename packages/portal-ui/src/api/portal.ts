/** The relay's portal routes: downloads, uploads and online payment. */
import { ApiError, NETWORK_ERROR, errorFromBody, requestJson } from './http.js';

/** URL that downloads a published file as an attachment. */
export function downloadUrl(fileId: string): string {
  return `/api/portal/files/${encodeURIComponent(fileId)}`;
}

/** Progress of one upload, in bytes. */
export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * Uploads one file as the multipart field `file`. It uses XMLHttpRequest
 * because `fetch` reports no upload progress. Raises `ApiError`; a file
 * over the relay's limit gets status 413 with the limit in its message.
 */
export function uploadFile(
  file: File,
  onProgress: (progress: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  const form = new FormData();
  form.append('file', file, file.name);
  const request = new XMLHttpRequest();
  request.open('POST', '/api/portal/files');
  request.setRequestHeader('accept', 'application/json');
  request.upload.onprogress = (event) => {
    const total = event.lengthComputable ? event.total : file.size;
    onProgress({ loaded: event.loaded, total });
  };

  return new Promise((resolve, reject) => {
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) resolve();
      else reject(errorFromBody(request.status, request.responseText));
    };
    request.onerror = () =>
      reject(
        new ApiError(
          0,
          NETWORK_ERROR,
          `Uploading "${file.name}" failed because the connection dropped. ` +
            'Try again when you are online.',
        ),
      );
    request.onabort = () =>
      reject(new ApiError(0, 'aborted', `Upload of "${file.name}" cancelled.`));
    signal?.addEventListener('abort', () => request.abort(), { once: true });
    request.send(form);
  });
}

/** Starts an online payment and returns the provider's checkout URL. */
export async function startPayment(invoiceId: string): Promise<string> {
  const path = `/api/portal/invoices/${encodeURIComponent(invoiceId)}/pay`;
  const result = await requestJson<{ redirectUrl?: unknown }>('POST', path);
  const url = result?.redirectUrl;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
    throw new ApiError(
      502,
      'invalid_redirect',
      'The payment could not be started because the server sent no ' +
        'checkout address. Try again later or contact the firm.',
    );
  }
  return url;
}
