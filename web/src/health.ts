// Site delivery health: the banner above the calendar (degraded / paused, with Resume),
// the "Waiting" state of items held by an unhealthy site, and keeping the site fresh.
import { api, ApiError, type Content, type Site } from './api';
import { busy, clear, h, toast } from './dom';
import { isCurrent, onRefresh, refreshAll, state } from './state';
import { fmtLocal } from './time';

/** Fired on document when the selected site's health (or its reason/time) changed. */
export const HEALTH_EVENT = 'herald:site-health';

let banner: HTMLElement | null = null;
let inflight: Promise<void> | null = null;
let inflightGen = -1;
let debounceTimer: number | undefined;

export function siteUnhealthy(site: Site | null = state.site): boolean {
  return !!site && (site.health === 'degraded' || site.health === 'paused');
}

/** A scheduled item whose time has passed while its site is degraded or paused: it waits
 * for the site and goes out as soon as the site answers (or is resumed). */
export function isWaiting(c: Content, now = Date.now()): boolean {
  const site = state.site;
  if (!site || c.site_id !== site.id || !siteUnhealthy(site)) return false;
  if (c.site_status !== 'scheduled' || !c.scheduled_publish_at) return false;
  const t = Date.parse(c.scheduled_publish_at);
  return Number.isFinite(t) && t <= now;
}

export const WAITING_LABEL = 'Waiting';
export function waitingTitle(): string {
  const site = state.site;
  return site?.health === 'paused'
    ? 'Waiting: the site is paused; this goes out once it is resumed.'
    : 'Waiting: the site is not answering; this goes out as soon as it does.';
}

function sentence(reason: string | null | undefined): string {
  const r = (reason ?? '').trim();
  return r.replace(/[.!?]+$/, '');
}

/** Draws (or hides) the banner for the selected site. */
export function renderHealthBanner(): void {
  if (!banner) return;
  const site = state.site;
  clear(banner);
  if (!site || !siteUnhealthy(site)) {
    banner.hidden = true;
    delete banner.dataset.health;
    return;
  }
  const paused = site.health === 'paused';
  const since = site.health_since ? fmtLocal(site.health_since, site.timezone) : null;
  const reason = sentence(site.health_reason);
  const head = `${paused ? 'Paused' : 'Degraded'}${since ? ` since ${since}` : ''}`;
  let text = reason ? `${head}: ${reason}.` : `${head}.`;
  if (!paused) text += ' herald sends one probe at a time and publishes everything as soon as the site answers.';
  else text += ' Nothing is sent to this site until you resume it.';
  banner.dataset.health = site.health!;
  banner.className = `health-banner health-${site.health}`;
  const btn = h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'health-resume' }, 'Resume');
  btn.addEventListener('click', () => void resume(btn));
  banner.append(
    h('span', { class: 'health-icon', 'aria-hidden': 'true' }, paused ? '‖' : '⚠'),
    h('p', { class: 'health-text', 'data-testid': 'health-text' }, text),
    btn,
  );
  banner.hidden = false;
}

function applySite(fresh: Site): void {
  const cur = state.site;
  if (!cur || cur.id !== fresh.id) return;
  const before = `${cur.health}|${cur.health_reason}|${cur.health_since}`;
  const after = `${fresh.health}|${fresh.health_reason}|${fresh.health_since}`;
  // Keep the same object (others hold it): copy the fresh fields in.
  Object.assign(cur, fresh);
  state.sites = state.sites.map((s) => (s.id === fresh.id ? cur : s));
  if (before !== after) {
    renderHealthBanner();
    document.dispatchEvent(new CustomEvent(HEALTH_EVENT));
  }
}

/** Re-reads the selected site (its health); one read at a time. */
export function refreshSite(): Promise<void> {
  const site = state.site;
  if (!site) return Promise.resolve();
  const gen = state.gen;
  if (inflight && inflightGen === gen) return inflight;
  const siteId = site.id;
  inflightGen = gen;
  inflight = api.site(siteId).then((fresh) => {
    if (isCurrent(gen, siteId)) applySite(fresh);
  }, () => undefined /* a hint only: the next refresh tries again */).finally(() => {
    if (inflightGen === gen) inflight = null;
  });
  return inflight;
}

/** Soon, once: live events come in bursts. */
export function refreshSiteSoon(ms = 400): void {
  window.clearTimeout(debounceTimer);
  debounceTimer = window.setTimeout(() => void refreshSite(), ms);
}

async function resume(btn: HTMLButtonElement): Promise<void> {
  const site = state.site;
  if (!site) return;
  const gen = state.gen;
  try {
    const fresh = await busy(btn, () => api.resumeSite(site.id));
    if (!isCurrent(gen, site.id)) return;
    if (fresh && typeof fresh === 'object' && 'id' in fresh) applySite(fresh);
    await refreshSite();
    if (!isCurrent(gen, site.id)) return;
    toast(`Resumed “${site.name}”. Waiting items go out now.`);
    refreshAll();
  } catch (e) {
    if (!isCurrent(gen, site.id)) return;
    toast(e instanceof ApiError ? e.message : String(e), 'error');
  }
}

/** Mounts the banner at the top of `panel` (before its first child). */
export function initHealth(panel: HTMLElement): void {
  banner = h('div', { id: 'health-banner', class: 'health-banner', role: 'status', 'aria-live': 'polite', 'data-testid': 'health-banner', hidden: true });
  panel.prepend(banner);
  onRefresh(() => void refreshSite());
}
