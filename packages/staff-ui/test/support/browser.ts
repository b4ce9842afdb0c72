/// <reference types="node" />
/**
 * Shared set-up of the browser tests: the built app behind the app server,
 * a real relay on port 0 and Debian's Chromium. The relay mails through a
 * real SMTP server on 127.0.0.1. The helpers drive the app the way a staff
 * member does.
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
import * as Y from 'yjs';
import { login } from '../../../../test/support/relay.js';
import {
  startSmtpServer,
  type TestSmtp,
} from '../../../../test/support/smtp.js';
import { MultiplexClient } from '../../../../test/support/sync-client.js';
import { until } from '../../../../test/support/wait.js';
import { startAppServer, type AppServer } from './app-server.js';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
const DIST = fileURLToPath(new URL('../../dist', import.meta.url));
export const CONTACT_FIXTURES = fileURLToPath(
  new URL('../../../../../shared/fixtures/contacts/', import.meta.url),
);
export const DOCUMENT_FIXTURES = fileURLToPath(
  new URL('../../../../../shared/fixtures/documents/', import.meta.url),
);
/** Screenshots for the docs, committed with them. */
export const SCREENSHOTS = fileURLToPath(
  new URL('../../../../docs/screenshots/', import.meta.url),
);
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
export const EMAIL = 'staff@example.com';
export const PASSWORD = 'a long staff password';
export const FIRM_NAME = 'Hollis & Ward Accountants';

export interface Harness {
  app: AppServer;
  relay: Relay;
  smtp: TestSmtp;
  browser: Browser;
  /** Opens a fresh browser context, logs in and waits until online. */
  loggedIn(width?: number): Promise<{ context: BrowserContext; page: Page }>;
  /** Follows a doc on the relay as staff, to check what it stored. */
  relayDoc(docName: string): Promise<Y.Doc>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  if (!existsSync(join(DIST, 'sw.js'))) {
    throw new Error(`No built app in ${DIST}: run "npm run build" first.`);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'portico-staff-browser-'));
  const smtp = await startSmtpServer();
  const app = await startAppServer(DIST);
  const relay = await startRelay(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      PUBLIC_URL: app.origin,
      SMTP_URL: smtp.url,
      FIRM_NAME,
      MAIL_FROM: `${FIRM_NAME} <portal@firm.example>`,
      LOG_LEVEL: 'silent',
    }),
  );
  app.setRelay(relay.url);
  await relay.accounts.createStaff(EMAIL, PASSWORD);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const clients: MultiplexClient[] = [];

  return {
    app,
    relay,
    smtp,
    browser,
    loggedIn: (width = 1280) => logIn(browser, app.origin, width),
    async relayDoc(docName) {
      const { token } = await login(relay.url, EMAIL, PASSWORD);
      if (token === undefined) throw new Error('Staff login failed.');
      const client = await MultiplexClient.connect(relay.url, token);
      clients.push(client);
      client.follow(docName);
      await client.waitForSynced(docName);
      return client.doc(docName);
    },
    async close() {
      for (const client of clients) client.close();
      await browser.close();
      await relay.close();
      await app.close();
      await smtp.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function logIn(
  browser: Browser,
  origin: string,
  width: number,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width, height: 800 },
    locale: 'en-US',
  });
  // Shorter than the test timeout, so a failure names the missing element.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(`${origin}/staff/`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('Online', { exact: true }).waitFor();
  // Sync Contact needs the relay's mail settings from the firm doc.
  await allSaved(page);
  return { context, page };
}

export async function allSaved(page: Page): Promise<void> {
  await page
    .locator('portico-status-bar')
    .getByText('All changes saved')
    .waitFor({ timeout: 30_000 });
}

export async function createContact(
  page: Page,
  name: string,
  email?: string,
): Promise<void> {
  await page.getByRole('button', { name: 'New contact' }).click();
  const dialog = page.locator('#new-dialog');
  await dialog.getByLabel('Display name').fill(name);
  if (email !== undefined) await dialog.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Create contact' }).click();
  await page.getByRole('heading', { name }).waitFor();
}

/** Creates a contact, syncs it to the portal and keeps its invitation. */
export async function publishedContact(
  page: Page,
  name: string,
  email: string,
): Promise<void> {
  await createContact(page, name, email);
  await portalAction(page, 'Contact', 'Sync Contact');
  await closeReminders(page, 'Later');
}

/** Chooses an item of the Portal menu of a tab. */
export async function portalAction(
  page: Page,
  tab: 'Contact' | 'Documents',
  item: string,
): Promise<void> {
  await page.getByRole('tab', { name: tab }).click();
  await page.getByRole('button', { name: 'Portal ▾' }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

export function remindersDialog(page: Page) {
  return page.locator('portico-reminders-dialog dialog');
}

export async function closeReminders(
  page: Page,
  button: 'Later' | 'Send all',
): Promise<void> {
  const dialog = remindersDialog(page);
  await dialog.waitFor();
  await dialog.getByRole('button', { name: button }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/** Returns "rule: target" for each serious or critical axe violation. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.addScriptTag({ path: AXE });
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

/** Returns how many pixels the page is wider than the window. */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      document.documentElement.scrollWidth -
      document.documentElement.clientWidth,
  );
}

/** Describes the focused element, looking into shadow roots. */
export function focusedElement(page: Page): Promise<string> {
  return page.evaluate(() => {
    let active: Element | null = document.activeElement;
    while (active?.shadowRoot?.activeElement) {
      active = active.shadowRoot.activeElement;
    }
    if (active === null) return '';
    const label = active.getAttribute('aria-label') ?? '';
    const text = (active.textContent ?? '').replace(/\s+/g, ' ').trim();
    return `${active.tagName.toLowerCase()} ${label || text}`;
  });
}

/** Presses Tab until the focused element matches, at most `limit` times. */
export async function tabTo(
  page: Page,
  pattern: RegExp,
  limit = 40,
): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const focused = await focusedElement(page);
    if (pattern.test(focused)) return;
    seen.push(focused);
  }
  throw new Error(
    `Tab never reached ${pattern}; focus went: ${seen.join(' | ')}`,
  );
}

/** Reloads once if needed, so that the worker controls the page. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  const controlled = await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    return navigator.serviceWorker.controller !== null;
  });
  if (controlled) return;
  await page.reload();
  await page.getByText('Online', { exact: true }).waitFor();
}

/** Returns the fields of a record in a top-level map of a doc. */
export function recordOf(
  doc: Y.Doc,
  map: string,
  id: string,
): Record<string, unknown> | undefined {
  const record = doc.getMap<unknown>(map).get(id);
  return record instanceof Y.Map
    ? (record as Y.Map<unknown>).toJSON()
    : undefined;
}

/** Finds the records of a map whose fields match. */
export function recordsWhere(
  doc: Y.Doc,
  map: string,
  match: (record: Record<string, unknown>) => boolean,
): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  doc.getMap<unknown>(map).forEach((value, id) => {
    if (!(value instanceof Y.Map)) return;
    const record = { id, ...(value as Y.Map<unknown>).toJSON() };
    if (match(record)) found.push(record);
  });
  return found;
}

export { until };

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
