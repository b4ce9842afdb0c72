import { describe, expect, it } from 'vitest';
import {
  draftOf,
  previewTotal,
  type InvoiceDraft,
} from '../src/engine/billing-actions.js';
import type { Invoice } from '../src/engine/workspace.js';

const DRAFT: InvoiceDraft = {
  number: '7',
  issueDate: '2026-03-01',
  dueDate: '2026-03-31',
  currency: 'eur',
  lines: [
    { description: 'Bookkeeping', quantity: '1.5', unitPrice: '120.00' },
    { description: 'Filing fee', quantity: '1', unitPrice: '35' },
  ],
};

describe('invoice drafts', () => {
  it('totals lines in minor units', () => {
    expect(previewTotal(DRAFT)).toBe(21_500);
  });

  it('uses the currency exponent', () => {
    const yen = { ...DRAFT, currency: 'JPY', lines: [line('3', '1000')] };
    expect(previewTotal(yen)).toBe(3_000);
  });

  it.each([
    ['an unknown currency', { ...DRAFT, currency: 'XYZ' }],
    ['too many decimals', { ...DRAFT, lines: [line('1', '1.005')] }],
    ['a negative quantity', { ...DRAFT, lines: [line('-1', '10')] }],
    ['an empty price', { ...DRAFT, lines: [line('1', '')] }],
  ])('has no total with %s', (_case, draft) => {
    expect(previewTotal(draft)).toBeUndefined();
  });

  it('fills the form from an invoice', () => {
    const invoice: Invoice = {
      id: 'invoice-1',
      contactId: 'contact-1',
      number: '7',
      issueDate: '2026-03-01',
      dueDate: '2026-03-31',
      currency: 'KWD',
      lines: [{ description: 'Audit', quantity: 2, unitAmount: 1_250 }],
      total: 2_500,
      status: 'draft',
    };
    expect(draftOf(invoice).lines).toEqual([
      { description: 'Audit', quantity: '2', unitPrice: '1.250' },
    ]);
  });
});

function line(quantity: string, unitPrice: string) {
  return { description: 'Work', quantity, unitPrice };
}
