/**
 * The staff side of portal files: documents added from disk, files sent to
 * a client's portal through the File Transfer Queue, and files a client
 * uploaded, taken into the contact's documents.
 */
import { map, type Observable } from 'rxjs';
import type { RxCollection } from 'rxdb';
import { PORTAL_COLLECTIONS, type JsonRecord } from '../collections.js';
import type { EngineCore } from '../engine-core.js';
import { RecordNotFoundError } from '../errors.js';
import { sanitizeFileName } from '../files/names.js';
import { withoutMeta } from '../json.js';
import { portalDocName } from '../protocol.js';
import { YjsRecordStore, type RecordStore } from '../record-store.js';
import type {
  Contact,
  Document,
  OutboxMessage,
  PortalFile,
} from '../schemas.js';
import type {
  ContactInput,
  DocumentInput,
  OutboxInput,
} from '../staff-engine.js';
import { LocalFileStore } from './file-store.js';
import { RelayHttp } from './relay-http.js';
import { TransferQueue, type TransferHooks } from './transfer-queue.js';
import type { Transfer } from './types.js';

/** A file picked from disk: a browser `File`, or a Node `Blob` with a name. */
export type LocalFile = Blob & { readonly name: string };

/** Media type recorded when the file gives none. */
const UNKNOWN_MEDIA_TYPE = 'application/octet-stream';
const MAX_MEDIA_TYPE_LENGTH = 200;

export interface StaffFiles {
  /** Every transfer, oldest first, with its state and byte progress. */
  readonly transfers$: Observable<Transfer[]>;
  listTransfers(): Transfer[];
  /** Queues a `failed` transfer again. */
  retryTransfer(transferId: string): Promise<Transfer>;
  /**
   * Cancels a transfer that is not done. A cancelled upload's portal file
   * is marked `deleted`, so the client never sees a file that will not
   * arrive.
   */
  cancelTransfer(transferId: string): Promise<Transfer>;
  /** Resolves when a transfer is `done`; rejects when it `failed`. */
  whenTransferFinished(transferId: string): Promise<Transfer>;
  /**
   * Stores a file's bytes on this device, then adds it to the contact's
   * documents, so it can be uploaded later even when added offline.
   */
  addDocumentFromDisk(contactId: string, file: LocalFile): Promise<Document>;
  /** Returns a document's bytes from this device's store. */
  readDocument(documentId: string): Promise<Blob>;
  /**
   * Publishes documents to the contact's portal: each becomes a `to-client`
   * portal file in state `uploading` and a queued upload. A file turns
   * `available` once the relay stores its blob. When the whole batch has
   * finished, a `file-notice` reminder is created as `pending`.
   */
  uploadSelectedFiles(
    contactId: string,
    documentIds: readonly string[],
  ): Promise<PortalFile[]>;
  /** Publishes a file from disk without adding it to the documents. */
  uploadFileFromDisk(contactId: string, file: LocalFile): Promise<PortalFile>;
  /** Files the client uploaded that are not taken in yet. */
  checkForNewFiles(contactId: string): Promise<PortalFile[]>;
  /**
   * Downloads a client's file into this device's store, adds it to the
   * contact's documents (`source: 'portal'`) and sets `takenInAt`.
   */
  takeInFile(fileId: string): Promise<Document>;
  /** Every portal file of the contact that is not deleted, both directions. */
  viewFiles(contactId: string): Promise<PortalFile[]>;
  /** Returns a portal file's bytes, downloading them if needed. */
  downloadFile(fileId: string): Promise<Blob>;
  /** Marks a portal file `deleted`; the client can no longer list or download it. */
  deletePortalFile(fileId: string): Promise<void>;
  close(): Promise<void>;
}

/** The firm record stores that files work with. */
export interface FirmStores {
  contacts: RecordStore<Contact, ContactInput>;
  documents: RecordStore<Document, DocumentInput>;
  outbox: RecordStore<OutboxMessage, OutboxInput>;
}

const PORTAL_FILES_SPEC = PORTAL_COLLECTIONS.find(
  (spec) => spec.name === 'portalfiles',
);

export async function openStaffFiles(
  core: EngineCore,
  stores: FirmStores,
): Promise<StaffFiles> {
  const store = await LocalFileStore.open(
    core.options.indexedDB,
    `${core.options.databaseName}-files`,
  );
  try {
    const files = new StaffFilesImpl(core, stores, store);
    await files.start();
    return files;
  } catch (error) {
    store.close();
    throw error;
  }
}

class StaffFilesImpl implements StaffFiles {
  private queue!: TransferQueue;
  private readonly http: RelayHttp;

  constructor(
    private readonly core: EngineCore,
    private readonly stores: FirmStores,
    private readonly store: LocalFileStore,
  ) {
    const fetchFn = core.options.fetch ?? globalThis.fetch.bind(globalThis);
    this.http = new RelayHttp(
      core.options.relayUrl,
      core.options.token,
      fetchFn,
    );
  }

  async start(): Promise<void> {
    const online$ = this.core.connection$.pipe(
      map((state) => state === 'online'),
    );
    this.queue = await TransferQueue.open(
      this.store,
      this.http,
      this.hooks,
      online$,
    );
  }

  get transfers$(): Observable<Transfer[]> {
    return this.queue.transfers$;
  }

  listTransfers(): Transfer[] {
    return this.queue.list();
  }

  retryTransfer(transferId: string): Promise<Transfer> {
    return this.queue.retry(transferId);
  }

  cancelTransfer(transferId: string): Promise<Transfer> {
    return this.queue.cancel(transferId);
  }

  whenTransferFinished(transferId: string): Promise<Transfer> {
    return this.queue.whenFinished(transferId);
  }

  async addDocumentFromDisk(
    contactId: string,
    file: LocalFile,
  ): Promise<Document> {
    await this.contact(contactId);
    const stored = await this.store.put(file);
    return this.stores.documents.create({
      contactId,
      name: sanitizeFileName(file.name),
      size: stored.size,
      sha256: stored.sha256,
      mediaType: mediaTypeOf(file),
      source: 'staff',
    });
  }

  async readDocument(documentId: string): Promise<Blob> {
    const document = await this.stores.documents.get(documentId);
    if (document === undefined) {
      throw new RecordNotFoundError('documents', documentId);
    }
    const blob = await this.store.read(document.sha256, document.mediaType);
    if (blob === undefined) {
      throw new Error(
        `The bytes of document "${document.name}" are not stored on this device; add the file again.`,
      );
    }
    return blob;
  }

  async uploadSelectedFiles(
    contactId: string,
    documentIds: readonly string[],
  ): Promise<PortalFile[]> {
    await this.publishedContact(contactId);
    const documents: Document[] = [];
    for (const id of documentIds) {
      documents.push(await this.uploadableDocument(contactId, id));
    }
    const batchId = crypto.randomUUID();
    const published: PortalFile[] = [];
    for (const document of documents) {
      published.push(
        await this.publish(contactId, batchId, document, document.id),
      );
    }
    return published;
  }

  async uploadFileFromDisk(
    contactId: string,
    file: LocalFile,
  ): Promise<PortalFile> {
    await this.publishedContact(contactId);
    const stored = await this.store.put(file);
    const source = {
      name: sanitizeFileName(file.name),
      size: stored.size,
      sha256: stored.sha256,
      mediaType: mediaTypeOf(file),
    };
    return this.publish(contactId, crypto.randomUUID(), source, undefined);
  }

  async checkForNewFiles(contactId: string): Promise<PortalFile[]> {
    const files = await this.findFiles({
      contactId,
      direction: 'from-client',
      status: 'available',
    });
    return files.filter((file) => file.takenInAt === undefined);
  }

  async takeInFile(fileId: string): Promise<Document> {
    const file = await this.portalFile(fileId);
    if (file.direction !== 'from-client' || file.status !== 'available') {
      throw new Error(
        `Portal file ${fileId} is a ${file.direction} file in state ${file.status}; only available files from the client can be taken in.`,
      );
    }
    const existing = await this.documentOf(fileId);
    if (existing !== undefined) return existing;

    const transfer = await this.queueDownload(file, true);
    await this.queue.whenFinished(transfer.id);
    const document = await this.documentOf(fileId);
    if (document === undefined) {
      throw new Error(`Taking in portal file ${fileId} added no document.`);
    }
    return document;
  }

  async viewFiles(contactId: string): Promise<PortalFile[]> {
    const files = await this.findFiles({ contactId });
    return files
      .filter((file) => file.status !== 'deleted')
      .sort((a, b) => a.uploadedAt.localeCompare(b.uploadedAt));
  }

  async downloadFile(fileId: string): Promise<Blob> {
    const file = await this.portalFile(fileId);
    const local = await this.store.read(file.sha256, file.mediaType);
    if (local !== undefined) return local;
    if (file.status !== 'available') {
      throw new Error(
        `Portal file ${fileId} is ${file.status}; its bytes are not on the relay.`,
      );
    }
    const transfer = await this.queueDownload(file, false);
    await this.queue.whenFinished(transfer.id);
    const blob = await this.store.read(file.sha256, file.mediaType);
    if (blob === undefined) {
      throw new Error(`Downloading portal file ${fileId} stored no bytes.`);
    }
    return blob;
  }

  async deletePortalFile(fileId: string): Promise<void> {
    const file = await this.portalFile(fileId);
    if (file.status === 'deleted') return;
    const files = await this.portalFilesOf(file.contactId);
    await files.update(fileId, {
      contactId: file.contactId,
      status: 'deleted',
    });
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.store.close();
  }

  // Queue hooks ------------------------------------------------------------

  private readonly hooks: TransferHooks = {
    afterUpload: (transfer) => this.markAvailable(transfer),
    afterDownload: (transfer) => this.takeInDownloaded(transfer),
    afterFailure: (transfer) => this.finishBatch(transfer),
    afterCancel: (transfer) => this.withdrawUpload(transfer),
  };

  private async withdrawUpload(transfer: Transfer): Promise<void> {
    if (transfer.kind !== 'upload') return;
    const files = await this.portalFilesOf(transfer.contactId);
    const file = await files.get(transfer.fileId);
    if (file?.status === 'uploading') {
      await files.update(transfer.fileId, {
        contactId: transfer.contactId,
        status: 'deleted',
      });
    }
    await this.finishBatch(transfer);
  }

  private async markAvailable(transfer: Transfer): Promise<void> {
    const files = await this.portalFilesOf(transfer.contactId);
    const file = await files.get(transfer.fileId);
    // A file deleted while it was uploading stays deleted.
    if (file?.status === 'uploading') {
      await files.update(transfer.fileId, {
        contactId: transfer.contactId,
        status: 'available',
      });
    }
    await this.finishBatch({ ...transfer, state: 'done' });
  }

  /**
   * Creates the batch's `file-notice` reminder once every upload of the
   * batch is done or failed. The reminder's id is the batch id, so a hook
   * repeated after a restart finds it and adds no second one.
   */
  private async finishBatch(finished: Transfer): Promise<void> {
    const batchId = finished.batchId;
    if (batchId === undefined) return;
    const batch = this.queue
      .list()
      .filter((transfer) => transfer.batchId === batchId)
      .map((transfer) => (transfer.id === finished.id ? finished : transfer));
    const settled = new Set(['done', 'failed', 'cancelled']);
    if (batch.some((t) => !settled.has(t.state))) return;
    const fileIds = batch
      .filter((t) => t.state === 'done')
      .map((t) => t.fileId);
    if (fileIds.length === 0) return;
    if ((await this.stores.outbox.get(batchId)) !== undefined) return;

    const contact = await this.stores.contacts.get(finished.contactId);
    // NOTE: a contact without an email cannot be published, so this only
    // skips when the email was removed after publishing.
    if (contact?.email === undefined) return;
    await this.stores.outbox.create({
      id: batchId,
      kind: 'file-notice',
      contactId: finished.contactId,
      to: contact.email,
      fileIds,
      status: 'pending',
    });
  }

  private async takeInDownloaded(transfer: Transfer): Promise<void> {
    if (transfer.takeIn !== true) return;
    const file = await this.portalFile(transfer.fileId);
    const document =
      (await this.documentOf(file.id)) ??
      (await this.stores.documents.create({
        contactId: transfer.contactId,
        name: file.name,
        size: file.size,
        sha256: file.sha256,
        mediaType: file.mediaType,
        source: 'portal',
        portalFileId: file.id,
      }));
    const files = await this.portalFilesOf(transfer.contactId);
    await files.update(file.id, {
      contactId: transfer.contactId,
      takenInAt: new Date().toISOString(),
      documentId: document.id,
    });
  }

  // Helpers ----------------------------------------------------------------

  private async publish(
    contactId: string,
    batchId: string,
    source: Pick<Document, 'name' | 'size' | 'sha256' | 'mediaType'>,
    documentId: string | undefined,
  ): Promise<PortalFile> {
    const files = await this.portalFilesOf(contactId);
    const file = await files.create({
      id: crypto.randomUUID(),
      contactId,
      name: source.name,
      size: source.size,
      sha256: source.sha256,
      mediaType: source.mediaType,
      direction: 'to-client',
      uploadedAt: new Date().toISOString(),
      status: 'uploading',
      ...(documentId === undefined ? {} : { documentId }),
    });
    // NOTE: a crash between the record above and the transfer below leaves
    // the file `uploading` with no transfer; publishing it again fixes it.
    await this.queue.add({
      kind: 'upload',
      contactId,
      fileId: file.id,
      name: file.name,
      sha256: file.sha256,
      mediaType: file.mediaType,
      bytesTotal: file.size,
      batchId,
    });
    return file;
  }

  private queueDownload(file: PortalFile, takeIn: boolean) {
    return this.queue.add({
      kind: 'download',
      contactId: file.contactId,
      fileId: file.id,
      name: file.name,
      sha256: file.sha256,
      mediaType: file.mediaType,
      bytesTotal: file.size,
      takeIn,
    });
  }

  private async uploadableDocument(contactId: string, id: string) {
    const document = await this.stores.documents.get(id);
    if (document === undefined) throw new RecordNotFoundError('documents', id);
    if (document.contactId !== contactId) {
      throw new Error(
        `Document ${id} belongs to contact ${document.contactId}, not ${contactId}; select documents of one contact.`,
      );
    }
    // NOTE: a document added on another staff device has no bytes here;
    // fetching them from the relay when it stores the blob is not built yet.
    if ((await this.store.get(document.sha256)) === undefined) {
      throw new Error(
        `The bytes of document "${document.name}" are not stored on this device; add the file again before uploading it.`,
      );
    }
    return document;
  }

  private async contact(contactId: string): Promise<Contact> {
    const contact = await this.stores.contacts.get(contactId);
    if (contact === undefined) {
      throw new RecordNotFoundError('contacts', contactId);
    }
    return contact;
  }

  private async publishedContact(contactId: string): Promise<Contact> {
    const contact = await this.contact(contactId);
    if (contact.portal.status === 'none') {
      throw new Error(
        `Contact "${contact.displayName}" is not on the portal; sync the contact before sending files.`,
      );
    }
    return contact;
  }

  private async portalFilesOf(contactId: string) {
    if (PORTAL_FILES_SPEC === undefined) {
      throw new Error('The portalfiles collection spec is missing.');
    }
    const replica = await this.core.follow(portalDocName(contactId));
    return new YjsRecordStore<PortalFile, PortalFile>(
      this.collection('portalfiles'),
      PORTAL_FILES_SPEC,
      replica,
      this.core.bridge,
      this.core.validator,
    );
  }

  private async portalFile(fileId: string): Promise<PortalFile> {
    const row = await this.collection('portalfiles').findOne(fileId).exec();
    if (row === null) throw new RecordNotFoundError('portalfiles', fileId);
    return withoutMeta(row.toMutableJSON()) as PortalFile;
  }

  private async findFiles(selector: JsonRecord): Promise<PortalFile[]> {
    const rows = await this.collection('portalfiles').find({ selector }).exec();
    return rows.map((row) => withoutMeta(row.toMutableJSON()) as PortalFile);
  }

  private async documentOf(fileId: string): Promise<Document | undefined> {
    const row = await this.collection('documents')
      .findOne({ selector: { portalFileId: fileId } })
      .exec();
    return row === null
      ? undefined
      : (withoutMeta(row.toMutableJSON()) as Document);
  }

  private collection(name: string): RxCollection<JsonRecord> {
    const collection = this.core.database.collections[name];
    if (collection === undefined) {
      throw new Error(`Collection "${name}" is missing from the engine.`);
    }
    return collection;
  }
}

function mediaTypeOf(file: Blob): string {
  const type = file.type.trim();
  return type === ''
    ? UNKNOWN_MEDIA_TYPE
    : type.slice(0, MAX_MEDIA_TYPE_LENGTH);
}
