/** Debian's Chromium driven by playwright-core, with no browser download. */
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH =
  process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export const PHONE = { width: 375, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
    ],
  });
}

/** Logs in through the form and waits for the signed-in shell. */
export async function logIn(
  page: Page,
  baseUrl: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}
