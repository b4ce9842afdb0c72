import { describe, expect, it } from 'vitest';
import {
  BillingError,
  formatMinorUnits,
  invoiceTotal,
  lineTotal,
  toMinorUnits,
  type InvoiceLine,
} from '../../src/billing/index.js';

interface TotalCase {
  name: string;
  currency: string;
  lines: InvoiceLine[];
  lineTotals: number[];
  total: number;
  /** Total in major units, to check the currency exponent is applied. */
  display: string;
}

const line = (quantity: string | number, unitAmount: number): InvoiceLine => ({
  description: 'Work',
  quantity,
  unitAmount,
});

const cases: TotalCase[] = [
  {
    name: 'JPY half yen rounds up',
    currency: 'JPY',
    lines: [line('1.5', 333), line('0.0001', 5000), line('2.25', 1)],
    lineTotals: [500, 1, 2],
    total: 503,
    display: '503',
  },
  {
    name: 'JPY tenths of a unit',
    currency: 'JPY',
    lines: [line('0.1', 1000), line('0.2', 1000), line(0.7, 1000)],
    lineTotals: [100, 200, 700],
    total: 1000,
    display: '1000',
  },
  {
    name: 'EUR float traps',
    currency: 'EUR',
    // 1.005 * 100 is 100.49999999999999 and 0.285 * 100 is
    // 28.499999999999996 in binary floating point; exactly they are halves.
    lines: [line('1.005', 100), line('0.285', 100), line('4.35', 100)],
    lineTotals: [101, 29, 435],
    total: 565,
    display: '5.65',
  },
  {
    name: 'EUR hours and discount',
    currency: 'EUR',
    lines: [line('7.25', 12_000), line(3, 1999), line('1', -2_500)],
    lineTotals: [87_000, 5_997, -2_500],
    total: 90_497,
    display: '904.97',
  },
  {
    name: 'EUR trailing zeros accepted',
    currency: 'EUR',
    lines: [line('1.50000', 999), line('0.3333', 3)],
    lineTotals: [1499, 1],
    total: 1500,
    display: '15.00',
  },
  {
    name: 'BHD three digits',
    currency: 'BHD',
    lines: [line('0.3333', 3000), line('1.1', 1001), line('2.5', 1)],
    lineTotals: [1000, 1101, 3],
    total: 2104,
    display: '2.104',
  },
  {
    name: 'KWD negative half rounds away',
    currency: 'KWD',
    lines: [line('12', 1_250), line('2.5', -1), line('0.0005', 1_000)],
    lineTotals: [15_000, -3, 1],
    total: 14_998,
    display: '14.998',
  },
];

describe('invoice totals', () => {
  it.each(cases)('$name', (c) => {
    expect(c.lines.map((l, i) => lineTotal(l, i))).toEqual(c.lineTotals);
    expect(invoiceTotal(c.lines)).toBe(c.total);
    expect(formatMinorUnits(c.total, c.currency)).toBe(c.display);
  });

  it('differs from a float implementation', () => {
    // Guards the table: if these equalities held, the float traps above
    // would not test anything.
    expect(Math.round(1.005 * 100)).toBe(100);
    expect(Math.round(0.285 * 100)).toBe(28);
    expect(Math.floor(4.35 * 100)).toBe(434);
    expect(0.1 + 0.2).not.toBe(0.3);
  });

  it('adds major amounts exactly', () => {
    const tenCents = toMinorUnits('0.1', 'EUR');
    const twentyCents = toMinorUnits('0.2', 'EUR');
    const lines = [line(1, tenCents), line(1, twentyCents)];
    expect(formatMinorUnits(invoiceTotal(lines), 'EUR')).toBe('0.30');
  });

  it('sums an empty invoice to zero', () => {
    expect(invoiceTotal([])).toBe(0);
  });
});

describe('invoice line validation', () => {
  const badQuantities: unknown[] = [
    '-1',
    '1.00001',
    '1,5',
    'abc',
    '',
    1e-7,
    Number.NaN,
    Infinity,
    -0.5,
    null,
  ];

  it.each(badQuantities)('rejects quantity %s', (quantity) => {
    const lines = [line(1, 100), { ...line(1, 100), quantity } as InvoiceLine];
    const error = captureError(() => invoiceTotal(lines));
    expect(error.code).toBe('invalid-quantity');
    expect(error.message).toContain('Line 2');
    const expectedText =
      typeof quantity === 'string'
        ? JSON.stringify(quantity)
        : String(quantity);
    expect(error.message).toContain(expectedText);
  });

  it.each([12.5, Number.NaN, 2 ** 53, '100'])(
    'rejects unit amount %s',
    (unitAmount) => {
      const bad = { ...line(1, 0), unitAmount } as InvoiceLine;
      const error = captureError(() => invoiceTotal([line(1, 5), bad]));
      expect(error.code).toBe('invalid-amount');
      expect(error.message).toContain('Line 2');
      expect(error.message).toContain(String(unitAmount));
    },
  );

  it('rejects empty description', () => {
    const error = captureError(() =>
      lineTotal({ description: '  ', quantity: 1, unitAmount: 1 }, 4),
    );
    expect(error.code).toBe('invalid-line');
    expect(error.message).toContain('Line 5');
  });

  it('rejects a total past 2^53', () => {
    const big = line('9999', Number.MAX_SAFE_INTEGER);
    const error = captureError(() => lineTotal(big));
    expect(error.code).toBe('overflow');
  });

  it('rejects a sum past 2^53', () => {
    const half = line(1, Math.ceil(Number.MAX_SAFE_INTEGER / 2) + 1);
    const error = captureError(() => invoiceTotal([half, half]));
    expect(error.code).toBe('overflow');
  });
});

function captureError(run: () => unknown): BillingError {
  try {
    run();
  } catch (error) {
    if (error instanceof BillingError) return error;
    throw error;
  }
  throw new Error('expected a BillingError, but nothing was thrown');
}
