/**
 * The staff engine's invoice store with the billing rules applied: every
 * create and update through it must keep the total equal to the lines,
 * and an issued or void invoice keeps its lines and amounts.
 */
import { RecordNotFoundError } from '../errors.js';
import type { RecordStore } from '../record-store.js';
import type { Invoice } from '../schemas.js';
import { BillingRuleError } from './errors.js';
import {
  checkInvoice,
  checkInvoiceChange,
  storedLines,
} from './invoice-rules.js';

type InvoiceInput = Omit<Invoice, 'id'> & { id?: string };
type InvoicePatch = Partial<Omit<Invoice, 'id'>>;

/**
 * Wraps a raw invoice store so that its writes follow the billing rules.
 * NOTE: app writes straight to the `invoices` RxDB collection and changes
 * from other devices do not pass through here, so they are not checked.
 */
export function guardInvoiceStore(
  store: RecordStore<Invoice, InvoiceInput>,
): RecordStore<Invoice, InvoiceInput> {
  return {
    create: (input) => createInvoice(store, input),
    update: (id, patch) => updateInvoice(store, id, patch),
    delete: (id) => deleteInvoice(store, id),
    get: (id) => store.get(id),
    list: () => store.list(),
    observe: () => store.observe(),
  };
}

async function createInvoice(
  store: RecordStore<Invoice, InvoiceInput>,
  input: InvoiceInput,
): Promise<Invoice> {
  const lines = storedLines(input.lines);
  checkInvoice({ ...input, id: input.id ?? '', lines });
  return store.create({ ...input, lines });
}

async function updateInvoice(
  store: RecordStore<Invoice, InvoiceInput>,
  id: string,
  patch: InvoicePatch,
): Promise<Invoice> {
  const current = await store.get(id);
  if (current === undefined) throw new RecordNotFoundError('invoices', id);

  const stored: InvoicePatch = { ...patch };
  if (patch.lines !== undefined) stored.lines = storedLines(patch.lines);
  const next = withoutUndefined({ ...current, ...stored });
  checkInvoiceChange(current, next);
  checkInvoice(next);
  return store.update(id, stored);
}

/**
 * Deletes a draft. An issued or void invoice stays, because deleting it
 * would break the numbering and the payments that reference it.
 */
async function deleteInvoice(
  store: RecordStore<Invoice, InvoiceInput>,
  id: string,
): Promise<void> {
  const current = await store.get(id);
  if (current !== undefined && current.status !== 'draft') {
    throw new BillingRuleError(
      'invoice-frozen',
      `Invoice ${current.number} is ${current.status} and cannot be ` +
        'deleted; void it instead.',
    );
  }
  await store.delete(id);
}

function withoutUndefined(invoice: Invoice): Invoice {
  const entries = Object.entries(invoice).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries) as Invoice;
}
