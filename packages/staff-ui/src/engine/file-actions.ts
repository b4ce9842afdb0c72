/**
 * Documents and portal files for the views: adding files from disk,
 * sending them through the File Transfer Queue, and the client's uploads.
 */
import type {
  Document,
  PortalFile,
  StaffEngine,
  Transfer,
} from '@portico/engine';
import { messageOf } from './portal-actions.js';

export type { PortalFile, Transfer };

/** A file that could not be added, with the reason in words. */
export interface FileFailure {
  name: string;
  reason: string;
}

/** Files published in one action, sharing one `file-notice` reminder. */
export interface UploadBatch {
  files: PortalFile[];
  /** The batch id, which is also the id of its reminder. */
  batchId: string | undefined;
  transferIds: string[];
}

export class FileActions {
  constructor(private readonly engine: StaffEngine) {}

  watchTransfers(listener: (transfers: Transfer[]) => void): () => void {
    const subscription = this.engine.files.transfers$.subscribe(listener);
    return () => subscription.unsubscribe();
  }

  /** Adds files to the contact's documents one by one; a failure stops none. */
  async addFromDisk(
    contactId: string,
    files: readonly File[],
  ): Promise<{ added: Document[]; failed: FileFailure[] }> {
    const added: Document[] = [];
    const failed: FileFailure[] = [];
    for (const file of files) {
      try {
        added.push(
          await this.engine.files.addDocumentFromDisk(contactId, file),
        );
      } catch (error) {
        failed.push({ name: file.name, reason: messageOf(error) });
      }
    }
    return { added, failed };
  }

  async uploadSelected(
    contactId: string,
    documentIds: readonly string[],
  ): Promise<UploadBatch> {
    const files = await this.engine.files.uploadSelectedFiles(
      contactId,
      documentIds,
    );
    return this.batchOf(files);
  }

  async uploadFromDisk(contactId: string, file: File): Promise<UploadBatch> {
    const published = await this.engine.files.uploadFileFromDisk(
      contactId,
      file,
    );
    return this.batchOf([published]);
  }

  viewFiles(contactId: string): Promise<PortalFile[]> {
    return this.engine.files.viewFiles(contactId);
  }

  checkForNewFiles(contactId: string): Promise<PortalFile[]> {
    return this.engine.files.checkForNewFiles(contactId);
  }

  /** Brings a client's file into the contact's documents. */
  takeIn(fileId: string): Promise<Document> {
    return this.engine.files.takeInFile(fileId);
  }

  download(fileId: string): Promise<Blob> {
    return this.engine.files.downloadFile(fileId);
  }

  readDocument(documentId: string): Promise<Blob> {
    return this.engine.files.readDocument(documentId);
  }

  deletePortalFile(fileId: string): Promise<void> {
    return this.engine.files.deletePortalFile(fileId);
  }

  retry(transferId: string): Promise<Transfer> {
    return this.engine.files.retryTransfer(transferId);
  }

  /** Cancels a transfer; a cancelled upload never reaches the client. */
  cancel(transferId: string): Promise<Transfer> {
    return this.engine.files.cancelTransfer(transferId);
  }

  /** Finds the queue entries of freshly published files. */
  private batchOf(files: PortalFile[]): UploadBatch {
    const ids = new Set(files.map((file) => file.id));
    const transfers = this.engine.files
      .listTransfers()
      .filter((transfer) => ids.has(transfer.fileId));
    return {
      files,
      batchId: transfers[0]?.batchId,
      transferIds: transfers.map((transfer) => transfer.id),
    };
  }
}
