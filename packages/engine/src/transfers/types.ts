/** Records of the File Transfer Queue. */

export type TransferState =
  'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/**
 * - `upload`: sends a locally stored file to the relay; when the relay stores
 *   it, the portal file turns `available`.
 * - `download`: fetches a portal file's blob into the local store; with
 *   `takeIn`, it then becomes a document of the contact.
 */
export type TransferKind = 'upload' | 'download';

export interface Transfer {
  id: string;
  kind: TransferKind;
  state: TransferState;
  contactId: string;
  /** The portal file this transfer moves. */
  fileId: string;
  name: string;
  sha256: string;
  mediaType: string;
  bytesDone: number;
  bytesTotal: number;
  /** Attempts started so far, including the running one. */
  attempts: number;
  lastError?: string;
  /** ISO 8601 UTC; a queued transfer waits until then after a failure. */
  nextAttemptAt?: string;
  createdAt: string;
  updatedAt: string;
  /** Uploads started together share it; it is also the notice's id. */
  batchId?: string;
  /** Resumable upload on the relay, kept so a restart continues it. */
  uploadId?: string;
  /** Download only: add the file to the contact's documents when done. */
  takeIn?: boolean;
}
