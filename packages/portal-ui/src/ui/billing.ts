/**
 * Invoice status and balance for display. A record with bad money data is
 * shown with a note instead of breaking the whole list.
 */
import type { PortalInvoice, PortalPayment } from '@portico/engine';
import {
  invoiceBalance,
  invoiceStatus,
  lineTotal,
  type InvoiceBalance,
  type InvoiceStatus,
} from '@portico/engine/billing';

export interface InvoiceSummary {
  invoice: PortalInvoice;
  status: InvoiceStatus | undefined;
  balance: InvoiceBalance | undefined;
  /** Reason the status could not be derived. */
  problem?: string;
}

export const STATUS_LABELS: Record<InvoiceStatus, string> = {
  draft: 'Draft',
  open: 'Open',
  'partly-paid': 'Partly paid',
  paid: 'Paid',
  overdue: 'Overdue',
  void: 'Void',
};

/**
 * Derives status and balance on `today` (YYYY-MM-DD). NOTE: the portal
 * passes the UTC date, not the firm's local date, so near midnight an
 * invoice may turn overdue a few hours early or late.
 */
export function summarizeInvoice(
  invoice: PortalInvoice,
  payments: readonly PortalPayment[],
  today: string,
): InvoiceSummary {
  try {
    return {
      invoice,
      status: invoiceStatus(invoice, payments, today),
      balance: invoiceBalance(invoice, payments),
    };
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    return { invoice, status: undefined, balance: undefined, problem };
  }
}

/** Returns the line's amount in minor units, or undefined for bad data. */
export function lineAmount(
  line: PortalInvoice['lines'][number],
  index: number,
): number | undefined {
  try {
    return lineTotal(line, index);
  } catch {
    return undefined;
  }
}

/** True when the client can still pay something on the invoice. */
export function isPayable(summary: InvoiceSummary): boolean {
  const { status, balance } = summary;
  const unpaid =
    status === 'open' || status === 'partly-paid' || status === 'overdue';
  return unpaid && balance !== undefined && balance.balance > 0;
}
