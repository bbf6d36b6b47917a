// Live updates: Server-Sent Events from /api/v1/events/. EventSource cannot send headers,
// and a key in the URL would land in proxy logs, so POST /api/v1/events/session/ first
// sets an HttpOnly cookie only the event stream sees. Polling every 5 s when the endpoint
// is missing or keeps failing.
import { API_BASE, qs, type Content } from './api';
import { refreshSiteSoon } from './health';
import { contentChanged, refreshAll } from './state';

export const POLL_MS = 5000;

let source: EventSource | null = null;
let pollTimer: number | undefined;
let sseUnsupported = false; // remembered for the page's life once the endpoint failed to open
let session = 0;

function setStatus(mode: 'live' | 'polling' | 'off' | 'connecting'): void {
  const el = document.getElementById('live-status');
  if (!el) return;
  el.dataset.mode = mode;
  el.textContent = { live: '● Live', polling: '● Updating every 5 s', off: '', connecting: '● Connecting…' }[mode];
  el.title = {
    live: 'Changes appear as they happen',
    polling: 'Live updates are not available; refreshing every 5 seconds',
    off: '',
    connecting: 'Connecting to live updates',
  }[mode];
}

export function stopLive(): void {
  session++;
  if (source) { source.close(); source = null; }
  window.clearInterval(pollTimer);
  pollTimer = undefined;
  setStatus('off');
}

function startPolling(my: number): void {
  if (my !== session) return;
  if (source) { source.close(); source = null; }
  window.clearInterval(pollTimer);
  pollTimer = window.setInterval(() => { if (my === session && !document.hidden) refreshAll(); }, POLL_MS);
  setStatus('polling');
}

export function startLive(siteId: number, apiKey: string): void {
  stopLive();
  const my = session;
  if (sseUnsupported || typeof EventSource === 'undefined') { startPolling(my); return; }
  setStatus('connecting');
  fetch(`${API_BASE}/events/session/`, { method: 'POST', headers: { Authorization: `Api-Key ${apiKey}` } })
    .then((r) => {
      if (my !== session) return;
      if (!r.ok) { sseUnsupported = true; startPolling(my); return; }
      openStream(siteId, my);
    })
    .catch(() => { if (my === session) startPolling(my); });
}

/** Forgets the event stream's cookie (sign-out). */
export function endLiveSession(apiKey: string): void {
  fetch(`${API_BASE}/events/session/`, { method: 'DELETE', headers: { Authorization: `Api-Key ${apiKey}` } })
    .catch(() => { /* signed out either way; the cookie expires by itself */ });
}

function openStream(siteId: number, my: number): void {
  let opened = false;
  let failures = 0;
  const es = new EventSource(`${API_BASE}/events/${qs({ site_id: siteId })}`);
  source = es;
  es.addEventListener('open', () => {
    if (my !== session) return;
    if (opened) refreshAll(); // reconnected: catch up on anything missed
    opened = true;
    failures = 0;
    setStatus('live');
  });
  es.addEventListener('content', (ev) => {
    if (my !== session) return;
    try {
      const c = JSON.parse((ev as MessageEvent).data) as Content;
      if (c && typeof c.id === 'number' && c.site_id === siteId) {
        contentChanged(c);
        // The stream carries items only; an item's attempt is what changes the site's
        // health (degraded, paused, recovered), so re-read the site after a burst.
        refreshSiteSoon();
      }
    } catch { /* ignore malformed frames */ }
  });
  es.addEventListener('error', () => {
    if (my !== session) return;
    failures++;
    // CLOSED: the server answered non-200 (404, 401, wrong type): it will not retry.
    if (es.readyState === EventSource.CLOSED || (!opened && failures >= 2) || failures >= 5) {
      if (!opened) sseUnsupported = true;
      es.close();
      startPolling(my);
      if (opened) refreshAll();
    } else {
      setStatus('connecting');
    }
  });
}
