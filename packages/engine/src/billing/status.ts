/**
 * Balance and status of an invoice, derived from the invoice and the
 * payments recorded against it. The engine and the relay both call this,
 * so it must stay free of Node-only and DOM imports.
 */
import { BillingError } from './errors.js';
import { requireSafeInteger } from './decimal.js';

/** Status shown to staff and clients. */
export type InvoiceStatus =
  'draft' | 'open' | 'partly-paid' | 'paid' | 'overdue' | 'void';

/** The invoice fields that balance and status depend on. */
export interface BillableInvoice {
  id: string;
  status: 'draft' | 'issued' | 'void';
  /** ISO 4217 code in upper case. */
  currency: string;
  /** Integer in minor units. */
  total: number;
  /** Calendar date, YYYY-MM-DD. */
  dueDate: string;
}

/** The payment fields that balance and status depend on. */
export interface BillablePayment {
  id: string;
  invoiceId?: string | null;
  /** Integer in minor units; a negative amount is a refund. */
  amount: number;
  currency: string;
}

/** A payment that references the invoice but was left out of its balance. */
export interface IgnoredPayment {
  paymentId: string;
  reason: 'currency-mismatch';
  amount: number;
  currency: string;
}

/** Balance of one invoice; every amount is an integer in minor units. */
export interface InvoiceBalance {
  currency: string;
  total: number;
  /** Sum of the counted payments. */
  paid: number;
  /** total - paid; below zero the client has a credit of -balance. */
  balance: number;
  /** Payments for this invoice in another currency, never converted. */
  ignoredPayments: IgnoredPayment[];
}

/**
 * Sums the payments that reference the invoice in its own currency.
 * A payment in another currency is not converted at any rate: it is left
 * out and listed in `ignoredPayments` so staff can correct it.
 */
export function invoiceBalance(
  invoice: BillableInvoice,
  payments: Iterable<BillablePayment>,
): InvoiceBalance {
  checkMinorUnits(invoice.total, `Invoice ${invoice.id} total`);
  let paid = 0n;
  const ignoredPayments: IgnoredPayment[] = [];

  for (const payment of payments) {
    if (payment.invoiceId !== invoice.id) continue;
    checkMinorUnits(payment.amount, `Payment ${payment.id} amount`);

    if (payment.currency.toUpperCase() !== invoice.currency.toUpperCase()) {
      ignoredPayments.push({
        paymentId: payment.id,
        reason: 'currency-mismatch',
        amount: payment.amount,
        currency: payment.currency,
      });
      continue;
    }
    paid += BigInt(payment.amount);
  }

  const paidNumber = requireSafeInteger(
    paid,
    `Payments for invoice ${invoice.id}`,
  );
  const balance = BigInt(invoice.total) - paid;
  return {
    currency: invoice.currency,
    total: invoice.total,
    paid: paidNumber,
    balance: requireSafeInteger(balance, `Balance of invoice ${invoice.id}`),
    ignoredPayments,
  };
}

/**
 * Derives the status on `today` (YYYY-MM-DD, in the firm's time zone).
 *
 * - `void` and `draft` follow the stored status whatever was paid.
 * - An issued invoice with a balance of zero or less is `paid`. An
 *   overpayment stays `paid` with a negative balance, which is a credit.
 * - Otherwise it is `overdue` once `today` is after the due date, and this
 *   takes precedence over `partly-paid`. On the due date it is not late.
 * - Otherwise it is `partly-paid` when some payment counted, else `open`.
 */
export function invoiceStatus(
  invoice: BillableInvoice,
  payments: Iterable<BillablePayment>,
  today: string,
): InvoiceStatus {
  checkDate(today, 'today');
  checkDate(invoice.dueDate, `Invoice ${invoice.id} due date`);
  if (invoice.status === 'void') return 'void';
  if (invoice.status === 'draft') return 'draft';

  const { paid, balance } = invoiceBalance(invoice, payments);
  if (balance <= 0) return 'paid';
  if (today > invoice.dueDate) return 'overdue';
  return paid > 0 ? 'partly-paid' : 'open';
}

/** Returns the UTC calendar date of `now` as YYYY-MM-DD. */
export function utcDate(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

// YYYY-MM-DD strings compare correctly as text only when they are real
// dates in exactly this form, so anything else is rejected first.
function checkDate(value: string, label: string): void {
  const match = DATE_PATTERN.exec(value);
  const [, year = '', month = '', day = ''] = match ?? [];
  const parsed = new Date(Date.UTC(+year, +month - 1, +day));
  const valid =
    match !== null &&
    parsed.getUTCFullYear() === +year &&
    parsed.getUTCMonth() === +month - 1 &&
    parsed.getUTCDate() === +day;

  if (!valid) {
    throw new BillingError(
      'invalid-date',
      `${label} ${JSON.stringify(value)} is not a valid calendar date; ` +
        'expected YYYY-MM-DD, such as "2025-01-31".',
    );
  }
}

function checkMinorUnits(value: number, label: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new BillingError(
      'invalid-amount',
      `${label} ${String(value)} is invalid: expected an integer in minor ` +
        'units.',
    );
  }
}
