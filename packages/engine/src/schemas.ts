/**
 * RxDB JSON schemas for every record of data model v1, and the TypeScript
 * types derived from them. One schema per top-level Yjs map. Portal records
 * carry the `contactId` of their portal doc, so that a staff engine can keep
 * the portal records of every published contact in one collection each.
 */
import {
  toTypedRxJsonSchema,
  type ExtractDocumentTypeFromTypedRxJsonSchema,
  type RxJsonSchema,
} from 'rxdb';

/** Ids are UUIDs in practice; the limit leaves room for other id schemes. */
const id = { type: 'string', maxLength: 64 } as const;
/** ISO 8601 UTC timestamp or date. Informational, never used to merge. */
const time = { type: 'string', maxLength: 40 } as const;
const text = { type: 'string', maxLength: 2000 } as const;
const shortText = { type: 'string', maxLength: 200 } as const;
/** ISO 4217 currency code. */
const currency = { type: 'string', pattern: '^[A-Z]{3}$' } as const;
/** Money in minor units of its currency. */
const money = { type: 'integer' } as const;
const sha256 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;

const contactLiteral = {
  title: 'contact',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id,
    displayName: { type: 'string', minLength: 1, maxLength: 200 },
    kind: { type: 'string', enum: ['person', 'organization'] },
    givenName: shortText,
    familyName: shortText,
    organization: shortText,
    email: { type: 'string', maxLength: 254 },
    phone: shortText,
    address: text,
    notes: { type: 'string', maxLength: 20000 },
    portal: {
      type: 'object',
      properties: {
        status: {
          type: 'string',
          enum: ['none', 'invited', 'active', 'disabled'],
        },
        syncedAt: time,
      },
      required: ['status'],
      additionalProperties: false,
    },
    createdAt: time,
    updatedAt: time,
  },
  required: ['id', 'displayName', 'kind', 'portal', 'createdAt', 'updatedAt'],
  additionalProperties: false,
} as const;

const documentLiteral = {
  title: 'document',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id,
    contactId: id,
    name: { type: 'string', minLength: 1, maxLength: 255 },
    size: { type: 'integer', minimum: 0 },
    sha256,
    mediaType: shortText,
    addedAt: time,
    source: { type: 'string', enum: ['staff', 'portal'] },
    portalFileId: id,
  },
  required: [
    'id',
    'contactId',
    'name',
    'size',
    'sha256',
    'mediaType',
    'addedAt',
    'source',
  ],
  indexes: ['contactId'],
  additionalProperties: false,
} as const;

const invoiceLiteral = {
  title: 'invoice',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id,
    contactId: id,
    number: { type: 'string', minLength: 1, maxLength: 64 },
    issueDate: time,
    dueDate: time,
    currency,
    lines: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          description: text,
          quantity: { type: 'number' },
          unitAmount: money,
        },
        required: ['description', 'quantity', 'unitAmount'],
        additionalProperties: false,
      },
    },
    total: money,
    status: { type: 'string', enum: ['draft', 'issued', 'void'] },
    publishedAt: time,
  },
  required: [
    'id',
    'contactId',
    'number',
    'issueDate',
    'dueDate',
    'currency',
    'lines',
    'total',
    'status',
  ],
  indexes: ['contactId'],
  additionalProperties: false,
} as const;

const paymentLiteral = {
  title: 'payment',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id,
    contactId: id,
    invoiceId: id,
    amount: money,
    currency,
    receivedAt: time,
    method: shortText,
    reference: shortText,
    publishedAt: time,
  },
  required: ['id', 'contactId', 'amount', 'currency', 'receivedAt', 'method'],
  indexes: ['contactId'],
  additionalProperties: false,
} as const;

const outboxLiteral = {
  title: 'outbox message',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id,
    kind: {
      type: 'string',
      enum: ['portal-invite', 'file-notice', 'staff-notice', 'password-reset'],
    },
    contactId: id,
    to: { type: 'string', minLength: 3, maxLength: 254 },
    createdAt: time,
    status: {
      type: 'string',
      enum: ['pending', 'queued', 'sending', 'sent', 'failed', 'cancelled'],
    },
    attempts: { type: 'integer', minimum: 0 },
    lastError: text,
    nextAttemptAt: time,
    sentAt: time,
    messageId: shortText,
    fileIds: { type: 'array', items: id },
  },
  required: ['id', 'kind', 'to', 'createdAt', 'status', 'attempts'],
  additionalProperties: false,
} as const;

/** The single `profile` record of a portal doc, keyed by its contact. */
const portalProfileLiteral = {
  title: 'portal profile',
  version: 0,
  primaryKey: 'contactId',
  type: 'object',
  properties: {
    contactId: id,
    displayName: { type: 'string', maxLength: 200 },
    email: { type: 'string', maxLength: 254 },
  },
  required: ['contactId', 'displayName', 'email'],
  additionalProperties: false,
} as const;

const portalFileLiteral = {
  title: 'portal file',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id,
    contactId: id,
    name: { type: 'string', minLength: 1, maxLength: 255 },
    size: { type: 'integer', minimum: 0 },
    sha256,
    mediaType: shortText,
    direction: { type: 'string', enum: ['to-client', 'from-client'] },
    uploadedAt: time,
    status: { type: 'string', enum: ['uploading', 'available', 'deleted'] },
    documentId: id,
    takenInAt: time,
    viewedAt: time,
  },
  required: [
    'id',
    'contactId',
    'name',
    'size',
    'sha256',
    'mediaType',
    'direction',
    'uploadedAt',
    'status',
  ],
  indexes: ['contactId'],
  additionalProperties: false,
} as const;

/** The single `settings` record of a portal doc, keyed by its contact. */
const portalSettingsLiteral = {
  title: 'portal settings',
  version: 0,
  primaryKey: 'contactId',
  type: 'object',
  properties: {
    contactId: id,
    allowPayments: { type: 'boolean' },
    firmName: shortText,
  },
  required: ['contactId', 'allowPayments', 'firmName'],
  additionalProperties: false,
} as const;

const contactTyped = toTypedRxJsonSchema(contactLiteral);
const documentTyped = toTypedRxJsonSchema(documentLiteral);
const invoiceTyped = toTypedRxJsonSchema(invoiceLiteral);
const paymentTyped = toTypedRxJsonSchema(paymentLiteral);
const outboxTyped = toTypedRxJsonSchema(outboxLiteral);
const portalProfileTyped = toTypedRxJsonSchema(portalProfileLiteral);
const portalFileTyped = toTypedRxJsonSchema(portalFileLiteral);
const portalSettingsTyped = toTypedRxJsonSchema(portalSettingsLiteral);

export type Contact = ExtractDocumentTypeFromTypedRxJsonSchema<
  typeof contactTyped
>;
export type Document = ExtractDocumentTypeFromTypedRxJsonSchema<
  typeof documentTyped
>;
export type Invoice = ExtractDocumentTypeFromTypedRxJsonSchema<
  typeof invoiceTyped
>;
export type Payment = ExtractDocumentTypeFromTypedRxJsonSchema<
  typeof paymentTyped
>;
export type OutboxMessage = ExtractDocumentTypeFromTypedRxJsonSchema<
  typeof outboxTyped
>;
export type PortalProfile = ExtractDocumentTypeFromTypedRxJsonSchema<
  typeof portalProfileTyped
>;
export type PortalFile = ExtractDocumentTypeFromTypedRxJsonSchema<
  typeof portalFileTyped
>;
export type PortalSettings = ExtractDocumentTypeFromTypedRxJsonSchema<
  typeof portalSettingsTyped
>;
/** A published invoice as the client's portal shows it. */
export type PortalInvoice = Invoice;
/** A published payment as the client's portal shows it. */
export type PortalPayment = Payment;

export const contactSchema: RxJsonSchema<Contact> = contactTyped;
export const documentSchema: RxJsonSchema<Document> = documentTyped;
export const invoiceSchema: RxJsonSchema<Invoice> = invoiceTyped;
export const paymentSchema: RxJsonSchema<Payment> = paymentTyped;
export const outboxSchema: RxJsonSchema<OutboxMessage> = outboxTyped;
export const portalProfileSchema: RxJsonSchema<PortalProfile> =
  portalProfileTyped;
export const portalFileSchema: RxJsonSchema<PortalFile> = portalFileTyped;
export const portalInvoiceSchema: RxJsonSchema<PortalInvoice> = {
  ...invoiceTyped,
  title: 'portal invoice',
};
export const portalPaymentSchema: RxJsonSchema<PortalPayment> = {
  ...paymentTyped,
  title: 'portal payment',
};
export const portalSettingsSchema: RxJsonSchema<PortalSettings> =
  portalSettingsTyped;
