// herald web UI: sign-in, site selection, calendar, queue, settings.
import './styles.css';
import { api, ApiError, currentKey, setKey, setUnauthorizedHandler, type Site } from './api';
import { changeView, getCalendar, initCalendar, next, prev, refetchCalendar, resetCalendarForSite, today, VIEWS } from './calendar';
import { $, busy, clear, h, hideToast, toast } from './dom';
import { contentForm } from './contentform';
import { initSettings, loadSettings } from './settings';
import { siteForm } from './siteform';
import { initHealth, refreshSite, renderHealthBanner } from './health';
import { initHooks, loadHooks } from './hooks';
import { initImport, renderImport } from './importpage';
import { closeItemDialog, initItemDialog, openItem } from './item';
import { endLiveSession, startLive, stopLive } from './live';
import { initQueue, resetQueue } from './queue';
import { onRefresh, SITE_STORAGE, state, STATUS_META } from './state';
import { zoneLabel } from './time';

const TABS = [
  { id: 'queue', label: 'Queue' },
  { id: 'new', label: 'New content' },
  { id: 'import', label: 'Import' },
  { id: 'settings', label: 'Settings' },
] as const;

let calendarReady = false;

// ---- sign-in -------------------------------------------------------------------

function showSignIn(message?: string, kind: 'error' | 'info' = 'error'): void {
  stopLive();
  state.gen++;
  state.site = null;
  state.sites = [];
  closeItemDialog();
  ($('#site-dialog') as HTMLDialogElement).open && ($('#site-dialog') as HTMLDialogElement).close();
  $('#app').hidden = true;
  const box = $('#signin');
  box.hidden = false;
  const err = $('#signin-error');
  err.textContent = message ?? '';
  err.hidden = !message;
  // signing out is not a failure: a plain notice, not an alert
  err.className = kind === 'error' ? 'error' : 'notice';
  err.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  const input = $('#signin-key') as HTMLInputElement;
  input.value = '';
  input.focus();
}

async function signIn(key: string, fromStorage: boolean): Promise<void> {
  setKey(key);
  try {
    const sites = await api.sites();
    $('#signin').hidden = true;
    $('#app').hidden = false;
    hideToast();
    state.sites = sites;
    enterApp();
  } catch (e) {
    setKey(null);
    if (e instanceof ApiError && e.status === 401) {
      showSignIn(fromStorage ? 'Your session has ended. Please sign in again.' : 'That API key was not accepted. Check it and try again.');
    } else {
      showSignIn(e instanceof ApiError ? e.message : String(e));
    }
  }
}

function signOut(): void {
  const key = currentKey();
  if (key) endLiveSession(key);
  setKey(null);
  showSignIn('You have signed out.', 'info');
}

// ---- sites -----------------------------------------------------------------------

function savedSiteId(): number | null {
  try {
    const v = Number(localStorage.getItem(SITE_STORAGE));
    return Number.isInteger(v) && v > 0 ? v : null;
  } catch { return null; }
}

function renderSiteSelect(): void {
  const sel = $('#site-select') as HTMLSelectElement;
  clear(sel);
  sel.append(h('option', { value: '' }, state.sites.length ? '— choose a site —' : '(no sites yet)'));
  for (const s of state.sites) {
    sel.append(h('option', { value: s.id }, s.is_active === false ? `${s.name} (inactive)` : s.name));
  }
  sel.value = state.site ? String(state.site.id) : '';
  sel.disabled = !state.sites.length;
}

function enterApp(): void {
  const wanted = savedSiteId();
  // the last site used in this browser, else the first one: never an empty "choose a site"
  const site = state.sites.find((s) => s.id === wanted) ?? state.sites[0] ?? null;
  selectSite(site);
}

/** Switches site: clears the old site's data first, then loads the new one. */
function selectSite(site: Site | null): void {
  stopLive();
  state.gen++;
  state.site = site;
  closeItemDialog();
  try {
    if (site) localStorage.setItem(SITE_STORAGE, String(site.id));
    else if (state.sites.length) localStorage.removeItem(SITE_STORAGE);
  } catch { /* ignore */ }
  renderSiteSelect();
  renderSiteInfo();

  const hasSites = state.sites.length > 0;
  $('#first-run').hidden = hasSites;
  $('#no-site').hidden = !hasSites || !!site;
  $('#workspace').hidden = !site;
  if (!hasSites) renderFirstRun();

  if (!calendarReady && site) {
    const cal = initCalendar($('#calendar'), (id) => void openItem(id));
    calendarReady = true;
    // read-only handle for browser tests and debugging (e.g. gotoDate)
    (window as unknown as { herald: unknown }).herald = { calendar: cal, state };
  }
  if (calendarReady) resetCalendarForSite();
  resetQueue();
  contentForm($('#panel-new'));
  renderImport();
  void loadSettings();
  void loadHooks();
  const key = currentKey();
  if (site && key) startLive(site.id, key);
  if (site) void refreshSite(); // the list may be older than the site's health
}

function renderSiteInfo(): void {
  const site = state.site;
  const tz = $('#site-timezone');
  tz.textContent = site ? `Times in ${zoneLabel(site.timezone)}` : '';
  tz.hidden = !site;
  const inactive = $('#site-inactive');
  inactive.hidden = !site || site.is_active !== false;
  renderHealthBanner();
}

function renderFirstRun(): void {
  const box = $('#first-run-form');
  clear(box);
  box.append(siteForm(null, {
    first: true,
    onSaved: (s) => {
      state.sites = [...state.sites, s];
      toast(`Site “${s.name}” created. Add your first piece of content next.`);
      selectSite(s);
      showTab('new');
    },
  }));
}

function openNewSiteDialog(): void {
  const dlg = $('#site-dialog') as HTMLDialogElement;
  clear(dlg);
  dlg.append(
    h('div', { class: 'dialog-head' }, h('h2', { id: 'site-dialog-title' }, 'New site'),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close', onclick: () => dlg.close() }, '×')),
    siteForm(null, {
      onSaved: (s) => {
        dlg.close();
        state.sites = [...state.sites, s];
        toast(`Site “${s.name}” created.`);
        selectSite(s);
      },
      onCancel: () => dlg.close(),
    }),
  );
  dlg.setAttribute('aria-labelledby', 'site-dialog-title');
  dlg.showModal();
  dlg.querySelector('input')?.focus();
}

// ---- layout ----------------------------------------------------------------------

/** Phones: one pane at a time (calendar or a tool panel), switched by the bottom tab bar. */
function showPane(id: string): void {
  $('#workspace').dataset.pane = id;
  for (const b of document.querySelectorAll<HTMLButtonElement>('#mobile-nav button')) {
    b.setAttribute('aria-current', String(b.dataset.pane === id));
  }
  if (id !== 'calendar') showTab(id, false);
  else getCalendar()?.updateSize(); // it was hidden: measure again
  window.scrollTo({ top: 0 });
}

function showTab(id: string, syncPane = true): void {
  if (syncPane && $('#workspace').dataset.pane !== 'calendar') $('#workspace').dataset.pane = id;
  for (const t of TABS) {
    const tab = document.getElementById(`tab-${t.id}`)!;
    const panel = document.getElementById(`panel-${t.id}`)!;
    const on = t.id === id;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    panel.hidden = !on;
  }
}

function buildLayout(): void {
  // sign-in
  const form = $('#signin-form') as HTMLFormElement;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const key = ($('#signin-key') as HTMLInputElement).value.trim();
    if (!key) { showSignIn('Enter your API key.'); return; }
    void busy($('#signin-submit') as HTMLButtonElement, () => signIn(key, false));
  });

  $('#signout').addEventListener('click', signOut);
  $('#new-site').addEventListener('click', openNewSiteDialog);
  $('#site-select').addEventListener('change', (e) => {
    const id = Number((e.target as HTMLSelectElement).value);
    selectSite(state.sites.find((s) => s.id === id) ?? null);
  });

  // delivery health banner, above the calendar
  initHealth($('.cal-panel'));

  // calendar toolbar
  $('#cal-prev').addEventListener('click', prev);
  $('#cal-next').addEventListener('click', next);
  $('#cal-today').addEventListener('click', today);
  const views = $('#cal-views');
  for (const v of VIEWS) {
    views.append(h('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-view': v.id, 'data-testid': v.testid, 'aria-pressed': 'false', onclick: () => changeView(v.id) }, v.label));
  }

  // legend
  const legend = $('#legend');
  for (const st of ['scheduled', 'publishing', 'published', 'failed']) {
    const m = STATUS_META[st];
    legend.append(h('li', { 'data-testid': `legend-${st}`, 'data-status': st },
      h('span', { class: 'swatch', style: `background:${m.bg};color:${m.fg}`, 'data-testid': `status-color-${st}`, 'data-color': m.bg, 'aria-hidden': 'true' }, m.icon), m.label));
  }
  legend.append(
    h('li', { 'data-testid': 'legend-off-day' }, h('span', { class: 'swatch swatch-off', 'aria-hidden': 'true' }), 'Not a publishing day'),
    h('li', { class: 'legend-week', 'data-testid': 'legend-slot-free' }, h('span', { class: 'swatch swatch-slot slot-free', 'aria-hidden': 'true' }), 'Free slot'),
    h('li', { class: 'legend-week', 'data-testid': 'legend-slot-full' }, h('span', { class: 'swatch swatch-slot slot-full', 'aria-hidden': 'true' }), 'Full (limit)'),
    h('li', { class: 'legend-week', 'data-testid': 'legend-slot-blocked' }, h('span', { class: 'swatch swatch-slot slot-blocked', 'aria-hidden': 'true' }), 'Closed slot (blackout or spacing)'),
    h('li', { 'data-testid': 'legend-blackout' }, h('span', { class: 'swatch swatch-blackout', 'aria-hidden': 'true' }), 'Blacked out (reason on the day)'),
    h('li', { 'data-testid': 'legend-occurrence' }, h('span', { class: 'swatch swatch-occurrence', 'aria-hidden': 'true' }, '↻'), 'Expected repeat'));

  // side tabs
  const tablist = $('#side-tabs');
  for (const t of TABS) {
    const b = h('button', { type: 'button', role: 'tab', id: `tab-${t.id}`, 'aria-controls': `panel-${t.id}`, 'data-testid': `tab-${t.id}`, class: 'tab', onclick: () => showTab(t.id) }, t.label);
    tablist.append(b);
  }
  tablist.addEventListener('keydown', (e) => {
    const ids = TABS.map((t) => t.id as string);
    const cur = ids.findIndex((id) => document.getElementById(`tab-${id}`)?.getAttribute('aria-selected') === 'true');
    let nextIdx = -1;
    if (e.key === 'ArrowRight') nextIdx = (cur + 1) % ids.length;
    if (e.key === 'ArrowLeft') nextIdx = (cur - 1 + ids.length) % ids.length;
    if (nextIdx >= 0) { e.preventDefault(); showTab(ids[nextIdx]); document.getElementById(`tab-${ids[nextIdx]}`)?.focus(); }
  });
  showTab('queue');
  const nav = $('#mobile-nav');
  for (const p of [{ id: 'calendar', label: 'Calendar' }, ...TABS]) {
    nav.append(h('button', { type: 'button', 'data-pane': p.id, 'data-testid': `pane-${p.id}`, 'aria-current': String(p.id === 'calendar'), onclick: () => showPane(p.id) }, p.label));
  }
  $('#workspace').dataset.pane = 'calendar';

  initItemDialog();
  initQueue($('#panel-queue'), (id) => void openItem(id));
  initImport($('#panel-import'));
  // Site settings are redrawn per site; the account's event hooks sit below them.
  const siteSettings = h('div', { 'data-testid': 'site-settings' });
  const siteSection = h('section', { class: 'site-section', 'aria-labelledby': 'site-section-title', 'data-testid': 'site-section' });
  const hooksBox = h('section', { class: 'hooks', 'aria-label': 'Event hooks', 'data-testid': 'hooks-section' });
  $('#panel-settings').append(siteSettings, siteSection, hooksBox);
  initSettings(siteSettings, siteSection, {
    saved: (s) => {
      const tzChanged = s.timezone !== state.site?.timezone;
      state.sites = state.sites.map((x) => (x.id === s.id ? s : x));
      if (state.site?.id === s.id) {
        if (tzChanged) selectSite(s);
        else { state.site = s; renderSiteSelect(); renderSiteInfo(); }
      }
    },
    deleted: (id) => {
      state.sites = state.sites.filter((x) => x.id !== id);
      selectSite(state.sites[0] ?? null);
    },
  });
  initHooks(hooksBox);
  onRefresh(refetchCalendar);
  document.addEventListener('herald:open-item', (e) => void openItem((e as CustomEvent<number>).detail));

  document.addEventListener('herald:site-updated', () => {
    // time zone changed: redraw everything in the new zone
    if (state.site) selectSite(state.site);
  });
}

function main(): void {
  buildLayout();
  setUnauthorizedHandler(() => {
    if (!currentKey()) return;
    setKey(null);
    showSignIn('Your API key was refused (it may have been revoked or the session ended). Please sign in again.');
  });
  const key = currentKey();
  if (key) void signIn(key, true);
  else showSignIn();
}

main();
