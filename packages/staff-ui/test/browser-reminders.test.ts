/// <reference types="node" />
/**
 * Sync Contact and portal reminders in the built app, against a real relay
 * that mails through a real SMTP server: preview, send one and keep
 * another, the logout prompt, and the same flow by keyboard alone.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTACT_FIXTURES,
  HAS_CHROMIUM,
  createContact,
  focusedElement,
  portalAction,
  remindersDialog,
  startHarness,
  tabTo,
  until,
  type Harness,
} from './support/browser.js';

/** The masked temporary password in previews, as the engine renders it. */
const MASK = '••••••••';

let harness: Harness;

describe.skipIf(!HAS_CHROMIUM)('portal reminders in Chromium', () => {
  beforeAll(async () => {
    harness = await startHarness();
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('sends one invitation and keeps one', { timeout: 90_000 }, async () => {
    const { context, page } = await harness.loggedIn();
    await importContacts(page, 'v4.vcf', 2);

    await selectContact(page, /Gerda/);
    await portalAction(page, 'Contact', 'Sync Contact');
    const dialog = remindersDialog(page);
    await dialog
      .getByText('You have portal reminders ready to be sent.')
      .waitFor();
    await dialog.getByRole('button', { name: 'Later' }).click();
    await page
      .getByText(/An invitation to info@kinderland-blubblub\.de/)
      .waitFor();

    await selectContact(page, /Mustermann/);
    await portalAction(page, 'Contact', 'Sync Contact');
    await dialog.getByRole('checkbox').nth(1).waitFor();
    expect(await dialog.getByRole('checkbox').count()).toBe(2);

    const gerda = /Gerda <info@kinderland-blubblub\.de>/;
    await dialog.getByRole('button', { name: gerda }).click();
    const preview = dialog.getByRole('region', { name: 'Email preview' });
    await expect
      .poll(() => preview.locator('h3').textContent())
      .toMatch(/Hollis & Ward/);
    const frame = preview.locator('iframe');
    expect(await frame.getAttribute('sandbox')).toBe('');
    const body = page.frameLocator('portico-reminders-dialog iframe');
    await body.getByText(MASK).first().waitFor();
    await preview.getByRole('button', { name: 'Text' }).click();
    const text = await preview.locator('pre').textContent();
    expect(text).toContain(MASK);
    expect(text).toContain('info@kinderland-blubblub.de');

    // Keep Mustermann's invitation: untick it, then send the selection.
    await dialog.getByRole('checkbox', { name: /Mustermann/ }).uncheck();
    await dialog.getByRole('button', { name: 'Send selected (1)' }).click();
    await dialog.getByText(/1 reminder queued/).waitFor();
    await dialog.getByRole('button', { name: 'Later' }).click();

    await harness.smtp.waitForMessages(1);
    const [mail] = harness.smtp.received;
    expect(mail?.recipients).toEqual(['info@kinderland-blubblub.de']);
    expect(mail?.parsed.text).toMatch(/^Temporary password: \S+$/m);
    expect(mail?.parsed.text).not.toContain(MASK);

    const badge = page.getByRole('button', { name: /Portal reminders 1/ });
    await badge.waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    const prompt = page.locator('#logout-reminders-dialog');
    await prompt
      .getByRole('heading', {
        name: 'You have portal reminders ready to be sent',
      })
      .waitFor();
    await prompt.getByRole('button', { name: 'Later' }).click();
    await page.getByText('You are logged out.').waitFor();
    expect(harness.smtp.received).toHaveLength(1);
    await context.close();
  });

  it('shows a missing email at its field', async () => {
    const { context, page } = await harness.loggedIn();
    await createContact(page, 'No Mailbox');
    await portalAction(page, 'Contact', 'Sync Contact');

    const email = page.locator('portico-contact-tab').getByLabel('Email');
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    const describedBy = await email.getAttribute('aria-describedby');
    const message = page.locator(`portico-contact-form #${describedBy}`);
    expect(await message.textContent()).toMatch(/valid email address/);
    expect(await focusedElement(page)).toMatch(/^input/);

    // Fixing the address and saving syncs the contact.
    await email.fill('fixed.address@client.example');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await remindersDialog(page)
      .getByText('You have portal reminders ready to be sent.')
      .waitFor();
    await remindersDialog(page).getByRole('button', { name: 'Later' }).click();
    await page.getByRole('heading', { name: 'No Mailbox' }).waitFor();
    await context.close();
  });

  it('sends reminders at logout', async () => {
    const { context, page } = await harness.loggedIn();
    await createContact(page, 'Logout Client', 'logout@client.example');
    await portalAction(page, 'Contact', 'Sync Contact');
    await remindersDialog(page).getByRole('button', { name: 'Later' }).click();

    await page.getByRole('button', { name: 'Log out' }).click();
    const prompt = page.locator('#logout-reminders-dialog');
    await prompt.getByRole('button', { name: 'Send now' }).click();
    await page.getByText('You are logged out.').waitFor();
    await until(
      () =>
        harness.smtp.received.some((mail) =>
          mail.recipients.includes('logout@client.example'),
        ),
      'the invitation sent at logout',
    );
    await context.close();
  });

  it('syncs and sends by keyboard alone', { timeout: 60_000 }, async () => {
    const { context, page } = await harness.loggedIn();
    await createContact(page, 'Keyboard Client', 'keys@client.example');
    const before = harness.smtp.received.length;

    // From the contact list to the Portal menu, then Sync Contact.
    await page.getByRole('option', { name: /Keyboard Client/ }).focus();
    await tabTo(page, /^button Portal/);
    await page.keyboard.press('Enter');
    expect(await focusedElement(page)).toMatch(/Sync Contact/);
    await page.keyboard.press('Enter');

    const dialog = remindersDialog(page);
    await dialog
      .getByText('You have portal reminders ready to be sent.')
      .waitFor();
    await untickAllBut(page, /Keyboard Client/);
    await tabTo(page, /^button Send selected \(1\)/);
    await page.keyboard.press('Enter');
    await dialog.getByText(/1 reminder queued/).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await harness.smtp.waitForMessages(before + 1);
    const mail = harness.smtp.received.at(-1);
    expect(mail?.recipients).toEqual(['keys@client.example']);
    await context.close();
  });
});

async function importContacts(page: Page, file: string, count: number) {
  await page.getByRole('button', { name: 'Import contacts…' }).click();
  await page.locator('#file').setInputFiles(join(CONTACT_FIXTURES, file));
  await page.getByRole('button', { name: `Import ${count} contacts` }).click();
  await page.getByText(`Imported ${count} contacts.`).waitFor();
  await page.getByRole('button', { name: 'Close' }).click();
}

async function selectContact(page: Page, name: RegExp): Promise<void> {
  await page.getByRole('option', { name }).click();
  await page.getByRole('tab', { name: 'Contact' }).click();
}

/**
 * Unticks, by keyboard, every reminder checkbox whose label does not
 * match: earlier tests in this file leave reminders pending.
 */
async function untickAllBut(page: Page, keep: RegExp): Promise<void> {
  const labels = await remindersDialog(page)
    .getByRole('checkbox')
    .evaluateAll((boxes) =>
      boxes.map((box) => box.getAttribute('aria-label') ?? ''),
    );
  for (const label of labels) {
    if (keep.test(label)) continue;
    await tabTo(page, new RegExp(`^input ${escape(label)}$`));
    await page.keyboard.press('Space');
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
