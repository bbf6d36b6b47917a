// Site forms: the first site / a new site, and editing a site (every field; the credential is
// write-only: left blank it stays as stored), with Test connection and Delete.
import { api, ApiError, type Site } from './api';
import { busy, confirmAction, h, toast } from './dom';
import { clearErrors, field, isHttpUrl, showError, showErrors, warningsOf, type FieldProblem } from './messages';
import { allZones, validZone } from './time';

export const PLATFORMS: Record<string, string> = {
  wordpress: 'WordPress',
  ghost: 'Ghost',
  shopify: 'Shopify',
  custom: 'Custom webhook',
};

const KEY_HINTS: Record<string, string> = {
  wordpress: 'WordPress application password.',
  ghost: 'Ghost Admin API key (id:secret).',
  shopify: 'Shopify Admin API access token.',
  custom: 'Webhook signing secret (whsec_… or plain).',
};

export function zoneInput(name: string, value: string, testid: string): HTMLInputElement {
  const listId = 'tz-list';
  if (!document.getElementById(listId)) {
    document.body.append(h('datalist', { id: listId }, allZones().map((z) => h('option', { value: z }))));
  }
  return h('input', { type: 'text', name, value, list: listId, autocomplete: 'off', spellcheck: 'false', 'data-testid': testid });
}

interface SiteFormOpts {
  first?: boolean;
  onSaved: (s: Site) => void;
  onCancel?: () => void;
  onDeleted?: (id: number) => void;
}

/** `site` null: create; otherwise edit that site. */
export function siteForm(site: Site | null, opts: SiteFormOpts): HTMLFormElement {
  const editing = !!site;
  const name = h('input', { type: 'text', name: 'name', required: true, autocomplete: 'off', value: site?.name ?? '', 'data-testid': 'site-name' });
  const platform = h('select', { name: 'platform_type', 'data-testid': 'site-platform' },
    Object.entries(PLATFORMS).map(([v, label]) => h('option', { value: v }, label)));
  platform.value = site?.platform_type ?? 'wordpress';
  const domain = h('input', { type: 'url', name: 'domain', placeholder: 'https://blog.example.com', autocomplete: 'off', value: site?.domain ?? '', 'data-testid': 'site-domain' });
  const apiKey = h('input', { type: 'password', name: 'api_key', autocomplete: 'new-password', 'data-testid': 'site-api-key',
    placeholder: site?.has_api_key ? '•••••••• (stored)' : '' });
  const username = h('input', { type: 'text', name: 'username', autocomplete: 'off', value: site?.username ?? '', 'data-testid': 'site-username' });
  const tz = zoneInput('timezone', site ? site.timezone : validZone(Intl.DateTimeFormat().resolvedOptions().timeZone), 'site-timezone-input');
  const active = h('input', { type: 'checkbox', id: `site-active-${site?.id ?? 'new'}`, checked: site ? site.is_active !== false : true, 'data-testid': 'site-active' });
  const submit = h('button', { type: 'submit', class: 'btn', 'data-testid': editing ? 'site-save' : 'site-create' },
    editing ? 'Save site' : opts.first ? 'Create my first site' : 'Create site');

  const keyHint = () => (editing && site?.has_api_key ? 'Stored and never shown. Leave blank to keep it; type a new one to replace it. ' : '') + (KEY_HINTS[platform.value] ?? '');
  const hint = h('p', { class: 'hint', 'data-testid': 'site-api-key-hint' }, keyHint());
  const userField = field('username', 'Username (WordPress)', username);
  const showUser = () => { userField.hidden = platform.value !== 'wordpress' && !username.value; };
  platform.addEventListener('change', () => { hint.textContent = keyHint(); showUser(); });
  showUser();

  // Test connection: checks the stored site (after saving any change first).
  const testResult = h('p', { class: 'test-result', 'data-testid': 'site-test-result', 'aria-live': 'polite', hidden: true });
  const testBtn = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'site-test' }, 'Test connection');
  const keyField = field('api_key', 'Platform credential', apiKey);
  keyField.append(hint);
  if (editing) keyField.append(h('div', { class: 'row' }, testBtn, testResult));

  const credentialField = keyField;
  // A site saved through the API without what its platform needs says so (server `warnings`).
  const incomplete = warningsOf(site);
  const form = h('form', { class: 'form site-form', novalidate: true, 'data-testid': editing ? 'site-edit-form' : opts.first ? 'first-site-form' : 'site-form' },
    h('div', { 'data-field': '__form' }),
    incomplete.length ? h('p', { class: 'warning', role: 'status', 'data-testid': 'site-warnings' }, `This site cannot publish yet: ${incomplete.join(' ')}`) : null,
    field('name', 'Site name', name),
    field('platform_type', 'Platform', platform),
    field('domain', 'Address (base URL; for a custom webhook the full endpoint URL)', domain),
    userField,
    credentialField,
    field('timezone', 'Time zone (publishing slots are read in it)', tz),
    editing ? h('div', { class: 'field field-check', 'data-field': 'is_active' }, active, h('label', { for: active.id }, 'Active (scheduled and published)')) : null,
    h('div', { class: 'actions' }, submit,
      opts.onCancel ? h('button', { type: 'button', class: 'btn btn-secondary', onclick: opts.onCancel }, 'Cancel') : null),
  ) as HTMLFormElement;

  const body = (): Record<string, unknown> => {
    const b: Record<string, unknown> = {
      name: name.value.trim(),
      platform_type: platform.value,
      domain: domain.value.trim(),
      timezone: tz.value.trim() || 'UTC',
    };
    if (apiKey.value) b.api_key = apiKey.value;
    if (username.value.trim() || editing) b.username = username.value.trim();
    if (editing) b.is_active = active.checked;
    return b;
  };
  const check = (): FieldProblem[] => {
    const p: FieldProblem[] = [];
    if (!name.value.trim()) p.push({ field: 'name', message: 'Give the site a name.' });
    if (!isHttpUrl(domain.value.trim())) p.push({ field: 'domain', message: 'Enter the full address, starting with https:// (or http://).' });
    if (platform.value === 'wordpress' && !username.value.trim()) p.push({ field: 'username', message: 'WordPress needs the user the application password belongs to.' });
    if (!apiKey.value && !site?.has_api_key) p.push({ field: 'api_key', message: `Enter the credential: ${KEY_HINTS[platform.value] ?? ''}`.trim() });
    if (tz.value.trim() && validZone(tz.value.trim()) !== tz.value.trim()) p.push({ field: 'timezone', message: 'Pick a time zone from the list (e.g. Europe/Berlin).' });
    return p;
  };
  let saved = site;
  let snapshot = body();
  const save = async (): Promise<Site | null> => {
    clearErrors(form);
    const problems = check();
    if (problems.length) { showErrors(form, problems); return null; }
    try {
      const s = await busy(submit, () => (saved ? api.patchSite(saved.id, body()) : api.createSite(body())));
      apiKey.value = '';
      return s;
    } catch (err) {
      showError(form, err);
      return null;
    }
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const s = await save();
    if (!s) return;
    saved = s;
    snapshot = body();
    if (!editing) form.reset();
    opts.onSaved(s);
  });
  testBtn.addEventListener('click', async () => {
    if (!saved) return;
    const id = saved.id;
    testResult.hidden = true;
    const dirty = JSON.stringify(body()) !== JSON.stringify(snapshot) || !!apiKey.value;
    if (dirty) {
      const s = await save();
      if (!s) return;
      saved = s;
      snapshot = body();
    }
    await busy(testBtn, async () => {
      try {
        const r = await api.testConnection(id);
        testResult.className = 'test-result test-ok';
        testResult.textContent = r.message ? `✓ Connected: ${r.message}` : '✓ Connected.';
      } catch (err) {
        testResult.className = 'test-result test-fail';
        testResult.textContent = `✗ ${err instanceof ApiError ? err.message : String(err)}`;
      }
      testResult.hidden = false;
      if (dirty && saved) opts.onSaved(saved);
    });
  });
  if (editing && opts.onDeleted) {
    const del = h('button', { type: 'button', class: 'btn btn-danger-outline', 'data-testid': 'site-delete' }, 'Delete site…');
    del.addEventListener('click', async () => {
      if (!saved) return;
      const ok = await confirmAction({
        title: `Delete “${saved.name}”?`,
        message: 'The site, its settings and all its content are removed from herald. Posts already on the site stay there. This cannot be undone.',
        confirm: 'Delete site',
        danger: true,
      });
      if (!ok) return;
      try {
        await busy(del, () => api.deleteSite(saved!.id));
        toast(`Deleted site “${saved.name}”.`);
        opts.onDeleted!(saved.id);
      } catch (err) {
        showError(form, err);
      }
    });
    form.querySelector('.actions')?.append(del);
  }
  return form;
}
