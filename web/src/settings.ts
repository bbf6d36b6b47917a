// Settings panel: the site's publishing settings (days, slots, limits, time zone) and the
// site itself (every field, credential, Test connection, Delete).
import { api, ApiError, type PublishingSettings, type Site } from './api';
import { busy, clear, h, toast } from './dom';
import { clearErrors, field, showError, showErrors, warningsOf, type FieldProblem } from './messages';
import { queueOperation } from './queueops';
import { placementChanged, plannerInputs } from './settingsplan';
import { siteForm } from './siteform';
import { isCurrent, state } from './state';

// ---- publishing settings -------------------------------------------------------

const DAYS = [
  ['mon', 'Mon'], ['tue', 'Tue'], ['wed', 'Wed'], ['thu', 'Thu'], ['fri', 'Fri'], ['sat', 'Sat'], ['sun', 'Sun'],
] as const;
const LIMITS = [
  ['daily_publish_limit', 'Per day'],
  ['weekly_publish_limit', 'Per week'],
  ['monthly_publish_limit', 'Per month'],
] as const;

let settingsRoot: HTMLElement;
let siteRoot: HTMLElement;
let settingsSeq = 0;
let siteHandlers: { saved: (s: Site) => void; deleted: (id: number) => void } = { saved: () => {}, deleted: () => {} };

/** Fired on document with the selected site's publishing settings whenever they are (re)loaded. */
export const SETTINGS_EVENT = 'herald:settings';

export function initSettings(el: HTMLElement, siteEl: HTMLElement, handlers: typeof siteHandlers): void {
  settingsRoot = el;
  siteRoot = siteEl;
  siteHandlers = handlers;
}

function publish(s: PublishingSettings | null): void {
  state.settings = s;
  document.dispatchEvent(new CustomEvent(SETTINGS_EVENT, { detail: s }));
}

export async function loadSettings(): Promise<void> {
  if (!settingsRoot) return;
  clear(settingsRoot);
  renderSiteSection();
  const site = state.site;
  publish(null);
  if (!site) return;
  const gen = state.gen;
  const seq = ++settingsSeq;
  settingsRoot.append(h('p', { class: 'muted' }, 'Loading…'));
  try {
    const s = await api.settings(site.id);
    if (!isCurrent(gen, site.id) || seq !== settingsSeq) return;
    clear(settingsRoot);
    settingsRoot.append(settingsForm(site, s, gen));
    publish(s);
  } catch (e) {
    if (!isCurrent(gen, site.id) || seq !== settingsSeq) return;
    clear(settingsRoot);
    settingsRoot.append(h('p', { class: 'error', role: 'alert', 'data-testid': 'settings-load-error' }, e instanceof ApiError ? e.message : String(e)));
  }
}

/** Turns auto-publish on or off (the queue's switch); answers the stored settings. */
export async function setAutoPublish(on: boolean): Promise<{ settings: PublishingSettings; warnings: string[] } | null> {
  const site = state.site;
  if (!site) return null;
  const gen = state.gen;
  const saved = await api.patchSettings(site.id, { auto_publish_enabled: on });
  if (!isCurrent(gen, site.id)) return null;
  void loadSettings();
  const told = warningsOf(saved);
  return { settings: saved, warnings: told.length ? told : localWarnings(saved) };
}

/** What the server may also say (`warnings`): auto-publish on but nothing it could fill. */
export function localWarnings(s: Pick<PublishingSettings, 'auto_publish_enabled' | 'publish_days' | 'publish_time_slots'>): string[] {
  if (!s.auto_publish_enabled) return [];
  const out: string[] = [];
  if (!s.publish_days.length) out.push('Auto-publish is on but no publishing day is ticked: nothing will be scheduled.');
  if (!s.publish_time_slots.length) out.push('Auto-publish is on but there is no time slot: nothing will be scheduled.');
  return out;
}

function renderSiteSection(): void {
  if (!siteRoot) return;
  clear(siteRoot);
  const site = state.site;
  if (!site) return;
  siteRoot.append(
    h('h3', { id: 'site-section-title' }, 'Site and connection'),
    siteForm(site, {
      onSaved: (s) => { toast(`Saved site “${s.name}”.`); siteHandlers.saved(s); },
      onDeleted: (id) => siteHandlers.deleted(id),
    }));
}

let pendingWarnings: string[] = []; // shown once by the form drawn after a save
let offerRebalance = false; // the last save changed where items go: offer a rebalance once

function rebalanceOffer(): HTMLElement {
  const btn = h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'settings-rebalance' }, 'Preview rebalance…');
  const box = h('div', { class: 'notice', role: 'status', 'data-testid': 'settings-rebalance-offer' },
    h('p', null, 'The new settings apply to items placed from now on. Items already scheduled keep their times unless you rebalance the queue.'),
    btn);
  btn.addEventListener('click', async () => { if (await queueOperation('rebalance', btn)) box.remove(); });
  return box;
}

const SLOT_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

function slotRow(value: string, list: HTMLElement): HTMLElement {
  const input = h('input', { type: 'text', value, inputmode: 'numeric', placeholder: 'HH:MM', size: 6, 'aria-label': 'Time slot (HH:MM, 24 h)', 'data-testid': 'settings-slot-input' });
  const rm = h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'aria-label': `Remove time slot ${value}`, 'data-testid': 'settings-slot-remove' }, 'Remove');
  const li = h('li', { class: 'slot-row' }, input, rm);
  rm.addEventListener('click', () => {
    const nextFocus = (li.nextElementSibling ?? li.previousElementSibling)?.querySelector('input') as HTMLElement | null;
    li.remove();
    (nextFocus ?? list.closest('[data-field]')?.querySelector('[data-testid="settings-slot-add"]') as HTMLElement | null)?.focus();
  });
  input.addEventListener('input', () => rm.setAttribute('aria-label', `Remove time slot ${input.value}`));
  return li;
}

function settingsForm(site: Site, s: PublishingSettings, gen: number): HTMLFormElement {
  const auto = h('input', { type: 'checkbox', id: 'set-auto', checked: s.auto_publish_enabled, 'data-testid': 'settings-auto-publish' });
  const days = h('fieldset', { class: 'days' },
    h('legend', null, 'Publishing days'),
    DAYS.map(([d, label]) => h('label', { class: 'day' },
      h('input', { type: 'checkbox', value: d, checked: s.publish_days.includes(d), 'data-testid': `settings-day-${d}` }), ' ', label)));
  const slotList = h('ul', { class: 'slot-list', 'data-testid': 'settings-slots', 'aria-labelledby': 'slots-label' });
  for (const t of s.publish_time_slots) slotList.append(slotRow(t, slotList));
  const addSlot = h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-testid': 'settings-slot-add' }, 'Add time');
  addSlot.addEventListener('click', () => {
    const li = slotRow('', slotList);
    slotList.append(li);
    li.querySelector('input')?.focus();
  });
  const limitInputs = LIMITS.map(([key]) =>
    h('input', { type: 'number', min: 0, step: 1, inputmode: 'numeric', placeholder: 'unlimited', value: s[key] ?? '', 'data-testid': `settings-${key.replace(/_/g, '-')}` }));
  const submit = h('button', { type: 'submit', class: 'btn', 'data-testid': 'settings-save' }, 'Save settings');
  const plan = plannerInputs(s);

  const warned = pendingWarnings;
  pendingWarnings = [];
  const offer = offerRebalance;
  offerRebalance = false;
  const form = h('form', { class: 'form settings-form', novalidate: true, 'data-testid': 'settings-form' },
    h('div', { 'data-field': '__form' }),
    warned.length ? h('div', { class: 'warning', role: 'status', 'data-testid': 'settings-warning' }, warned.map((w) => h('p', null, w))) : null,
    offer ? rebalanceOffer() : null,
    h('div', { class: 'field field-check', 'data-field': 'auto_publish_enabled' }, auto, h('label', { for: 'set-auto' }, 'Auto-publish: let the scheduler fill free slots')),
    h('div', { class: 'field', 'data-field': 'publish_days' }, days),
    h('div', { class: 'field', 'data-field': 'publish_time_slots' },
      h('span', { class: 'label', id: 'slots-label' }, `Time slots (24 h, ${site.timezone}; the zone is set with the site below)`),
      slotList, addSlot),
    h('fieldset', { class: 'limits' },
      h('legend', null, 'Limits (empty = unlimited)'),
      LIMITS.map(([key, label], i) => field(key, label, limitInputs[i]))),
    plan?.nodes ?? null,
    h('div', { class: 'actions' }, submit),
  ) as HTMLFormElement;

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!isCurrent(gen, site.id)) return;
    clearErrors(form);
    // Empty rows are dropped first so "publish_time_slots[n]" names the nth row on screen.
    slotList.querySelectorAll<HTMLInputElement>('input').forEach((i) => { if (!i.value.trim()) i.closest('li')?.remove(); });
    const slotInputs = [...slotList.querySelectorAll<HTMLInputElement>('input')];
    const problems: FieldProblem[] = [];
    const seen = new Set<string>();
    slotInputs.forEach((i, n) => {
      const v = i.value.trim();
      if (!SLOT_RE.test(v)) problems.push({ field: `publish_time_slots[${n}]`, message: `“${v}” is not a time: use HH:MM, 24 h (e.g. 09:00 or 17:30).` });
      else if (seen.has(v)) problems.push({ field: `publish_time_slots[${n}]`, message: `${v} is listed twice.` });
      seen.add(v);
    });
    LIMITS.forEach(([key], i) => {
      const t = limitInputs[i].value.trim();
      if (t && !/^\d+$/.test(t)) problems.push({ field: key, message: 'Enter a whole number of 0 or more, or leave it empty for no limit.' });
    });
    if (plan) problems.push(...plan.check());
    if (problems.length) { showErrors(form, problems); return; }
    const body: Record<string, unknown> = {
      ...plan?.values(),
      auto_publish_enabled: auto.checked,
      publish_days: [...days.querySelectorAll<HTMLInputElement>('input[type=checkbox]')].filter((c) => c.checked).map((c) => c.value),
      publish_time_slots: slotInputs.map((i) => i.value.trim()),
    };
    LIMITS.forEach(([key], i) => { const t = limitInputs[i].value.trim(); body[key] = t ? Number(t) : null; });
    try {
      const saved = await busy(submit, () => api.putSettings(site.id, body));
      if (!isCurrent(gen, site.id)) return;
      const told = warningsOf(saved);
      pendingWarnings = told.length ? told : localWarnings(saved); // servers that do not warn yet
      offerRebalance = placementChanged(s, body);
      toast('Publishing settings saved.');
      void loadSettings();
    } catch (err) {
      if (isCurrent(gen, site.id)) showError(form, err);
    }
  });
  return form;
}
