// Shared browser helpers for the UI tests: Debian's chromium via playwright-core
// (never downloads a browser). CHROMIUM=/path overrides the executable.
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

let onResponse = null;
/** Every page made after this calls `fn(response)` for each answer it gets (see openapi.mjs). */
export function watchResponses(fn) { onResponse = fn; }

/** New page that records console errors and page errors into `errors`. */
export async function newPage(browser, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  if (onResponse) page.on('response', onResponse);
  return { context, page, errors };
}

export async function signIn(page, baseUrl, key) {
  await page.goto(baseUrl);
  await page.getByTestId('signin-key').fill(key);
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('site-select').waitFor();
}
