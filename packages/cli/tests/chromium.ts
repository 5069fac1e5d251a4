import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it), or CHROMIUM_PATH. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Headless Chromium for the browser tests: no sandbox (containers), no network of its own, no updates. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run "apt-get install -y chromium" or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page with what the browser tests assert on: console errors and page errors, and requests that left file:/data:. */
export interface WatchedPage {
  page: Page;
  errors: string[];
  outside: string[];
}

export async function watchedPage(browser: Browser, viewport?: { width: number; height: number }): Promise<WatchedPage> {
  const page = await browser.newPage(viewport ? { viewport } : {});
  const errors: string[] = [];
  const outside: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => {
    if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) outside.push(request.url());
  });
  return { page, errors, outside };
}
