/**
 * Invoices, payments and the online payment setting for the views. Forms
 * hold amounts as decimal text in major units; this module converts them
 * to integer minor units with the engine's billing module.
 */
import type {
  ClientPaymentSettings,
  Invoice,
  Payment,
  StaffEngine,
} from '@portico/engine';
import {
  formatMinorUnits,
  invoiceTotal,
  invoiceStatus,
  toMinorUnits,
  utcDate,
  type InvoiceStatus,
} from '@portico/engine/billing';

export type { ClientPaymentSettings, InvoiceStatus };

/** One invoice line as text fields of the form. */
export interface LineDraft {
  description: string;
  /** Decimal text, such as "1.5". */
  quantity: string;
  /** Price of one unit in major units, such as "120.00". */
  unitPrice: string;
}

export interface InvoiceDraft {
  number: string;
  /** YYYY-MM-DD. */
  issueDate: string;
  /** YYYY-MM-DD. */
  dueDate: string;
  currency: string;
  lines: LineDraft[];
}

export interface PaymentDraft {
  /** Major units, such as "250.00". */
  amount: string;
  currency: string;
  /** YYYY-MM-DD. */
  receivedOn: string;
  method: string;
  reference: string;
  /** Empty for a payment not tied to an invoice. */
  invoiceId: string;
}

export class BillingActions {
  constructor(private readonly engine: StaffEngine) {}

  createInvoice(contactId: string, draft: InvoiceDraft): Promise<Invoice> {
    return this.engine.billing.createInvoice({
      contactId,
      number: draft.number.trim(),
      issueDate: draft.issueDate,
      dueDate: draft.dueDate,
      currency: draft.currency,
      lines: linesOf(draft),
    });
  }

  updateInvoice(id: string, draft: InvoiceDraft): Promise<Invoice> {
    return this.engine.billing.updateInvoice(id, {
      number: draft.number.trim(),
      issueDate: draft.issueDate,
      dueDate: draft.dueDate,
      currency: draft.currency,
      lines: linesOf(draft),
    });
  }

  issueInvoice(id: string): Promise<Invoice> {
    return this.engine.billing.issueInvoice(id);
  }

  voidInvoice(id: string): Promise<Invoice> {
    return this.engine.billing.voidInvoice(id);
  }

  /** Publishes an issued invoice ("Upload Selected Invoice"). */
  publishInvoice(id: string): Promise<Invoice> {
    return this.engine.billing.publishInvoice(id);
  }

  recordPayment(contactId: string, draft: PaymentDraft): Promise<Payment> {
    const reference = draft.reference.trim();
    return this.engine.billing.recordPayment({
      contactId,
      amount: toMinorUnits(draft.amount.trim(), currencyOf(draft)),
      currency: draft.currency,
      receivedAt: new Date(`${draft.receivedOn}T12:00:00Z`).toISOString(),
      method: draft.method.trim(),
      ...(reference === '' ? {} : { reference }),
      ...(draft.invoiceId === '' ? {} : { invoiceId: draft.invoiceId }),
    });
  }

  /** Publishes a payment ("Upload to Portal"). */
  publishPayment(id: string): Promise<Payment> {
    return this.engine.billing.publishPayment(id);
  }

  paymentSettings(contactId: string): Promise<ClientPaymentSettings> {
    return this.engine.billing.clientPaymentSettings(contactId);
  }

  /** Sets the client's "allow online payments"; null follows the firm. */
  setAllowPayments(
    contactId: string,
    allow: boolean | null,
  ): Promise<ClientPaymentSettings> {
    return this.engine.billing.setClientAllowPayments(contactId, allow);
  }

  /** Derives the status shown on the portal: paid, overdue and so on. */
  statusOf(invoice: Invoice, payments: Payment[]): InvoiceStatus {
    return invoiceStatus(invoice, payments, utcDate());
  }
}

/**
 * Returns the total of a draft in minor units, or undefined while a line
 * or the currency is not valid yet, so a form can show it as staff type.
 */
export function previewTotal(draft: InvoiceDraft): number | undefined {
  try {
    return invoiceTotal(linesOf(draft));
  } catch {
    return undefined;
  }
}

/** Fills a form from a stored invoice. */
export function draftOf(invoice: Invoice): InvoiceDraft {
  return {
    number: invoice.number,
    issueDate: invoice.issueDate,
    dueDate: invoice.dueDate,
    currency: invoice.currency,
    lines: invoice.lines.map((line) => ({
      description: line.description,
      quantity: String(line.quantity),
      unitPrice: formatMinorUnits(line.unitAmount, invoice.currency),
    })),
  };
}

function linesOf(draft: InvoiceDraft) {
  return draft.lines.map((line) => ({
    description: line.description.trim(),
    quantity: line.quantity.trim(),
    unitAmount: toMinorUnits(line.unitPrice.trim(), currencyOf(draft)),
  }));
}

function currencyOf(draft: { currency: string }): string {
  return draft.currency.trim().toUpperCase();
}
