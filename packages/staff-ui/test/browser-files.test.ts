/// <reference types="node" />
/**
 * Documents and portal files in the built app against a real relay. It
 * covers adding from disk by picker and by drag and drop, Upload Selected
 * Files with the File Transfer Queue, and the file reminder. It also
 * covers the row context menu by mouse and keyboard, Upload File, the
 * Client Documents dialog and taking in a client's upload.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login } from '../../../test/support/relay.js';
import {
  DOCUMENT_FIXTURES,
  HAS_CHROMIUM,
  createContact,
  focusedElement,
  portalAction,
  publishedContact,
  recordsWhere,
  remindersDialog,
  startHarness,
  until,
  type Harness,
} from './support/browser.js';

const FILES = [
  'strängé filename (duplicate #2 &).txt',
  'flower.jpg',
  'kcs.pdf',
];

let harness: Harness;

describe.skipIf(!HAS_CHROMIUM)('portal files in Chromium', () => {
  beforeAll(async () => {
    harness = await startHarness();
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  });

  it(
    'uploads documents and keeps the notice',
    { timeout: 90_000 },
    async () => {
      const { context, page } = await harness.loggedIn();
      await publishedContact(page, 'Files Client', 'files@client.example');
      await page.getByRole('tab', { name: 'Documents' }).click();

      const tab = page.locator('portico-documents-tab');
      await tab
        .locator('#add-input')
        .setInputFiles(FILES.map((name) => join(DOCUMENT_FIXTURES, name)));
      await tab.getByText('Added 3 documents.').waitFor();
      await dropFile(page, 'dropped.txt', 'dropped by drag and drop');
      await tab.getByText('Added 1 document.').waitFor();
      await tab
        .getByRole('cell', { name: 'dropped.txt', exact: true })
        .waitFor();

      await tab.getByRole('checkbox', { name: 'Select all documents' }).check();
      await portalAction(page, 'Documents', 'Upload Selected Files');
      await waitForQueue(page, 4);

      // The batch's reminder is offered once its uploads end; keep it.
      const dialog = remindersDialog(page);
      await dialog
        .getByText('You have portal reminders ready to be sent.')
        .waitFor();
      const notice = dialog.getByRole('checkbox', {
        name: /New file available/,
      });
      expect(await notice.isChecked()).toBe(true);
      await dialog.getByRole('button', { name: 'Later' }).click();

      await page.getByRole('button', { name: /Portal reminders 2/ }).click();
      await notice.waitFor();
      expect(await dialog.getByRole('checkbox').count()).toBe(2);
      await dialog.getByRole('button', { name: 'Later' }).click();

      const firm = await harness.relayDoc('firm');
      const [contact] = recordsWhere(
        firm,
        'contacts',
        (record) => record['displayName'] === 'Files Client',
      );
      const contactId = String(contact?.['id']);
      const notices = () =>
        recordsWhere(
          firm,
          'outbox',
          (r) => r['kind'] === 'file-notice' && r['contactId'] === contactId,
        );
      await until(() => notices().length === 1, 'the notice on the relay');
      expect(notices()[0]?.['status']).toBe('pending');

      const portal = await harness.relayDoc(`portal/${contactId}`);
      const available = () =>
        recordsWhere(portal, 'files', (r) => r['status'] === 'available');
      await until(() => available().length === 4, '4 files on the relay');
      const names = available().map((file) => file['name']);
      expect(names).toEqual(expect.arrayContaining([...FILES, 'dropped.txt']));
      await context.close();
    },
  );

  it('cancels a queued upload', { timeout: 90_000 }, async () => {
    const { context, page } = await harness.loggedIn();
    await publishedContact(page, 'Cancel Client', 'cancel@client.example');
    await page.getByRole('tab', { name: 'Documents' }).click();
    const tab = page.locator('portico-documents-tab');
    await tab
      .locator('#add-input')
      .setInputFiles([join(DOCUMENT_FIXTURES, 'kcs.pdf')]);
    await tab.getByRole('row', { name: /kcs\.pdf/ }).waitFor();

    // Offline, the upload waits in the queue, so it can be cancelled
    // before any byte leaves.
    await page.getByRole('button', { name: 'Work offline' }).click();
    await tab.getByRole('checkbox', { name: 'Select all documents' }).check();
    await portalAction(page, 'Documents', 'Upload Selected Files');
    const panel = page.locator('portico-transfer-panel');
    await panel.getByRole('cell', { name: /^Waiting/ }).waitFor();
    await panel.getByRole('button', { name: 'Cancel kcs.pdf' }).click();
    await panel.getByRole('cell', { name: /^Cancelled/ }).waitFor();
    expect(await panel.getByRole('button', { name: /^Cancel / }).count()).toBe(
      0,
    );

    await page.getByRole('button', { name: 'Connect' }).click();
    const firm = await harness.relayDoc('firm');
    await until(
      () =>
        recordsWhere(
          firm,
          'contacts',
          (record) => record['displayName'] === 'Cancel Client',
        ).length === 1,
      'the contact on the relay',
    );
    const [contact] = recordsWhere(
      firm,
      'contacts',
      (record) => record['displayName'] === 'Cancel Client',
    );
    const portal = await harness.relayDoc(`portal/${String(contact?.['id'])}`);
    const files = () => recordsWhere(portal, 'files', () => true);
    await until(
      () => files()[0]?.['status'] === 'deleted',
      'the cancelled file deleted on the relay',
    );
    expect(files()).toHaveLength(1);
    await context.close();
  });

  it('sends from the context menu', { timeout: 90_000 }, async () => {
    const { context, page } = await harness.loggedIn();
    await publishedContact(page, 'Menu Client', 'menu@client.example');
    await page.getByRole('tab', { name: 'Documents' }).click();
    const tab = page.locator('portico-documents-tab');
    await tab
      .locator('#add-input')
      .setInputFiles([join(DOCUMENT_FIXTURES, 'kcs.pdf')]);
    const row = tab.getByRole('row', { name: /kcs\.pdf/ });
    await row.waitFor();

    await row.click({ button: 'right' });
    await tab.getByRole('menuitem', { name: 'Send to Client Portal' }).click();
    await waitForQueue(page, 1);
    await dismissReminders(page);

    // The same menu by keyboard: Shift+F10 on the row's checkbox.
    await row.getByRole('checkbox').focus();
    await page.keyboard.press('Shift+F10');
    expect(await focusedElement(page)).toMatch(/Send to Client Portal/);
    await page.keyboard.press('Enter');
    await waitForQueue(page, 2);
    await dismissReminders(page);

    // Upload File sends straight from disk and adds no document.
    const chooser = page.waitForEvent('filechooser');
    await portalAction(page, 'Documents', 'Upload File…');
    await (await chooser).setFiles(join(DOCUMENT_FIXTURES, 'flower.jpg'));
    await waitForQueue(page, 3);
    await dismissReminders(page);
    expect(await tab.getByRole('row').count()).toBe(2);

    await portalAction(page, 'Documents', 'View Files');
    const files = page.locator('portico-client-files-dialog dialog');
    await files.getByRole('heading', { name: /Client Documents/ }).waitFor();
    const rows = files.getByRole('row');
    await expect.poll(() => rows.count()).toBe(4);
    expect(await files.getByText('To client').count()).toBe(3);
    expect(await files.getByText('Available').count()).toBe(3);

    await files
      .getByRole('button', { name: 'Delete flower.jpg from the portal' })
      .click();
    await files.getByText('flower.jpg was deleted from the portal.').waitFor();
    expect(await rows.count()).toBe(3);
    await files.getByRole('button', { name: 'Close' }).click();

    await portalAction(page, 'Documents', 'Check for New Files');
    await files.getByText('No new files from this client.').waitFor();
    await files.getByRole('button', { name: 'Close' }).click();
    await context.close();
  });

  it('takes in a client upload', { timeout: 90_000 }, async () => {
    const { context, page } = await harness.loggedIn();
    const to = 'uploader@client.example';
    await createContact(page, 'Uploading Client', to);
    await portalAction(page, 'Contact', 'Sync Contact');
    await untickAllBut(page, /Uploading Client/);
    await remindersDialog(page)
      .getByRole('button', { name: 'Send selected (1)' })
      .click();
    await remindersDialog(page)
      .getByText(/1 reminder queued/)
      .waitFor();
    await remindersDialog(page).getByRole('button', { name: 'Later' }).click();

    const token = await clientToken(to);
    const form = new FormData();
    const bytes = new TextEncoder().encode('signed engagement letter');
    form.append(
      'file',
      new Blob([bytes], { type: 'text/plain' }),
      'signed.txt',
    );
    const upload = await fetch(`${harness.relay.url}/api/portal/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect(upload.status).toBe(201);

    await page.getByRole('tab', { name: 'Documents' }).click();
    const files = page.locator('portico-client-files-dialog dialog');
    await expect
      .poll(async () => {
        await portalAction(page, 'Documents', 'Check for New Files');
        const found = await files.getByText('signed.txt').count();
        if (found === 0)
          await files.getByRole('button', { name: 'Close' }).click();
        return found;
      })
      .toBe(1);
    await files.getByText('1 new file from the client.').waitFor();
    await files.getByRole('button', { name: 'Download signed.txt' }).click();
    await files.getByText(/signed\.txt is now in the documents/).waitFor();
    await files.getByRole('button', { name: 'Close' }).click();

    const row = page
      .locator('portico-documents-tab')
      .getByRole('row', { name: /signed\.txt/ });
    await row.getByRole('cell', { name: 'Client portal' }).waitFor();
    await context.close();
  });
});

/** Unticks every reminder whose checkbox label does not match. */
async function untickAllBut(page: Page, keep: RegExp): Promise<void> {
  const boxes = remindersDialog(page).getByRole('checkbox');
  await boxes.first().waitFor();
  for (const box of await boxes.all()) {
    const label = (await box.getAttribute('aria-label')) ?? '';
    if (!keep.test(label)) await box.uncheck();
  }
}

/** Logs in as the invited client and sets a permanent password. */
async function clientToken(to: string): Promise<string> {
  await until(
    () => harness.smtp.received.some((mail) => mail.recipients.includes(to)),
    `the invitation to ${to}`,
  );
  const mail = harness.smtp.received.find((m) => m.recipients.includes(to));
  const match = /^Temporary password: (\S+)$/m.exec(mail?.parsed.text ?? '');
  const temporary = match?.[1] ?? '';
  const first = await login(harness.relay.url, to, temporary);
  expect(first.status).toBe(200);
  const changed = await api(harness.relay.url, 'POST', '/api/auth/password', {
    token: first.token ?? '',
    body: {
      currentPassword: temporary,
      newPassword: 'a permanent client passphrase',
    },
  });
  expect(changed.status).toBe(200);
  return String(changed.body['token']);
}

/** Drops a file made in the page onto the Documents tab. */
async function dropFile(page: Page, name: string, text: string) {
  const dataTransfer = await page.evaluateHandle(
    ([fileName, content]) => {
      const transfer = new DataTransfer();
      const file = new File([content], fileName, { type: 'text/plain' });
      transfer.items.add(file);
      return transfer;
    },
    [name, text] as const,
  );
  const tab = page.locator('portico-documents-tab');
  await tab.dispatchEvent('dragover', { dataTransfer });
  await tab.dispatchEvent('drop', { dataTransfer });
}

/** Waits until the queue lists `count` transfers, all done and full. */
async function waitForQueue(page: Page, count: number): Promise<void> {
  const panel = page.locator('portico-transfer-panel');
  await panel.getByRole('heading', { name: 'File Transfer Queue' }).waitFor();
  const rows = panel.locator('tbody tr');
  await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(count);
  await expect
    .poll(() => panel.getByRole('cell', { name: /^Done/ }).count(), {
      timeout: 30_000,
    })
    .toBe(count);
  const bars = await panel.locator('progress').evaluateAll((elements) =>
    elements.map((element) => {
      const bar = element as HTMLProgressElement;
      return {
        full: bar.value === bar.max,
        label: bar.getAttribute('aria-label') ?? '',
      };
    }),
  );
  for (const bar of bars) {
    expect(bar.full).toBe(true);
    expect(bar.label).toMatch(/^Progress of /);
  }
}

async function dismissReminders(page: Page): Promise<void> {
  const dialog = remindersDialog(page);
  await dialog
    .getByText('You have portal reminders ready to be sent.')
    .waitFor();
  await dialog.getByRole('button', { name: 'Later' }).click();
  await dialog.waitFor({ state: 'hidden' });
}
