/** Reading and writing outbox records of the firm doc as the relay. */
import * as Y from 'yjs';
import { portalDocName } from '@portico/engine/protocol';
import type { OutboxMessage } from '@portico/engine';
import type { DocManager } from '../sync/doc-manager.js';
import type { NewDelivery } from './delivery-store.js';

/** Fields to set on a record; `undefined` deletes the field. */
export type OutboxFields = Record<string, unknown>;

const KINDS: ReadonlySet<string> = new Set<OutboxMessage['kind']>([
  'portal-invite',
  'file-notice',
  'staff-notice',
  'password-reset',
]);

export function isRecordMap(doc: Y.Doc, id: string): boolean {
  return doc.getMap<unknown>('outbox').get(id) instanceof Y.Map;
}

/** Returns an outbox record as JSON, or undefined when there is none. */
export function readRecord(
  doc: Y.Doc,
  id: string,
): Record<string, unknown> | undefined {
  const record = doc.getMap<unknown>('outbox').get(id);
  return record instanceof Y.Map
    ? (record as Y.Map<unknown>).toJSON()
    : undefined;
}

/**
 * Sets the changed fields of an outbox record. A missing record is left
 * missing unless `create` gives the fields of a new one, because a second
 * `Y.Map` under the same key would replace the staff's record.
 */
export function updateOutboxRecord(
  doc: Y.Doc,
  id: string,
  fields: OutboxFields,
  create: OutboxFields | undefined,
): void {
  const outbox = doc.getMap<unknown>('outbox');
  let record = outbox.get(id);
  if (!(record instanceof Y.Map)) {
    if (create === undefined) return;
    record = new Y.Map<unknown>();
    outbox.set(id, record);
    setFields(record as Y.Map<unknown>, create);
  }
  setFields(record as Y.Map<unknown>, fields);
}

function setFields(record: Y.Map<unknown>, fields: OutboxFields): void {
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) {
      if (record.has(name)) record.delete(name);
    } else if (record.get(name) !== value) {
      record.set(name, value);
    }
  }
}

/**
 * Builds the delivery of a record that staff queued, with the names the
 * email greets and lists, read now from the firm and portal docs. Returns
 * undefined for a record without a kind or recipient.
 */
export async function snapshotOf(
  docs: DocManager,
  id: string,
  record: Record<string, unknown>,
): Promise<NewDelivery | undefined> {
  const kind = record['kind'];
  const to = record['to'];
  if (typeof kind !== 'string' || !KINDS.has(kind)) return undefined;
  if (typeof to !== 'string') return undefined;
  const contactId =
    typeof record['contactId'] === 'string' ? record['contactId'] : undefined;
  const delivery: NewDelivery = {
    id,
    kind: kind as OutboxMessage['kind'],
    recipient: to,
    contactId,
    details: {},
  };
  if (contactId === undefined) return delivery;

  const firm = await docs.acquire('firm');
  try {
    const contact = firm.doc.getMap<unknown>('contacts').get(contactId);
    const name =
      contact instanceof Y.Map
        ? (contact as Y.Map<unknown>).get('displayName')
        : undefined;
    if (typeof name === 'string') delivery.details.recipientName = name;
  } finally {
    docs.release('firm');
  }
  if (kind === 'file-notice') {
    delivery.details.fileNames = await fileNamesOf(
      docs,
      contactId,
      record['fileIds'],
    );
  }
  return delivery;
}

async function fileNamesOf(
  docs: DocManager,
  contactId: string,
  fileIds: unknown,
): Promise<string[]> {
  if (!Array.isArray(fileIds)) return [];
  const docName = portalDocName(contactId);
  const portal = await docs.acquire(docName);
  try {
    const files = portal.doc.getMap<unknown>('files');
    const names: string[] = [];
    for (const fileId of fileIds) {
      const file = files.get(String(fileId));
      const name =
        file instanceof Y.Map
          ? (file as Y.Map<unknown>).get('name')
          : undefined;
      if (typeof name === 'string') names.push(name);
    }
    return names;
  } finally {
    docs.release(docName);
  }
}
