// Import panel: choose a file (CSV, JSON lines, Markdown, zip of Markdown), pick draft or
// approved, preview the first items and the slots they would take, then import (all or
// nothing; a refused row or file is named). Also the export buttons and the secret calendar
// feed (iCal) URL. The server has no import dry run: the preview is read in the browser and
// says so; the slots are an estimate from the site's free slots.
import { api, ApiError, RawBody, type IcalToken } from './api';
import { busy, clear, confirmAction, h, toast } from './dom';
import { MEDIA_TYPE, parseImport, type ParsedImport, type PreviewRow } from './importparse';
import { warningsOf } from './messages';
import { isCurrent, refreshAll, state } from './state';
import { fmtLocal } from './time';

const SHOWN = 10; // rows previewed

let root: HTMLElement;
export function initImport(el: HTMLElement): void { root = el; }

const where = (r: { row?: number | null; file?: string | null }) => (r.file ? `File “${r.file}”` : r.row ? `Row ${r.row}` : 'The file');

/** Free slots from now, in order, within the daily limit: where approved items without a time
 * would go (after the approved items already waiting), an estimate. */
async function estimateSlots(siteId: number, n: number, taken: Set<string>): Promise<string[]> {
  if (!n || !state.settings?.auto_publish_enabled) return [];
  const waiting = (await api.contentList({ site_id: siteId, status: 'approved', site_status: 'not_published' })).length;
  const now = new Date();
  const res = await api.slots(siteId, now.toISOString(), new Date(now.getTime() + 91 * 86400000).toISOString());
  const limit = state.settings?.daily_publish_limit ?? null;
  const perDay = new Map<string, number>();
  const out: string[] = [];
  let skip = waiting;
  const tz = state.site?.timezone ?? 'UTC';
  for (const s of res.results ?? []) {
    const day = fmtLocal(s.at, tz).slice(0, 15);
    if (s.state === 'taken') perDay.set(day, (perDay.get(day) ?? 0) + 1);
    if (s.state !== 'free' || taken.has(new Date(s.at).toISOString())) continue;
    if (limit !== null && (perDay.get(day) ?? 0) >= limit) continue;
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
    if (skip > 0) { skip--; continue; }
    out.push(s.at);
    if (out.length >= n) break;
  }
  return out;
}

function previewTable(parsed: ParsedImport, status: string, estimates: string[], tz: string, badRow: string | null): HTMLElement {
  let e = 0;
  let a = 0;
  // the instant each row would take, for the cell's data-at (tests compare it with the result)
  const estimateAt = (r: PreviewRow): string | null =>
    (typeof r.fields.scheduled_publish_at === 'string' ? r.fields.scheduled_publish_at : status === 'approved' ? estimates[a++] ?? null : null);
  const slotOf = (r: PreviewRow): Node | string => {
    const at = typeof r.fields.scheduled_publish_at === 'string' ? r.fields.scheduled_publish_at : null;
    if (at) return h('span', null, fmtLocal(at, tz), ' (its own time)');
    if (status !== 'approved') return 'none (a draft)';
    const est = estimates[e++];
    return est ? h('span', null, `≈ ${fmtLocal(est, tz)}`) : state.settings?.auto_publish_enabled ? 'no free slot in 3 months' : 'none until scheduled (auto-publish is off)';
  };
  const rows = parsed.rows.slice(0, SHOWN);
  return h('div', { class: 'table-wrap' }, h('table', { class: 'records import-rows', 'data-testid': 'import-preview-rows' },
    h('caption', { class: 'visually-hidden' }, 'The first items of the file'),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, parsed.kind === 'zip' ? 'File' : 'Row'), h('th', { scope: 'col' }, 'Title'), h('th', { scope: 'col' }, 'Slot'))),
    h('tbody', null, rows.map((r) => {
      const key = r.file ?? String(r.row);
      return h('tr', { 'data-testid': 'import-row', 'data-row': r.row, class: badRow === key || r.problem ? 'row-bad' : null },
        h('td', null, r.file ?? r.row),
        h('td', null, String(r.fields.title ?? '—'), r.problem ? h('span', { class: 'row-problem', 'data-testid': 'import-row-problem' }, ` — ${r.problem}`) : null),
        h('td', { 'data-testid': 'import-row-slot', 'data-at': estimateAt(r) }, slotOf(r)));
    }))));
}

function importSection(): HTMLElement {
  const site = state.site!;
  const gen = state.gen;
  const file = h('input', { type: 'file', id: 'import-file', accept: '.csv,.ndjson,.jsonl,.md,.markdown,.zip', 'data-testid': 'import-file', 'aria-describedby': 'import-hint' });
  const status = h('select', { id: 'import-status', 'data-testid': 'import-status' },
    h('option', { value: 'draft' }, 'Draft (nothing is scheduled)'), h('option', { value: 'approved' }, 'Approved (ready for the scheduler)'));
  const out = h('div', { 'data-testid': 'import-preview', 'aria-live': 'polite' });
  const go = h('button', { type: 'button', class: 'btn', disabled: true, 'data-testid': 'import-submit' }, 'Import');
  let parsed: ParsedImport | null = null;
  let badRow: string | null = null;
  let result: Node | null = null;

  const draw = async () => {
    clear(out);
    go.disabled = !parsed || !!parsed.error || !parsed.rows.length;
    if (result) out.append(result);
    if (!parsed) return;
    if (parsed.error) { out.append(h('p', { class: 'error', role: 'alert', 'data-testid': 'import-parse-error' }, parsed.error)); return; }
    const explicit = new Set(parsed.rows.map((r) => r.fields.scheduled_publish_at).filter((x): x is string => typeof x === 'string').map((x) => new Date(x).toISOString()));
    const needSlots = status.value === 'approved' ? parsed.rows.slice(0, SHOWN).filter((r) => !r.fields.scheduled_publish_at).length : 0;
    let estimates: string[] = [];
    try { estimates = await estimateSlots(site.id, needSlots, explicit); } catch { /* the slots are a hint */ }
    if (!isCurrent(gen, site.id)) return;
    const problems = parsed.rows.filter((r) => r.problem).length;
    const n = parsed.rows.length;
    clear(out);
    if (result) out.append(result);
    out.append(h('div', { class: 'preview', 'data-testid': 'import-preview-box' },
      h('p', null, h('strong', null, `${n} item${n === 1 ? '' : 's'} in the file`), n > SHOWN ? ` (the first ${SHOWN} shown)` : '', '.'),
      h('p', { class: 'hint', 'data-testid': 'import-preview-note' }, 'Preview read in your browser: nothing is sent yet. The server checks every item again when you import, and imports all of them or none. Slots marked ≈ are an estimate (the next free slots after the approved items already waiting).'),
      problems ? h('p', { class: 'warning', 'data-testid': 'import-local-problems' }, `${problems} item${problems === 1 ? '' : 's'} look${problems === 1 ? 's' : ''} wrong (marked below): the server will likely refuse the import.`) : null,
      previewTable(parsed, status.value, estimates, site.timezone, badRow)));
  };

  file.addEventListener('change', async () => {
    result = null; badRow = null;
    const f = file.files?.[0];
    parsed = f ? await parseImport(f) : null;
    await draw();
  });
  status.addEventListener('change', () => void draw());
  go.addEventListener('click', async () => {
    const f = file.files?.[0];
    if (!f || !parsed) return;
    result = null; badRow = null;
    try {
      const answer = await busy(go, () => api.importContent(site.id, status.value, new RawBody(f, MEDIA_TYPE[parsed!.kind])));
      if (!isCurrent(gen, site.id)) return;
      const warnings = Array.isArray(answer.warnings) ? answer.warnings as { row?: number; file?: string; message?: string }[] : [];
      const texts = warningsOf(answer);
      result = h('div', { class: 'notice', role: 'status', 'data-testid': 'import-result' },
        h('p', null, h('strong', null, `Imported ${answer.imported} item${answer.imported === 1 ? '' : 's'}`), ` as ${answer.status === 'approved' ? 'approved' : 'drafts'}.`),
        texts.length ? h('div', { class: 'warning', 'data-testid': 'import-warnings' }, h('p', null, 'Possible duplicates (imported anyway):'),
          h('ul', null, texts.map((t, i) => h('li', { 'data-testid': 'import-warning' }, `${where(warnings[i] ?? {})}: ${t}`)))) : null);
      parsed = null;
      file.value = '';
      toast(`Imported ${answer.imported} item${answer.imported === 1 ? '' : 's'}.`);
      refreshAll();
    } catch (e) {
      if (!isCurrent(gen, site.id)) return;
      // `row` or `file` sits beside `error` in the body (inside it on some servers)
      const top = (e instanceof ApiError && e.body && typeof e.body === 'object' ? e.body : {}) as Record<string, unknown>;
      const b = { ...(top.error && typeof top.error === 'object' ? top.error : {}), ...top } as Record<string, unknown>;
      const row = typeof b.row === 'number' ? b.row : null;
      const fileName = typeof b.file === 'string' ? b.file : null;
      badRow = fileName ?? (row !== null ? String(row) : null);
      const field = e instanceof ApiError ? e.field : null;
      result = h('div', { class: 'error-box', role: 'alert', 'data-testid': 'import-error' },
        h('p', null, h('strong', null, 'Nothing was imported. ')),
        h('p', null, (row !== null || fileName) ? h('strong', { 'data-testid': 'import-error-where' }, `${where({ row, file: fileName })}${field ? `, field “${field}”` : ''}: `) : null,
          // the server's message may already lead with where ("Row 2: …"): said once
          (e instanceof ApiError ? e.message : String(e)).replace(/^(Row \d+|File '[^']*'): /, '')),
        h('p', { class: 'hint-on-error' }, 'Fix it in the file and choose it again.'));
    }
    await draw();
  });

  return h('section', { class: 'import form', 'aria-labelledby': 'import-title', 'data-testid': 'import-section' },
    h('h3', { id: 'import-title' }, 'Import content'),
    h('div', { class: 'field' }, h('label', { for: 'import-file' }, 'File'), file,
      h('p', { class: 'hint', id: 'import-hint' }, 'CSV with a header row of field names (title, content_html, excerpt, slug, categories, tags, scheduled_publish_at …), JSON lines, one Markdown file with front matter, or a zip of Markdown files.')),
    h('div', { class: 'field' }, h('label', { for: 'import-status' }, 'Import as'), status),
    out,
    h('div', { class: 'actions' }, go));
}

function exportSection(): HTMLElement {
  const site = state.site!;
  const btn = (format: 'csv' | 'ndjson', label: string) => {
    const b = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': `export-${format}` }, label);
    b.addEventListener('click', async () => {
      try {
        const blob = await busy(b, () => api.exportContent(site.id, format));
        const a = h('a', { href: URL.createObjectURL(blob), download: `herald-site-${site.id}.${format}` });
        document.body.append(a);
        a.click();
        a.remove();
        window.setTimeout(() => URL.revokeObjectURL(a.href), 10000);
      } catch (e) { toast(e instanceof ApiError ? e.message : String(e), 'error'); }
    });
    return b;
  };
  return h('section', { class: 'export', 'aria-labelledby': 'export-title', 'data-testid': 'export-section' },
    h('h3', { id: 'export-title' }, 'Export'),
    h('p', { class: 'hint' }, 'Every item of the site, in the import’s own format (a scheduled time only while it is scheduled).'),
    h('div', { class: 'actions' }, btn('csv', 'Download CSV'), btn('ndjson', 'Download JSON lines')));
}

function feedSection(): HTMLElement {
  const site = state.site!;
  const box = h('div', { 'data-testid': 'ical-box' });
  const make = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'ical-create' }, 'Create feed URL…');
  const off = h('button', { type: 'button', class: 'btn btn-danger-outline', 'data-testid': 'ical-revoke' }, 'Turn the feed off…');
  const show = (t: IcalToken) => {
    clear(box);
    const url = `${location.origin}${t.path}`;
    const input = h('input', { type: 'text', readonly: true, value: url, id: 'ical-url', 'data-testid': 'ical-url', spellcheck: 'false' });
    const copy = h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'ical-copy' }, 'Copy');
    copy.addEventListener('click', async () => {
      try { await navigator.clipboard.writeText(url); toast('Feed URL copied.'); } catch { input.select(); toast('Select the URL and copy it (the browser refused).', 'warning'); }
    });
    box.append(h('div', { class: 'field' }, h('label', { for: 'ical-url' }, 'Secret feed URL'), h('div', { class: 'row copy-row' }, input, copy),
      h('p', { class: 'hint' }, 'Shown once: anyone with this URL can read the site’s publishing calendar. Add it to your calendar app as a subscription.')));
  };
  make.addEventListener('click', async () => {
    const ok = await confirmAction({
      title: 'Create a new calendar feed URL?',
      message: 'A new URL revokes the old one at once: calendar apps using the old URL stop updating until you give them the new one.',
      confirm: 'Create new URL',
    });
    if (!ok) return;
    try { show(await busy(make, () => api.createIcalToken(site.id))); make.textContent = 'New URL (revokes this one)…'; } catch (e) { toast(e instanceof ApiError ? e.message : String(e), 'error'); }
  });
  off.addEventListener('click', async () => {
    const ok = await confirmAction({ title: 'Turn the calendar feed off?', message: 'The current feed URL stops working. You can create a new one later.', confirm: 'Turn off', danger: true });
    if (!ok) return;
    try {
      await busy(off, () => api.revokeIcalToken(site.id));
      clear(box);
      toast('The calendar feed is off.');
    } catch (e) { toast(e instanceof ApiError && e.status === 404 ? 'There was no feed to turn off.' : e instanceof ApiError ? e.message : String(e), e instanceof ApiError && e.status === 404 ? 'info' : 'error'); }
  });
  return h('section', { class: 'feed', 'aria-labelledby': 'ical-title', 'data-testid': 'ical-section' },
    h('h3', { id: 'ical-title' }, 'Calendar feed (iCal)'),
    h('p', { class: 'hint' }, 'A secret URL your calendar app can subscribe to: every scheduled and published item of this site. Creating a URL revokes any earlier one.'),
    box, h('div', { class: 'actions' }, make, off));
}

/** Redrawn per site. */
export function renderImport(): void {
  if (!root) return;
  clear(root);
  if (!state.site) return;
  root.append(importSection(), exportSection(), feedSection());
}
