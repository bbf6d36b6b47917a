// Item details dialog: status, times, last error, publishing records, actions.
import { api, ApiError, type Content, type PublishingRecord, type Site } from './api';
import { duplicate, editForm, approve } from './contentform';
import { append, busy, clear, confirmAction, h, toast } from './dom';
import { sanitize } from './editor';
import { HEALTH_EVENT, isWaiting, WAITING_LABEL, waitingTitle } from './health';
import { HELD_WHY, heldBadge } from './held';
import { queueOperation } from './queueops';
import { latenessOf, lateText, recurrenceText } from './planfields';
import { contentChanged, contentRemoved, isCurrent, onContentChanged, onRefresh, state, STATUS_META } from './state';
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
      if (changed) { current = c; redraw(); loadRecords(id, gen); }
    }, () => undefined);
  });
  document.addEventListener(HEALTH_EVENT, () => { if (dialog.open && current) redraw(); });
  onContentChanged((c) => {
    if (currentId !== c.id || !dialog.open) return;
    const moved = !current || current.site_status !== c.site_status;
    current = c;
    redraw();
    if (moved) loadRecords(c.id, state.gen); // a settled attempt added a record
  });
}

/** Redraws for news that arrive on their own (records, live events, polling), but never
 * under an open edit form: that would throw away what is being typed. Saving or cancelling
 * the form draws the fresh state. */
function redraw(): void {
  if (!editing) render();
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
  editing = false;
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
  redraw();
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

const EDITORIAL: Record<string, string> = { draft: 'Draft', review: 'In review', approved: 'Approved' };
const OUTCOME: Record<string, string> = { published: 'Published', failed: 'Failed', retry: 'Will retry' };
let editing = false;

/** The same failure is often both the action's answer and the item's last_error: say it once. */
function sameMessage(a: string, b: string | null | undefined): boolean {
  if (!b) return false;
  const n = (x: string) => x.trim().replace(/[.!?]+$/, '').toLowerCase();
  return n(a).includes(n(b)) || n(b).includes(n(a));
}

function actionButtons(c: Content, site: Site): HTMLElement {
  const actions = h('div', { class: 'actions' });
  const ss = c.site_status;
  const add = (label: string, testid: string, cls: string, onClick: (b: HTMLButtonElement) => void, title?: string) => {
    const b = h('button', { type: 'button', class: cls, 'data-testid': testid, title: title ?? null }, label);
    b.addEventListener('click', () => onClick(b));
    actions.append(b);
  };
  // One "publish now" action; for a failed item it is the retry (its scheduled time is kept).
  if (c.status === 'approved' && ss !== 'publishing') {
    if (ss === 'failed') {
      add('Retry now', 'action-retry', 'btn', (b) => act(b, `Retried “${c.title}”.`, () => api.publish(c.id, site.platform_type)));
    } else if (ss === 'published') {
      add('Update the post now…', 'action-publish-now', 'btn btn-secondary', async (b) => {
        const ok = await confirmAction({ title: 'Update the published post?', message: `“${c.title}” is already on the site. Send the current text now? The post is updated in place, never copied.`, confirm: 'Update now' });
        if (ok) act(b, `Updated “${c.title}” on the site.`, () => api.publish(c.id, site.platform_type));
      });
    } else {
      add('Publish now', 'action-publish-now', 'btn', (b) => act(b, `Published “${c.title}”.`, () => api.publish(c.id, site.platform_type)));
    }
  }
  if (ss === 'scheduled' && !c.pinned) {
    add('Move to top…', 'action-move-to-top', 'btn btn-secondary', (b) => void queueOperation('move-to-top', b, c.id, c.title), 'Take the earliest free slot; later items move down');
  }
  if (ss === 'scheduled') add('Unschedule', 'action-unschedule', 'btn btn-secondary', (b) => act(b, `Unscheduled “${c.title}”.`, () => api.unschedule(c.id)));
  if (c.status === 'review' || c.status === 'draft') add('Approve', 'action-approve', 'btn', (b) => act(b, `Approved “${c.title}”.`, () => approve(c)));
  if (ss !== 'publishing') add('Edit', 'action-edit', 'btn btn-secondary', () => { editing = true; render(); });
  add('Duplicate', 'action-duplicate', 'btn btn-secondary', async (b) => {
    const gen = state.gen;
    try {
      const copy = await busy(b, () => duplicate(c));
      if (!isCurrent(gen, site.id)) return;
      contentChanged(copy);
      toast(`Duplicated as the draft “${copy.title}”.`);
      void openItem(copy.id);
    } catch (e) { actionError = e instanceof ApiError ? e.message : String(e); render(); }
  });
  if (ss !== 'publishing') {
    add('Delete…', 'action-delete', 'btn btn-danger-outline', async (b) => {
      const ok = await confirmAction({
        title: `Delete “${c.title}”?`,
        message: ss === 'published' ? 'herald forgets it and its publishing records. The post already on the site stays there.' : 'It and its publishing records are removed. This cannot be undone.',
        confirm: 'Delete', danger: true,
      });
      if (!ok) return;
      const gen = state.gen;
      try {
        await busy(b, () => api.deleteContent(c.id));
        if (!isCurrent(gen, site.id)) return;
        contentRemoved(c);
        toast(`Deleted “${c.title}”.`);
        dialog.close();
      } catch (e) { actionError = e instanceof ApiError ? e.message : String(e); render(); }
    });
  }
  return actions;
}

/** Schedule (approved, not on the calendar), move (scheduled or failed) or republish (published). */
function whenForm(c: Content, site: Site): HTMLElement | null {
  const ss = c.site_status;
  const tz = site.timezone;
  const mode = c.status === 'approved' && ss === 'not_published' ? 'schedule' : ss === 'published' ? 'republish' : ss === 'scheduled' || ss === 'failed' ? 'move' : null;
  if (!mode) return null;
  const input = h('input', { type: 'datetime-local', id: 'item-when', 'data-testid': 'item-when', value: toLocalInput(mode === 'republish' ? null : c.scheduled_publish_at, tz) });
  const label = { schedule: 'Schedule', move: 'Reschedule', republish: 'Republish at…' }[mode];
  const b = h('button', { type: 'submit', class: 'btn btn-secondary', 'data-testid': mode === 'schedule' ? 'action-schedule' : mode === 'move' ? 'action-reschedule' : 'action-republish' }, label);
  const form = h('form', { class: 'when', novalidate: true },
    h('label', { for: 'item-when' }, { schedule: 'Schedule for', move: 'Move to', republish: 'Publish again at' }[mode], ` (${tz})`),
    h('div', { class: 'row' }, input, b),
    mode === 'republish' ? h('p', { class: 'hint' }, 'Sends the current text again at that time, updating the post on the site. The first publication stays in the calendar’s history.') : null);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const iso = fromLocalInput(input.value, tz);
    if (!iso) { actionError = 'Pick a date and a time.'; render(); return; }
    if (mode === 'republish') {
      const ok = await confirmAction({
        title: 'Republish this post?',
        message: `“${c.title}” was published ${fmtLocal(c.published_at, tz)}. Publish it again on ${fmtLocal(iso, tz)}? The post on the site is updated in place.`,
        confirm: 'Republish then',
      });
      if (!ok) return;
    }
    act(b, mode === 'schedule' ? `Scheduled “${c.title}”.` : mode === 'move' ? `Rescheduled “${c.title}”.` : `“${c.title}” will be republished ${fmtLocal(iso, tz)}.`,
      () => (mode === 'schedule' ? api.schedule(c.id, iso) : api.reschedule(c.id, iso)));
  });
  return form;
}

function recordsTable(tz: string): Node {
  if (records === null) return h('p', { class: 'muted' }, 'Loading publishing records…');
  if (recordsError) return h('p', { class: 'error', 'data-testid': 'records-error' }, recordsError);
  if (!records.length) return h('p', { class: 'muted', 'data-testid': 'records-empty' }, 'No publishing attempts yet.');
  return h('div', { class: 'table-wrap' }, h('table', { class: 'records', 'data-testid': 'records' },
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Attempt'), h('th', { scope: 'col' }, 'Started'), h('th', { scope: 'col' }, 'Outcome'), h('th', { scope: 'col' }, 'HTTP'), h('th', { scope: 'col' }, 'Error / link'))),
    h('tbody', null, records.map((r, i) => h('tr', { 'data-testid': 'record', 'data-outcome': r.outcome },
      // numbered in order over the item's whole history (the API's attempt restarts per publication)
      h('td', { 'data-testid': 'record-number' }, `#${i + 1}`),
      h('td', null, fmtLocal(r.started_at, tz), (latenessOf(r) ?? 0) >= 1 ? h('span', { class: 'late', 'data-testid': 'record-lateness' }, ` ${lateText(latenessOf(r)!)}`) : null),
      h('td', null, OUTCOME[r.outcome] ?? r.outcome),
      h('td', null, r.http_status ?? '—'),
      h('td', null, r.error ? r.error : r.external_url ? h('a', { href: r.external_url, target: '_blank', rel: 'noopener noreferrer' }, 'view') : '—'),
    )))));
}

function render(): void {
  const site = state.site;
  clear(dialog);
  const closeBtn = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close', 'data-testid': 'item-close', onclick: () => dialog.close() }, '×');
  dialog.setAttribute('aria-labelledby', 'item-title');
  if (!current || !site) {
    append(dialog, [
      h('div', { class: 'dialog-head' }, h('h2', { id: 'item-title' }, 'Loading…'), closeBtn),
      actionError ? h('p', { class: 'error', role: 'alert', 'data-testid': 'item-error' }, actionError) : null,
    ]);
    return;
  }
  const c = current;
  const tz = site.timezone;
  dialog.dataset.contentId = String(c.id);
  const head = h('div', { class: 'dialog-head' }, h('h2', { id: 'item-title', 'data-testid': 'item-title' }, editing ? `Edit “${c.title}”` : c.title), closeBtn);
  if (editing) {
    append(dialog, [head, editForm(c, (fresh) => { editing = false; if (fresh) current = fresh; render(); })]);
    dialog.querySelector<HTMLElement>('[data-testid="content-title"]')?.focus();
    return;
  }
  const meta = STATUS_META[c.site_status] ?? STATUS_META.not_published;
  const badge = h('span', { class: 'badge', 'data-testid': 'item-site-status', 'data-status': c.site_status, style: `background:${meta.bg};color:${meta.fg}` }, `${meta.icon} ${meta.label}`);
  const edBadge = h('span', { class: 'badge badge-plain', 'data-testid': 'item-status', 'data-status': c.status }, EDITORIAL[c.status] ?? c.status);
  const waiting = isWaiting(c);
  const waitBadge = waiting ? h('span', { class: 'badge badge-waiting', 'data-testid': 'item-waiting' }, `‖ ${WAITING_LABEL}`) : null;
  const waitNote = waiting ? h('p', { class: 'warning', 'data-testid': 'item-waiting-note' }, waitingTitle()) : null;
  const heldNote = c.held ? h('p', { class: 'warning', 'data-testid': 'item-held-note' }, HELD_WHY) : null;

  const details = h('dl', { class: 'details' },
    row('Scheduled', fmtLocal(c.scheduled_publish_at, tz), 'item-scheduled-at'),
    row('Published', fmtLocal(c.published_at, tz), 'item-published-at'),
    c.external_url ? row('On the site', h('a', { href: c.external_url, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'item-external-url' }, c.external_url)) : [],
    c.pinned ? row('Pinned', 'Yes: the scheduler and queue operations never move it', 'item-pinned') : [],
    c.recurrence ? row('Repeats', recurrenceText(c.recurrence), 'item-recurrence') : [],
    c.slug ? row('Slug', c.slug) : [],
    c.excerpt ? row('Excerpt', c.excerpt) : [],
    c.categories?.length ? row('Categories', c.categories.join(', ')) : [],
    c.tags?.length ? row('Tags', c.tags.join(', ')) : [],
    c.featured_image_url ? row('Featured image', c.featured_image_url) : [],
  );
  const failed = c.site_status === 'failed';
  const lastError = c.last_error
    ? h('div', { class: 'error-box', role: failed ? 'alert' : null, 'data-testid': 'item-last-error' },
      h('strong', null, failed ? 'Publishing failed: ' : 'Last error: '), c.last_error,
      failed ? h('p', { class: 'hint-on-error' }, '“Retry now” publishes it at once and keeps its scheduled time; “Reschedule” moves it to another time.') : null)
    : null;
  const showActionError = actionError && !sameMessage(actionError, c.last_error);
  const body = h('details', { class: 'body-details' }, h('summary', null, 'Body preview'),
    h('div', { class: 'body-preview', 'data-testid': 'item-body-preview' }));
  body.addEventListener('toggle', () => {
    const box = body.querySelector('.body-preview') as HTMLElement;
    if (body.open) box.innerHTML = sanitize(c.content_html ?? '');
  }, { once: true });
  const actions = actionButtons(c, site);

  append(dialog, [
    head,
    h('div', { class: 'badges' }, badge, waitBadge, heldBadge(c, 'item-held', true), edBadge),
    waitNote,
    heldNote,
    showActionError ? h('p', { class: 'error', role: 'alert', 'data-testid': 'item-error' }, actionError) : null,
    lastError,
    details,
    body,
    actions,
    whenForm(c, site),
    h('h3', null, 'Publishing records'),
    recordsTable(tz),
  ]);
}
