import { describe, expect, it } from 'vitest';
import {
  BillingError,
  invoiceBalance,
  invoiceStatus,
  utcDate,
  type BillableInvoice,
  type BillablePayment,
} from '../../src/billing/index.js';

const invoice: BillableInvoice = {
  id: 'inv-1',
  status: 'issued',
  currency: 'EUR',
  total: 10_000,
  dueDate: '2025-03-31',
};

const BEFORE_DUE = '2025-03-01';
const AFTER_DUE = '2025-04-01';

let nextId = 1;
function payment(
  amount: number,
  currency = 'EUR',
  invoiceId: string | null = 'inv-1',
): BillablePayment {
  return { id: `pay-${nextId++}`, invoiceId, amount, currency };
}

describe('invoice balance and status', () => {
  it('open with no payments', () => {
    expect(invoiceBalance(invoice, []).balance).toBe(10_000);
    expect(invoiceStatus(invoice, [], BEFORE_DUE)).toBe('open');
  });

  it('open on the due date', () => {
    expect(invoiceStatus(invoice, [], invoice.dueDate)).toBe('open');
  });

  it('overdue after the due date', () => {
    expect(invoiceStatus(invoice, [], AFTER_DUE)).toBe('overdue');
  });

  it('partly paid', () => {
    const payments = [payment(2_500), payment(1_500)];
    const balance = invoiceBalance(invoice, payments);
    expect(balance.paid).toBe(4_000);
    expect(balance.balance).toBe(6_000);
    expect(invoiceStatus(invoice, payments, BEFORE_DUE)).toBe('partly-paid');
  });

  it('partly paid and late is overdue', () => {
    const payments = [payment(4_000)];
    expect(invoiceStatus(invoice, payments, AFTER_DUE)).toBe('overdue');
  });

  it('fully paid', () => {
    const payments = [payment(4_000), payment(6_000)];
    expect(invoiceBalance(invoice, payments).balance).toBe(0);
    expect(invoiceStatus(invoice, payments, BEFORE_DUE)).toBe('paid');
    expect(invoiceStatus(invoice, payments, AFTER_DUE)).toBe('paid');
  });

  it('overpaid shows a credit', () => {
    const payments = [payment(12_000)];
    const balance = invoiceBalance(invoice, payments);
    expect(balance.paid).toBe(12_000);
    expect(balance.balance).toBe(-2_000);
    expect(invoiceStatus(invoice, payments, AFTER_DUE)).toBe('paid');
  });

  it('refund reopens the invoice', () => {
    const payments = [payment(10_000), payment(-10_000)];
    expect(invoiceBalance(invoice, payments).balance).toBe(10_000);
    expect(invoiceStatus(invoice, payments, BEFORE_DUE)).toBe('open');
  });

  it('void wins over payments', () => {
    const voided: BillableInvoice = { ...invoice, status: 'void' };
    const payments = [payment(4_000)];
    expect(invoiceStatus(voided, payments, AFTER_DUE)).toBe('void');
    expect(invoiceStatus(voided, [], BEFORE_DUE)).toBe('void');
    expect(invoiceBalance(voided, payments).balance).toBe(6_000);
  });

  it('draft stays draft', () => {
    const draft: BillableInvoice = { ...invoice, status: 'draft' };
    expect(invoiceStatus(draft, [payment(10_000)], AFTER_DUE)).toBe('draft');
  });

  it('zero total is paid', () => {
    const free: BillableInvoice = { ...invoice, total: 0 };
    expect(invoiceStatus(free, [], AFTER_DUE)).toBe('paid');
  });

  it('ignores and flags another currency', () => {
    const dollars = payment(10_000, 'USD');
    const payments = [payment(1_000), dollars];
    const balance = invoiceBalance(invoice, payments);
    expect(balance.paid).toBe(1_000);
    expect(balance.balance).toBe(9_000);
    expect(balance.ignoredPayments).toEqual([
      {
        paymentId: dollars.id,
        reason: 'currency-mismatch',
        amount: 10_000,
        currency: 'USD',
      },
    ]);
    expect(invoiceStatus(invoice, payments, BEFORE_DUE)).toBe('partly-paid');
  });

  it('matches currency in any case', () => {
    const payments = [payment(10_000, 'eur')];
    expect(invoiceBalance(invoice, payments).ignoredPayments).toEqual([]);
    expect(invoiceStatus(invoice, payments, BEFORE_DUE)).toBe('paid');
  });

  it('skips payments of other invoices', () => {
    const payments = [
      payment(5_000, 'EUR', 'inv-2'),
      payment(5_000, 'USD', null),
    ];
    const balance = invoiceBalance(invoice, payments);
    expect(balance.paid).toBe(0);
    expect(balance.ignoredPayments).toEqual([]);
  });

  it('JPY and KWD balances', () => {
    const yen: BillableInvoice = { ...invoice, currency: 'JPY', total: 503 };
    const dinar: BillableInvoice = {
      ...invoice,
      currency: 'KWD',
      total: 14_998,
    };
    expect(invoiceBalance(yen, [payment(500, 'JPY')]).balance).toBe(3);
    expect(invoiceBalance(dinar, [payment(15_000, 'KWD')]).balance).toBe(-2);
  });

  it.each(['2025-02-30', '2025-3-01', '01/03/2025', '2025-03-01T00:00:00Z'])(
    'rejects date %s',
    (today) => {
      const run = (): unknown => invoiceStatus(invoice, [], today);
      expect(run).toThrow(BillingError);
      expect(run).toThrow(JSON.stringify(today));
    },
  );

  it('rejects a fractional payment', () => {
    const bad = payment(10.5);
    expect(() => invoiceBalance(invoice, [bad])).toThrow(bad.id);
  });

  it('formats the UTC date', () => {
    expect(utcDate(new Date('2025-03-31T23:59:59Z'))).toBe('2025-03-31');
  });
});
