/// <reference types="node" />
/**
 * The built app in Debian's Chromium against a real relay: import, the
 * offline reload through the service worker, and an accessibility scan,
 * a layout check and a screenshot of every main view and dialog. Needs
 * `npm run build` first and is skipped when Chromium is not installed.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTACT_FIXTURES,
  DOCUMENT_FIXTURES,
  HAS_CHROMIUM,
  SCREENSHOTS,
  allSaved,
  createContact,
  horizontalOverflow,
  portalAction,
  publishedContact,
  recordsWhere,
  remindersDialog,
  seriousViolations,
  startHarness,
  until,
  waitForServiceWorker,
  type Harness,
} from './support/browser.js';

/** Screenshots go into the docs, so each must stay small. */
const MAX_SCREENSHOT_BYTES = 200 * 1024;

let harness: Harness;

describe.skipIf(!HAS_CHROMIUM)('staff app in Chromium', () => {
  beforeAll(async () => {
    harness = await startHarness();
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('imports a vCard file', async () => {
    const { context, page } = await harness.loggedIn();
    await page.getByRole('button', { name: 'Import contacts…' }).click();
    await page
      .locator('#file')
      .setInputFiles(join(CONTACT_FIXTURES, 'vcard3.vcf'));
    await expect.poll(() => summary(page)).toMatch(/1 contact to import/);

    await page.getByRole('button', { name: 'Import 1 contact' }).click();
    await page.getByText('Imported 1 contact.').waitFor();
    await page.getByRole('button', { name: 'Close' }).click();
    const option = page.getByRole('option', { name: /John Q\. Public/ });
    await option.waitFor();
    await context.close();
  });

  it('scans and captures each view', { timeout: 120_000 }, async () => {
    const { context, page } = await harness.loggedIn();
    const views = new Map<string, string[]>();
    const check = async (name: string, screenshot?: string) => {
      views.set(name, await seriousViolations(page));
      if (screenshot !== undefined) await capture(page, screenshot);
    };

    await publishedContact(page, 'Rowan Ashby', 'rowan@client.example');
    await check('contact', 'contact');
    await portalAction(page, 'Contact', 'Portal reminders…');
    await remindersDialog(page).locator('iframe').waitFor();
    await check('reminders dialog', 'reminders');
    await remindersDialog(page).getByRole('button', { name: 'Later' }).click();

    await page.getByRole('tab', { name: 'Documents' }).click();
    const documents = page.locator('portico-documents-tab');
    await documents
      .locator('#add-input')
      .setInputFiles(
        ['kcs.pdf', 'flower.jpg'].map((name) => join(DOCUMENT_FIXTURES, name)),
      );
    await documents.getByText('Added 2 documents.').waitFor();
    await documents.getByRole('checkbox', { name: 'Select all' }).check();
    await portalAction(page, 'Documents', 'Upload Selected Files');
    await remindersDialog(page).getByRole('button', { name: 'Later' }).click();
    await page
      .locator('portico-transfer-panel')
      .getByRole('cell', { name: /^Done/ })
      .nth(1)
      .waitFor();
    await check('documents and transfer queue', 'documents');

    await documents.getByRole('row', { name: /kcs\.pdf/ }).click({
      button: 'right',
    });
    await check('document context menu');
    await page.keyboard.press('Escape');
    await portalAction(page, 'Documents', 'View Files');
    const files = page.locator('portico-client-files-dialog dialog');
    await files.getByRole('cell', { name: 'kcs.pdf', exact: true }).waitFor();
    await check('client documents dialog', 'client-documents');
    await files.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('tab', { name: 'Billing' }).click();
    const billing = page.locator('portico-billing-tab');
    await billing.getByRole('button', { name: 'New invoice' }).click();
    const editor = page.locator('portico-invoice-dialog dialog');
    await editor.getByLabel('Description of line 1').fill('Annual accounts');
    await editor.getByLabel('Unit price of line 1').fill('850');
    await check('invoice editor', 'invoice-editor');
    await editor.getByRole('button', { name: 'Save draft' }).click();
    await billing.getByRole('button', { name: 'Issue invoice 1' }).click();
    await billing.getByRole('radio', { name: 'Select invoice 1' }).check();
    await billing
      .getByRole('button', { name: 'Upload Selected Invoice' })
      .click();
    await billing.getByText('Invoice 1 is on the client portal.').waitFor();
    await check('invoices', 'invoices');

    await billing.getByRole('button', { name: 'Payments' }).click();
    await billing.getByRole('button', { name: 'Record payment' }).click();
    const payment = page.locator('portico-payment-dialog dialog');
    await payment.getByLabel('For invoice').selectOption({ label: '1' });
    await payment.getByLabel('Amount').fill('850.00');
    await check('payment dialog');
    await payment.getByRole('button', { name: 'Record payment' }).click();
    await billing.getByRole('cell', { name: '€850.00', exact: true }).waitFor();
    await check('payments', 'payments');

    await page.getByRole('button', { name: 'Import contacts…' }).click();
    await check('import dialog');
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Log out' }).click();
    const prompt = page.locator('#logout-reminders-dialog');
    await prompt.getByRole('button', { name: 'Later' }).waitFor();
    await check('logout reminders prompt', 'logout');
    await prompt.getByRole('button', { name: 'Later' }).click();
    await page.getByText('You are logged out.').waitFor();
    await check('login', 'login');

    expect(Object.fromEntries(views)).toEqual(
      Object.fromEntries([...views.keys()].map((name) => [name, []])),
    );
    await context.close();
  });

  it('keeps views within 1024 px', { timeout: 60_000 }, async () => {
    const { context, page } = await harness.loggedIn(1024);
    await createContact(page, 'A contact with a rather long display name');
    for (const tab of ['Contact', 'Documents', 'Billing']) {
      await page.getByRole('tab', { name: tab }).click();
      expect(await horizontalOverflow(page), tab).toBe(0);
    }
    await page.getByRole('button', { name: 'File transfers' }).click();
    await page.getByText('File Transfer Queue').waitFor();
    expect(await horizontalOverflow(page), 'transfer queue').toBe(0);
    await context.close();
  });

  it('reloads offline and keeps edits', { timeout: 90_000 }, async () => {
    const { context, page } = await harness.loggedIn();
    await createContact(page, 'Offline Edit');
    await waitForServiceWorker(page);

    await context.setOffline(true);
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.locator('portico-contact-tab').getByLabel('Phone').fill('123');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('123', { exact: true }).waitFor();
    await page.getByRole('tab', { name: 'Documents' }).click();
    await page
      .locator('portico-documents-tab #add-input')
      .setInputFiles(join(DOCUMENT_FIXTURES, 'kcs.pdf'));
    await page.getByText('Added 1 document.').waitFor();

    // The service worker serves the app shell with the network off.
    await page.reload();
    await page.getByRole('option', { name: /Offline Edit/ }).click();
    await page.getByText('123', { exact: true }).waitFor();
    await page.getByRole('tab', { name: 'Documents' }).click();
    await page.getByRole('cell', { name: 'kcs.pdf', exact: true }).waitFor();
    const bar = page.locator('portico-status-bar');
    await bar.getByText(/not yet saved/).waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    const prompt = page.locator('#logout-dialog p');
    await expect.poll(() => prompt.textContent()).toMatch(/not yet saved/);
    await page.getByRole('button', { name: 'Stay logged in' }).click();

    await context.setOffline(false);
    await allSaved(page);
    await context.close();

    const firm = await harness.relayDoc('firm');
    const stored = () =>
      recordsWhere(
        firm,
        'contacts',
        (r) => r['displayName'] === 'Offline Edit',
      );
    await until(
      () => stored()[0]?.['phone'] === '123',
      'the phone on the relay',
    );
    const contactId = stored()[0]?.['id'];
    const documents = recordsWhere(
      firm,
      'documents',
      (r) => r['contactId'] === contactId,
    );
    expect(documents.map((d) => d['name'])).toEqual(['kcs.pdf']);

    const other = await harness.loggedIn();
    await other.page.getByRole('option', { name: /Offline Edit/ }).click();
    await other.page.getByText('123', { exact: true }).waitFor();
    await other.page.getByRole('tab', { name: 'Documents' }).click();
    await other.page
      .getByRole('cell', { name: 'kcs.pdf', exact: true })
      .waitFor();
    await other.context.close();
  });
});

async function summary(page: Page): Promise<string> {
  const text = await page.locator('.summary').textContent();
  return (text ?? '').replace(/\s+/g, ' ');
}

/** Saves `docs/screenshots/staff-<name>.png` and checks its size. */
async function capture(page: Page, name: string): Promise<void> {
  const path = join(SCREENSHOTS, `staff-${name}.png`);
  await page.screenshot({ path });
  const { size } = await stat(path);
  expect(size, path).toBeLessThan(MAX_SCREENSHOT_BYTES);
}
