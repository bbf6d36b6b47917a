// Forms: first site / new site, new content, publishing settings.
import { api, ApiError, type PublishingSettings, type Site } from './api';
import { busy, clear, h, toast } from './dom';
import { contentChanged, isCurrent, state } from './state';
import { allZones, validZone } from './time';

// ---- field error helpers ---------------------------------------------------

/** Clears every inline error in a form. */
export function clearErrors(form: HTMLElement): void {
  form.querySelectorAll('.field-error').forEach((e) => e.remove());
  form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
}

/** Shows an API error next to the field it names (error.field), else at the top of the form. */
export function showError(form: HTMLElement, e: unknown): void {
  clearErrors(form);
  const message = e instanceof ApiError ? e.message : String(e);
  const rawField = e instanceof ApiError ? e.field : null;
  // accept "publish_time_slots", "publish_time_slots[1]", "publish_time_slots.1"
  const field = rawField ? rawField.replace(/[[.].*$/, '') : null;
  const holder = field ? form.querySelector<HTMLElement>(`[data-field="${CSS.escape(field)}"]`) : null;
  const target = holder ?? form.querySelector<HTMLElement>('[data-field="__form"]') ?? form;
  const id = `err-${Math.random().toString(36).slice(2)}`;
  const p = h('p', { class: 'field-error error', id, role: 'alert', 'data-testid': holder ? `field-error-${field}` : 'form-error', 'data-field-name': rawField ?? '' }, message);
  target.append(p);
  const control = holder?.querySelector<HTMLElement>('input, select, textarea');
  if (holder) {
    holder.querySelectorAll('input, select, textarea').forEach((c) => {
      c.setAttribute('aria-invalid', 'true');
      c.setAttribute('aria-describedby', id);
    });
  }
  control?.focus();
}

export function field(name: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || `f-${name}-${Math.random().toString(36).slice(2, 7)}`;
  control.id = id;
  return h('div', { class: 'field', 'data-field': name },
    h('label', { for: id }, label),
    control,
    hint ? h('p', { class: 'hint' }, hint) : null);
}

function zoneInput(name: string, value: string, testid: string): HTMLElement {
  const listId = 'tz-list';
  if (!document.getElementById(listId)) {
    document.body.append(h('datalist', { id: listId }, allZones().map((z) => h('option', { value: z }))));
  }
  return h('input', { type: 'text', name, value, list: listId, autocomplete: 'off', spellcheck: 'false', 'data-testid': testid });
}

// ---- site form ---------------------------------------------------------------

export function siteForm(onCreated: (s: Site) => void, opts: { first: boolean; onCancel?: () => void }): HTMLFormElement {
  const guessTz = validZone(Intl.DateTimeFormat().resolvedOptions().timeZone);
  const name = h('input', { type: 'text', name: 'name', required: true, autocomplete: 'off', 'data-testid': 'site-name' });
  const platform = h('select', { name: 'platform_type', 'data-testid': 'site-platform' },
    h('option', { value: 'wordpress' }, 'WordPress'),
    h('option', { value: 'ghost' }, 'Ghost'),
    h('option', { value: 'shopify' }, 'Shopify'),
    h('option', { value: 'custom' }, 'Custom webhook'));
  const domain = h('input', { type: 'url', name: 'domain', placeholder: 'https://blog.example.com', autocomplete: 'off', 'data-testid': 'site-domain' });
  const apiKey = h('input', { type: 'password', name: 'api_key', autocomplete: 'new-password', 'data-testid': 'site-api-key' });
  const username = h('input', { type: 'text', name: 'username', autocomplete: 'off', 'data-testid': 'site-username' });
  const tz = zoneInput('timezone', guessTz, 'site-timezone-input');
  const submit = h('button', { type: 'submit', class: 'btn', 'data-testid': 'site-create' }, opts.first ? 'Create my first site' : 'Create site');

  const keyHint = () => ({
    wordpress: 'WordPress application password.',
    ghost: 'Ghost Admin API key (id:secret).',
    shopify: 'Shopify Admin API access token.',
    custom: 'Webhook signing secret (whsec_… or plain).',
  } as Record<string, string>)[platform.value] ?? '';
  const hint = h('p', { class: 'hint' }, keyHint());
  platform.addEventListener('change', () => { hint.textContent = keyHint(); });

  const form = h('form', { class: 'form site-form', novalidate: true, 'data-testid': opts.first ? 'first-site-form' : 'site-form' },
    h('div', { 'data-field': '__form' }),
    field('name', 'Site name', name),
    field('platform_type', 'Platform', platform),
    field('domain', 'Address (base URL; for a custom webhook the full endpoint URL)', domain),
    (() => { const f = field('api_key', 'Platform credential', apiKey); f.append(hint); return f; })(),
    field('username', 'Username (WordPress only)', username),
    field('timezone', 'Time zone (publishing slots are read in it)', tz),
    h('div', { class: 'actions' }, submit,
      opts.onCancel ? h('button', { type: 'button', class: 'btn btn-secondary', onclick: opts.onCancel }, 'Cancel') : null),
  ) as HTMLFormElement;

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body: Record<string, unknown> = {
      name: name.value.trim(),
      platform_type: platform.value,
      domain: domain.value.trim(),
      timezone: (tz as HTMLInputElement).value.trim() || 'UTC',
    };
    if (apiKey.value) body.api_key = apiKey.value;
    if (username.value.trim()) body.username = username.value.trim();
    try {
      const site = await busy(submit, () => api.createSite(body));
      form.reset();
      onCreated(site);
    } catch (err) {
      showError(form, err);
    }
  });
  return form;
}

// ---- new content form --------------------------------------------------------

const splitList = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

export function contentForm(root: HTMLElement): void {
  clear(root);
  if (!state.site) return;
  const title = h('input', { type: 'text', name: 'title', required: true, 'data-testid': 'content-title' });
  const html = h('textarea', { name: 'content_html', rows: 6, required: true, 'data-testid': 'content-html' });
  const excerpt = h('textarea', { name: 'excerpt', rows: 2, 'data-testid': 'content-excerpt' });
  const cats = h('input', { type: 'text', name: 'categories', placeholder: 'News, Guides', 'data-testid': 'content-categories' });
  const tags = h('input', { type: 'text', name: 'tags', placeholder: 'launch, howto', 'data-testid': 'content-tags' });
  const approveBox = h('input', { type: 'checkbox', name: 'approve', id: 'content-approve', checked: true, 'data-testid': 'content-approve' });
  const submit = h('button', { type: 'submit', class: 'btn', 'data-testid': 'content-create' }, 'Create');

  const form = h('form', { class: 'form', novalidate: true, 'data-testid': 'content-form' },
    h('div', { 'data-field': '__form' }),
    field('title', 'Title', title),
    field('content_html', 'Body (HTML)', html),
    field('excerpt', 'Excerpt', excerpt),
    field('categories', 'Categories (comma-separated)', cats),
    field('tags', 'Tags (comma-separated)', tags),
    h('div', { class: 'field field-check', 'data-field': 'status' }, approveBox, h('label', { for: 'content-approve' }, 'Approve right away (ready for the scheduler)')),
    h('div', { class: 'actions' }, submit),
  ) as HTMLFormElement;

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const site = state.site;
    if (!site) return;
    const gen = state.gen;
    clearErrors(form);
    const body: Record<string, unknown> = {
      site_id: site.id,
      title: title.value.trim(),
      content_html: html.value,
    };
    if (excerpt.value.trim()) body.excerpt = excerpt.value.trim();
    if (cats.value.trim()) body.categories = splitList(cats.value);
    if (tags.value.trim()) body.tags = splitList(tags.value);
    try {
      await busy(submit, async () => {
        let c = await api.createContent(body);
        if (approveBox.checked) {
          if (c.status === 'draft') c = await api.patchContent(c.id, { status: 'review' });
          if (c.status !== 'approved') c = await api.patchContent(c.id, { status: 'approved' });
        }
        if (!isCurrent(gen, site.id)) return;
        contentChanged(c);
        toast(approveBox.checked ? `Created and approved “${c.title}”.` : `Created draft “${c.title}”.`);
        form.reset();
        approveBox.checked = true;
      });
    } catch (err) {
      if (isCurrent(gen, site.id)) showError(form, err);
    }
  });
  root.append(form);
}

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
let settingsSeq = 0;

export function initSettings(el: HTMLElement): void {
  settingsRoot = el;
}

export async function loadSettings(): Promise<void> {
  if (!settingsRoot) return;
  clear(settingsRoot);
  const site = state.site;
  if (!site) return;
  const gen = state.gen;
  const seq = ++settingsSeq;
  settingsRoot.append(h('p', { class: 'muted' }, 'Loading…'));
  try {
    const s = await api.settings(site.id);
    if (!isCurrent(gen, site.id) || seq !== settingsSeq) return;
    clear(settingsRoot);
    settingsRoot.append(settingsForm(site, s, gen));
  } catch (e) {
    if (!isCurrent(gen, site.id) || seq !== settingsSeq) return;
    clear(settingsRoot);
    settingsRoot.append(h('p', { class: 'error', role: 'alert', 'data-testid': 'settings-load-error' }, e instanceof ApiError ? e.message : String(e)));
  }
}

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
  const slotList = h('ul', { class: 'slot-list', 'data-testid': 'settings-slots' });
  for (const t of s.publish_time_slots) slotList.append(slotRow(t, slotList));
  const addSlot = h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-testid': 'settings-slot-add' }, 'Add time');
  addSlot.addEventListener('click', () => {
    const li = slotRow('', slotList);
    slotList.append(li);
    li.querySelector('input')?.focus();
  });
  const limitInputs = LIMITS.map(([key]) =>
    h('input', { type: 'number', min: 0, step: 1, inputmode: 'numeric', placeholder: 'unlimited', value: s[key] ?? '', 'data-testid': `settings-${key.replace(/_/g, '-')}` }));
  const tz = zoneInput('timezone', site.timezone || 'UTC', 'settings-timezone');
  const submit = h('button', { type: 'submit', class: 'btn', 'data-testid': 'settings-save' }, 'Save settings');

  const form = h('form', { class: 'form settings-form', novalidate: true, 'data-testid': 'settings-form' },
    h('div', { 'data-field': '__form' }),
    h('div', { class: 'field field-check', 'data-field': 'auto_publish_enabled' }, auto, h('label', { for: 'set-auto' }, 'Auto-publish: let the scheduler fill free slots')),
    h('div', { class: 'field', 'data-field': 'publish_days' }, days),
    h('div', { class: 'field', 'data-field': 'publish_time_slots' },
      h('span', { class: 'label', id: 'slots-label' }, 'Time slots (24 h, in the site’s time zone)'),
      slotList, addSlot),
    h('fieldset', { class: 'limits' },
      h('legend', null, 'Limits (empty = unlimited)'),
      LIMITS.map(([key, label], i) => field(key, label, limitInputs[i]))),
    field('timezone', 'Time zone', tz),
    h('div', { class: 'actions' }, submit),
  ) as HTMLFormElement;

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!isCurrent(gen, site.id)) return;
    clearErrors(form);
    const limit = (v: string): number | string | null => {
      const t = v.trim();
      if (!t) return null;
      return /^-?\d+$/.test(t) ? Number(t) : t; // let the server judge anything odd
    };
    const body: Record<string, unknown> = {
      auto_publish_enabled: auto.checked,
      publish_days: [...days.querySelectorAll<HTMLInputElement>('input[type=checkbox]')].filter((c) => c.checked).map((c) => c.value),
      publish_time_slots: [...slotList.querySelectorAll<HTMLInputElement>('input')].map((i) => i.value.trim()).filter(Boolean),
    };
    LIMITS.forEach(([key], i) => { body[key] = limit(limitInputs[i].value); });
    const newTz = (tz as HTMLInputElement).value.trim();
    let tzChanged = false;
    try {
      await busy(submit, async () => {
        const before = await api.settings(site.id);
        await api.putSettings(site.id, body);
        if (newTz !== site.timezone) {
          try {
            const updated = await api.patchSite(site.id, { timezone: newTz });
            Object.assign(site, { timezone: updated?.timezone ?? newTz });
            tzChanged = true;
          } catch (err) {
            // keep "save nothing on error": put the previous settings back
            await api.putSettings(site.id, before).catch(() => undefined);
            if (err instanceof ApiError && !err.field) err.field = 'timezone';
            throw err;
          }
        }
      });
      if (!isCurrent(gen, site.id)) return;
      toast(tzChanged ? `Publishing settings saved; times now shown in ${site.timezone}.` : 'Publishing settings saved.');
      if (tzChanged) document.dispatchEvent(new CustomEvent('herald:site-updated', { detail: site }));
      else void loadSettings();
    } catch (err) {
      if (isCurrent(gen, site.id)) showError(form, err);
    }
  });
  return form;
}

