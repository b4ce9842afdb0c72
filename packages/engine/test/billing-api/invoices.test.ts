import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  BillingError,
  formatMinorUnits,
  type InvoiceLine,
} from '../../src/billing/index.js';
import {
  BillingRuleError,
  openStaffEngine,
  type Contact,
  type InvoiceDraftInput,
  type StaffEngine,
} from '../../src/index.js';
import { contactInput, testOptions, until } from '../support/engine.js';
import { relayRecord } from '../support/remote.js';
import { TestRelay } from '../support/test-relay.js';

let relay: TestRelay;
let staff: StaffEngine;
let contact: Contact;

beforeEach(async () => {
  relay = await TestRelay.start();
  staff = await openStaffEngine(testOptions(relay.url));
  contact = await staff.contacts.create({
    ...contactInput,
    portal: { status: 'invited' },
  });
});

afterEach(async () => {
  await staff.close();
  await relay.close();
});

function draft(overrides: Partial<InvoiceDraftInput> = {}): InvoiceDraftInput {
  return {
    contactId: contact.id,
    number: 'INV-1',
    issueDate: '2026-03-01',
    dueDate: '2026-03-31',
    currency: 'EUR',
    lines: [{ description: 'Advice', quantity: 2, unitAmount: 15000 }],
    ...overrides,
  };
}

const line = (quantity: string | number, unitAmount: number): InvoiceLine => ({
  description: 'Work',
  quantity,
  unitAmount,
});

interface AmountCase {
  currency: string;
  lines: InvoiceLine[];
  total: number;
  display: string;
}

// Totals worked by hand: each line is rounded half away from zero to a
// whole minor unit, then the rounded lines are added.
const amountCases: AmountCase[] = [
  // 1.5 x 333 = 499.5 -> 500; 0.25 x 1001 = 250.25 -> 250.
  {
    currency: 'JPY',
    lines: [line('1.5', 333), line(0.25, 1001)],
    total: 750,
    display: '750',
  },
  // 0.1 x 3 = 0.3 -> 0 and 0.3333 x 3 = 0.9999 -> 1 (no float drift).
  {
    currency: 'JPY',
    lines: [line(0.1, 3), line('0.3333', 3)],
    total: 1,
    display: '1',
  },
  // 1.25 x 1999 = 2498.75 -> 2499; 0.1 x 10 = 1; 3 x -500 = -1500.
  {
    currency: 'EUR',
    lines: [line('1.25', 1999), line(0.1, 10), line(3, -500)],
    total: 1000,
    display: '10.00',
  },
  // 0.1 + 0.2 hours at 10000 cents: 1000 + 2000, never 3000.0000000004.
  {
    currency: 'USD',
    lines: [line(0.1, 10000), line(0.2, 10000)],
    total: 3000,
    display: '30.00',
  },
  // 2.5 x 1 = 2.5 -> 3 (half away from zero); 0.0005 x 1000 = 0.5 -> 1.
  {
    currency: 'KWD',
    lines: [line('2.5', 1), line('0.0005', 1000)],
    total: 4,
    display: '0.004',
  },
  // 7.3333 x 1234 = 9049.2922 -> 9049; 0.5 x -3 = -1.5 -> -2.
  {
    currency: 'BHD',
    lines: [line('7.3333', 1234), line('0.5', -3)],
    total: 9047,
    display: '9.047',
  },
];

describe('invoice amounts', () => {
  test.each(amountCases)(
    '$currency total of $display',
    async ({ currency, lines, total, display }) => {
      const invoice = await staff.billing.createInvoice(
        draft({ currency: currency.toLowerCase(), lines }),
      );
      expect(invoice.currency).toBe(currency);
      expect(invoice.total).toBe(total);
      expect(Number.isInteger(invoice.total)).toBe(true);
      expect(formatMinorUnits(invoice.total, currency)).toBe(display);
    },
  );

  test('decimal string quantity stored exactly', async () => {
    const invoice = await staff.billing.createInvoice(
      draft({ lines: [line('0.0001', 10_000_000)] }),
    );
    expect(invoice.lines[0]?.quantity).toBe(0.0001);
    expect(invoice.total).toBe(1000);
  });

  test('five fraction digits rejected', async () => {
    const attempt = staff.billing.createInvoice(
      draft({ lines: [line('0.00001', 100)] }),
    );
    await expect(attempt).rejects.toThrow(BillingError);
    await expect(attempt).rejects.toThrow('0.00001');
    expect(await staff.invoices.list()).toEqual([]);
  });

  test('unknown currency rejected', async () => {
    const attempt = staff.billing.createInvoice(draft({ currency: 'EUX' }));
    await expect(attempt).rejects.toThrow('Unknown currency code "EUX"');
  });

  test('due date before issue date rejected', async () => {
    const attempt = staff.billing.createInvoice(
      draft({ issueDate: '2026-03-10', dueDate: '2026-03-09' }),
    );
    await expect(attempt).rejects.toThrow('before issue date');
  });

  test('raw store rejects a wrong total', async () => {
    const attempt = staff.invoices.create({
      ...draft(),
      total: 29999,
      status: 'draft',
      lines: draft().lines.map((l) => ({ ...l, quantity: Number(l.quantity) })),
    });
    await expect(attempt).rejects.toMatchObject({ code: 'total-mismatch' });
  });
});

describe('invoice life cycle', () => {
  test('draft edits recompute the total', async () => {
    const invoice = await staff.billing.createInvoice(draft());
    expect(invoice.status).toBe('draft');
    expect(invoice.total).toBe(30000);

    const edited = await staff.billing.updateInvoice(invoice.id, {
      lines: [line('1.5', 15000)],
    });
    expect(edited.total).toBe(22500);
  });

  test('issued lines and amounts frozen', async () => {
    const invoice = await staff.billing.createInvoice(draft());
    await staff.billing.issueInvoice(invoice.id);

    const viaApi = staff.billing.updateInvoice(invoice.id, {
      lines: [line(1, 1)],
    });
    await expect(viaApi).rejects.toBeInstanceOf(BillingRuleError);
    await expect(viaApi).rejects.toMatchObject({ code: 'invoice-frozen' });
    await expect(viaApi).rejects.toThrow('lines, total cannot change');

    const viaStore = staff.invoices.update(invoice.id, { currency: 'USD' });
    await expect(viaStore).rejects.toMatchObject({ code: 'invoice-frozen' });

    const deleting = staff.invoices.delete(invoice.id);
    await expect(deleting).rejects.toMatchObject({ code: 'invoice-frozen' });

    const stored = await staff.invoices.get(invoice.id);
    expect(stored?.total).toBe(30000);
    expect(stored?.currency).toBe('EUR');
  });

  test('issued due date may move', async () => {
    const invoice = await staff.billing.createInvoice(draft());
    await staff.billing.issueInvoice(invoice.id);
    const moved = await staff.billing.updateInvoice(invoice.id, {
      dueDate: '2026-04-30',
    });
    expect(moved.dueDate).toBe('2026-04-30');
  });

  test('void is final', async () => {
    const invoice = await staff.billing.createInvoice(draft());
    await staff.billing.issueInvoice(invoice.id);
    await staff.billing.voidInvoice(invoice.id);
    const reissue = staff.invoices.update(invoice.id, { status: 'issued' });
    await expect(reissue).rejects.toMatchObject({ code: 'invalid-transition' });
  });

  test('empty draft cannot be issued', async () => {
    const invoice = await staff.billing.createInvoice(draft({ lines: [] }));
    const issuing = staff.billing.issueInvoice(invoice.id);
    await expect(issuing).rejects.toThrow('has no lines');
  });
});

describe('payments', () => {
  test('payment in another currency rejected', async () => {
    const invoice = await staff.billing.createInvoice(draft());
    const attempt = staff.billing.recordPayment({
      invoiceId: invoice.id,
      amount: 1000,
      currency: 'USD',
      method: 'card',
    });
    await expect(attempt).rejects.toMatchObject({ code: 'currency-mismatch' });
    expect(await staff.payments.list()).toEqual([]);
  });

  test('payment for another contact rejected', async () => {
    const invoice = await staff.billing.createInvoice(draft());
    const other = await staff.contacts.create({
      ...contactInput,
      displayName: 'Grace Hopper',
    });
    const attempt = staff.billing.recordPayment({
      invoiceId: invoice.id,
      contactId: other.id,
      amount: 1000,
      currency: 'EUR',
      method: 'card',
    });
    await expect(attempt).rejects.toMatchObject({ code: 'contact-mismatch' });
  });

  test('payment takes the invoice contact', async () => {
    const invoice = await staff.billing.createInvoice(draft());
    const payment = await staff.billing.recordPayment({
      invoiceId: invoice.id,
      amount: 1000,
      currency: 'eur',
      method: 'bank transfer',
      reference: 'TX-1',
    });
    expect(payment.contactId).toBe(contact.id);
    expect(payment.currency).toBe('EUR');
    expect(payment.publishedAt).toBeUndefined();
  });
});

describe('publishing', () => {
  const portalDoc = () => `portal/${contact.id}`;

  test('only issued invoices publish', async () => {
    const invoice = await staff.billing.createInvoice(draft());
    const attempt = staff.billing.publishInvoice(invoice.id);
    await expect(attempt).rejects.toMatchObject({ code: 'not-issued' });
    await staff.waitForAllSaved();
    expect(relayRecord(relay, portalDoc(), 'invoices', invoice.id)).toBe(
      undefined,
    );
  });

  test('unpublished contact refused', async () => {
    const hidden = await staff.contacts.create(contactInput);
    const invoice = await staff.billing.createInvoice(
      draft({ contactId: hidden.id }),
    );
    await staff.billing.issueInvoice(invoice.id);
    const attempt = staff.billing.publishInvoice(invoice.id);
    await expect(attempt).rejects.toMatchObject({
      code: 'contact-not-published',
    });
    await staff.waitForAllSaved();
    expect(relay.docs.has(`portal/${hidden.id}`)).toBe(false);
  });

  test('published invoice and payment reach the portal doc', async () => {
    const invoice = await staff.billing.createInvoice(draft());
    const hidden = await staff.billing.createInvoice(
      draft({ number: 'INV-2' }),
    );
    await staff.billing.issueInvoice(invoice.id);
    await staff.billing.issueInvoice(hidden.id);
    const published = await staff.billing.publishInvoice(invoice.id);
    expect(published.publishedAt).toEqual(expect.any(String));

    const payment = await staff.billing.recordPayment({
      invoiceId: invoice.id,
      amount: 10000,
      currency: 'EUR',
      method: 'card',
    });
    const paymentOut = await staff.billing.publishPayment(payment.id);
    await staff.waitForAllSaved();

    const onRelay = relayRecord(relay, portalDoc(), 'invoices', invoice.id);
    expect(onRelay).toMatchObject({
      number: 'INV-1',
      status: 'issued',
      total: 30000,
      currency: 'EUR',
      publishedAt: published.publishedAt,
    });
    expect(onRelay).not.toHaveProperty('contactId');
    expect(relayRecord(relay, portalDoc(), 'payments', payment.id)).toEqual(
      expect.objectContaining({
        amount: 10000,
        invoiceId: invoice.id,
        publishedAt: paymentOut.publishedAt,
      }),
    );
    expect(relayRecord(relay, portalDoc(), 'invoices', hidden.id)).toBe(
      undefined,
    );
    const portalRows = await staff.collections.portalinvoices.find().exec();
    expect(portalRows.map((row) => row.id)).toEqual([invoice.id]);
  });

  test('payment before its invoice refused', async () => {
    const invoice = await staff.billing.createInvoice(draft());
    await staff.billing.issueInvoice(invoice.id);
    const payment = await staff.billing.recordPayment({
      invoiceId: invoice.id,
      amount: 100,
      currency: 'EUR',
      method: 'card',
    });
    const attempt = staff.billing.publishPayment(payment.id);
    await expect(attempt).rejects.toMatchObject({
      code: 'invoice-not-published',
    });
  });

  test('voiding a published invoice voids the portal copy', async () => {
    const invoice = await staff.billing.createInvoice(draft());
    await staff.billing.issueInvoice(invoice.id);
    await staff.billing.publishInvoice(invoice.id);
    await staff.billing.voidInvoice(invoice.id);
    await until(
      () =>
        relayRecord(relay, portalDoc(), 'invoices', invoice.id)?.['status'] ===
        'void',
      'the void status on the relay',
    );
    const copy = await staff.collections.portalinvoices
      .findOne(invoice.id)
      .exec();
    expect(copy?.get('status')).toBe('void');
  });
});
