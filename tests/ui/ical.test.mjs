// The calendar feed (GET /api/v1/sites/{id}/calendar.ics) read by a real iCalendar parser,
// ical.js (locked in package.json), against the real server: the calendar and each event
// parse, required properties are there, titles with , ; \ newlines and long UTF-8 come back
// exactly (escaping and folding undone), and every physical line is CRLF-ended and at most
// 75 octets. run-herald.sh sets HERALD_URL and HERALD_KEY3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';

const base = process.env.HERALD_URL;
const key = process.env.HERALD_KEY3;
const skip = !base || !key ? 'HERALD_URL/HERALD_KEY3 not set (use run-herald.sh)' : false;

async function api(method, path, body) {
  const init = { method, headers: { Authorization: `Api-Key ${key}` } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(new URL(path, base), init);
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

test('the calendar feed parses with ical.js and keeps every title exactly', { skip }, async () => {
  const site = (await api('POST', 'api/v1/sites/', { name: 'Feed, test; site', platform_type: 'custom', domain: 'https://hooks.example.com/in' })).json;
  const titles = [
    'Commas, semicolons; and a back\\slash',
    'Two\nlines',
    `Long ${'ü€😀 '.repeat(30)}end`,
  ];
  const ids = [];
  for (const [i, title] of titles.entries()) {
    const item = await api('POST', 'api/v1/writer/content/', { site_id: site.id, title, content_html: '<p>x</p>', status: 'approved' });
    assert.equal(item.status, 201);
    const at = new Date(Date.now() + (i + 2) * 86400000);
    at.setUTCMinutes(0, 0, 0);
    const scheduled = await api('POST', `api/v1/writer/content/${item.json.id}/schedule/`, { scheduled_at: at.toISOString() });
    assert.equal(scheduled.status, 200, JSON.stringify(scheduled.json));
    ids.push({ id: item.json.id, title, at });
  }
  const token = await api('POST', `api/v1/sites/${site.id}/ical-token/`);
  assert.equal(token.status, 201);

  const r = await fetch(new URL(token.json.path, base));  // no API key
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/calendar; charset=utf-8');
  const text = await r.text();
  const raw = Buffer.from(text, 'utf8');
  assert.ok(text.endsWith('\r\n'));
  for (const line of text.slice(0, -2).split('\r\n')) {
    assert.ok(!line.includes('\n') && !line.includes('\r'), 'bare CR or LF');
    assert.ok(Buffer.byteLength(line, 'utf8') <= 75, `line over 75 octets: ${line}`);
  }
  assert.ok(raw.length > 0);

  const calendar = new ICAL.Component(ICAL.parse(text));
  assert.equal(calendar.name, 'vcalendar');
  assert.equal(calendar.getFirstPropertyValue('version'), '2.0');
  assert.ok(calendar.getFirstPropertyValue('prodid'));
  // ical.js keeps an X- property's value as sent (its type is unknown to it): escaped TEXT.
  assert.equal(calendar.getFirstPropertyValue('x-wr-calname'), 'Feed\\, test\\; site');
  const events = calendar.getAllSubcomponents('vevent');
  assert.equal(events.length, titles.length);
  for (const [i, vevent] of events.entries()) {
    const event = new ICAL.Event(vevent);
    assert.equal(event.summary, ids[i].title);
    assert.match(event.uid, new RegExp(`^content-${ids[i].id}-site-${site.id}@herald$`));
    assert.ok(vevent.getFirstPropertyValue('dtstamp'));
    assert.equal(event.startDate.zone.tzid, 'UTC');
    assert.equal(event.startDate.toJSDate().getTime(), ids[i].at.getTime());
    assert.equal(vevent.getFirstPropertyValue('status'), 'TENTATIVE');
  }

  // A new token revokes the old URL.
  assert.equal((await api('POST', `api/v1/sites/${site.id}/ical-token/`)).status, 201);
  assert.equal((await fetch(new URL(token.json.path, base))).status, 404);
});
