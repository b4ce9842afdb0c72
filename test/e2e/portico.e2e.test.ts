/**
 * The whole product on real input: the relay started with `npm start` as
 * the README describes, a real SMTP server, the Stripe stand-in, and both web
 * apps in Debian's Chromium. The steps share one relay and run in order,
 * each building on the data of the one before.
 */
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  startSmtpServer,
  type ReceivedMessage,
  type TestSmtp,
} from '../support/smtp.js';
import { until } from '../support/wait.js';
import {
  startStripeStandin,
  type StripeStandin,
} from '../stripe-standin/index.js';
import {
  CHROMIUM_PATH,
  launchChromium,
  saveScreenshot,
} from './support/browser.js';
import {
  addStaffAccount,
  startRelayProcess,
  type RelayProcess,
} from './support/relay-process.js';
import {
  contactSnapshot,
  editContactField,
  importContacts,
  portalAction,
  publishInvoice,
  remindersDialog,
  selectContact,
  sendAllReminders,
  waitForServiceWorker,
} from './support/staff-app.js';

const FIXTURES = fileURLToPath(
  new URL('../../../shared/fixtures/', import.meta.url),
);
const CONTACTS = join(FIXTURES, 'contacts');
const DOCUMENTS = join(FIXTURES, 'documents');

/** Real documents the firm sends, with accents, `#` and `&` in a name. */
const SENT_DOCUMENTS = [
  'strängé filename (duplicate #2 &).txt',
  '160F-2019.pdf',
  'flower.jpg',
];
/** The document the client uploads to the firm. */
const CLIENT_UPLOAD = 'kcs.pdf';
/** The document the second staff browser adds while offline. */
const OFFLINE_DOCUMENT = 'tutorial03.xlsx';

const FIRM_NAME = 'Lindqvist & Okafor Accountants';
const FIRM_NOTIFY_EMAIL = 'office@lindqvist-okafor.test';
const STAFF_EMAIL = 'maja@lindqvist-okafor.test';
const STAFF_PASSWORD = 'correct horse battery staple 42';
const WEBHOOK_SECRET = 'whsec_e2e_portico';

/** Step timeouts. The whole file should finish in about six minutes. */
const START_TIMEOUT_MS = 300_000;
const STEP_TIMEOUT_MS = 90_000;

let dataDir: string;
let port: number;
let smtp: TestSmtp;
let stripe: StripeStandin;
let relay: RelayProcess | undefined;
let browser: Browser;
const contexts: BrowserContext[] = [];

/** The staff member's main browser, kept open from step to step. */
let staff: Page;

interface Client {
  /** Pattern of the contact's name in the staff app's contact list. */
  name: RegExp;
  email: string;
  /** The permanent password the client chooses in step 3. */
  password: string;
  page?: Page;
}

/** Gerda comes from the vCard file, the other client from the CSV export. */
const gerda: Client = {
  name: /Möhrke Gerda/,
  email: 'info@kinderland-blubblub.de',
  password: 'lantern harbour violet 1987',
};
const firstname: Client = {
  name: /Prefix Firstname/,
  email: 'home@aaa.pl',
  password: 'granite orchard whistle 2031',
};

function relayEnv(): Record<string, string> {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    SMTP_URL: smtp.url,
    MAIL_FROM: FIRM_NOTIFY_EMAIL,
    FIRM_NAME,
    FIRM_NOTIFY_EMAIL,
    STRIPE_SECRET_KEY: 'sk_test_e2e_portico',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_BASE: stripe.url,
  };
}

/** Returns the client's portal page from step 3. */
function pageOf(client: Client): Page {
  if (client.page === undefined) {
    throw new Error(`${client.email} has not logged in to the portal yet.`);
  }
  return client.page;
}

function baseUrl(): string {
  if (relay === undefined) throw new Error('The relay is not running.');
  return relay.url;
}

async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  // Shorter than a step, so a failure names the element it waited for.
  context.setDefaultTimeout(20_000);
  contexts.push(context);
  return context;
}

async function staffLogIn(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl()}/staff/`);
  await page.getByLabel('Email').fill(STAFF_EMAIL);
  await page.getByLabel('Password').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('Online', { exact: true }).waitFor();
  return page;
}

/** Returns the temporary password of the invitation sent to `email`. */
function temporaryPassword(email: string): string {
  const mail = smtp.received.find((m) => m.recipients.includes(email));
  if (mail === undefined) {
    throw new Error(`No email to ${email} at the SMTP server.`);
  }
  const match = /^Temporary password: (\S+)$/m.exec(mail.parsed.text ?? '');
  if (match?.[1] === undefined) {
    throw new Error(`The email to ${email} has no temporary password line.`);
  }
  return match[1];
}

/**
 * Logs a client in to the portal; with `change`, sets that permanent
 * password through the forced password change first.
 */
async function clientLogIn(
  client: Client,
  password: string,
  change?: string,
): Promise<Page> {
  const page = await (await newContext()).newPage();
  await page.goto(`${baseUrl()}/login`);
  await page.getByLabel('Email').fill(client.email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  if (change !== undefined) {
    await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
    await page.getByLabel('Current (temporary) password').fill(password);
    await page.getByLabel('New password', { exact: true }).fill(change);
    await page.getByLabel('Repeat the new password').fill(change);
    await page.getByRole('button', { name: 'Save password' }).click();
  }
  await page.getByRole('heading', { name: 'Files', exact: true }).waitFor();
  return page;
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** Waits until the SMTP server has a message to `to` matching `subject`. */
async function waitForMail(
  to: string,
  subject: RegExp,
): Promise<ReceivedMessage> {
  const find = () =>
    smtp.received.find(
      (m) => m.recipients.includes(to) && subject.test(m.parsed.subject ?? ''),
    );
  let message: ReceivedMessage | undefined;
  await until(
    () => (message = find()) !== undefined,
    `an email to ${to} with a subject matching ${subject}`,
  );
  return message as ReceivedMessage;
}

describe.skipIf(!existsSync(CHROMIUM_PATH))('Portico end to end', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'portico-e2e-'));
    port = await freePort();
    smtp = await startSmtpServer();
    stripe = await startStripeStandin({
      webhookSecret: WEBHOOK_SECRET,
      webhookUrl: `http://127.0.0.1:${port}/api/payments/webhook`,
    });
    relay = await startRelayProcess(relayEnv());
    browser = await launchChromium();
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.allSettled(contexts.map((context) => context.close()));
    await browser?.close();
    if (relay !== undefined) {
      await relay.stop().catch(() => relay?.kill());
      relay.kill();
    }
    await stripe?.close();
    await smtp?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  // A failed step leaves a picture of every open page, named in the log.
  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    const folder = await mkdtemp(join(tmpdir(), 'portico-e2e-failure-'));
    const pages = contexts.flatMap((context) => context.pages());
    for (const [index, page] of pages.entries()) {
      await page
        .screenshot({ path: join(folder, `page-${index}.png`) })
        .catch(() => undefined);
    }
    console.error(`Screenshots of the failed step: ${folder}`);
  });

  it(
    'creates staff and imports contacts',
    { timeout: STEP_TIMEOUT_MS },
    async () => {
      expect(relay?.output.join('\n')).toContain('No staff account exists yet');
      expect(relay?.output.join('\n')).toContain(
        'npm run portico -- staff add <email>',
      );
      const printed = await addStaffAccount(
        { DATA_DIR: dataDir },
        STAFF_EMAIL,
        STAFF_PASSWORD,
      );
      expect(printed).toContain(STAFF_EMAIL);

      staff = await staffLogIn(await newContext());
      await importContacts(staff, join(CONTACTS, 'v4.vcf'));
      await importContacts(staff, join(CONTACTS, 'gmail.csv'));
      await staff.getByRole('option', { name: /Möhrke Gerda/ }).waitFor();
      await staff.getByRole('option', { name: /Mustermann/ }).waitFor();
      await staff.getByRole('option', { name: /Firstname/ }).waitFor();
      await saveScreenshot(staff, 'staff-contacts');
    },
  );
  it(
    'syncs two contacts and sends invitations',
    { timeout: STEP_TIMEOUT_MS },
    async () => {
      const dialog = remindersDialog(staff);
      await selectContact(staff, gerda.name);
      await portalAction(staff, 'Contact', 'Sync Contact');
      await dialog
        .getByText('You have portal reminders ready to be sent.')
        .waitFor();
      // Declined for now: the reminder stays pending until sent below.
      await dialog.getByRole('button', { name: 'Later' }).click();
      await staff.getByText(`An invitation to ${gerda.email}`).waitFor();

      await selectContact(staff, firstname.name);
      await portalAction(staff, 'Contact', 'Sync Contact');
      await dialog.getByRole('checkbox').nth(1).waitFor();
      expect(await dialog.getByRole('checkbox').count()).toBe(2);

      await dialog.getByRole('button', { name: /Preview .*Gerda/ }).click();
      const preview = dialog.getByRole('region', { name: 'Email preview' });
      await expect
        .poll(() => preview.locator('h3').textContent())
        .toContain(FIRM_NAME);
      await saveScreenshot(staff, 'staff-invitation-preview');
      await preview.getByRole('button', { name: 'Text' }).click();
      const previewText = (await preview.locator('pre').textContent()) ?? '';
      expect(previewText).toContain(gerda.email);
      expect(previewText).toMatch(/^Temporary password: •+$/m);

      await sendAllReminders(staff, 2);

      await smtp.waitForMessages(2);
      const recipients = smtp.received.flatMap((m) => m.recipients).sort();
      expect(recipients).toEqual([firstname.email, gerda.email].sort());
      for (const client of [gerda, firstname]) {
        const mail = smtp.received.find((m) =>
          m.recipients.includes(client.email),
        );
        expect(mail?.parsed.subject).toContain(FIRM_NAME);
        expect(mail?.parsed.text).toContain(`${baseUrl()}/`);
        expect(temporaryPassword(client.email)).not.toMatch(/•/);
      }
    },
  );

  it(
    'clients set passwords and see their own portal',
    { timeout: STEP_TIMEOUT_MS },
    async () => {
      for (const client of [gerda, firstname]) {
        const temporary = temporaryPassword(client.email);
        client.page = await clientLogIn(client, temporary, client.password);
        await expect
          .poll(() => client.page?.locator('[data-firm-name]').textContent())
          .toBe(FIRM_NAME);
        await client.page.getByText('No files yet.').waitFor();
      }
      await saveScreenshot(pageOf(gerda), 'portal-first-login');

      // The temporary password worked once and no longer does.
      const again = await fetch(`${baseUrl()}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: gerda.email,
          password: temporaryPassword(gerda.email),
        }),
      });
      expect(again.status).toBe(401);

      // The relay records each first login, so staff see both as active.
      for (const client of [gerda, firstname]) {
        const option = staff.getByRole('option', { name: client.name });
        await expect.poll(() => option.textContent()).toContain('Active');
      }
      await saveScreenshot(staff, 'staff-portal-active');
    },
  );
  it('sends documents both ways', { timeout: STEP_TIMEOUT_MS }, async () => {
    const client = pageOf(gerda);
    await selectContact(staff, gerda.name);
    await staff.getByRole('tab', { name: 'Documents' }).click();
    await staff
      .locator('#add-input')
      .setInputFiles(SENT_DOCUMENTS.map((name) => join(DOCUMENTS, name)));
    await staff.getByText('Added 3 documents.').waitFor();
    await staff.getByLabel('Select all documents').check();
    await portalAction(staff, 'Documents', 'Upload Selected Files');
    await staff.getByText('Sending 3 files to the client portal.').waitFor();

    // When the uploads finish, staff are offered the file notice.
    const dialog = remindersDialog(staff);
    await dialog
      .getByText(/New file|new file/)
      .first()
      .waitFor();
    await saveScreenshot(staff, 'staff-file-reminder');
    await sendAllReminders(staff, 1);
    const fileNotice = await waitForMail(gerda.email, /shared 3 files/);
    for (const name of SENT_DOCUMENTS) {
      expect(fileNotice.parsed.text).toContain(name);
    }

    // The client downloads each file with the bytes staff sent.
    for (const name of SENT_DOCUMENTS) {
      const link = client.getByRole('link', { name: `Download ${name}` });
      const [download] = await Promise.all([
        client.waitForEvent('download'),
        link.click(),
      ]);
      expect(download.suggestedFilename()).toBe(name);
      const saved = await download.path();
      expect(await sha256(saved), name).toBe(
        await sha256(join(DOCUMENTS, name)),
      );
    }
    await saveScreenshot(client, 'portal-files');

    // Another client's session cannot fetch Gerda's file, even by id.
    const fileId = await client
      .locator('[data-file-id]')
      .first()
      .getAttribute('data-file-id');
    expect(fileId).toBeTruthy();
    const crafted = await pageOf(firstname).evaluate(async (id) => {
      const response = await fetch(`/api/portal/files/${id}`);
      return response.status;
    }, fileId);
    expect(crafted).toBe(404);
    expect(await pageOf(firstname).getByText('No files yet.').count()).toBe(1);

    // The client uploads a document, and the firm gets an email about it.
    await client
      .locator('#picker')
      .setInputFiles(join(DOCUMENTS, CLIENT_UPLOAD));
    const uploaded = client.locator('[data-file-id]', {
      hasText: CLIENT_UPLOAD,
    });
    await expect.poll(() => uploaded.textContent()).toContain('Sent by you');
    const notice = await waitForMail(FIRM_NOTIFY_EMAIL, /uploaded kcs\.pdf/);
    expect(notice.parsed.text).toContain(CLIENT_UPLOAD);

    // Staff take the upload into the contact's documents.
    await portalAction(staff, 'Documents', 'Check for New Files');
    const files = staff.locator('portico-client-files-dialog dialog');
    await files
      .getByRole('button', { name: `Download ${CLIENT_UPLOAD}` })
      .click();
    await files
      .getByText(`${CLIENT_UPLOAD} is now in the documents of Möhrke Gerda.`)
      .waitFor();
    await files.getByRole('button', { name: 'Close' }).click();

    // View Files lists both directions, the taken-in upload included.
    await portalAction(staff, 'Documents', 'View Files');
    await files.getByText(/Taken in/).waitFor();
    for (const name of [...SENT_DOCUMENTS, CLIENT_UPLOAD]) {
      await files.getByRole('cell', { name, exact: true }).waitFor();
    }
    await saveScreenshot(staff, 'staff-view-files');
    await files.getByRole('button', { name: 'Close' }).click();
    const row = staff.locator('tr[data-document]', { hasText: CLIENT_UPLOAD });
    await expect.poll(() => row.textContent()).toContain('Client portal');
    await expect
      .poll(() => uploaded.textContent())
      .toContain('Received by your firm');
  });
  it(
    'publishes billing and takes an online payment',
    { timeout: STEP_TIMEOUT_MS },
    async () => {
      const client = pageOf(gerda);
      await selectContact(staff, gerda.name);
      await staff.getByRole('tab', { name: 'Billing' }).click();
      await staff.getByLabel('Online payments').selectOption('allow');
      await staff
        .getByText('Online payments are allowed for this client.')
        .waitFor();

      await publishInvoice(staff, '2025-001', {
        description: 'Annual accounts 2024',
        quantity: '1',
        unitPrice: '450.00',
      });
      await publishInvoice(staff, '2025-002', {
        description: 'Payroll, first quarter',
        quantity: '3',
        unitPrice: '75.50',
      });

      // A bank transfer for the first invoice, recorded and published.
      await staff
        .getByRole('button', { name: 'Payments', exact: true })
        .click();
      await staff.getByRole('button', { name: 'Record payment' }).click();
      const dialog = staff.locator('portico-payment-dialog dialog');
      await dialog
        .getByLabel('For invoice')
        .selectOption({ label: '2025-001' });
      await dialog.getByLabel('Amount').fill('450.00');
      await dialog.getByLabel('Method').fill('Bank transfer');
      await dialog.getByLabel('Reference').fill('BT-7731');
      await dialog.getByRole('button', { name: 'Record payment' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await staff
        .getByLabel(/^Select payment of/)
        .first()
        .check();
      await staff.getByRole('button', { name: 'Upload to Portal' }).click();
      await staff.getByText('The payment is on the client portal.').waitFor();
      await saveScreenshot(staff, 'staff-billing');

      // The client sees both invoices, and the transfer paid the first.
      await client.getByRole('link', { name: 'Invoices' }).click();
      const first = client.locator('[data-invoice-id]', {
        hasText: 'Invoice 2025-001',
      });
      const second = client.locator('[data-invoice-id]', {
        hasText: 'Invoice 2025-002',
      });
      await expect
        .poll(() => first.locator('[data-status]').getAttribute('data-status'))
        .toBe('paid');
      await second.waitFor();
      await saveScreenshot(client, 'portal-invoices');

      // The second invoice is paid through the Stripe stand-in.
      await second.getByRole('link', { name: 'Invoice 2025-002' }).click();
      await client.getByRole('heading', { name: 'Invoice 2025-002' }).waitFor();
      await client.getByRole('button', { name: /^Pay .*226\.50/ }).click();
      await client.waitForURL(`${stripe.url}/checkout/**`);
      await saveScreenshot(client, 'stripe-standin-checkout');
      await client.getByRole('button', { name: 'Pay' }).click();
      await client.waitForURL(/\/payments\/return\?/);
      await client
        .getByText('Thank you. Your payment was submitted.')
        .waitFor();
      await client.locator('[data-status="paid"]').waitFor({ timeout: 30_000 });
      await saveScreenshot(client, 'portal-payment-done');
      expect(stripe.deliveries.map((d) => d.status)).toEqual([200]);

      await client.getByRole('link', { name: 'Payments' }).click();
      await expect
        .poll(() => client.locator('[data-payment-id]').count())
        .toBe(2);
      await saveScreenshot(client, 'portal-payments');

      // The relay recorded the online payment in the firm's data too.
      await staff
        .locator('portico-billing-tab')
        .getByText('online (stripe)')
        .waitFor();
    },
  );
  it(
    'merges a second staff browser after offline edits',
    { timeout: STEP_TIMEOUT_MS },
    async () => {
      const second = await staffLogIn(await newContext());
      await waitForServiceWorker(second);
      await selectContact(second, gerda.name);

      // Reloading offline guarantees that no sync socket survives.
      await second.context().setOffline(true);
      await second.reload();
      // With the network gone the engine keeps retrying, so the status bar
      // shows Connecting… rather than Offline, which "Work offline" sets.
      await second
        .locator('portico-status-bar')
        .getByText(/Offline|Connecting…/)
        .waitFor();
      await selectContact(second, gerda.name);
      await editContactField(second, 'Phone', '+49 30 901820');
      await second.getByRole('tab', { name: 'Documents' }).click();
      await second
        .locator('#add-input')
        .setInputFiles(join(DOCUMENTS, OFFLINE_DOCUMENT));
      await second.getByText('Added 1 document.').waitFor();
      await second.getByText(/\d+ changes? not yet saved/).waitFor();
      await saveScreenshot(second, 'staff-offline');

      // Meanwhile the first browser changes another field of Gerda.
      await selectContact(staff, gerda.name);
      await editContactField(staff, 'Notes', 'Prefers email over phone.');

      await second.context().setOffline(false);
      await second.getByText('All changes saved').waitFor({ timeout: 45_000 });

      // Both edits survive in both browsers, with the same documents.
      for (const page of [staff, second]) {
        const tab = page.locator('portico-contact-tab');
        await page.getByRole('tab', { name: 'Contact' }).click();
        await tab.getByText('+49 30 901820').waitFor();
        await tab.getByText('Prefers email over phone.').waitFor();
        await page.getByRole('tab', { name: 'Documents' }).click();
        await page
          .locator('tr[data-document]', { hasText: OFFLINE_DOCUMENT })
          .waitFor();
      }
      const first = await contactSnapshot(staff);
      const other = await contactSnapshot(second);
      expect(other).toEqual(first);
      expect(first.documents).toEqual(
        [...SENT_DOCUMENTS, CLIENT_UPLOAD, OFFLINE_DOCUMENT].sort(),
      );
      await saveScreenshot(second, 'staff-after-merge');
    },
  );
  it(
    'keeps everything across a relay restart',
    { timeout: START_TIMEOUT_MS },
    async () => {
      const running = relay;
      if (running === undefined) throw new Error('The relay is not running.');
      relay = undefined;
      expect(await running.stop()).toBe(0);
      expect(running.output.join('\n')).toContain('relay stopped');
      relay = await startRelayProcess(relayEnv());
      expect(relay.url).toBe(running.url);

      // Staff log in afresh and find the contacts, files and billing.
      const page = await staffLogIn(await newContext());
      for (const client of [gerda, firstname]) {
        const option = page.getByRole('option', { name: client.name });
        await expect.poll(() => option.textContent()).toContain('Active');
      }
      await selectContact(page, gerda.name);
      const snapshot = await contactSnapshot(page);
      expect(snapshot.documents).toEqual(
        [...SENT_DOCUMENTS, CLIENT_UPLOAD, OFFLINE_DOCUMENT].sort(),
      );
      expect(snapshot.details).toContain('+49 30 901820');
      expect(snapshot.details).toContain('Prefers email over phone.');
      await page.getByRole('tab', { name: 'Billing' }).click();
      await page.getByRole('cell', { name: '2025-002', exact: true }).waitFor();

      // The client logs in with the permanent password and downloads a file.
      const client = await clientLogIn(gerda, gerda.password);
      const name = '160F-2019.pdf';
      const [download] = await Promise.all([
        client.waitForEvent('download'),
        client.getByRole('link', { name: `Download ${name}` }).click(),
      ]);
      expect(await sha256(await download.path())).toBe(
        await sha256(join(DOCUMENTS, name)),
      );
      await client.getByRole('link', { name: 'Invoices' }).click();
      await expect
        .poll(() => client.locator('[data-status="paid"]').count())
        .toBe(2);
      await client.getByRole('link', { name: 'Payments' }).click();
      await expect
        .poll(() => client.locator('[data-payment-id]').count())
        .toBe(2);
      await saveScreenshot(client, 'portal-after-restart');

      const other = await clientLogIn(firstname, firstname.password);
      await other.getByText('No files yet.').waitFor();
    },
  );
});
