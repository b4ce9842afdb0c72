/** Debian's Chromium through playwright-core, and page helpers. */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from './relay-process.js';

export const CHROMIUM_PATH =
  process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Screenshots for docs/walkthrough.md, committed with the docs. */
export const SCREENSHOT_DIR = join(REPO_ROOT, 'docs', 'screenshots');

/** Above this size a screenshot bloats the repository, so the test fails. */
const MAX_SCREENSHOT_BYTES = 200 * 1024;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Saves `docs/screenshots/e2e-<name>.png` of the viewport. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `e2e-${name}.png`);
  await page.screenshot({ path, animations: 'disabled' });
  const { size } = await stat(path);
  if (size > MAX_SCREENSHOT_BYTES) {
    throw new Error(
      `Screenshot ${path} has ${size} bytes, over ${MAX_SCREENSHOT_BYTES}; ` +
        'use a smaller viewport for it.',
    );
  }
}
