// Item details dialog: status, times, last error, publishing records, actions.
import { api, ApiError, type Content, type PublishingRecord } from './api';
import { append, busy, clear, h, toast } from './dom';
import { HEALTH_EVENT, isWaiting, WAITING_LABEL, waitingTitle } from './health';
import { contentChanged, isCurrent, onContentChanged, onRefresh, state, STATUS_META } from './state';
import { fmtLocal, fromLocalInput, toLocalInput } from './time';

let dialog: HTMLDialogElement;
let currentId: number | null = null;
let current: Content | null = null;
let records: PublishingRecord[] | null = null;
let recordsError: string | null = null;
let actionError: string | null = null;

export function initItemDialog(): void {
  dialog = document.getElementById('item-dialog') as HTMLDialogElement;
  dialog.addEventListener('close', () => { currentId = null; current = null; });
  // click on the backdrop closes
  dialog.addEventListener('click', (e) => { if (e.target === dialog) dialog.close(); });
  onRefresh(() => {
    // polling mode: keep an open item fresh too
    const id = currentId;
    const site = state.site;
    if (id === null || !site || !dialog.open || !current) return;
    const gen = state.gen;
    api.content(id).then((c) => {
      if (!isCurrent(gen, site.id) || currentId !== id || !dialog.open) return;
      const changed = JSON.stringify(c) !== JSON.stringify(current);
      if (changed) { current = c; render(); loadRecords(id, gen); }
    }, () => undefined);
  });
  document.addEventListener(HEALTH_EVENT, () => { if (dialog.open && current) render(); });
  onContentChanged((c) => {
    if (currentId !== c.id || !dialog.open) return;
    const moved = !current || current.site_status !== c.site_status;
    current = c;
    render();
    if (moved) loadRecords(c.id, state.gen); // a settled attempt added a record
  });
}

export function closeItemDialog(): void {
  if (dialog?.open) dialog.close();
  currentId = null;
  current = null;
}

export async function openItem(id: number): Promise<void> {
  const site = state.site;
  if (!site) return;
  const gen = state.gen;
  currentId = id;
  current = null;
  records = null;
  recordsError = null;
  actionError = null;
  render();
  if (!dialog.open) dialog.showModal();
  try {
    const c = await api.content(id);
    if (!isCurrent(gen, site.id) || currentId !== id) return;
    if (c.site_id !== site.id) { dialog.close(); return; }
    current = c;
    render();
    loadRecords(id, gen);
  } catch (e) {
    if (!isCurrent(gen, site.id) || currentId !== id) return;
    actionError = e instanceof ApiError ? e.message : String(e);
    render();
  }
}

async function loadRecords(id: number, gen: number): Promise<void> {
  const site = state.site;
  if (!site) return;
  try {
    const r = await api.records(id, site.id);
    if (!isCurrent(gen, site.id) || currentId !== id) return;
    records = r.filter((x) => x.content_id === id).sort((a, b) => a.attempt - b.attempt || a.id - b.id);
    recordsError = null;
  } catch (e) {
    if (!isCurrent(gen, site.id) || currentId !== id) return;
    records = [];
    recordsError = e instanceof ApiError ? e.message : String(e);
  }
  render();
}

async function act(btn: HTMLButtonElement, label: string, fn: () => Promise<unknown>): Promise<void> {
  const site = state.site;
  const id = currentId;
  if (!site || id === null) return;
  const gen = state.gen;
  actionError = null;
  try {
    await busy(btn, fn);
    if (!isCurrent(gen, site.id)) return;
    const fresh = await api.content(id);
    if (!isCurrent(gen, site.id)) return;
    contentChanged(fresh);
    toast(label);
    if (currentId === id) { current = fresh; loadRecords(id, gen); }
  } catch (e) {
    if (!isCurrent(gen, site.id)) return;
    actionError = e instanceof ApiError ? e.message : String(e);
    // A refused or failed action may still have changed the item (publish-now that the
    // platform rejected is now `failed` with its error): show that state with the message.
    try {
      const fresh = await api.content(id);
      if (isCurrent(gen, site.id)) {
        contentChanged(fresh);
        if (currentId === id) { current = fresh; loadRecords(id, gen); }
      }
    } catch { /* the message above is what matters */ }
    if (!isCurrent(gen, site.id)) return;
    render();
  }
}

function row(label: string, value: Node | string, testid?: string): Node[] {
  return [h('dt', null, label), h('dd', testid ? { 'data-testid': testid } : null, value)];
}

function render(): void {
  const site = state.site;
  clear(dialog);
  const closeBtn = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close', 'data-testid': 'item-close', onclick: () => dialog.close() }, '×');
  if (!current || !site) {
    append(dialog, [
      h('div', { class: 'dialog-head' }, h('h2', { id: 'item-title' }, 'Loading…'), closeBtn),
      actionError ? h('p', { class: 'error', role: 'alert', 'data-testid': 'item-error' }, actionError) : null,
    ]);
    dialog.setAttribute('aria-labelledby', 'item-title');
    return;
  }
  const c = current;
  const tz = site.timezone;
  const meta = STATUS_META[c.site_status] ?? STATUS_META.not_published;
  dialog.dataset.contentId = String(c.id);

  const badge = h('span', { class: 'badge', 'data-testid': 'item-site-status', 'data-status': c.site_status, style: `background:${meta.bg};color:${meta.fg}` }, `${meta.icon} ${meta.label}`);
  const edBadge = h('span', { class: 'badge badge-plain', 'data-testid': 'item-status' }, c.status);
  const waiting = isWaiting(c);
  const waitBadge = waiting ? h('span', { class: 'badge badge-waiting', 'data-testid': 'item-waiting' }, `‖ ${WAITING_LABEL}`) : null;
  const waitNote = waiting ? h('p', { class: 'warning', 'data-testid': 'item-waiting-note' }, waitingTitle()) : null;

  const details = h('dl', { class: 'details' },
    row('Scheduled', fmtLocal(c.scheduled_publish_at, tz), 'item-scheduled-at'),
    row('Published', fmtLocal(c.published_at, tz), 'item-published-at'),
    c.external_url ? row('On the site', h('a', { href: c.external_url, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'item-external-url' }, c.external_url)) : [],
    c.excerpt ? row('Excerpt', c.excerpt) : [],
    c.categories?.length ? row('Categories', c.categories.join(', ')) : [],
    c.tags?.length ? row('Tags', c.tags.join(', ')) : [],
  );

  const lastError = c.last_error
    ? h('div', { class: 'error-box', 'data-testid': 'item-last-error' }, h('strong', null, 'Last error: '), c.last_error)
    : null;

  // ---- actions
  const actions = h('div', { class: 'actions' });
  const ss = c.site_status;
  if (c.status === 'approved' && ss !== 'publishing') {
    const b = h('button', { type: 'button', class: 'btn', 'data-testid': 'action-publish-now' }, 'Publish now');
    b.addEventListener('click', () => {
      if (ss === 'published' && !confirm('This item is already published. Update the published post now?')) return;
      act(b, `Published “${c.title}”.`, () => api.publish(c.id, site.platform_type));
    });
    actions.append(b);
  }
  if (ss === 'scheduled') {
    const b = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'action-unschedule' }, 'Unschedule');
    b.addEventListener('click', () => act(b, `Unscheduled “${c.title}”.`, () => api.unschedule(c.id)));
    actions.append(b);
  }
  if (ss === 'failed') {
    const b = h('button', { type: 'button', class: 'btn', 'data-testid': 'action-retry' }, 'Retry now');
    b.addEventListener('click', () => act(b, `Retrying “${c.title}” in a few seconds.`,
      () => api.reschedule(c.id, new Date(Date.now() + 5000).toISOString().replace(/\.\d{3}Z$/, 'Z'))));
    actions.append(b);
  }
  if (c.status === 'review' || c.status === 'draft') {
    const b = h('button', { type: 'button', class: 'btn', 'data-testid': 'action-approve' }, 'Approve');
    b.addEventListener('click', () => act(b, `Approved “${c.title}”.`, () => approve(c)));
    actions.append(b);
  }

  // schedule / reschedule at a chosen local time
  let when: HTMLElement | null = null;
  const canSchedule = c.status === 'approved' && ss === 'not_published';
  const canReschedule = ss !== 'publishing' && ss !== 'not_published';
  if (canSchedule || canReschedule) {
    const input = h('input', { type: 'datetime-local', id: 'item-when', 'data-testid': 'item-when', value: toLocalInput(c.scheduled_publish_at, tz) });
    const b = h('button', { type: 'submit', class: 'btn btn-secondary', 'data-testid': canSchedule ? 'action-schedule' : 'action-reschedule' }, canSchedule ? 'Schedule' : 'Reschedule');
    when = h('form', { class: 'when', novalidate: true },
      h('label', { for: 'item-when' }, `${canSchedule ? 'Schedule' : 'Move'} to (${tz})`),
      h('div', { class: 'row' }, input, b));
    when.addEventListener('submit', (e) => {
      e.preventDefault();
      const iso = fromLocalInput(input.value, tz);
      if (!iso) { actionError = 'Pick a date and time.'; render(); return; }
      act(b, canSchedule ? `Scheduled “${c.title}”.` : `Rescheduled “${c.title}”.`,
        () => (canSchedule ? api.schedule(c.id, iso) : api.reschedule(c.id, iso)));
    });
  }

  // ---- records
  let recs: Node;
  if (records === null) recs = h('p', { class: 'muted' }, 'Loading publishing records…');
  else if (recordsError) recs = h('p', { class: 'error', 'data-testid': 'records-error' }, recordsError);
  else if (!records.length) recs = h('p', { class: 'muted', 'data-testid': 'records-empty' }, 'No publishing attempts yet.');
  else {
    recs = h('div', { class: 'table-wrap' }, h('table', { class: 'records', 'data-testid': 'records' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, 'Started'), h('th', { scope: 'col' }, 'Outcome'), h('th', { scope: 'col' }, 'HTTP'), h('th', { scope: 'col' }, 'Error / link'))),
      h('tbody', null, records.map((r) => h('tr', { 'data-testid': 'record', 'data-outcome': r.outcome },
        h('td', null, r.attempt),
        h('td', null, fmtLocal(r.started_at, tz)),
        h('td', null, r.outcome),
        h('td', null, r.http_status ?? '—'),
        h('td', null, r.error ? r.error : r.external_url ? h('a', { href: r.external_url, target: '_blank', rel: 'noopener noreferrer' }, 'view') : '—'),
      )))));
  }

  dialog.setAttribute('aria-labelledby', 'item-title');
  append(dialog, [
    h('div', { class: 'dialog-head' }, h('h2', { id: 'item-title', 'data-testid': 'item-title' }, c.title), closeBtn),
    h('div', { class: 'badges' }, badge, waitBadge, edBadge),
    waitNote,
    actionError ? h('p', { class: 'error', role: 'alert', 'data-testid': 'item-error' }, actionError) : null,
    lastError,
    details,
    actions.childElementCount ? actions : null,
    when,
    h('h3', null, 'Publishing records'),
    recs,
  ]);
}

/** draft → review → approved, as the API requires. */
export async function approve(c: Content): Promise<Content> {
  let cur = c;
  if (cur.status === 'draft') cur = await api.patchContent(cur.id, { status: 'review' });
  if (cur.status !== 'approved') cur = await api.patchContent(cur.id, { status: 'approved' });
  return cur;
}
