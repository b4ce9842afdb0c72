/**
 * Rules of the invoice life cycle, free of storage: money checks, the
 * draft to issued to void transitions, and the fields an issued invoice
 * may no longer change.
 */
import {
  invoiceTotal,
  isCurrencyCode,
  parseQuantity,
  QUANTITY_DECIMALS,
  type InvoiceLine,
} from '../billing/index.js';
import { BillingError } from '../billing/errors.js';
import { canonicalJson } from '../json.js';
import type { Invoice } from '../schemas.js';
import { BillingRuleError } from './errors.js';

/** An invoice line as stored: the quantity is a JSON number. */
export type StoredLine = Invoice['lines'][number];

/**
 * Fields of an issued or void invoice that no update may change, because
 * the client may have received the invoice with these values.
 */
export const FROZEN_FIELDS = [
  'contactId',
  'number',
  'issueDate',
  'currency',
  'lines',
  'total',
] as const;

/** Allowed status changes; a status may also stay as it is. */
const TRANSITIONS: Readonly<Record<Invoice['status'], Invoice['status'][]>> = {
  draft: ['issued', 'void'],
  issued: ['void'],
  void: [],
};

const SCALE = 10 ** QUANTITY_DECIMALS;

/**
 * Converts lines to their stored form. A quantity may be given as a
 * decimal string ("1.25"). It is stored as the nearest JSON number, and
 * rejected when that number does not read back as the same decimal.
 */
export function storedLines(lines: readonly InvoiceLine[]): StoredLine[] {
  return lines.map((line, index) => {
    const label = `Line ${index + 1}`;
    const units = parseQuantity(line.quantity, label);
    // Both operands are exact integers, and IEEE division rounds once, so
    // this is the number closest to the decimal, as parsing it would be.
    const quantity = Number(units) / SCALE;
    if (parseQuantity(quantity, label) !== units) {
      throw new BillingError(
        'invalid-quantity',
        `${label}: quantity ${String(line.quantity)} has too many ` +
          'significant digits to store exactly; use fewer digits.',
      );
    }
    return {
      description: line.description,
      quantity,
      unitAmount: line.unitAmount,
    };
  });
}

/**
 * Checks an invoice as a whole: a known currency, calendar dates with the
 * due date not before the issue date, and a total equal to the sum of the
 * rounded line totals. Raises `BillingError` or `BillingRuleError`.
 */
export function checkInvoice(invoice: Invoice): void {
  if (!isCurrencyCode(invoice.currency)) {
    throw new BillingError(
      'unknown-currency',
      `Invoice ${invoice.number}: unknown currency code ` +
        `${JSON.stringify(invoice.currency)}; use an upper-case ISO 4217 ` +
        'code such as "EUR".',
    );
  }
  checkDates(invoice.issueDate, invoice.dueDate);

  const expected = invoiceTotal(invoice.lines);
  if (invoice.total !== expected) {
    throw new BillingRuleError(
      'total-mismatch',
      `Invoice ${invoice.number}: total ${invoice.total} differs from the ` +
        `sum of its lines, ${expected} minor units; leave the total out to ` +
        'have it computed.',
    );
  }
}

/**
 * Checks an update of `current` to `next`: the status change must be
 * allowed, and an invoice that is not a draft keeps its frozen fields.
 */
export function checkInvoiceChange(current: Invoice, next: Invoice): void {
  if (next.status !== current.status) {
    if (!TRANSITIONS[current.status].includes(next.status)) {
      throw new BillingRuleError(
        'invalid-transition',
        `Invoice ${current.number} is ${current.status} and cannot become ` +
          `${next.status}; only draft to issued, draft to void and issued ` +
          'to void are allowed. Create a new invoice instead.',
      );
    }
  }
  if (current.status === 'draft') return;

  const changed = FROZEN_FIELDS.filter(
    (field) => canonicalJson(current[field]) !== canonicalJson(next[field]),
  );
  if (changed.length > 0) {
    throw new BillingRuleError(
      'invoice-frozen',
      `Invoice ${current.number} is ${current.status}, so ` +
        `${changed.join(', ')} cannot change; void it and issue a new ` +
        'invoice instead.',
    );
  }
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Raises `invalid-date` unless both are dates and due is not before issue. */
export function checkDates(issueDate: string, dueDate: string): void {
  checkCalendarDate(issueDate, 'issue date');
  checkCalendarDate(dueDate, 'due date');
  // Valid YYYY-MM-DD strings order as text the way the dates do.
  if (dueDate < issueDate) {
    throw new BillingRuleError(
      'invalid-date',
      `Due date ${dueDate} is before issue date ${issueDate}; set a due ` +
        'date on or after the issue date.',
    );
  }
}

function checkCalendarDate(value: string, label: string): void {
  const [, year = '', month = '', day = ''] = DATE_PATTERN.exec(value) ?? [];
  const parsed = new Date(Date.UTC(+year, +month - 1, +day));
  const valid =
    year !== '' &&
    parsed.getUTCFullYear() === +year &&
    parsed.getUTCMonth() === +month - 1 &&
    parsed.getUTCDate() === +day;
  if (!valid) {
    throw new BillingRuleError(
      'invalid-date',
      `Invalid ${label} ${JSON.stringify(value)}: expected a calendar date ` +
        'as YYYY-MM-DD, such as "2025-01-31".',
    );
  }
}
