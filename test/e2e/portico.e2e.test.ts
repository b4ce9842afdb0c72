/**
 * The whole product on real input: the relay started with `npm start` as
 * the README says, a real SMTP server, the Stripe stand-in, and both web
 * apps in Debian's Chromium. The steps share one relay and run in order,
 * each building on the data of the one before.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSmtpServer, type TestSmtp } from '../support/smtp.js';
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

const FIXTURES = fileURLToPath(
  new URL('../../../shared/fixtures/', import.meta.url),
);
const CONTACTS = join(FIXTURES, 'contacts');

const FIRM_NAME = 'Lindqvist & Okafor Accountants';
const FIRM_NOTIFY_EMAIL = 'office@lindqvist-okafor.test';
const STAFF_EMAIL = 'maja@lindqvist-okafor.test';
const STAFF_PASSWORD = 'correct horse battery staple 42';
const WEBHOOK_SECRET = 'whsec_e2e_portico';

/** Step timeouts; the whole file should finish in about six minutes. */
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

/** Imports every contact in one file through the Import dialog. */
async function importContacts(page: Page, file: string): Promise<void> {
  await page.getByRole('button', { name: 'Import contacts…' }).click();
  await page.locator('#file').setInputFiles(join(CONTACTS, file));
  const importButton = page.getByRole('button', {
    name: /^Import \d+ contact/,
  });
  await importButton.waitFor();
  await importButton.click();
  await page.getByText(/^Imported \d+ contact/).waitFor();
  await page.getByRole('button', { name: 'Close' }).click();
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

  it(
    'creates staff and imports contacts',
    { timeout: STEP_TIMEOUT_MS },
    async () => {
      expect(relay?.output.join('\n')).toContain('No staff account exists yet');
      const printed = await addStaffAccount(
        { DATA_DIR: dataDir },
        STAFF_EMAIL,
        STAFF_PASSWORD,
      );
      expect(printed).toContain(STAFF_EMAIL);

      staff = await staffLogIn(await newContext());
      await importContacts(staff, 'v4.vcf');
      await importContacts(staff, 'gmail.csv');
      await staff.getByRole('option', { name: /Möhrke Gerda/ }).waitFor();
      await staff.getByRole('option', { name: /Mustermann/ }).waitFor();
      await staff.getByRole('option', { name: /Firstname/ }).waitFor();
      await saveScreenshot(staff, 'staff-contacts');
    },
  );
});
