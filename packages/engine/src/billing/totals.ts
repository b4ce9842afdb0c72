/**
 * Invoice line and invoice totals in integer minor units.
 *
 * A quantity is a non-negative decimal with at most four fraction digits,
 * given as a string ("1.5") or a number (1.5). A unit amount is an integer
 * in the invoice currency's minor units and may be negative for a discount
 * line. A line total is quantity times unit amount, rounded half away from
 * zero to a whole minor unit. The invoice total is the sum of the rounded
 * line totals, so it always equals what the printed lines add up to.
 */
import { BillingError } from './errors.js';
import {
  numberToDecimalText,
  parseScaledDecimal,
  roundScaled,
  requireSafeInteger,
} from './decimal.js';

/** Fraction digits a quantity may have: 0.0001 hours is under a second. */
export const QUANTITY_DECIMALS = 4;

/** One priced line of an invoice. */
export interface InvoiceLine {
  description: string;
  /** Non-negative decimal with at most `QUANTITY_DECIMALS` fraction digits. */
  quantity: string | number;
  /** Price of one unit, an integer in minor units of the invoice currency. */
  unitAmount: number;
}

/**
 * Returns quantity x unitAmount rounded half away from zero to an integer
 * in minor units. `index` (0-based) only labels error messages.
 */
export function lineTotal(line: InvoiceLine, index = 0): number {
  const label = `Line ${index + 1}`;
  checkDescription(line.description, label);
  const quantity = parseQuantity(line.quantity, label);
  const unitAmount = checkUnitAmount(line.unitAmount, label);

  const exact = quantity * BigInt(unitAmount);
  const total = roundScaled(exact, QUANTITY_DECIMALS);
  return requireSafeInteger(total, `${label} total`);
}

/** Returns the sum of the line totals, an integer in minor units. */
export function invoiceTotal(lines: readonly InvoiceLine[]): number {
  let sum = 0n;
  lines.forEach((line, index) => {
    sum += BigInt(lineTotal(line, index));
  });
  return requireSafeInteger(sum, 'Invoice total');
}

/**
 * Parses a quantity into ten-thousandths (1.5 becomes 15000n). Raises
 * `invalid-quantity` naming the line and the value when it is negative,
 * not a plain decimal, or more precise than four fraction digits.
 */
export function parseQuantity(value: unknown, label = 'Quantity'): bigint {
  const text =
    typeof value === 'number'
      ? numberToDecimalText(value)
      : typeof value === 'string'
        ? value.trim()
        : undefined;
  const units =
    text === undefined
      ? undefined
      : parseScaledDecimal(text, QUANTITY_DECIMALS);

  if (units === undefined || units < 0n) {
    throw new BillingError(
      'invalid-quantity',
      `${label}: invalid quantity ${describe(value)}. Expected a ` +
        `non-negative decimal with at most ${QUANTITY_DECIMALS} fraction ` +
        'digits, such as "2" or "1.25"; enter a discount as a negative ' +
        'unit amount.',
    );
  }
  return units;
}

function checkDescription(value: unknown, label: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BillingError(
      'invalid-line',
      `${label}: invalid description ${describe(value)}. Expected ` +
        'non-empty text.',
    );
  }
}

function checkUnitAmount(value: unknown, label: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new BillingError(
      'invalid-amount',
      `${label}: invalid unit amount ${describe(value)}. Expected an ` +
        'integer in minor units, such as 1250 for 12.50 EUR.',
    );
  }
  return value;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
