// Browser smoke test against the REAL herald server (what counts).
// Needs HERALD_URL (e.g. http://127.0.0.1:18080/) and HERALD_KEY (a fresh
// account's key: the account must have no sites yet). run-herald.sh sets
// both up. Skipped when they are not set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn } from './browser.mjs';

const base = process.env.HERALD_URL;
const key = process.env.HERALD_KEY;
const skip = !base || !key ? 'HERALD_URL/HERALD_KEY not set (use run-herald.sh)' : false;
const unexpected = (errors) => errors.filter((e) => !/Failed to load resource: the server responded with a status of (404|409|422)/.test(e));

let browser;
before(async () => { if (!skip) browser = await launch(); });
after(async () => { await browser?.close(); });

test('first run: create a site, write and approve content, schedule it, see it on the calendar', { skip }, async () => {
  const { page, context, errors } = await newPage(browser);
  await signIn(page, base, key);
  await page.getByTestId('first-site-form').waitFor();
  await page.getByTestId('site-name').fill('UI smoke site');
  await page.getByTestId('site-platform').selectOption('custom');
  await page.getByTestId('site-domain').fill('http://127.0.0.1:9/hook');
  await page.getByTestId('site-api-key').fill('whsec_dGVzdA==');
  await page.getByTestId('site-timezone-input').fill('Europe/Berlin');
  await page.getByTestId('site-create').click();
  await page.getByTestId('workspace').waitFor();
  assert.match(await page.getByTestId('site-timezone').textContent(), /Europe\/Berlin/);

  await page.getByTestId('tab-new').click();
  await page.getByTestId('content-title').fill('Smoke post');
  await page.getByTestId('content-html').fill('<p>Hello</p>');
  await page.getByTestId('content-create').click();
  await page.getByTestId('tab-queue').click();
  const row = page.locator('[data-testid="queue-ready"] [data-testid="queue-item"]', { hasText: 'Smoke post' });
  await row.waitFor();
  const id = await row.getAttribute('data-content-id');

  await row.getByTestId('queue-open').click();
  await page.getByTestId('action-schedule').waitFor();
  await page.getByTestId('action-schedule').click();
  await page.locator('[data-testid="item-site-status"][data-status="scheduled"]').waitFor();
  await page.keyboard.press('Escape');

  await page.getByTestId('view-list').click();
  await page.locator(`[data-testid="calendar-event"][data-content-id="${id}"][data-status="scheduled"]`).first().waitFor();
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('settings: an invalid time slot is refused next to the field', { skip }, async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, base, key);
  await page.getByTestId('workspace').waitFor();
  await page.getByTestId('tab-settings').click();
  await page.getByTestId('settings-slot-add').click();
  await page.getByTestId('settings-slot-input').last().fill('25:00');
  await page.getByTestId('settings-save').click();
  await page.getByTestId('field-error-publish_time_slots').waitFor();
  await context.close();
});

test('a wrong key is refused at sign-in', { skip }, async () => {
  const { page, context } = await newPage(browser);
  await page.goto(base);
  await page.getByTestId('signin-key').fill('not-a-key');
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('signin-error').waitFor();
  await context.close();
});
