/**
 * How each RxDB collection maps onto a top-level `Y.Map` of a doc. A record
 * in Yjs is a `Y.Map` of field name to JSON value under the record's key.
 * The record id is the map key and a portal doc's contact id is in the doc
 * name, so neither is stored in the record's fields. The bridge adds them
 * when it projects a record into RxDB.
 */
import type { RxJsonSchema } from 'rxdb';
import {
  contactSchema,
  documentSchema,
  invoiceSchema,
  outboxSchema,
  paymentSchema,
  portalFileSchema,
  portalInvoiceSchema,
  portalPaymentSchema,
  portalProfileSchema,
  portalSettingsSchema,
} from './schemas.js';

/** A record as plain JSON, the way both RxDB and Yjs hand it out. */
export type JsonRecord = Record<string, unknown>;

export type DocKind = 'firm' | 'portal';

export interface CollectionSpec {
  /** RxDB collection name. */
  name: string;
  /** Name of the top-level `Y.Map` in the doc. */
  mapName: string;
  docKind: DocKind;
  schema: RxJsonSchema<JsonRecord>;
  /** Primary key field of the RxDB collection. */
  primaryKey: string;
  /** Yjs key of a map that contains exactly one record, such as `profile`. */
  singletonKey?: string;
}

export const FIRM_COLLECTIONS: readonly CollectionSpec[] = [
  spec('contacts', 'contacts', 'firm', contactSchema),
  spec('documents', 'documents', 'firm', documentSchema),
  spec('invoices', 'invoices', 'firm', invoiceSchema),
  spec('payments', 'payments', 'firm', paymentSchema),
  spec('outbox', 'outbox', 'firm', outboxSchema),
];

export const PORTAL_COLLECTIONS: readonly CollectionSpec[] = [
  {
    ...spec('portalprofiles', 'profile', 'portal', portalProfileSchema),
    primaryKey: 'contactId',
    singletonKey: 'profile',
  },
  spec('portalfiles', 'files', 'portal', portalFileSchema),
  spec('portalinvoices', 'invoices', 'portal', portalInvoiceSchema),
  spec('portalpayments', 'payments', 'portal', portalPaymentSchema),
  {
    ...spec('portalsettings', 'settings', 'portal', portalSettingsSchema),
    primaryKey: 'contactId',
    singletonKey: 'settings',
  },
];

function spec<T>(
  name: string,
  mapName: string,
  docKind: DocKind,
  schema: RxJsonSchema<T>,
): CollectionSpec {
  // The bridge handles every collection as plain JSON records.
  const erased = schema as unknown as RxJsonSchema<JsonRecord>;
  return { name, mapName, docKind, schema: erased, primaryKey: 'id' };
}

/** Fields that live in the doc name or the map key instead of the Y.Map. */
function impliedFields(spec: CollectionSpec): string[] {
  return spec.docKind === 'portal' ? ['id', 'contactId'] : ['id'];
}

/**
 * Builds the RxDB row for a Yjs record. The key and the doc's contact id
 * win over any copy of them inside the fields, so a writer cannot move a
 * record to another contact or id.
 */
export function rowFromYjs(
  spec: CollectionSpec,
  key: string,
  fields: JsonRecord,
  contactId: string | undefined,
): JsonRecord {
  const row: JsonRecord = { ...fields };
  if (spec.singletonKey === undefined) row['id'] = key;
  if (spec.docKind === 'portal') row['contactId'] = contactId;
  return row;
}

/** Splits an RxDB row into its Yjs key and the fields stored in Yjs. */
export function yjsFromRow(
  spec: CollectionSpec,
  row: JsonRecord,
): { key: string; fields: JsonRecord } {
  const fields: JsonRecord = { ...row };
  for (const name of impliedFields(spec)) delete fields[name];
  const key = spec.singletonKey ?? String(row['id']);
  return { key, fields };
}

/** Returns the RxDB primary key of a row. */
export function primaryOf(spec: CollectionSpec, row: JsonRecord): string {
  return String(row[spec.primaryKey]);
}

/**
 * Returns the RxDB primary key that a Yjs key of a doc projects to: the
 * record id, or for a singleton map the doc's contact id.
 */
export function primaryOfKey(
  spec: CollectionSpec,
  key: string,
  contactId: string | undefined,
): string {
  return spec.singletonKey === undefined ? key : String(contactId);
}
