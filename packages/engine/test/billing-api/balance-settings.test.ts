import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  openStaffEngine,
  type Contact,
  type Invoice,
  type StaffEngine,
} from '../../src/index.js';
import { contactInput, testOptions, until } from '../support/engine.js';
import { recordMap, relayRecord, remoteWrite } from '../support/remote.js';
import { TestRelay } from '../support/test-relay.js';

let relay: TestRelay;
let staff: StaffEngine;
let contact: Contact;

beforeEach(async () => {
  relay = await TestRelay.start();
  staff = await openStaffEngine(testOptions(relay.url));
  contact = await staff.contacts.create({
    ...contactInput,
    portal: { status: 'active' },
  });
});

afterEach(async () => {
  await staff.close();
  await relay.close();
});

/** Issues and publishes a 100.00 EUR invoice due on 2026-03-31. */
async function publishedInvoice(): Promise<Invoice> {
  const invoice = await staff.billing.createInvoice({
    contactId: contact.id,
    number: 'INV-7',
    issueDate: '2026-03-01',
    dueDate: '2026-03-31',
    currency: 'EUR',
    lines: [{ description: 'Audit', quantity: 1, unitAmount: 10000 }],
  });
  await staff.billing.issueInvoice(invoice.id);
  return staff.billing.publishInvoice(invoice.id);
}

async function pay(invoice: Invoice, amount: number): Promise<void> {
  const payment = await staff.billing.recordPayment({
    invoiceId: invoice.id,
    amount,
    currency: 'EUR',
    method: 'bank transfer',
  });
  await staff.billing.publishPayment(payment.id);
}

const BEFORE_DUE = { today: '2026-03-15' };
const AFTER_DUE = { today: '2026-04-01' };

describe('balance and status', () => {
  test('open before any payment', async () => {
    const invoice = await publishedInvoice();
    const summary = await staff.billing.summarizeInvoice(
      invoice.id,
      BEFORE_DUE,
    );
    expect(summary.status).toBe('open');
    expect(summary.balance.balance).toBe(10000);
    expect(summary.balance.paid).toBe(0);
  });

  test('partly paid, then overdue', async () => {
    const invoice = await publishedInvoice();
    await pay(invoice, 2550);
    const before = await staff.billing.summarizeInvoice(invoice.id, BEFORE_DUE);
    expect(before.status).toBe('partly-paid');
    expect(before.balance.paid).toBe(2550);
    expect(before.balance.balance).toBe(7450);
    const after = await staff.billing.summarizeInvoice(invoice.id, AFTER_DUE);
    expect(after.status).toBe('overdue');
  });

  test('paid in full in two parts', async () => {
    const invoice = await publishedInvoice();
    await pay(invoice, 4000);
    await pay(invoice, 6000);
    const summary = await staff.billing.summarizeInvoice(invoice.id, AFTER_DUE);
    expect(summary.status).toBe('paid');
    expect(summary.balance.balance).toBe(0);
  });

  test('overpayment leaves a credit', async () => {
    const invoice = await publishedInvoice();
    await pay(invoice, 12500);
    const summary = await staff.billing.summarizeInvoice(
      invoice.id,
      BEFORE_DUE,
    );
    expect(summary.status).toBe('paid');
    expect(summary.balance.paid).toBe(12500);
    expect(summary.balance.balance).toBe(-2500);
  });

  test('void whatever was paid', async () => {
    const invoice = await publishedInvoice();
    await pay(invoice, 3000);
    await staff.billing.voidInvoice(invoice.id);
    const summary = await staff.billing.summarizeInvoice(invoice.id, AFTER_DUE);
    expect(summary.status).toBe('void');
    expect(summary.balance.paid).toBe(3000);
  });

  test('unpublished payments count only on request', async () => {
    const invoice = await publishedInvoice();
    await staff.billing.recordPayment({
      invoiceId: invoice.id,
      amount: 10000,
      currency: 'EUR',
      method: 'cash',
    });
    const published = await staff.billing.summarizeInvoice(
      invoice.id,
      BEFORE_DUE,
    );
    expect(published.status).toBe('open');
    const all = await staff.billing.summarizeInvoice(invoice.id, {
      ...BEFORE_DUE,
      payments: 'all',
    });
    expect(all.status).toBe('paid');
  });
});

describe('payment settings', () => {
  const docName = () => `portal/${contact.id}`;
  const relaySettings = () =>
    relayRecord(relay, docName(), 'settings', 'settings');

  test('firm default applies to each client', async () => {
    expect(staff.billing.firmSettings()).toBeUndefined();
    await staff.billing.setClientAllowPayments(contact.id, null);
    expect(relaySettings()?.['allowPayments']).toBe(false);

    await staff.billing.setFirmSettings({ allowPayments: true });
    await staff.billing.whenSettingsApplied();
    await staff.waitForAllSaved();
    expect(relaySettings()?.['allowPayments']).toBe(true);
    const client = await staff.billing.clientPaymentSettings(contact.id);
    expect(client).toEqual({
      contactId: contact.id,
      allowPayments: true,
      override: undefined,
    });
  });

  test('client override wins over the firm default', async () => {
    await staff.billing.setFirmSettings({ allowPayments: true });
    const client = await staff.billing.setClientAllowPayments(
      contact.id,
      false,
    );
    expect(client.allowPayments).toBe(false);
    expect(client.override).toBe(false);

    await staff.billing.setFirmSettings({ allowPayments: false });
    await staff.billing.setFirmSettings({ allowPayments: true });
    await staff.waitForAllSaved();
    expect(relaySettings()).toMatchObject({
      allowPayments: false,
      allowPaymentsOverride: false,
    });

    const back = await staff.billing.setClientAllowPayments(contact.id, null);
    expect(back.allowPayments).toBe(true);
    await staff.waitForAllSaved();
    expect(relaySettings()).not.toHaveProperty('allowPaymentsOverride');
  });

  test('remote firm change updates the portal settings', async () => {
    await staff.billing.setClientAllowPayments(contact.id, null);
    await staff.waitForAllSaved();
    // Another staff device turns payments on for the whole firm.
    remoteWrite(relay, 'firm', (doc) =>
      doc
        .getMap('settings')
        .set('settings', recordMap({ allowPayments: true })),
    );
    await until(
      () => relaySettings()?.['allowPayments'] === true,
      'allowPayments on the relay',
    );
    const row = await staff.collections.portalsettings
      .findOne(contact.id)
      .exec();
    expect(row?.get('allowPayments')).toBe(true);
  });

  test('settings of a firm without a default are kept', async () => {
    await staff.collections.portalsettings.insert({
      contactId: contact.id,
      allowPayments: true,
      firmName: 'Example Firm',
    });
    await staff.billing.whenSettingsApplied();
    await staff.waitForAllSaved();
    expect(relaySettings()?.['allowPayments']).toBe(true);
  });
});
