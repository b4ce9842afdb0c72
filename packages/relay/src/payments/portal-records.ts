/**
 * Reads the billing records of a portal doc on the relay: the invoices,
 * payments and settings that staff published. Records are checked with
 * zod, because any staff client may have written them.
 */
import { z } from 'zod';
import * as Y from 'yjs';
import {
  BillingError,
  invoiceBalance,
  invoiceStatus,
  utcDate,
  type InvoiceBalance,
  type InvoiceStatus,
} from '@portico/engine/billing';

const invoiceSchema = z.object({
  number: z.string(),
  currency: z.string(),
  total: z.number().int(),
  status: z.enum(['draft', 'issued', 'void']),
  dueDate: z.string(),
});

const paymentSchema = z.object({
  invoiceId: z.string().optional(),
  amount: z.number().int(),
  currency: z.string(),
});

/** An invoice on a client's portal, with its id. */
export type PortalInvoiceRecord = z.infer<typeof invoiceSchema> & {
  id: string;
};

/** Balance and status as the portal shows them. */
export interface PortalInvoiceState {
  invoice: PortalInvoiceRecord;
  status: InvoiceStatus;
  balance: InvoiceBalance;
}

/** Raised when a published record does not have the expected fields. */
export class InvalidPortalRecordError extends Error {
  override readonly name = 'InvalidPortalRecordError';
}

/**
 * Returns the invoice's state on `today` (default: the UTC date), or
 * undefined when the doc has no such invoice. Every payment in a portal
 * doc is published, so all of them count, as they do on the portal.
 */
export function readInvoiceState(
  doc: Y.Doc,
  invoiceId: string,
  today = utcDate(),
): PortalInvoiceState | undefined {
  const fields = recordFields(doc, 'invoices', invoiceId);
  if (fields === undefined) return undefined;
  const parsed = invoiceSchema.safeParse(fields);
  if (!parsed.success) {
    throw new InvalidPortalRecordError(
      `Invoice ${invoiceId} in the portal doc is invalid: ` +
        `${parsed.error.message}; publish it again from the staff app.`,
    );
  }

  const invoice = { ...parsed.data, id: invoiceId };
  const payments = readPayments(doc);
  try {
    return {
      invoice,
      status: invoiceStatus(invoice, payments, today),
      balance: invoiceBalance(invoice, payments),
    };
  } catch (error) {
    if (!(error instanceof BillingError)) throw error;
    throw new InvalidPortalRecordError(
      `Invoice ${invoiceId} in the portal doc has invalid money data: ` +
        `${error.message}`,
      { cause: error },
    );
  }
}

/** Returns true when the portal settings record allows online payment. */
export function paymentsAllowed(doc: Y.Doc): boolean {
  const settings = recordFields(doc, 'settings', 'settings');
  return settings?.['allowPayments'] === true;
}

/** Returns true when the doc's map has a record under `key`. */
export function hasRecord(doc: Y.Doc, mapName: string, key: string): boolean {
  return doc.getMap<unknown>(mapName).has(key);
}

// A payment with unexpected fields is left out of the balance instead of
// failing the whole invoice, as the portal's read-only replica drops it.
function readPayments(doc: Y.Doc) {
  const payments = [];
  for (const [id, value] of doc.getMap<unknown>('payments')) {
    if (!(value instanceof Y.Map)) continue;
    const parsed = paymentSchema.safeParse(value.toJSON());
    if (parsed.success) payments.push({ ...parsed.data, id });
  }
  return payments;
}

function recordFields(
  doc: Y.Doc,
  mapName: string,
  key: string,
): Record<string, unknown> | undefined {
  const value = doc.getMap<unknown>(mapName).get(key);
  return value instanceof Y.Map ? value.toJSON() : undefined;
}
