// UI checks against the Python API stub (tests/ui/stub_api.py), for working on
// the front-end without the C++ server. The product's real browser tests must
// run against `herald serve`; these document the behaviour the UI relies on.
// Run: (cd web && ./build.sh) && cd tests/ui && npm ci && node --test stub.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, newPage, signIn } from './browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const stubs = [];
let browser;

async function startStub(port, flags = []) {
  const p = spawn('python3', [join(here, 'stub_api.py'), '--port', String(port), ...flags], { stdio: ['ignore', 'pipe', 'inherit'] });
  stubs.push(p);
  const base = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 50; i++) {
    try { if ((await fetch(base + 'healthz')).ok) return base; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('stub did not start');
}

async function stub(base, path, body) {
  const r = await fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  return r.json();
}

async function apiGet(base, path, key = 'test-key') {
  const r = await fetch(base + path, { headers: { Authorization: `Api-Key ${key}` } });
  return r.json();
}

// 404 answers for optional endpoints are logged by Chromium as resource errors; they are expected there.
const unexpected = (errors) => errors.filter((e) => !/Failed to load resource: the server responded with a status of (404|401|409|422)/.test(e));

let base;
before(async () => {
  browser = await launch();
  base = await startStub(18601);
});
after(async () => {
  await browser?.close();
  for (const p of stubs) p.kill('SIGTERM');
});

async function open(opts) {
  await stub(base, '__stub/reset');
  const s = await newPage(browser, opts);
  await signIn(s.page, base, 'test-key');
  return s;
}

test('wrong key is refused with a message; right key shows the site selector', async () => {
  const { page, context } = await newPage(browser);
  await page.goto(base);
  await page.getByTestId('signin-key').fill('nope');
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('signin-error').waitFor();
  assert.match(await page.getByTestId('signin-error').textContent(), /not accepted/);
  await page.getByTestId('signin-key').fill('test-key');
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('site-select').waitFor();
  // no site chosen yet (two sites): nothing shown
  assert.equal(await page.getByTestId('workspace').isVisible(), false);
  assert.equal(await page.getByTestId('no-site').isVisible(), true);
  await context.close();
});

test('site selection shows only that site, survives reload, and switching clears the old site', async () => {
  const { page, context, errors } = await open();
  await page.getByTestId('site-select').selectOption('1');
  await page.locator('[data-testid="calendar-event"][data-content-id="1"]').first().waitFor();
  assert.match(await page.getByTestId('site-timezone').textContent(), /Europe\/Berlin/);
  await page.reload();
  await page.locator('[data-testid="calendar-event"][data-content-id="1"]').first().waitFor();
  assert.equal(await page.getByTestId('site-select').inputValue(), '1');
  await page.getByTestId('site-select').selectOption('2');
  await page.waitForFunction(() => !document.querySelector('[data-testid="calendar-event"][data-content-id="1"]'));
  assert.match(await page.getByTestId('site-timezone').textContent(), /America\/New_York/);
  assert.equal(await page.locator('[data-testid="queue-item"]').count(), 0);
  // another account's item never shows
  assert.equal(await page.locator('[data-content-id="9"]').count(), 0);
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('events are coloured by site_status like the legend and show local time', async () => {
  const { page, context, errors } = await open();
  await page.getByTestId('site-select').selectOption('1');
  await page.getByTestId('view-list').click();
  await page.locator('[data-testid="calendar-event"]').first().waitFor();
  await page.getByTestId('view-month').click();
  const ev = page.locator('[data-testid="calendar-event"][data-content-id="3"]').first();
  await ev.waitFor();
  assert.equal(await ev.getAttribute('data-status'), 'failed');
  const evBg = await ev.evaluate((el) => getComputedStyle(el).backgroundColor);
  const swatch = await page.getByTestId('status-color-failed').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(evBg, swatch);
  const colours = await page.locator('[data-testid^="status-color-"]').evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
  assert.equal(new Set(colours).size, 4);
  // local time in Europe/Berlin
  const c = await apiGet(base, 'api/v1/writer/content/3/');
  const expected = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(c.scheduled_publish_at));
  assert.match(await ev.textContent(), new RegExp(expected));
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

async function dragInWeek(page, id, slots) {
  const ev = page.locator(`[data-testid="calendar-event"][data-content-id="${id}"]`).first();
  await ev.waitFor();
  const box = await ev.boundingBox();
  const slotH = await page.locator('.fc-timegrid-slot').first().evaluate((el) => el.getBoundingClientRect().height);
  const x = box.x + box.width / 2;
  const y = box.y + Math.min(8, box.height / 2);
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(x, y + (slots * slotH * i) / 10);
  await page.mouse.up();
}

test('dragging an item reschedules it; a refusal reverts and shows the server message', async () => {
  const { page, context, errors } = await open();
  // put item 1 tomorrow 10:00 Berlin, a Wednesday-independent spot in view
  const at = new Date(Date.now() + 86400000);
  at.setUTCHours(9, 0, 0, 0);
  await stub(base, '__stub/set', { id: 1, scheduled_publish_at: at.toISOString().replace('.000', '') });
  await page.getByTestId('site-select').selectOption('1');
  await page.getByTestId('view-week').click();
  await page.evaluate((iso) => window.herald.calendar.gotoDate(iso), at.toISOString());
  const req = page.waitForRequest((r) => r.url().includes('/content/1/reschedule/'));
  await dragInWeek(page, 1, 2); // two 30-minute rows down
  const body = JSON.parse((await req).postData());
  assert.equal(Date.parse(body.scheduled_at), at.getTime() + 3600000);
  await page.getByTestId('info-message').waitFor();
  const c = await apiGet(base, 'api/v1/writer/content/1/');
  assert.equal(Date.parse(c.scheduled_publish_at), at.getTime() + 3600000);

  // refused: move into the past
  const past = new Date(Date.now() - 86400000 * 2);
  past.setUTCHours(9, 0, 0, 0);
  await stub(base, '__stub/set', { id: 1, scheduled_publish_at: past.toISOString().replace('.000', ''), site_status: 'failed' });
  await page.evaluate((iso) => { window.herald.calendar.gotoDate(iso); window.herald.calendar.refetchEvents(); }, past.toISOString());
  await page.waitForFunction((t) => {
    const e = window.herald.calendar.getEventById('1');
    return e && e.start.getTime() === t;
  }, past.getTime());
  await dragInWeek(page, 1, 2);
  await page.getByTestId('error-message').waitFor();
  assert.match(await page.getByTestId('error-message').textContent(), /future/);
  const start = await page.evaluate(() => window.herald.calendar.getEventById('1').start.getTime());
  assert.equal(start, past.getTime());
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('live updates (SSE) move and recolour an item without reload', async () => {
  const { page, context, errors } = await open();
  await page.getByTestId('site-select').selectOption('1');
  await page.locator('[data-testid="live-status"][data-mode="live"]').waitFor();
  await page.getByTestId('view-list').click();
  await page.locator('[data-testid="calendar-event"][data-content-id="1"]').first().waitFor();
  await stub(base, '__stub/set', { id: 1, site_status: 'published', published_at: new Date().toISOString().replace(/\.\d+Z/, 'Z') });
  await page.locator('[data-testid="calendar-event"][data-content-id="1"][data-status="published"]').first().waitFor({ timeout: 5000 });
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('item dialog shows last error and records; retry reschedules', async () => {
  const { page, context, errors } = await open();
  await page.getByTestId('site-select').selectOption('1');
  await page.getByTestId('view-list').click();
  await page.locator('[data-testid="calendar-event"][data-content-id="3"]').first().click();
  await page.getByTestId('item-last-error').waitFor();
  await page.getByTestId('record').first().waitFor();
  assert.equal(await page.getByTestId('record').count(), 1);
  await page.getByTestId('action-retry').click();
  await page.locator('[data-testid="item-site-status"][data-status="scheduled"]').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('[data-testid="calendar-event"][data-content-id="3"][data-status="scheduled"]').first().waitFor();
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('settings: server validation shows next to the field and nothing is saved', async () => {
  const { page, context, errors } = await open();
  await page.getByTestId('site-select').selectOption('1');
  await page.getByTestId('tab-settings').click();
  await page.getByTestId('settings-slot-add').click();
  await page.getByTestId('settings-slot-input').last().fill('25:00');
  await page.getByTestId('settings-daily-publish-limit').fill('5');
  await page.getByTestId('settings-save').click();
  await page.getByTestId('field-error-publish_time_slots').waitFor();
  const s = await apiGet(base, 'api/v1/sites/1/publishing-settings/');
  assert.equal(s.daily_publish_limit, 2);
  // bad time zone: settings rolled back, site unchanged
  await page.getByTestId('settings-slot-remove').last().click();
  await page.getByTestId('settings-timezone').fill('Mars/Olympus');
  await page.getByTestId('settings-save').click();
  await page.getByTestId('field-error-timezone').waitFor();
  const s2 = await apiGet(base, 'api/v1/sites/1/publishing-settings/');
  assert.equal(s2.daily_publish_limit, 2);
  // a good save
  await page.getByTestId('settings-timezone').fill('Europe/Berlin');
  await page.getByTestId('settings-day-sat').check();
  await page.getByTestId('settings-save').click();
  await page.getByTestId('info-message').waitFor();
  const s3 = await apiGet(base, 'api/v1/sites/1/publishing-settings/');
  assert.ok(s3.publish_days.includes('sat'));
  assert.equal(s3.daily_publish_limit, 5);
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('queue: dry-run preview then run the scheduler; new content with approve', async () => {
  const { page, context, errors } = await open();
  await page.getByTestId('site-select').selectOption('1');
  await page.locator('[data-testid="queue-ready"] [data-testid="queue-item"]').first().waitFor();
  await page.getByTestId('scheduler-preview').click();
  await page.getByTestId('scheduler-preview-result').waitFor();
  assert.equal(await page.getByTestId('assignment').count(), 1);
  await page.getByTestId('scheduler-run').click();
  await page.getByTestId('scheduler-run-result').waitFor();
  await page.waitForFunction(() => !document.querySelector('[data-testid="queue-ready"] [data-testid="queue-item"]'));
  await page.getByTestId('tab-new').click();
  await page.getByTestId('content-title').fill('Fresh post');
  await page.getByTestId('content-html').fill('<p>Hi</p>');
  await page.getByTestId('content-tags').fill('a, b');
  await page.getByTestId('content-create').click();
  await page.getByTestId('tab-queue').click();
  await page.locator('[data-testid="queue-ready"] [data-testid="queue-item"]', { hasText: 'Fresh post' }).waitFor();
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('a refused key mid-session goes back to sign-in with a message', async () => {
  const { page, context } = await open();
  await page.evaluate(() => sessionStorage.setItem('herald.apiKey', 'revoked'));
  await page.reload();
  await page.getByTestId('signin-error').waitFor();
  assert.equal(await page.locator('#app').isVisible(), false);
  await context.close();
});

test('without SSE the page polls; without slots nothing is drawn; first run offers a site form', async () => {
  const b2 = await startStub(18602, ['--no-sse', '--no-slots', '--empty']);
  const { page, context, errors } = await newPage(browser, { width: 360, height: 740 });
  await signIn(page, b2, 'test-key');
  await page.getByTestId('first-site-form').waitFor();
  await page.getByTestId('site-name').fill('My blog');
  await page.getByTestId('site-platform').selectOption('custom');
  await page.getByTestId('site-domain').fill('http://127.0.0.1:9/hook');
  await page.getByTestId('site-timezone-input').fill('Asia/Tokyo');
  await page.getByTestId('site-create').click();
  await page.getByTestId('workspace').waitFor();
  await page.locator('[data-testid="live-status"][data-mode="polling"]').waitFor();
  assert.match(await page.getByTestId('site-timezone').textContent(), /Asia\/Tokyo/);
  // created content appears through polling: approve + schedule via the API directly
  const sites = await apiGet(b2, 'api/v1/sites/');
  const sid = sites.results[0].id;
  const h = { Authorization: 'Api-Key test-key', 'Content-Type': 'application/json' };
  const c = await (await fetch(b2 + 'api/v1/writer/content/', { method: 'POST', headers: h, body: JSON.stringify({ site_id: sid, title: 'Polled', content_html: 'x' }) })).json();
  await fetch(b2 + `api/v1/writer/content/${c.id}/`, { method: 'PATCH', headers: h, body: '{"status":"review"}' });
  await fetch(b2 + `api/v1/writer/content/${c.id}/`, { method: 'PATCH', headers: h, body: '{"status":"approved"}' });
  await page.getByTestId('tab-queue').click();
  await page.locator('[data-testid="queue-ready"] [data-testid="queue-item"]', { hasText: 'Polled' }).waitFor({ timeout: 8000 });
  await page.getByTestId('view-week').click();
  await page.waitForTimeout(500);
  assert.equal(await page.locator('[data-testid="slot"]').count(), 0);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than 360px`);
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});
