// The API description (docs/openapi.yaml, served at /api/v1/openapi.json) against the REAL
// server, so the two cannot drift apart:
// - the server's route table (`herald routes`) and the described operations are the same set,
//   and exactly the public routes are described without a key;
// - every described operation is called, and every answer (successes and errors) has a
//   described status, media type, required headers and a body valid against its schema;
// - /api/docs renders the description in Chromium from files herald serves itself (any request
//   to another host fails the test), with a screenshot in HERALD_ARTIFACTS.
// run-herald.sh sets HERALD_URL, HERALD_KEY3 (an account of its own), HERALD_BIN.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadChecker } from './openapi.mjs';
import { launch, newPage } from './browser.mjs';

const base = process.env.HERALD_URL;
const key = process.env.HERALD_KEY3;
const bin = process.env.HERALD_BIN;
const artifacts = process.env.HERALD_ARTIFACTS || 'out';
const skip = !base || !key || !bin ? 'HERALD_URL/HERALD_KEY3/HERALD_BIN not set (use run-herald.sh)' : false;

let checker;
const problems = [];

/** One request to `server`, its answer checked against the description. */
async function call(method, path, { body, raw, apiKey = key, headers = {}, server = base } = {}) {
  const init = { method, headers: { ...headers } };
  if (apiKey) init.headers.Authorization = `Api-Key ${apiKey}`;
  if (raw !== undefined || body !== undefined) {
    init.headers['Content-Type'] ??= 'application/json';
    init.body = raw ?? JSON.stringify(body);
  }
  const r = await fetch(new URL(path, server), init);
  const text = await r.text();
  problems.push(...checker.check(method, r.url, r.status, r.headers, text));
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* HTML, Prometheus text */ }
  return { status: r.status, headers: r.headers, json, text };
}

async function expect(status, method, path, options) {
  const r = await call(method, path, options);
  assert.equal(r.status, status, `${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
  return r;
}

// A loopback `custom`-platform target: /ok accepts (and answers an id and url), /fail refuses.
let receiver;
let receiverUrl;
function startReceiver() {
  return new Promise((resolve) => {
    let n = 0;
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url.startsWith('/fail')) {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end('refused by the test receiver');
          return;
        }
        n += 1;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ id: `p${n}`, url: `${receiverUrl}/posts/p${n}` }));
      });
    });
    receiver.listen(0, '127.0.0.1', () => {
      receiverUrl = `http://127.0.0.1:${receiver.address().port}`;
      resolve();
    });
  });
}

before(async () => {
  if (skip) return;
  checker = await loadChecker(base);
  await startReceiver();
});
after(() => receiver?.close());

test('the route table of the server and the described operations are the same', { skip }, () => {
  const routes = execFileSync(bin, ['routes'], { encoding: 'utf8' }).trim().split('\n')
    .map((line) => { const [method, pattern, access] = line.split(' '); return { method, pattern, access }; });
  assert.ok(routes.length > 20, `herald routes printed ${routes.length} routes`);
  const described = new Map(checker.operations.map((o) => [`${o.method} ${o.template}`, o]));
  const table = new Set(routes.map((r) => `${r.method} ${r.pattern}`));
  assert.deepEqual([...table].filter((k) => !described.has(k)), [], 'routes of the server that docs/openapi.yaml does not describe');
  assert.deepEqual([...described.keys()].filter((k) => !table.has(k)), [], 'operations in docs/openapi.yaml the server does not have');
  for (const r of routes) {
    const { op } = described.get(`${r.method} ${r.pattern}`);
    const isPublic = Array.isArray(op.security) && op.security.length === 0;
    assert.equal(isPublic, r.access === 'public', `${r.method} ${r.pattern}: the server says ${r.access}`);
  }
});

test('every described operation answers as described, errors included', { skip }, async () => {
  // Operations.
  await expect(200, 'GET', 'healthz');
  await expect(200, 'GET', 'readyz');
  await expect(200, 'GET', 'metrics');
  await expect(200, 'GET', 'api/v1/openapi.json');
  await expect(200, 'GET', 'api/docs');

  // API keys.
  await expect(200, 'GET', 'api/v1/api-keys/');
  const created = (await expect(201, 'POST', 'api/v1/api-keys/', { body: { name: 'openapi test' } })).json;
  await expect(422, 'POST', 'api/v1/api-keys/', { body: { name: '' } });
  await expect(200, 'GET', 'api/v1/sites/', { apiKey: created.key });
  await expect(204, 'DELETE', `api/v1/api-keys/${created.id}/`);
  await expect(404, 'DELETE', `api/v1/api-keys/${created.id}/`);
  await expect(401, 'GET', 'api/v1/sites/', { apiKey: null });

  // Sites.
  const siteBody = { name: 'Described', platform_type: 'custom', domain: `${receiverUrl}/ok`, api_key: 'whsec_dGVzdA==', timezone: 'Europe/Berlin' };
  const site = (await expect(201, 'POST', 'api/v1/sites/', { body: siteBody })).json;
  const down = (await expect(201, 'POST', 'api/v1/sites/', { body: { ...siteBody, name: 'Down', domain: `${receiverUrl}/fail` } })).json;
  await expect(400, 'POST', 'api/v1/sites/', { raw: '{"name": ' });
  await expect(400, 'POST', 'api/v1/sites/', { body: { name: 7 } });
  await expect(422, 'POST', 'api/v1/sites/', { body: { ...siteBody, platform_type: 'myspace' } });
  await expect(413, 'POST', 'api/v1/sites/', { raw: JSON.stringify({ name: 'x'.repeat(1100000) }) });
  await expect(200, 'GET', 'api/v1/sites/?page_size=1');
  await expect(422, 'GET', 'api/v1/sites/?page=0');
  await expect(400, 'GET', 'api/v1/sites/?page=first');
  const got = await expect(200, 'GET', `api/v1/sites/${site.id}/`);
  await expect(404, 'GET', 'api/v1/sites/999999/');
  await expect(200, 'PATCH', `api/v1/sites/${site.id}/`, { body: { name: 'Described blog' }, headers: { 'If-Match': got.headers.get('etag') } });
  await expect(412, 'PATCH', `api/v1/sites/${site.id}/`, { body: { name: 'Stale' }, headers: { 'If-Match': got.headers.get('etag') } });
  await expect(200, 'POST', `api/v1/sites/${site.id}/test-connection/`);
  await expect(502, 'POST', `api/v1/sites/${down.id}/test-connection/`);
  const current = await expect(200, 'GET', `api/v1/sites/${site.id}/`);
  assert.equal(current.json.health, 'healthy');
  await expect(200, 'POST', `api/v1/sites/${site.id}/resume/`, { headers: { 'If-Match': current.headers.get('etag') } });
  await expect(412, 'POST', `api/v1/sites/${site.id}/resume/`, { headers: { 'If-Match': got.headers.get('etag') } });
  await expect(404, 'POST', 'api/v1/sites/999999/resume/');
  await expect(422, 'PATCH', `api/v1/sites/${site.id}/`, { body: { options: { max_in_flight: 0 } } });
  await expect(422, 'PATCH', `api/v1/sites/${site.id}/`, { body: { options: { retry_window_minutes: 1.5 } } });

  // Event hooks.
  const hook = (await expect(201, 'POST', 'api/v1/event-hooks/', { body: { url: `${receiverUrl}/ok/hook`, secret: 'whsec_dGVzdA==', events: ['site.paused', 'content.published'] } })).json;
  assert.deepEqual(hook.events, ['content.published', 'site.paused']);
  await expect(400, 'POST', 'api/v1/event-hooks/', { body: { url: `${receiverUrl}/ok/hook`, secret: 's', event: ['content.failed'] } });
  await expect(422, 'POST', 'api/v1/event-hooks/', { body: { url: `${receiverUrl}/ok/hook`, secret: 's', events: ['content.lost'] } });
  await expect(422, 'POST', 'api/v1/event-hooks/', { body: { url: `${receiverUrl}/ok/hook`, secret: 's' } });
  await expect(200, 'GET', 'api/v1/event-hooks/');
  const gotHook = await expect(200, 'GET', `api/v1/event-hooks/${hook.id}/`);
  await expect(404, 'GET', 'api/v1/event-hooks/999999/');
  await expect(202, 'POST', `api/v1/event-hooks/${hook.id}/test/`);
  await expect(400, 'POST', `api/v1/event-hooks/${hook.id}/test/`, { body: { type: 'ping' } });
  await expect(200, 'GET', `api/v1/event-hooks/${hook.id}/deliveries/`);
  await expect(404, 'GET', 'api/v1/event-hooks/999999/deliveries/');
  await expect(200, 'PATCH', `api/v1/event-hooks/${hook.id}/`, { body: { is_active: false }, headers: { 'If-Match': gotHook.headers.get('etag') } });
  await expect(412, 'PATCH', `api/v1/event-hooks/${hook.id}/`, { body: { is_active: true }, headers: { 'If-Match': gotHook.headers.get('etag') } });
  await expect(409, 'POST', `api/v1/event-hooks/${hook.id}/test/`);
  await expect(412, 'DELETE', `api/v1/event-hooks/${hook.id}/`, { headers: { 'If-Match': gotHook.headers.get('etag') } });
  await expect(204, 'DELETE', `api/v1/event-hooks/${hook.id}/`);
  await expect(404, 'DELETE', `api/v1/event-hooks/${hook.id}/`);
  await expect(200, 'GET', `api/v1/sites/${site.id}/slots/`);
  await expect(422, 'GET', `api/v1/sites/${site.id}/slots/?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z`);
  await expect(200, 'GET', `api/v1/sites/${site.id}/publishing-settings/`);
  await expect(200, 'PUT', `api/v1/sites/${site.id}/publishing-settings/`, { body: { publish_days: ['mon', 'wed'], publish_time_slots: ['10:00'], daily_publish_limit: 3 } });
  await expect(200, 'PATCH', `api/v1/sites/${site.id}/publishing-settings/`, { body: { publish_days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], weekly_publish_limit: null } });
  await expect(422, 'PATCH', `api/v1/sites/${site.id}/publishing-settings/`, { body: { publish_time_slots: ['25:00'] } });

  // Content.
  const item = (await expect(201, 'POST', 'api/v1/writer/content/', { body: { site_id: site.id, title: 'Described post', content_html: '<p>x</p>', status: 'approved', tags: ['a'] } })).json;
  const draft = (await expect(201, 'POST', 'api/v1/writer/content/', { body: { site_id: site.id, title: 'Draft', content_html: '<p>d</p>' } })).json;
  await expect(404, 'POST', 'api/v1/writer/content/', { body: { site_id: 999999, title: 't', content_html: 'h' } });
  await expect(422, 'POST', 'api/v1/writer/content/', { body: { site_id: site.id, title: 't' } });
  await expect(200, 'GET', `api/v1/writer/content/?site_id=${site.id}&status=approved&ordering=-id`);
  await expect(422, 'GET', 'api/v1/writer/content/?ordering=title');
  await expect(200, 'GET', `api/v1/writer/content/${item.id}/`);
  await expect(200, 'PATCH', `api/v1/writer/content/${item.id}/`, { body: { excerpt: 'Short.' } });
  await expect(409, 'PATCH', `api/v1/writer/content/${draft.id}/`, { body: { status: 'approved' } });
  await expect(200, 'POST', `api/v1/sites/${site.id}/schedule-approved/`, { body: { dry_run: true } });
  const at = new Date(Date.now() + 30 * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
  await expect(422, 'POST', `api/v1/writer/content/${item.id}/schedule/`, { body: { scheduled_at: '2001-01-01T00:00:00Z' } });
  await expect(409, 'POST', `api/v1/writer/content/${draft.id}/schedule/`, { body: { scheduled_at: at } });
  await expect(200, 'POST', `api/v1/writer/content/${item.id}/schedule/`, { body: { scheduled_at: at } });
  await expect(200, 'POST', `api/v1/sites/${site.id}/queue/rebalance/?dry_run=true`);
  await expect(200, 'POST', `api/v1/sites/${site.id}/queue/shuffle/?dry_run=true&seed=7`);
  await expect(200, 'POST', `api/v1/writer/content/${item.id}/move-to-top/?dry_run=true`);
  await expect(409, 'POST', `api/v1/writer/content/${draft.id}/move-to-top/`);
  await expect(404, 'POST', 'api/v1/sites/999999/queue/rebalance/');
  await expect(422, 'POST', `api/v1/sites/${site.id}/queue/shuffle/?seed=-1`);
  await expect(200, 'PATCH', `api/v1/writer/content/${draft.id}/`, { body: { pinned: true, recurrence: { every_days: 7, until: null, count: 3 } } });
  await expect(422, 'PATCH', `api/v1/writer/content/${draft.id}/`, { body: { recurrence: { every_days: 0 } } });
  const later = new Date(Date.now() + 31 * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
  await expect(200, 'POST', `api/v1/writer/content/${item.id}/reschedule/`, { body: { scheduled_at: later } });
  await expect(200, 'POST', `api/v1/writer/content/${item.id}/unschedule/`);
  await expect(200, 'POST', 'api/v1/publisher/publish/', { body: { content_id: item.id, destinations: ['custom'] } });
  await expect(404, 'POST', 'api/v1/publisher/publish/', { body: { content_id: 999999 } });
  // Publish-now is one attempt: a refusal answers 502 with the item, now failed.
  const doomed = (await expect(201, 'POST', 'api/v1/writer/content/', { body: { site_id: down.id, title: 'Doomed', content_html: '<p>x</p>', status: 'approved' } })).json;
  const refused = await expect(502, 'POST', 'api/v1/publisher/publish/', { body: { content_id: doomed.id } });
  assert.equal(refused.json.success, false);
  assert.equal(refused.json.content.site_status, 'failed');
  await expect(409, 'POST', 'api/v1/publisher/publish/', { body: { content_id: draft.id } });
  await expect(200, 'GET', `api/v1/publisher/records/?content_id=${item.id}`);
  await expect(204, 'DELETE', `api/v1/writer/content/${draft.id}/`);
  await expect(404, 'GET', `api/v1/writer/content/${draft.id}/`);

  // Bulk import and export, the calendar feed.
  const csv = { 'Content-Type': 'text/csv' };
  const imports = `api/v1/writer/content/import/?site_id=${site.id}`;
  await expect(201, 'POST', imports, { raw: 'title,content_html\nDescribed post,<p>i</p>\n', headers: csv });
  await expect(422, 'POST', imports, { raw: 'title,content_html\n,<p>i</p>\n', headers: csv });
  await expect(409, 'POST', `${imports}&status=approved`, { raw: `title,content_html,scheduled_publish_at\nA,<p>a</p>,${later}\nB,<p>b</p>,${later}\n`, headers: csv });
  await expect(415, 'POST', imports, { raw: 'x', headers: { 'Content-Type': 'text/plain' } });
  await expect(404, 'POST', 'api/v1/writer/content/import/?site_id=999999', { raw: 'title,content_html\nA,b\n', headers: csv });
  await expect(200, 'GET', `api/v1/writer/content/export/?site_id=${site.id}`);
  await expect(200, 'GET', `api/v1/writer/content/export/?site_id=${site.id}&format=ndjson`);
  await expect(422, 'GET', `api/v1/writer/content/export/?site_id=${site.id}&format=xml`);
  await expect(404, 'GET', 'api/v1/writer/content/export/?site_id=999999');
  const feed = (await expect(201, 'POST', `api/v1/sites/${site.id}/ical-token/`)).json;
  await expect(200, 'GET', feed.path, { apiKey: null });
  await expect(204, 'DELETE', `api/v1/sites/${site.id}/ical-token/`);
  await expect(404, 'DELETE', `api/v1/sites/${site.id}/ical-token/`);
  await expect(404, 'GET', feed.path, { apiKey: null });
  await expect(404, 'POST', 'api/v1/sites/999999/ical-token/');

  // The event stream stays open: check its head, then hang up.
  const abort = new AbortController();
  const opened = await expect(204, 'POST', 'api/v1/events/session/');
  const cookie = (opened.headers.get('set-cookie') || '').split(';')[0];
  assert.match(cookie, /^herald_events=/);
  const stream = await fetch(new URL(`api/v1/events/?site_id=${site.id}`, base), { signal: abort.signal, headers: { Cookie: cookie } });
  problems.push(...checker.check('GET', stream.url, stream.status, stream.headers, ''));
  assert.equal(stream.status, 200);
  abort.abort();
  await expect(422, 'GET', 'api/v1/events/');
  await expect(204, 'DELETE', 'api/v1/events/session/');

  await expect(204, 'DELETE', `api/v1/sites/${down.id}/`);

  // The demo receiver exists only under `serve --demo`: a second, throw-away server.
  const dir = mkdtempSync(join(tmpdir(), 'herald-openapi-'));
  const demo = spawn(bin, ['serve', '--demo', '--no-tasks', '--db', `sqlite:${dir}/demo.db`, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const demoUrl = await new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      demo.stderr.on('data', (d) => { err += d; });
      demo.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/herald serving on (http:\/\/\S+)/);
        if (m) resolve(`${m[1]}/`);
      });
      demo.on('exit', (code) => reject(new Error(`herald serve --demo exited ${code}: ${out}${err}`)));
    });
    const posted = await expect(200, 'POST', 'demo/receiver/', { server: demoUrl, apiKey: null, body: { type: 'content.publish', content: { title: 'Hi', content_html: '<p>hi</p>' }, external_id: null } });
    await expect(200, 'GET', `demo/posts/${posted.json.id}/`, { server: demoUrl, apiKey: null });
    await expect(404, 'GET', 'demo/posts/999/', { server: demoUrl, apiKey: null });
  } finally {
    demo.kill('SIGTERM');
    await new Promise((resolve) => (demo.exitCode !== null ? resolve() : demo.on('exit', resolve)));
    rmSync(dir, { recursive: true, force: true });
  }

  assert.deepEqual(problems, [], 'answers that do not match docs/openapi.yaml');
  assert.deepEqual(checker.unexercised(), [], 'described operations this test never saw succeed');
});

test('/api/docs renders the description from herald alone, with a screenshot', { skip }, async () => {
  mkdirSync(artifacts, { recursive: true });
  const browser = await launch();
  try {
    const { context, page, errors } = await newPage(browser, { width: 1280, height: 900 });
    const outside = [];
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') return route.continue();
      outside.push(url.href);
      return route.abort();
    });
    for (const path of ['api/docs', 'api/docs/']) {
      await page.goto(new URL(path, base).href);
      await page.locator('.swagger-ui .info .title', { hasText: 'herald API' }).waitFor();
      await page.waitForFunction((n) => document.querySelectorAll('.swagger-ui .opblock').length === n, checker.operations.length);
    }
    await page.screenshot({ path: join(artifacts, 'api-docs.png'), fullPage: false });
    // One operation opened: its answers and their schemas are shown.
    await page.locator('.opblock-summary', { hasText: '/api/v1/sites/{id}/' }).first().click();
    await page.locator('.opblock.is-open .responses-wrapper').first().waitFor();
    await page.locator('.opblock.is-open').first().screenshot({ path: join(artifacts, 'api-docs-operation.png') });
    assert.deepEqual(outside, [], 'requests to hosts other than herald');
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await browser.close();
  }
});
