/**
 * Steps in the staff app, driven through its labels and roles as a staff
 * member would use them.
 */
import type { Page } from 'playwright-core';

/** Imports every contact in one file through the Import dialog. */
export async function importContacts(page: Page, path: string): Promise<void> {
  await page.getByRole('button', { name: 'Import contacts…' }).click();
  await page.locator('#file').setInputFiles(path);
  const importButton = page.getByRole('button', {
    name: /^Import \d+ contact/,
  });
  await importButton.waitFor();
  await importButton.click();
  await page.getByText(/^Imported \d+ contact/).waitFor();
  await page.getByRole('button', { name: 'Close' }).click();
}

/** Chooses `item` in the Portal menu on a tab of the selected contact. */
export async function portalAction(
  page: Page,
  tab: 'Contact' | 'Documents',
  item: string,
): Promise<void> {
  await page.getByRole('tab', { name: tab }).click();
  await page.getByRole('button', { name: 'Portal ▾' }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

export async function selectContact(page: Page, name: RegExp): Promise<void> {
  await page.getByRole('option', { name }).click();
  await page.getByRole('tab', { name: 'Contact' }).click();
}

export function remindersDialog(page: Page) {
  return page.locator('portico-reminders-dialog dialog');
}

/** Sends every pending portal reminder from the open reminders dialog. */
export async function sendAllReminders(
  page: Page,
  count: number,
): Promise<void> {
  const dialog = remindersDialog(page);
  const label = count === 1 ? '1 reminder queued' : `${count} reminders queued`;
  await dialog.getByRole('button', { name: 'Send all' }).click();
  await dialog.getByText(label).waitFor();
  await dialog.getByRole('button', { name: 'Later' }).click();
}

/** Creates, issues and publishes a one-line invoice in the Billing tab. */
export async function publishInvoice(
  page: Page,
  number: string,
  line: { description: string; quantity: string; unitPrice: string },
): Promise<void> {
  await page.getByRole('button', { name: 'New invoice' }).click();
  const dialog = page.locator('portico-invoice-dialog dialog');
  await dialog.getByLabel('Number').fill(number);
  await dialog.getByLabel('Currency (ISO 4217)').fill('EUR');
  await dialog.getByLabel('Description of line 1').fill(line.description);
  await dialog.getByLabel('Quantity of line 1').fill(line.quantity);
  await dialog.getByLabel('Unit price of line 1').fill(line.unitPrice);
  await dialog.getByRole('button', { name: 'Save draft' }).click();
  await dialog.waitFor({ state: 'hidden' });

  await page.getByRole('button', { name: `Issue invoice ${number}` }).click();
  await page.getByText(`Invoice ${number} is issued.`).waitFor();
  await page.getByLabel(`Select invoice ${number}`).check();
  await page.getByRole('button', { name: 'Upload Selected Invoice' }).click();
  await page.getByText(`Invoice ${number} is on the client portal.`).waitFor();
}

/** Reloads once if needed, so that the service worker controls the page. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  const controlled = await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    return navigator.serviceWorker.controller !== null;
  });
  if (controlled) return;
  await page.reload();
  await page.getByText('Online', { exact: true }).waitFor();
}

/** Changes one field of the selected contact through the edit form. */
export async function editContactField(
  page: Page,
  label: 'Phone' | 'Notes',
  value: string,
): Promise<void> {
  await page.getByRole('tab', { name: 'Contact' }).click();
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.locator('portico-contact-tab').getByLabel(label).fill(value);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('button', { name: 'Edit' }).waitFor();
}

/** The selected contact's details and document names, as staff see them. */
export async function contactSnapshot(page: Page): Promise<{
  details: string;
  documents: string[];
}> {
  await page.getByRole('tab', { name: 'Contact' }).click();
  const details = await page
    .locator('portico-contact-tab section')
    .first()
    .innerText();
  await page.getByRole('tab', { name: 'Documents' }).click();
  await page.locator('tr[data-document]').first().waitFor();
  const documents = await page
    .locator('tr[data-document] td.name')
    .allTextContents();
  return { details, documents: documents.sort() };
}
