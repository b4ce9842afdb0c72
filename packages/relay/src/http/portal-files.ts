/**
 * Client file routes: `GET /api/portal/files/<fileId>` downloads a file of
 * the client's own portal doc, and `POST /api/portal/files` uploads a file
 * to the firm. Both look files up only in the portal doc of the signed-in
 * client's contact, so another client's file id, a blob hash or a deleted
 * file all get the same 404.
 */
import { randomUUID } from 'node:crypto';
import {
  Router,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { Logger } from 'pino';
import * as Y from 'yjs';
import { portalDocName } from '@portico/engine/protocol';
import type { Accounts } from '../accounts/accounts.js';
import { authenticateRequest } from '../accounts/credentials.js';
import { BlobError, BlobNotFoundError } from '../blobs/errors.js';
import { OPAQUE_MEDIA_TYPE, safeMediaType } from '../blobs/media-types.js';
import { blobUploadMiddleware, discardIfCreated } from '../blobs/multipart.js';
import { createErrorHandler, finishBlobUpload } from '../blobs/routes.js';
import { sendBlob } from '../blobs/send.js';
import type { BlobStore } from '../blobs/store.js';
import type { Account } from '../storage/types.js';
import type { DocManager } from '../sync/doc-manager.js';

/** A client's upload that staff should hear about. */
export interface UploadNotice {
  contactId: string;
  /** The portal profile's display name, or the account's email. */
  clientName: string;
  fileId: string;
  fileName: string;
}

export interface PortalFilesOptions {
  accounts: Accounts;
  publicOrigin: string;
  docs: DocManager;
  store: BlobStore;
  maxUploadBytes: number;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Queues the `staff-notice` email about a client's upload. */
  notifyStaff(notice: UploadNotice): Promise<void>;
}

const FILE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Largest media type stored with a file, as the record schema allows. */
const MAX_MEDIA_TYPE_LENGTH = 200;

class FileNotFoundError extends BlobError {
  constructor() {
    super('file_not_found', 404, 'No such file on your portal.');
  }
}

class RouteNotFoundError extends BlobError {
  constructor() {
    super('not_found', 404, 'No such API endpoint.');
  }
}

class AccessError extends BlobError {
  constructor(status: 401 | 403, code: string, message: string) {
    super(code, status, message);
  }
}

/**
 * Lets a request through only for a signed-in account with `role` whose
 * password needs no change; the account is then in `res.locals.account`.
 */
export function requireRole(
  accounts: Accounts,
  publicOrigin: string,
  role: Account['role'],
): RequestHandler {
  return async (req, res, next) => {
    const auth = await authenticateRequest(req, accounts, publicOrigin);
    if (!auth.ok) throw new AccessError(auth.status, auth.code, auth.message);
    const { account } = auth;
    // The other role gets the same 404 as for an unknown path, so a client
    // cannot tell a stored blob hash from one that does not exist.
    if (account.role !== role) throw new RouteNotFoundError();
    if (account.mustChangePassword) {
      throw new AccessError(
        403,
        'password_change_required',
        'Choose a new password before using the portal.',
      );
    }
    res.locals['account'] = account;
    next();
  };
}

export function createPortalFilesRouter(options: PortalFilesOptions): Router {
  const router = Router();
  const requireClient = requireRole(
    options.accounts,
    options.publicOrigin,
    'client',
  );

  router.get('/api/portal/files/:fileId', requireClient, (req, res) =>
    download(options, req, res),
  );
  router.post(
    '/api/portal/files',
    requireClient,
    blobUploadMiddleware(options.store, options.maxUploadBytes),
    (req, res) => upload(options, req, res),
  );
  router.use(createErrorHandler(options.logger));
  return router;
}

async function download(
  options: PortalFilesOptions,
  req: Request,
  res: Response,
): Promise<void> {
  const contactId = clientContactId(res);
  const fileId = String(req.params.fileId);
  if (!FILE_ID.test(fileId)) throw new FileNotFoundError();
  const docName = portalDocName(contactId);
  const file = await readFile(options.docs, docName, fileId);
  if (file?.status !== 'available') throw new FileNotFoundError();

  try {
    await sendBlob(res, req, options.store, file.sha256, {
      name: file.name,
      mediaType: file.mediaType,
      logger: options.logger,
    });
  } catch (error) {
    // The record exists but its bytes do not: the same 404 as for an
    // unknown id, so the response reveals nothing about the blob store.
    if (error instanceof BlobNotFoundError) throw new FileNotFoundError();
    throw error;
  }
  const sentByFirm = file.direction === 'to-client';
  if (req.method === 'GET' && sentByFirm && file.viewedAt === undefined) {
    await markViewed(options, docName, fileId);
  }
}

async function upload(
  options: PortalFilesOptions,
  req: Request,
  res: Response,
): Promise<void> {
  const contactId = clientContactId(res);
  const stored = await finishBlobUpload(req, options.store);
  const fileId = randomUUID();
  const record = {
    name: stored.name,
    size: stored.size,
    sha256: stored.sha256,
    mediaType: recordedMediaType(req.file?.mimetype, stored.name),
    direction: 'from-client',
    uploadedAt: new Date().toISOString(),
    status: 'available',
  };
  try {
    await options.docs.writeAsRelay(portalDocName(contactId), (doc) => {
      doc.getMap('files').set(fileId, recordMap(record));
    });
  } catch (error) {
    await discardIfCreated(req, options.store);
    throw error;
  }
  options.logger.info(
    { contactId, fileId, sha256: stored.sha256, size: stored.size },
    'client uploaded a file',
  );
  const clientName = await readClientName(options.docs, contactId, res);
  await notify(options, {
    contactId,
    clientName,
    fileId,
    fileName: stored.name,
  });
  res.status(201).json({ id: fileId, ...record });
}

// The file is stored and recorded by now, so a failed notice is logged
// instead of failing the upload. Staff still see the file in "Check for
// New Files".
async function notify(options: PortalFilesOptions, notice: UploadNotice) {
  try {
    await options.notifyStaff(notice);
  } catch (error) {
    options.logger.error(
      { err: error, contactId: notice.contactId, fileId: notice.fileId },
      'queueing the staff notice of a client upload failed',
    );
  }
}

interface FileFields {
  name: string;
  sha256: string;
  mediaType: string;
  direction: unknown;
  status: unknown;
  viewedAt: unknown;
}

async function readFile(
  docs: DocManager,
  docName: string,
  fileId: string,
): Promise<FileFields | undefined> {
  const doc = await docs.acquire(docName);
  try {
    const record = doc.doc.getMap<unknown>('files').get(fileId);
    if (!(record instanceof Y.Map)) return undefined;
    const fields = (record as Y.Map<unknown>).toJSON() as Record<
      string,
      unknown
    >;
    const { name, sha256, mediaType } = fields;
    if (typeof sha256 !== 'string' || typeof name !== 'string')
      return undefined;
    return {
      name,
      sha256,
      mediaType: typeof mediaType === 'string' ? mediaType : '',
      direction: fields['direction'],
      status: fields['status'],
      viewedAt: fields['viewedAt'],
    };
  } finally {
    docs.release(docName);
  }
}

async function markViewed(
  options: PortalFilesOptions,
  docName: string,
  fileId: string,
): Promise<void> {
  try {
    await options.docs.writeAsRelay(docName, (doc) => {
      const record = doc.getMap<unknown>('files').get(fileId);
      if (!(record instanceof Y.Map)) return;
      const fields = record as Y.Map<unknown>;
      if (fields.get('viewedAt') === undefined) {
        fields.set('viewedAt', new Date().toISOString());
      }
    });
  } catch (error) {
    options.logger.error(
      { err: error, doc: docName, fileId },
      'recording the first download of a file failed',
    );
  }
}

async function readClientName(
  docs: DocManager,
  contactId: string,
  res: Response,
): Promise<string> {
  const docName = portalDocName(contactId);
  const doc = await docs.acquire(docName);
  try {
    const profile = doc.doc.getMap<unknown>('profile').get('profile');
    const name =
      profile instanceof Y.Map
        ? (profile as Y.Map<unknown>).get('displayName')
        : undefined;
    if (typeof name === 'string' && name.trim() !== '') return name;
  } finally {
    docs.release(docName);
  }
  return (res.locals['account'] as Account).email;
}

function clientContactId(res: Response): string {
  const account = res.locals['account'] as Account | undefined;
  if (account?.contactId == null) {
    throw new AccessError(403, 'forbidden', 'This account has no portal.');
  }
  return account.contactId;
}

/**
 * Chooses the media type to record: the uploader's if it is a passive type,
 * else one from the name's extension when the uploader sent none or the
 * generic octet-stream. Active types such as HTML stay octet-stream.
 */
function recordedMediaType(declared: string | undefined, name: string) {
  const generic = declared === undefined || declared === OPAQUE_MEDIA_TYPE;
  const chosen = safeMediaType(generic ? undefined : declared, name);
  return chosen.slice(0, MAX_MEDIA_TYPE_LENGTH);
}

function recordMap(fields: Record<string, unknown>): Y.Map<unknown> {
  const record = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(fields)) record.set(key, value);
  return record;
}
