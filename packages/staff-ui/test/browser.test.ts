/// <reference types="node" />
/**
 * The built app in Debian's Chromium against a real relay: login, import,
 * offline reload through the service worker, and accessibility scans.
 * Needs `npm run build` first; skipped when Chromium is not installed.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, startRelay, type Relay } from '@portico/relay';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Page,
} from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from './support/app-server.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const DIST = fileURLToPath(new URL('../dist', import.meta.url));
const FIXTURES = fileURLToPath(
  new URL('../../../../shared/fixtures/contacts/', import.meta.url),
);
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** Screenshots of the main views, for the docs; the folder is ignored by git. */
const SCREENSHOTS = fileURLToPath(
  new URL('../test-results/screenshots/', import.meta.url),
);
const EMAIL = 'staff@example.com';
const PASSWORD = 'a long staff password';

let dataDir: string;
let app: AppServer;
let relay: Relay;
let browser: Browser;

describe.skipIf(!existsSync(CHROMIUM))('staff app in Chromium', () => {
  beforeAll(async () => {
    if (!existsSync(join(DIST, 'sw.js'))) {
      throw new Error(`No built app in ${DIST}: run "npm run build" first.`);
    }
    dataDir = await mkdtemp(join(tmpdir(), 'portico-staff-browser-'));
    app = await startAppServer(DIST);
    relay = await startRelay(
      loadConfig({
        PORT: '0',
        DATA_DIR: dataDir,
        PUBLIC_URL: app.origin,
        LOG_LEVEL: 'silent',
      }),
    );
    app.setRelay(relay.url);
    await relay.accounts.createStaff(EMAIL, PASSWORD);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    await app?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('imports a vCard file', async () => {
    const { context, page } = await loggedIn();
    await page.getByRole('button', { name: 'Import contacts…' }).click();
    await page.locator('#file').setInputFiles(join(FIXTURES, 'vcard3.vcf'));
    await expect.poll(() => summary(page)).toMatch(/1 contact to import/);

    await page.getByRole('button', { name: 'Import 1 contact' }).click();
    await page.getByText('Imported 1 contact.').waitFor();
    await page.getByRole('button', { name: 'Close' }).click();
    const option = page.getByRole('option', { name: /John Q\. Public/ });
    await option.waitFor();
    await context.close();
  });

  it('has no serious axe violations', async () => {
    const { context, page } = await loggedIn();
    await createContact(page, 'Axe Check');
    const views: Record<string, string[]> = {};
    for (const tab of ['Contact', 'Documents', 'Billing']) {
      await page.getByRole('tab', { name: tab }).click();
      views[tab] = await seriousViolations(page);
      await page.screenshot({ path: join(SCREENSHOTS, `${tab}.png`) });
    }
    expect(views).toEqual({ Contact: [], Documents: [], Billing: [] });

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You are logged out.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'Login.png') });
    await context.close();
  });

  it('reloads offline and keeps edits', { timeout: 90_000 }, async () => {
    const { context, page } = await loggedIn();
    await createContact(page, 'Offline Edit');
    await waitForServiceWorker(page);

    await context.setOffline(true);
    await page.reload();
    await page.getByRole('option', { name: /Offline Edit/ }).click();
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.locator('portico-contact-tab').getByLabel('Phone').fill('123');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const bar = page.locator('portico-status-bar');
    await bar.getByText(/not yet saved/).waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    const prompt = page.locator('#logout-dialog p');
    await expect.poll(() => prompt.textContent()).toMatch(/not yet saved/);
    await page.getByRole('button', { name: 'Stay logged in' }).click();

    await context.setOffline(false);
    await bar.getByText('All changes saved').waitFor({ timeout: 30_000 });
    await context.close();

    const other = await loggedIn();
    await other.page.getByRole('option', { name: /Offline Edit/ }).click();
    await other.page.getByText('123', { exact: true }).waitFor();
    await other.context.close();
  });
});

async function loggedIn(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
  });
  // Shorter than the test timeout, so a failure names the missing element.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(`${app.origin}/staff/`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('Online', { exact: true }).waitFor();
  return { context, page };
}

async function createContact(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'New contact' }).click();
  await page.locator('#new-dialog').getByLabel('Display name').fill(name);
  await page.getByRole('button', { name: 'Create contact' }).click();
  await page.getByRole('heading', { name }).waitFor();
}

async function summary(page: Page): Promise<string> {
  const text = await page.locator('.summary').textContent();
  return (text ?? '').replace(/\s+/g, ' ');
}

/** Reloads once if needed, so that the worker controls the page. */
async function waitForServiceWorker(page: Page): Promise<void> {
  const controlled = await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    return navigator.serviceWorker.controller !== null;
  });
  if (controlled) return;
  await page.reload();
  await page.getByText('Online', { exact: true }).waitFor();
}

/** Returns "rule: target" for each serious or critical axe violation. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: AxeApi }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
      );
  });
}

/** The part of the axe-core API these tests call. */
interface AxeApi {
  run(
    context: Document,
    options: { resultTypes: string[] },
  ): Promise<{
    violations: {
      id: string;
      impact?: string | null;
      nodes: { target: string[] }[];
    }[];
  }>;
}
