// Browser tests for the calendar as a daily tool (issue 11), against the REAL herald server:
// editing sites (credential write-only, Test connection) and content, composing with a date,
// republishing, the small-screen panels, and every screen at 1280×800 and 390×844 with an
// axe-core check (no serious or critical violation) and a screenshot in HERALD_ARTIFACTS.
// run-herald.sh sets HERALD_URL and HERALD_KEY4 (an account of its own).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, newPage, signIn, watchResponses } from './browser.mjs';
import { loadChecker, responseWatcher } from './openapi.mjs';
import { axeProblems } from './axe.mjs';
import { apiClient, contrast, gotoDate, iso, settle, startReceiver, unexpected } from './support.mjs';

const base = process.env.HERALD_URL;
const key = process.env.HERALD_KEY4;
const artifacts = process.env.HERALD_ARTIFACTS || 'out';
const skip = !base || !key ? 'HERALD_URL/HERALD_KEY4 not set (use run-herald.sh)' : false;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let rx;
let receiverUrl;
let checker;
let watcher;
const described = [];
const { api, ok, makeItem } = apiClient(base, key, () => checker, described);
const nextMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1));
const day = (d, hour = 8, minute = 0) => new Date(Date.UTC(nextMonth.getUTCFullYear(), nextMonth.getUTCMonth(), d, hour, minute));

const seed = {};
async function seedAccount() {
  seed.site = await ok('POST', 'api/v1/sites/', { name: 'Daily blog', platform_type: 'custom', domain: `${receiverUrl}/ok`, api_key: 'whsec_dGVzdC1zZWNyZXQ=', timezone: 'UTC' });
  await ok('PUT', `api/v1/sites/${seed.site.id}/publishing-settings/`, {
    auto_publish_enabled: true, publish_days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    publish_time_slots: ['09:00', '13:00', '17:00'], daily_publish_limit: 3,
  });
  // Month view: long titles on one day; week view: two items half an hour apart.
  seed.items = [];
  const titles = ['Quarterly product roadmap and what it means for you', 'Customer story: how Acme cut costs', 'Release notes 4.2', 'Hiring: senior editor', 'Events this spring'];
  for (let i = 0; i < titles.length; i++) seed.items.push(await makeItem(seed.site.id, titles[i], day(16, 9 + i)));
  seed.close = await makeItem(seed.site.id, 'Morning briefing', day(17, 9, 30));
  const tomorrow = new Date(Date.now() + 86400000);
  const tmr = (h, m = 0) => new Date(Date.UTC(tomorrow.getUTCFullYear(), tomorrow.getUTCMonth(), tomorrow.getUTCDate(), h, m));
  await makeItem(seed.site.id, 'Launch announcement with a long title', tmr(9));
  await makeItem(seed.site.id, 'Follow-up notes', tmr(9, 30));
  seed.published = await makeItem(seed.site.id, 'Hello world', null);
  await ok('POST', 'api/v1/publisher/publish/', { content_id: seed.published.id, destinations: ['custom'] });
  await ok('POST', 'api/v1/writer/content/', { site_id: seed.site.id, title: 'Draft: pricing FAQ', content_html: '<p>…</p>' });
}

let browser;
before(async () => {
  if (skip) return;
  mkdirSync(artifacts, { recursive: true });
  checker = await loadChecker(base);
  watcher = responseWatcher(checker, described);
  watchResponses(watcher.listener);
  rx = await startReceiver();
  receiverUrl = rx.url;
  await seedAccount();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  rx?.close();
});

async function openSite(site, viewport = DESKTOP) {
  const s = await newPage(browser, viewport);
  await signIn(s.page, base, key);
  await s.page.getByTestId('site-select').selectOption(String(site.id));
  await s.page.getByTestId('workspace').waitFor();
  await s.page.waitForFunction((tz) => document.querySelector('[data-testid="site-timezone"]')?.textContent.includes(tz), site.timezone);
  return s;
}
/** Opens an item from the list view of its month. */
async function openFromList(page, id, at) {
  await page.getByTestId('view-list').click();
  await gotoDate(page, at);
  await page.locator(`[data-testid="calendar-event"][data-content-id="${id}"]`).first().click();
  await page.getByTestId('item-title').waitFor();
}

test('sites: every field editable, the credential write-only, Test connection, delete with confirmation', { skip }, async () => {
  const site = await ok('POST', 'api/v1/sites/', { name: 'Edit me', platform_type: 'custom', domain: `${receiverUrl}/ok`, api_key: 'whsec_b2xkLXNlY3JldA==', timezone: 'UTC' });
  const { page, context, errors } = await openSite(site);
  await page.getByTestId('tab-settings').click();
  const form = page.getByTestId('site-edit-form');
  await form.waitFor();
  assert.equal(await form.getByTestId('site-api-key').inputValue(), '', 'the credential is never shown');
  assert.match(await form.getByTestId('site-api-key-hint').textContent(), /Leave blank to keep it/);

  // Test connection against the stored site.
  await form.getByTestId('site-test').click();
  await page.locator('[data-testid="site-test-result"].test-ok').waitFor();

  // Two mistakes at once: both shown, under their fields, nothing sent.
  await form.getByTestId('site-name').fill('');
  await form.getByTestId('site-domain').fill('not an address');
  await form.getByTestId('site-save').click();
  await form.getByTestId('field-error-name').waitFor();
  await form.getByTestId('field-error-domain').waitFor();
  assert.match(await form.getByTestId('form-error').textContent(), /Site name: .*Address: /s);
  assert.equal((await ok('GET', `api/v1/sites/${site.id}/`)).name, 'Edit me');

  // Edit, blank credential: kept. Then point it at a refusing endpoint: Test says why.
  await form.getByTestId('site-name').fill('Edited site');
  await form.getByTestId('site-domain').fill(`${receiverUrl}/fail`);
  await form.getByTestId('site-timezone-input').fill('Europe/Paris');
  await form.getByTestId('site-save').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="site-timezone"]')?.textContent.includes('Europe/Paris'));
  let stored = await ok('GET', `api/v1/sites/${site.id}/`);
  assert.equal(stored.name, 'Edited site');
  assert.equal(stored.domain, `${receiverUrl}/fail`);
  assert.equal(stored.timezone, 'Europe/Paris');
  assert.equal(stored.has_api_key, true, 'a blank credential field keeps the stored one');
  const form2 = page.getByTestId('site-edit-form');
  await form2.getByTestId('site-test').click();
  const fail = page.locator('[data-testid="site-test-result"].test-fail');
  await fail.waitFor();
  assert.ok((await fail.textContent()).length > 3);

  // A new credential and the good endpoint, tested straight away (saved first).
  await form2.getByTestId('site-domain').fill(`${receiverUrl}/ok`);
  await form2.getByTestId('site-api-key').fill('whsec_bmV3LXNlY3JldA==');
  await form2.getByTestId('site-test').click();
  await page.locator('[data-testid="site-test-result"].test-ok').waitFor();
  stored = await ok('GET', `api/v1/sites/${site.id}/`);
  assert.equal(stored.domain, `${receiverUrl}/ok`);
  assert.equal(stored.api_key, undefined, 'never answered');
  await page.getByTestId('site-section').screenshot({ path: join(artifacts, 'desktop-site-edit.png') });

  // Delete: asks first; Cancel keeps it, Delete removes it and another site opens.
  await page.getByTestId('site-delete').click();
  await page.getByTestId('confirm-dialog').waitFor();
  await page.getByTestId('confirm-cancel').click();
  assert.equal((await api('GET', `api/v1/sites/${site.id}/`)).status, 200);
  await page.getByTestId('site-delete').click();
  await page.getByTestId('confirm-ok').click();
  await page.waitForFunction((id) => ![...document.querySelectorAll('#site-select option')].some((o) => o.value === String(id)), site.id);
  assert.equal((await api('GET', `api/v1/sites/${site.id}/`)).status, 404);
  assert.notEqual(await page.getByTestId('site-select').inputValue(), '', 'another site is open');
  assert.deepEqual(unexpected(errors, '404|409|422|502'), []);
  await context.close();
});

test('sites: one saved without what its platform needs says so in its form', { skip }, async () => {
  const site = await ok('POST', 'api/v1/sites/', { name: 'No key yet', platform_type: 'wordpress', domain: 'https://blog.example.com', username: 'editor', timezone: 'UTC' });
  assert.deepEqual(site.warnings.map((w) => w.field), ['api_key']);
  const { page, context } = await openSite(site);
  await page.getByTestId('tab-settings').click();
  const form = page.getByTestId('site-edit-form');
  await form.waitFor();
  assert.match(await form.getByTestId('site-warnings').textContent(), /cannot publish yet: The site has no API key/);
  await context.close();
  await ok('DELETE', `api/v1/sites/${site.id}/`);
});

test('content: edit every field (all problems at once), duplicate, delete with confirmation', { skip }, async () => {
  const item = await makeItem(seed.site.id, 'Edit this post', day(20, 13));
  const { page, context, errors } = await openSite(seed.site);
  await openFromList(page, item.id, day(20));
  await page.getByTestId('action-edit').click();
  const form = page.getByTestId('content-edit-form');
  await form.waitFor();
  await form.getByTestId('content-title').fill('');
  await form.getByTestId('content-featured-image').fill('cover.jpg');
  await form.getByTestId('content-save').click();
  await form.getByTestId('field-error-title').waitFor();
  await form.getByTestId('field-error-featured_image_url').waitFor();
  assert.match(await form.getByTestId('form-error').textContent(), /Title: .*Featured image URL: /s);

  await form.getByTestId('content-title').fill('Edited post');
  await form.getByTestId('content-html').fill('<h2>New body</h2><p>with <em>more</em></p>');
  await form.getByTestId('content-excerpt').fill('Short summary');
  await form.getByTestId('content-slug').fill('edited-post');
  await form.getByTestId('content-categories').fill('News, Guides');
  await form.getByTestId('content-tags').fill('launch');
  await form.getByTestId('content-featured-image').fill('https://img.example.com/cover.jpg');
  await form.getByTestId('content-save').click();
  await page.locator('[data-testid="item-title"]', { hasText: 'Edited post' }).waitFor();
  const stored = await ok('GET', `api/v1/writer/content/${item.id}/`);
  assert.equal(stored.title, 'Edited post');
  assert.equal(stored.content_html, '<h2>New body</h2><p>with <em>more</em></p>');
  assert.equal(stored.excerpt, 'Short summary');
  assert.equal(stored.slug, 'edited-post');
  assert.deepEqual(stored.categories, ['News', 'Guides']);
  assert.deepEqual(stored.tags, ['launch']);
  assert.equal(stored.featured_image_url, 'https://img.example.com/cover.jpg');
  assert.equal(stored.scheduled_publish_at, iso(day(20, 13)), 'editing keeps the time');
  assert.equal(await page.getByTestId('item-status').textContent(), 'Approved', 'status in words');

  // Duplicate: a new draft with the same text, opened.
  await page.getByTestId('action-duplicate').click();
  await page.locator('[data-testid="item-title"]', { hasText: 'Copy of Edited post' }).waitFor();
  const copies = (await ok('GET', `api/v1/writer/content/?site_id=${seed.site.id}&status=draft&page_size=500`)).results.filter((c) => c.title === 'Copy of Edited post');
  assert.equal(copies.length, 1);
  assert.equal(copies[0].content_html, stored.content_html);
  assert.deepEqual(copies[0].tags, ['launch']);
  assert.equal(copies[0].site_status, 'not_published');

  // Delete the copy: asks first.
  await page.getByTestId('action-delete').click();
  await page.getByTestId('confirm-dialog').waitFor();
  assert.match(await page.getByTestId('confirm-dialog').textContent(), /Copy of Edited post/);
  await page.getByTestId('confirm-ok').click();
  await page.getByTestId('item-dialog').waitFor({ state: 'hidden' });
  assert.equal((await api('GET', `api/v1/writer/content/${copies[0].id}/`)).status, 404);
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('compose: Markdown with a sanitised preview, scheduled at a date and time in one go', { skip }, async () => {
  const { page, context, errors } = await openSite(seed.site);
  await page.getByTestId('tab-new').click();
  const form = page.getByTestId('content-form');
  await form.getByTestId('content-title').fill('Composed with a date');
  await form.getByTestId('content-html').fill('# Big news\n\nThis is **bold**.\n\n<img src=x onerror="window.__pwned=1">');
  await form.getByTestId('body-preview-toggle').click();
  const preview = form.getByTestId('body-preview');
  await preview.locator('strong', { hasText: 'bold' }).waitFor();
  assert.equal(await preview.locator('[onerror]').count(), 0, 'the preview is sanitised');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  const at = day(22, 13); // a Monday..Friday slot? any time works for an explicit date
  await form.getByTestId('content-when').fill(iso(at).slice(0, 16));
  await form.getByTestId('content-create').click();
  await page.getByTestId('info-message').waitFor();
  const made = (await ok('GET', `api/v1/writer/content/?site_id=${seed.site.id}&page_size=500`)).results.find((c) => c.title === 'Composed with a date');
  assert.ok(made);
  assert.equal(made.site_status, 'scheduled');
  assert.equal(made.scheduled_publish_at, iso(at));
  assert.match(made.content_html, /<h1>Big news<\/h1>/);
  assert.match(made.content_html, /<strong>bold<\/strong>/);
  // a time in the past is refused next to the field, nothing created
  await form.getByTestId('content-title').fill('Too late');
  await form.getByTestId('content-html').fill('text');
  await form.getByTestId('content-when').fill('2001-01-01T10:00');
  await form.getByTestId('content-create').click();
  await form.getByTestId('field-error-scheduled_at').waitFor();
  assert.equal((await ok('GET', `api/v1/writer/content/?site_id=${seed.site.id}&page_size=500`)).results.some((c) => c.title === 'Too late'), false);
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('republish: "Republish at…" asks first; the first publication stays in the calendar', { skip }, async () => {
  const item = await makeItem(seed.site.id, 'Published once', null);
  await ok('POST', 'api/v1/publisher/publish/', { content_id: item.id, destinations: ['custom'] });
  const first = await ok('GET', `api/v1/writer/content/${item.id}/`);
  const { page, context, errors } = await openSite(seed.site);
  await openFromList(page, item.id, new Date(first.published_at));
  const when = iso(day(23, 17)).slice(0, 16);
  await page.getByTestId('item-when').fill(when);
  await page.getByTestId('action-republish').click();
  const ask = page.getByTestId('confirm-dialog');
  await ask.waitFor();
  assert.match(await ask.textContent(), /Publish it again/);
  await page.getByTestId('confirm-cancel').click();
  assert.equal((await ok('GET', `api/v1/writer/content/${item.id}/`)).site_status, 'published', 'cancel changes nothing');
  await page.getByTestId('action-republish').click();
  await page.getByTestId('confirm-ok').click();
  await page.locator('[data-testid="item-site-status"][data-status="scheduled"]').waitFor();
  const again = await ok('GET', `api/v1/writer/content/${item.id}/`);
  assert.equal(again.scheduled_publish_at, iso(day(23, 17)));
  assert.equal(again.published_at, first.published_at, 'the first publication is kept');
  await page.keyboard.press('Escape');
  // The month of the first publication still shows it, as history.
  await page.getByTestId('view-month').click();
  await gotoDate(page, new Date(first.published_at));
  await page.locator(`[data-testid="calendar-history"][data-content-id="${item.id}"]`).first().waitFor();
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('small screens: the panels are one tap away, the week shows three days at the working hours', { skip }, async () => {
  const site = await ok('POST', 'api/v1/sites/', { name: 'Afternoons', platform_type: 'custom', domain: `${receiverUrl}/ok`, api_key: 'whsec_dGVzdC1zZWNyZXQ=', timezone: 'UTC' });
  await ok('PUT', `api/v1/sites/${site.id}/publishing-settings/`, { auto_publish_enabled: true, publish_days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], publish_time_slots: ['14:00', '18:00'] });
  const { page, context, errors } = await openSite(site, PHONE);
  const nav = page.getByTestId('mobile-nav');
  await nav.waitFor();
  const navBox = await nav.boundingBox();
  assert.ok(navBox.y + navBox.height <= PHONE.height + 1, 'the tab bar is on screen');
  for (const [pane, panel] of [['queue', 'panel-queue'], ['new', 'panel-new'], ['settings', 'panel-settings']]) {
    await page.getByTestId(`pane-${pane}`).click();
    const box = await page.getByTestId(panel).boundingBox();
    assert.ok(box && box.y < PHONE.height / 2, `${panel} starts in the upper half without scrolling (y=${box?.y})`);
    assert.equal(await page.getByTestId('calendar').isVisible(), false);
  }
  await page.getByTestId('pane-calendar').click();
  await page.getByTestId('view-week').click();
  await settle(page);
  assert.equal(await page.getByTestId('calendar').getAttribute('data-view'), 'timeGridThreeDay');
  assert.equal(await page.locator('.fc-col-header-cell').count(), 3);
  // It opens an hour before the first slot (14:00): 13:00 is the top row of the scrolled day.
  await page.waitForFunction(() => {
    const sc = [...document.querySelectorAll('.fc-timegrid .fc-scroller')].find((e) => e.scrollHeight > e.clientHeight);
    const row = document.querySelector('.fc-timegrid-slot-label[data-time="13:00:00"]');
    return sc && row && Math.abs(row.getBoundingClientRect().top - sc.getBoundingClientRect().top) < 4;
  });
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('a new browser opens on the last or the first site; signing out is a notice, not an error', { skip }, async () => {
  const { page, context } = await newPage(browser, DESKTOP);
  await signIn(page, base, key);
  await page.getByTestId('workspace').waitFor();
  assert.notEqual(await page.getByTestId('site-select').inputValue(), '');
  // The keyboard focus ring: at least 3:1 against the page and the cards it sits on.
  await page.getByTestId('cal-today').focus();
  await page.keyboard.press('Tab');
  const ring = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { color: s.outlineColor, width: parseFloat(s.outlineWidth), style: s.outlineStyle };
  });
  assert.equal(ring.style, 'solid');
  assert.ok(ring.width >= 2, `outline ${ring.width}px`);
  for (const bg of ['rgb(255, 255, 255)', 'rgb(246, 247, 249)']) assert.ok(contrast(ring.color, bg) >= 3, `${ring.color} on ${bg}: ${contrast(ring.color, bg).toFixed(2)}:1`);
  await page.getByTestId('signout').click();
  const msg = page.getByTestId('signin-error');
  await msg.waitFor();
  assert.equal(await msg.getAttribute('role'), 'status');
  assert.equal(await msg.getAttribute('class'), 'notice');
  await context.close();
});

test('every screen at 1280×800 and 390×844: screenshots, axe-core clean, nothing wider than the screen', { skip }, async () => {
  const problems = [];
  for (const [name, viewport] of [['desktop', DESKTOP], ['mobile', PHONE]]) {
    const { page, context, errors } = await newPage(browser, viewport);
    const phone = name === 'mobile';
    const shot = async (screen) => {
      await page.screenshot({ path: join(artifacts, `${name}-${screen}.png`), fullPage: !phone || screen === 'month' });
      for (const p of await axeProblems(page)) problems.push(`${name} ${screen}: ${p}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) problems.push(`${name} ${screen}: ${overflow}px wider than the screen`);
    };
    await page.goto(base);
    await page.getByTestId('signin-key').waitFor();
    await shot('signin');
    await page.getByTestId('signin-key').fill(key);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('site-select').selectOption(String(seed.site.id));
    await page.getByTestId('workspace').waitFor();
    const pane = async (id) => { if (phone) await page.getByTestId(`pane-${id}`).click(); else if (id !== 'calendar') await page.getByTestId(`tab-${id}`).click(); };
    await pane('calendar');
    await page.getByTestId('view-month').click();
    await gotoDate(page, day(16));
    await shot('month');
    await page.getByTestId('view-week').click();
    await gotoDate(page, new Date(Date.now() + 86400000));
    await page.locator('[data-testid="slot"][data-slot-state="free"]').first().waitFor({ state: 'attached' });
    await shot('week');
    await page.getByTestId('view-day').click();
    await gotoDate(page, day(17));
    await shot('day');
    await page.getByTestId('view-list').click();
    await gotoDate(page, day(16));
    await shot('list');
    await page.locator(`[data-testid="calendar-event"][data-content-id="${seed.items[0].id}"]`).first().click();
    await page.getByTestId('action-edit').waitFor();
    await shot('item');
    await page.getByTestId('action-edit').click();
    await page.getByTestId('content-edit-form').waitFor();
    await shot('item-edit');
    await page.getByTestId('content-cancel').click();
    await page.getByTestId('action-delete').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await shot('confirm');
    await page.getByTestId('confirm-cancel').click();
    await page.getByTestId('item-close').click();
    await pane('queue');
    await page.getByTestId('scheduler-preview').click();
    await page.getByTestId('scheduler-preview-result').waitFor();
    await shot('queue');
    await pane('new');
    await page.getByTestId('content-html').fill('## Preview\n\nSome **bold** text and a [link](https://example.com).');
    await page.getByTestId('body-preview-toggle').click();
    await shot('new');
    await page.getByTestId('content-create').click(); // no title: the form's own message
    await page.getByTestId('field-error-title').waitFor();
    await shot('new-errors');
    await pane('settings');
    await page.getByTestId('site-edit-form').waitFor();
    await shot('settings');
    await page.getByTestId('new-site').click();
    await page.getByTestId('site-form').waitFor();
    await shot('new-site');
    await page.keyboard.press('Escape');
    assert.deepEqual(unexpected(errors), [], name);
    await context.close();
  }
  assert.deepEqual(problems, []);
});

test('every API answer these tests and the UI got is as docs/openapi.yaml describes', { skip }, async () => {
  await watcher.settled();
  assert.deepEqual(described, []);
});
