// Browser tests for the planner (issue 12, browser side) against the REAL herald server: the
// import preview and its errors, the queue operations' dry-run preview (rebalance), blackout
// days and closed slots on the calendar, the planner settings, and a held item's badge and
// reason; each new screen at
// 1280×800 and 390×844 with a screenshot in HERALD_ARTIFACTS and an axe-core check.
// run-herald.sh sets HERALD_URL and HERALD_KEY5 (an account of its own). A part whose API the
// server does not describe yet (docs/openapi.yaml) is skipped, saying which.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, newPage, signIn, watchResponses } from './browser.mjs';
import { loadChecker, responseWatcher } from './openapi.mjs';
import { axeProblems } from './axe.mjs';
import { apiClient, gotoDate, iso, sleep, startReceiver, unexpected } from './support.mjs';

const base = process.env.HERALD_URL;
const key = process.env.HERALD_KEY5;
const artifacts = process.env.HERALD_ARTIFACTS || 'out';
const skip = !base || !key ? 'HERALD_URL/HERALD_KEY5 not set (use run-herald.sh)' : false;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let rx;
let checker;
let watcher;
let browser;
const described = [];
const { api, ok, makeItem } = apiClient(base, key, () => checker, described);
const nextMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1));
const day = (d, hour = 8, minute = 0) => new Date(Date.UTC(nextMonth.getUTCFullYear(), nextMonth.getUTCMonth(), d, hour, minute));
const ymd = (d) => iso(d).slice(0, 10);
const EVERY_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Whether the server describes a path (and, optionally, a settings field). */
const hasPath = (p) => !!checker.spec.paths[p];
const settingsHave = (f) => !!checker.spec.components?.schemas?.Settings?.properties?.[f]
  || JSON.stringify(checker.spec.components?.schemas ?? {}).includes(`"${f}"`);

before(async () => {
  if (skip) return;
  mkdirSync(artifacts, { recursive: true });
  checker = await loadChecker(base);
  watcher = responseWatcher(checker, described);
  watchResponses(watcher.listener);
  rx = await startReceiver();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  rx?.close();
});

async function newSite(name, settings = {}) {
  const site = await ok('POST', 'api/v1/sites/', { name, platform_type: 'custom', domain: `${rx.url}/ok`, api_key: 'whsec_dGVzdC1zZWNyZXQ=', timezone: 'UTC' });
  await ok('PUT', `api/v1/sites/${site.id}/publishing-settings/`, { auto_publish_enabled: true, publish_days: EVERY_DAY, publish_time_slots: ['09:00', '13:00', '17:00'], ...settings });
  return site;
}
async function openSite(site, viewport = DESKTOP) {
  const s = await newPage(browser, viewport);
  await signIn(s.page, base, key);
  await s.page.getByTestId('site-select').selectOption(String(site.id));
  await s.page.getByTestId('workspace').waitFor();
  return s;
}
async function showPanel(page, id, phone) {
  await page.getByTestId(phone ? `pane-${id}` : `tab-${id}`).click();
}
/** Screenshot + axe-core + nothing wider than the screen; problems collected. */
async function check(page, name, problems, fullPage = false) {
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0)); // the sticky bar stays on top
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage });
  for (const p of await axeProblems(page)) problems.push(`${name}: ${p}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) problems.push(`${name}: ${overflow}px wider than the screen`);
}
const contentOf = async (siteId) => (await ok('GET', `api/v1/writer/content/?site_id=${siteId}&page_size=500`)).results;

test('import: the first rows and the slots they would take, then all of them; a refused row is named and nothing is imported', { skip }, async () => {
  // Two a day, and the first slot already taken: the estimate must skip both ways.
  const site = await newSite('Import blog', { daily_publish_limit: 2 });
  const first = await makeItem(site.id, 'Already waiting', null);
  for (let i = 0; i < 100 && !(await ok('GET', `api/v1/writer/content/${first.id}/`)).scheduled_publish_at; i++) await sleep(100);
  // An item the import repeats (a duplicate warning after the import).
  await ok('POST', 'api/v1/writer/content/', { site_id: site.id, title: 'Spring sale', content_html: '<p>draft</p>' });
  const rows = Array.from({ length: 12 }, (_, i) => [`Imported post ${i + 1}`, `<p>Body ${i + 1}</p>`, `imported-${i + 1}`, 'news|import']);
  rows[4][0] = 'Spring sale';
  const csv = ['title,content_html,slug,tags', ...rows.map((r) => r.map((c) => (/[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(','))].join('\n');
  const problems = [];
  for (const [name, viewport] of [['desktop', DESKTOP], ['mobile', PHONE]]) {
    const phone = name === 'mobile';
    const { page, context, errors } = await openSite(site, viewport);
    await showPanel(page, 'import', phone);
    const panel = page.getByTestId('import-section');
    await panel.getByTestId('import-status').selectOption('approved');
    await panel.getByTestId('import-file').setInputFiles({ name: 'posts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const box = page.getByTestId('import-preview-box');
    await box.waitFor();
    assert.match(await box.textContent(), /12 items in the file \(the first 10 shown\)/);
    assert.match(await page.getByTestId('import-preview-note').textContent(), /read in your browser: nothing is sent yet/);
    assert.equal(await page.getByTestId('import-row').count(), 10);
    // Approved items without a time take the next free slots: an estimate, in time order.
    const slots = await page.getByTestId('import-row-slot').allTextContents();
    assert.ok(slots.every((s) => s.startsWith('≈ ')), slots.join(' | '));
    assert.equal(new Set(slots).size, 10, 'each row its own slot');
    const expected = await page.getByTestId('import-row-slot').evaluateAll((cells) => cells.map((c) => c.dataset.at));
    assert.equal((await contentOf(site.id)).length, phone ? 15 : 2, 'a preview sends nothing');
    if (!phone) assert.match(await page.locator('[data-testid="import-row"][data-row="5"]').textContent(), /Spring sale/);
    await check(page, `${name}-import-preview`, problems, !phone);
    if (!phone) {
      await page.getByTestId('import-submit').click();
      const result = page.getByTestId('import-result');
      await result.waitFor();
      assert.match(await result.textContent(), /Imported 12 items as approved/);
      // The repeated title is imported and said to be a possible duplicate, naming its row.
      assert.match(await page.getByTestId('import-warning').first().textContent(), /^Row 5: .*same title/);
      const stored = await contentOf(site.id);
      assert.equal(stored.length, 14);
      assert.ok(stored.filter((c) => c.title.startsWith('Imported post')).every((c) => c.status === 'approved'));
      // The scheduler places them (auto-publish is on): where the preview said.
      const placed = async () => (await contentOf(site.id)).filter((c) => c.title.startsWith('Imported') || c.slug === 'imported-5');
      for (let i = 0; i < 100 && (await placed()).some((c) => !c.scheduled_publish_at); i++) await page.waitForTimeout(100);
      const times = Object.fromEntries((await placed()).map((c) => [c.slug, c.scheduled_publish_at]));
      assert.deepEqual(rows.slice(0, 10).map((r) => times[r[2]]), expected, 'the estimated slots are the ones taken');
      await gotoDate(page, new Date(expected[0]));
      await page.locator(`[data-testid="calendar-event"][data-content-id="${stored.find((c) => c.slug === 'imported-1').id}"]`).waitFor();
      await check(page, 'desktop-import-result', problems, true);
      // Composing a like-named item: a hint before saving, the server's warning after.
      await showPanel(page, 'new', false);
      const compose = page.getByTestId('content-form');
      await compose.getByTestId('content-title').fill('imported  POST 3');
      await compose.getByTestId('content-title').press('Tab');
      await compose.getByTestId('duplicate-hint').waitFor();
      assert.match(await compose.getByTestId('duplicate-hint').textContent(), /“Imported post 3”/);
      await compose.getByTestId('content-html').fill('Again');
      await compose.getByTestId('content-create').click();
      await compose.getByTestId('duplicate-warnings').waitFor();
      assert.match(await compose.getByTestId('duplicate-warnings').textContent(), /same title/);
      await check(page, 'desktop-duplicate-warning', problems);
      await showPanel(page, 'import', false);
    }
    // A row the server refuses (a slug it does not take): all or nothing, the row and field named.
    const bad = [{ title: 'Fine one', content_html: '<p>a</p>' }, { title: 'Broken one', content_html: '<p>b</p>', slug: 'Not a slug!' }]
      .map((o) => JSON.stringify(o)).join('\n');
    await panel.getByTestId('import-file').setInputFiles({ name: 'broken.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(bad) });
    await page.getByTestId('import-preview-box').waitFor();
    await page.getByTestId('import-submit').click();
    const err = page.getByTestId('import-error');
    await err.waitFor();
    assert.match(await page.getByTestId('import-error-where').textContent(), /^Row 2, field “slug”/);
    assert.match(await err.textContent(), /Nothing was imported/);
    assert.equal(await page.locator('[data-testid="import-row"][data-row="2"].row-bad').count(), 1, 'the refused row is marked in the preview');
    assert.equal((await contentOf(site.id)).some((c) => c.title === 'Fine one'), false, 'all or nothing');
    await check(page, `${name}-import-error`, problems, !phone);
    assert.deepEqual(unexpected(errors, '404|409|422'), [], name);
    await context.close();
  }
  assert.deepEqual(problems, []);
});

test('rebalance: the dry run lists every item old → new, Cancel changes nothing, confirming applies exactly that', { skip }, async (t) => {
  if (!hasPath('/api/v1/sites/{id}/queue/rebalance/')) return t.skip('the server does not describe POST /api/v1/sites/{id}/queue/rebalance/ yet');
  const site = await newSite('Rebalance blog');
  // Off-slot times: a rebalance moves each into a slot, in their order.
  const items = [];
  for (const [d, h, m] of [[5, 10, 17], [5, 11, 40], [6, 15, 5]]) items.push(await makeItem(site.id, `Off-slot ${d}-${h}`, day(d, h, m)));
  const before = Object.fromEntries((await contentOf(site.id)).map((c) => [c.id, c.scheduled_publish_at]));
  const problems = [];
  for (const [name, viewport] of [['mobile', PHONE], ['desktop', DESKTOP]]) { // the phone only previews
    const phone = name === 'mobile';
    const { page, context, errors } = await openSite(site, viewport);
    await showPanel(page, 'queue', phone);
    await page.getByTestId('queue-rebalance').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    const moves = await page.getByTestId('queue-move').evaluateAll((rows) => rows.map((r) => ({ id: Number(r.dataset.contentId), from: r.dataset.from, to: r.dataset.to, text: r.textContent })));
    assert.ok(moves.length >= items.length, JSON.stringify(moves));
    for (const m of moves) {
      assert.equal(m.from, before[m.id], 'the old time is the stored one');
      assert.ok(m.to && m.to !== m.from, 'a new time');
      assert.match(m.text, /→/);
    }
    await check(page, `${name}-rebalance-preview`, problems);
    await page.getByTestId('confirm-cancel').click();
    assert.deepEqual(Object.fromEntries((await contentOf(site.id)).map((c) => [c.id, c.scheduled_publish_at])), before, 'Cancel changes nothing');
    if (!phone) {
      await page.getByTestId('queue-rebalance').click();
      await page.getByTestId('confirm-ok').click();
      await page.getByTestId('info-message').waitFor();
      const stored = Object.fromEntries((await contentOf(site.id)).map((c) => [c.id, c.scheduled_publish_at]));
      for (const m of moves) assert.equal(stored[m.id], m.to, `item ${m.id} went where the preview said`);
    }
    assert.deepEqual(unexpected(errors), [], name);
    await context.close();
  }
  assert.deepEqual(problems, []);
});

test('evergreen and pinned: edited in the item form, repeats drawn ahead, a pinned item stays out of Move to top', { skip }, async (t) => {
  if (!checker.spec.components.schemas.Content.properties.recurrence) return t.skip('the server does not describe content recurrence yet');
  const site = await newSite('Evergreen blog');
  const item = await makeItem(site.id, 'Evergreen guide', day(8, 9));
  const { page, context, errors } = await openSite(site);
  await page.getByTestId('view-month').click();
  await gotoDate(page, day(8));
  await page.locator(`[data-testid="calendar-event"][data-content-id="${item.id}"]`).click();
  assert.equal(await page.getByTestId('action-move-to-top').count(), 1, 'a movable item offers Move to top');
  await page.getByTestId('action-edit').click();
  const form = page.getByTestId('content-edit-form');
  await form.getByTestId('content-repeat').check();
  await form.getByTestId('content-repeat-every').fill('7');
  await form.getByTestId('content-repeat-count').fill('0');
  await form.getByTestId('content-save').click();
  await form.getByTestId('field-error-recurrence.count').waitFor();
  assert.equal(await form.locator('[aria-invalid="true"]').getAttribute('data-testid'), 'content-repeat-count', 'only that input is marked');
  // The server's refusal lands under its input too: an end date already past.
  await form.getByTestId('content-repeat-count').fill('');
  await form.getByTestId('content-repeat-until').fill('2001-01-01');
  await form.getByTestId('content-save').click();
  await form.getByTestId('field-error-recurrence.until').waitFor();
  assert.equal((await ok('GET', `api/v1/writer/content/${item.id}/`)).recurrence, null, 'nothing stored');
  await form.getByTestId('content-repeat-until').fill('');
  await form.getByTestId('content-repeat-count').fill('3');
  await form.getByTestId('content-pinned').check();
  await check(page, 'desktop-item-edit-planner', [], false);
  await form.getByTestId('content-save').click();
  await page.getByTestId('item-recurrence').waitFor();
  const stored = await ok('GET', `api/v1/writer/content/${item.id}/`);
  assert.equal(stored.pinned, true);
  assert.deepEqual(stored.recurrence, { every_days: 7, until: null, count: 3 });
  assert.equal(await page.getByTestId('action-move-to-top').count(), 0, 'a pinned item is not offered Move to top');
  await page.getByTestId('item-close').click();
  // Three publications in all: this one and two repeats, a week apart, drawn as expected.
  await page.locator(`[data-testid="calendar-occurrence"][data-content-id="${item.id}"]`).nth(1).waitFor();
  const dates = await page.locator(`[data-testid="calendar-occurrence"][data-content-id="${item.id}"]`).evaluateAll((els) => els.map((e) => e.closest('.fc-daygrid-day')?.dataset.date));
  assert.deepEqual(dates, [ymd(day(15)), ymd(day(22))]);
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('blackouts: shaded days with their reason in month and week, closed slots say why; the settings edit them', { skip }, async (t) => {
  if (!settingsHave('blackout_dates')) return t.skip('the server does not describe blackout_dates in the publishing settings yet');
  const site = await newSite('Blackout blog', {
    blackout_dates: [{ from: ymd(day(10)), to: ymd(day(12)), reason: 'Company retreat' }],
    min_spacing_minutes: 300,
  });
  await makeItem(site.id, 'Midday post', day(15, 13));
  const problems = [];
  for (const [name, viewport] of [['desktop', DESKTOP], ['mobile', PHONE]]) {
    const phone = name === 'mobile';
    const { page, context, errors } = await openSite(site, viewport);
    await page.getByTestId('view-month').click();
    await gotoDate(page, day(10));
    const shaded = page.getByTestId('calendar-blackout');
    await shaded.first().waitFor();
    assert.match(await shaded.first().getAttribute('title'), /Company retreat/);
    assert.match(await shaded.first().textContent(), /Company retreat/);
    // The shading covers the three days (10th–12th) and no other day.
    const covered = await page.evaluate(() => {
      const bands = [...document.querySelectorAll('[data-testid="calendar-blackout"]')].map((e) => e.getBoundingClientRect());
      return [...document.querySelectorAll('.fc-daygrid-day')].filter((d) => {
        const r = d.getBoundingClientRect();
        return bands.some((b) => b.left < r.right - 2 && b.right > r.left + 2 && b.top < r.bottom - 2 && b.bottom > r.top + 2);
      }).map((d) => d.dataset.date);
    });
    assert.deepEqual(covered, [ymd(day(10)), ymd(day(11)), ymd(day(12))]);
    await check(page, `${name}-blackout-month`, problems, !phone);
    await page.getByTestId('view-week').click();
    await gotoDate(page, day(phone ? 10 : 11));
    await page.getByTestId('calendar-blackout').first().waitFor();
    // No free slot on a blacked-out day.
    const freeOnBlackout = await page.locator('[data-testid="slot"][data-slot-state="free"]').evaluateAll((els, days) => els.filter((e) => days.includes(e.dataset.at.slice(0, 10))).length, [ymd(day(10)), ymd(day(11)), ymd(day(12))]);
    assert.equal(freeOnBlackout, 0);
    await check(page, `${name}-blackout-week`, problems);
    // Too close (5 h spacing): 09:00 and 17:00 beside the 13:00 item are closed, with the reason.
    await gotoDate(page, day(15));
    const closed = page.locator(`[data-testid="slot"][data-at="${iso(day(15, 17))}"]`);
    await closed.waitFor({ state: 'attached' });
    assert.notEqual(await closed.getAttribute('data-slot-state'), 'free');
    assert.ok((await closed.getAttribute('data-reason'))?.length > 3, 'the reason is on the slot');
    assert.deepEqual(unexpected(errors), [], name);
    await context.close();
  }
  // Settings: the stored range is listed with its reason; a range that ends before it starts is
  // refused next to that input only, nothing sent.
  const { page, context, errors } = await openSite(site);
  await showPanel(page, 'settings', false);
  const form = page.getByTestId('settings-form');
  await form.waitFor();
  assert.equal(await form.getByTestId('settings-blackout-reason').first().inputValue(), 'Company retreat');
  await form.getByTestId('settings-blackout-add').click();
  await form.getByTestId('settings-blackout-from').nth(1).fill(ymd(day(20)));
  await form.getByTestId('settings-blackout-to').nth(1).fill(ymd(day(18)));
  await form.getByTestId('settings-save').click();
  await form.getByTestId('field-error-blackout_dates[1].to').waitFor();
  assert.equal(await form.locator('[aria-invalid="true"]').count(), 1);
  assert.equal((await ok('GET', `api/v1/sites/${site.id}/publishing-settings/`)).blackout_dates.length, 1, 'nothing sent');
  await check(page, 'desktop-settings-planner-errors', problems, true);
  await form.getByTestId('settings-blackout-to').nth(1).fill(ymd(day(21)));
  await form.getByTestId('settings-blackout-reason').nth(1).fill('Migration');
  await form.getByTestId('settings-save').click();
  // A change of where items go offers a rebalance.
  await page.getByTestId('settings-rebalance-offer').waitFor();
  const stored = await ok('GET', `api/v1/sites/${site.id}/publishing-settings/`);
  assert.deepEqual(stored.blackout_dates.map((b) => [b.from, b.to, b.reason]), [[ymd(day(10)), ymd(day(12)), 'Company retreat'], [ymd(day(20)), ymd(day(21)), 'Migration']]);
  await check(page, 'desktop-settings-planner', problems, true);
  assert.deepEqual(unexpected(errors), []);
  await context.close();
  assert.deepEqual(problems, []);
});

/** Holds an item as the dispatcher's missed-slot hold writes it (domain::GiveBackMissed):
 * the server's own database, since no API call may set `held` and the dispatcher reaches an
 * item late only after 5 minutes. run-herald.sh gives its SQLite database in HERALD_DB. */
function holdInDatabase(id) {
  const file = process.env.HERALD_DB.slice('sqlite:'.length);
  execFileSync('sqlite3', ['-cmd', '.timeout 10000', file,
    `UPDATE content SET held = 1, last_error = 'Missed its slot; held for a person to decide',
       version = version + 1 WHERE id = ${Number(id)} AND status = 'approved'
       AND site_status = 'not_published' AND scheduled_publish_at IS NULL`]);
}

test('a held item: a "Held" badge in the queue and the item, and the scheduler says why it stays', { skip }, async (t) => {
  const reasons = checker.spec.components?.schemas?.UnscheduledReason?.properties?.code?.enum ?? [];
  if (!reasons.includes('held')) return t.skip('the server does not describe the reason code held');
  if (!process.env.HERALD_DB?.startsWith('sqlite:')) return t.skip('HERALD_DB is no SQLite database (use run-herald.sh)');
  // Auto-publish off: the background pass leaves both items alone; a run by hand places one.
  const site = await newSite('Held blog', { auto_publish_enabled: false, missed_slot_policy: 'hold' });
  const held = await makeItem(site.id, 'Missed its morning slot', null);
  const next = await makeItem(site.id, 'Next in line', null);
  holdInDatabase(held.id);
  assert.equal((await ok('GET', `api/v1/writer/content/${held.id}/`)).held, true);
  const problems = [];
  for (const [name, viewport] of [['mobile', PHONE], ['desktop', DESKTOP]]) {
    const phone = name === 'mobile';
    const { page, context, errors } = await openSite(site, viewport);
    await showPanel(page, 'queue', phone);
    const row = (id) => page.locator(`[data-testid="queue-ready"] [data-testid="queue-item"][data-content-id="${id}"]`);
    const badge = row(held.id).getByTestId('held-badge');
    await badge.waitFor();
    // Visible, and its reason on hover and read out with it.
    assert.ok(await badge.isVisible());
    assert.equal(await badge.evaluate((el) => el.firstChild.textContent), 'Held');
    assert.match(await badge.getAttribute('title'), /held for a person to decide.*Schedule it, or publish it now/);
    assert.match(await badge.textContent(), /Held: Missed its slot and is held for a person to decide/);
    if (!phone) assert.equal(await row(next.id).getByTestId('held-badge').count(), 0, 'only the held item');
    // The dry run (and then, on the desktop, the run) names it with the server's reason.
    const runs = phone ? [['scheduler-preview', 'scheduler-preview-result']] : [['scheduler-preview', 'scheduler-preview-result'], ['scheduler-run', 'scheduler-run-result']];
    for (const [button, box] of runs) {
      await page.getByTestId(button).click();
      const result = page.getByTestId(box);
      await result.waitFor();
      const left = result.locator(`[data-testid="unscheduled-item"][data-content-id="${held.id}"]`);
      await left.waitFor();
      assert.equal(await left.getAttribute('data-reason-code'), 'held');
      assert.match(await left.getByTestId('unscheduled-reason').textContent(), /^Missed its slot and is held for a person to decide: schedule it, or publish it now/);
      assert.match(await left.getByTestId('unscheduled-held').innerText(), /^Held$/);
      assert.equal(await result.getByTestId('unscheduled-item').count(), 1, 'the other item has a slot');
      assert.equal(await result.locator(`[data-testid="assignment"][data-content-id="${next.id}"]`).count(), 1);
      await check(page, `${name}-queue-held-${button}`, problems, !phone);
    }
    if (!phone) {
      // The run placed the other item and left the held one, still badged.
      await page.locator(`[data-testid="queue-ready"] [data-testid="queue-item"][data-content-id="${next.id}"]`).waitFor({ state: 'detached' });
      await badge.waitFor();
      assert.equal((await ok('GET', `api/v1/writer/content/${next.id}/`)).site_status, 'scheduled');
      const after = await ok('GET', `api/v1/writer/content/${held.id}/`);
      assert.equal(after.held, true);
      assert.equal(after.scheduled_publish_at, null);
      // Its view says so, with what to do.
      await row(held.id).getByTestId('queue-open').click();
      await page.getByTestId('item-held').waitFor();
      assert.match(await page.getByTestId('item-held-note').textContent(), /held for a person to decide.*Schedule it, or publish it now/);
      await check(page, 'desktop-item-held', problems);
    }
    assert.deepEqual(unexpected(errors), []);
    await context.close();
  }
  assert.deepEqual(problems, []);
});

test('every API answer these tests and the UI got is as docs/openapi.yaml describes', { skip }, async () => {
  await watcher.settled();
  assert.deepEqual(described, []);
});
