import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium, installed by .ci/run (`apt-get install -y chromium`); never a downloaded browser. */
export const CHROMIUM = process.env.SWITCHBOARD_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can. */
export function browserMissing(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `browser tests skipped: ${CHROMIUM} is missing (install it with: apt-get update && apt-get install -y chromium)`;
}

/** Where screenshots go: $SWITCHBOARD_SCREENSHOTS (e.g. docs/console to refresh the committed ones), else a temp dir. */
export function screenshotDir(): string {
  const dir = process.env.SWITCHBOARD_SCREENSHOTS ?? join(tmpdir(), 'switchboard-console-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A headless chromium with a fresh profile, and one page; `close` ends the browser and removes the profile. */
export async function openBrowser(): Promise<{
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}> {
  const profile = mkdtempSync(join(tmpdir(), 'switchboard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
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
