/// <reference types="node" />
/**
 * The Billing tab in the built app against a real relay: invoice drafts
 * with lines, issue, void, Upload Selected Invoice, recording a payment,
 * Upload to Portal, and the client's online payment setting.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HAS_CHROMIUM,
  publishedContact,
  recordsWhere,
  startHarness,
  until,
  type Harness,
} from './support/browser.js';

let harness: Harness;

describe.skipIf(!HAS_CHROMIUM)('billing in Chromium', () => {
  beforeAll(async () => {
    harness = await startHarness();
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('publishes an invoice and a payment', { timeout: 90_000 }, async () => {
    const { context, page } = await harness.loggedIn();
    await publishedContact(page, 'Billing Client', 'billing@client.example');
    await page.getByRole('tab', { name: 'Billing' }).click();
    const tab = page.locator('portico-billing-tab');

    const editor = await openNewInvoice(page);
    await fillLine(editor, 1, ['Bookkeeping', '2', '120.50']);
    await editor.getByRole('button', { name: 'Add line' }).click();
    await fillLine(editor, 2, ['Filing fee', '1', '35']);
    await editor.getByText('Total: €276.00').waitFor();
    await editor.getByRole('button', { name: 'Save draft' }).click();
    const invoiceRow = tab.getByRole('row', { name: /€276\.00/ });
    await invoiceRow.getByRole('cell', { name: 'Draft' }).waitFor();

    await tab.getByRole('button', { name: 'Edit invoice 1' }).click();
    await editor.getByLabel('Quantity of line 1').fill('3');
    await editor.getByText('Total: €396.50').waitFor();
    await editor.getByRole('button', { name: 'Save draft' }).click();
    const edited = tab.getByRole('row', { name: /€396\.50/ });
    await tab.getByRole('button', { name: 'Issue invoice 1' }).click();
    await edited.getByRole('cell', { name: 'Open' }).waitFor();

    await tab.getByRole('radio', { name: 'Select invoice 1' }).check();
    await tab.getByRole('button', { name: 'Upload Selected Invoice' }).click();
    await tab.getByText('Invoice 1 is on the client portal.').waitFor();

    const contactId = await contactIdOf('Billing Client');
    const portal = await harness.relayDoc(`portal/${contactId}`);
    const invoices = () => recordsWhere(portal, 'invoices', () => true);
    await until(() => invoices().length === 1, 'the invoice on the relay');
    expect(invoices()[0]?.['total']).toBe(39650);
    expect(invoices()[0]?.['currency']).toBe('EUR');

    await tab.getByRole('button', { name: 'Payments' }).click();
    await tab.getByRole('button', { name: 'Record payment' }).click();
    const payment = page.locator('portico-payment-dialog dialog');
    await payment.getByLabel('For invoice').selectOption({ label: '1' });
    await payment.getByLabel('Amount').fill('100.00');
    await payment.getByLabel('Reference').fill('TRX-4471');
    await payment.getByRole('button', { name: 'Record payment' }).click();
    const paymentRow = tab.getByRole('row', { name: /TRX-4471/ });
    await paymentRow
      .getByRole('cell', { name: '€100.00', exact: true })
      .waitFor();

    await paymentRow.getByRole('radio').check();
    await tab.getByRole('button', { name: 'Upload to Portal' }).click();
    await tab.getByText('The payment is on the client portal.').waitFor();
    const payments = () => recordsWhere(portal, 'payments', () => true);
    await until(() => payments().length === 1, 'the payment on the relay');
    expect(payments()[0]?.['amount']).toBe(10000);
    expect(payments()[0]?.['reference']).toBe('TRX-4471');

    await tab.getByRole('button', { name: 'Invoices' }).click();
    await edited.getByRole('cell', { name: 'Partly paid' }).waitFor();
    await context.close();
  });

  it('voids a draft and allows payments', async () => {
    const { context, page } = await harness.loggedIn();
    await publishedContact(page, 'Void Client', 'void@client.example');
    await page.getByRole('tab', { name: 'Billing' }).click();
    const tab = page.locator('portico-billing-tab');

    const editor = await openNewInvoice(page);
    await fillLine(editor, 1, ['Advice', '1', '80']);
    await editor.getByRole('button', { name: 'Save draft' }).click();
    await tab.getByRole('button', { name: 'Void invoice 1' }).click();
    await tab
      .getByRole('button', { name: 'Void invoice', exact: true })
      .click();
    await tab.getByText('Invoice 1 is void.').waitFor();
    const row = tab.getByRole('row', { name: /€80\.00/ });
    await row.getByRole('cell', { name: 'Void' }).waitFor();
    expect(
      await tab.getByRole('button', { name: 'Issue invoice 1' }).count(),
    ).toBe(0);

    const setting = tab.getByLabel('Online payments');
    await setting.selectOption('allow');
    await tab.getByText('The client can pay invoices online.').waitFor();
    const contactId = await contactIdOf('Void Client');
    const portal = await harness.relayDoc(`portal/${contactId}`);
    const allowed = () =>
      recordsWhere(portal, 'settings', (r) => r['allowPayments'] === true);
    await until(() => allowed().length === 1, 'allowPayments on the relay');
    await context.close();
  });
});

async function openNewInvoice(page: Page): Promise<Locator> {
  const tab = page.locator('portico-billing-tab');
  await tab.getByRole('button', { name: 'New invoice' }).click();
  const editor = page.locator('portico-invoice-dialog dialog');
  await editor.getByRole('heading', { name: 'New invoice' }).waitFor();
  return editor;
}

async function fillLine(
  editor: Locator,
  line: number,
  [description, quantity, price]: [string, string, string],
): Promise<void> {
  await editor.getByLabel(`Description of line ${line}`).fill(description);
  await editor.getByLabel(`Quantity of line ${line}`).fill(quantity);
  await editor.getByLabel(`Unit price of line ${line}`).fill(price);
}

async function contactIdOf(name: string): Promise<string> {
  const firm = await harness.relayDoc('firm');
  const find = () =>
    recordsWhere(firm, 'contacts', (r) => r['displayName'] === name);
  await until(() => find().length === 1, `${name} on the relay`);
  return String(find()[0]?.['id']);
}
