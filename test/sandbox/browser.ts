import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium, driven by playwright-core (no browser download). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Locally a missing chromium skips the browser test; in CI (CI set) it must run, so it fails instead. */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM) || process.env.CI) return undefined;
  return `${CHROMIUM} not found: skipping the console browser test (apt-get install -y chromium to run it)`;
}

export interface OpenBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A fresh profile each time (playwright passes it as --user-data-dir). */
export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<OpenBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'bcops-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Types a command in the composer as the current user. */
export async function typeCommand(page: Page, text: string): Promise<void> {
  const input = page.locator('#composer');
  await input.fill(text);
  await input.press('Enter');
}

export async function actAs(page: Page, userId: string): Promise<void> {
  await page.selectOption('#user-picker', userId);
}
