// Shared helpers of the browser test files: the loopback receiver for the `custom` platform,
// an API client whose every answer is checked against docs/openapi.yaml, and calendar waits.
import assert from 'node:assert/strict';
import http from 'node:http';

export const iso = (d) => new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Chromium logs every non-2xx fetch as a console error; those the server was meant to give are
// allowed per test, anything else (a script error, an unexpected status) fails it.
export const unexpected = (errors, statuses = '404|409|422') => errors.filter(
  (e) => !new RegExp(`Failed to load resource: the server responded with a status of (${statuses})`).test(e));

/** A receiver on 127.0.0.1: /ok publishes; /fail answers 400 while `modes.fail`; /unauth
 * answers 401 (credentials refused: the site pauses) while `modes.unauth`. The modes are read
 * at each request, so a test flips them to change the receiver's mind. */
export function startReceiver(modes = { fail: true, unauth: true }) {
  const deliveries = [];
  return new Promise((resolve) => {
    let url;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        const doc = (() => { try { return JSON.parse(body); } catch { return {}; } })();
        deliveries.push({ path: req.url, signature: req.headers['webhook-signature'], doc });
        const refuse = (status, error) => {
          res.writeHead(status, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ error }));
        };
        if (req.url.startsWith('/unauth') && modes.unauth) return refuse(401, 'the test receiver does not know this key');
        if (req.url.startsWith('/fail') && modes.fail) return refuse(400, 'the test receiver refuses this post');
        const id = doc.external_id || `post-${deliveries.length}`;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ id, url: `${url}/posts/${id}` }));
      });
    });
    server.listen(0, '127.0.0.1', () => {
      url = `http://127.0.0.1:${server.address().port}`;
      resolve({ url, deliveries, modes, close: () => server.close() });
    });
  });
}

/** `api` answers {status, json}; `ok` asserts a 2xx. Answers that do not match the
 * description land in `described`. */
export function apiClient(base, key, checker, described) {
  async function api(method, path, body, apiKey = key) {
    const r = await fetch(new URL(path, base), {
      method,
      headers: { Authorization: `Api-Key ${apiKey}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    described.push(...checker().check(method, r.url, r.status, r.headers, text));
    return { status: r.status, json: text ? JSON.parse(text) : null };
  }
  async function ok(method, path, body) {
    const r = await api(method, path, body);
    assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  }
  /** Approved content, scheduled at `at` when given. On an auto-publishing site the scheduler
   * may give it a slot first: then it is moved to `at`. */
  async function makeItem(siteId, title, at, extra = {}) {
    const c = await ok('POST', 'api/v1/writer/content/', { site_id: siteId, title, content_html: `<p>${title}</p>`, status: 'approved', ...extra });
    if (at) {
      const r = await api('POST', `api/v1/writer/content/${c.id}/schedule/`, { scheduled_at: iso(at) });
      if (r.status === 409) await ok('POST', `api/v1/writer/content/${c.id}/reschedule/`, { scheduled_at: iso(at) });
      else assert.equal(r.status, 200, JSON.stringify(r.json));
    }
    return c;
  }
  return { api, ok, makeItem };
}

/** Waits until the calendar has loaded what it shows. */
export async function settle(page) {
  await page.waitForFunction(() => document.getElementById('calendar')?.getAttribute('aria-busy') !== 'true');
  await page.waitForTimeout(150);
}

export async function gotoDate(page, when) {
  await page.evaluate((t) => window.herald.calendar.gotoDate(t), iso(when));
  await settle(page);
}

/** WCAG contrast ratio of two rgb() colours. */
export function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/\d+(\.\d+)?/g).slice(0, 3).map((v) => Number(v) / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m);
  return (x + 0.05) / (y + 0.05);
}
