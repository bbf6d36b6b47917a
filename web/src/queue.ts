// Queue panel: approved-but-unscheduled content, items in review, drafts,
// and the slot scheduler (run now / dry-run preview).
import { api, ApiError, type Content, type ScheduleResult } from './api';
import { busy, clear, h, toast } from './dom';
import { approve } from './contentform';
import { autoPublishSwitch } from './autopublish';
import { queueButtons } from './queueops';
import { SETTINGS_EVENT } from './settings';
import { contentChanged, isCurrent, onContentChanged, onContentRemoved, onRefresh, refreshAll, state } from './state';
import { fmtLocal } from './time';
import { HELD_WHY, heldBadge } from './held';

let root: HTMLElement;
let openItem: (id: number) => void = () => {};
let lists: { ready: Content[]; review: Content[]; drafts: Content[] } | null = null;
let loadError: string | null = null;
type Left = { content_id: number; reason: string; code?: string; title?: string }[];
let preview: { result: ScheduleResult; dry: boolean; left: Left } | null = null;
let schedulerError: string | null = null;
let loadSeq = 0;

export function initQueue(el: HTMLElement, onOpen: (id: number) => void): void {
  root = el;
  openItem = onOpen;
  onContentChanged((c) => {
    if (!lists) return;
    const strip = (l: Content[]) => l.filter((x) => x.id !== c.id);
    lists.ready = strip(lists.ready);
    lists.review = strip(lists.review);
    lists.drafts = strip(lists.drafts);
    titles.set(c.id, c.title);
    if (c.status === 'approved' && c.site_status === 'not_published') lists.ready.push(c);
    else if (c.status === 'review') lists.review.push(c);
    else if (c.status === 'draft' && c.site_status === 'not_published') lists.drafts.push(c);
    render();
  });
  onContentRemoved((c) => {
    if (!lists) return;
    const strip = (l: Content[]) => l.filter((x) => x.id !== c.id);
    lists = { ready: strip(lists.ready), review: strip(lists.review), drafts: strip(lists.drafts) };
    render();
  });
  onRefresh(() => { void loadQueue(false); });
  document.addEventListener(SETTINGS_EVENT, () => render());
}

export function resetQueue(): void {
  lists = null;
  loadError = null;
  preview = null;
  schedulerError = null;
  loadSeq++;
  render();
  if (state.site) void loadQueue(true);
}

export async function loadQueue(showLoading: boolean): Promise<void> {
  const site = state.site;
  if (!site) return;
  const gen = state.gen;
  const seq = ++loadSeq;
  if (showLoading) { lists = null; render(); }
  try {
    const [ready, review, drafts] = await Promise.all([
      api.contentList({ site_id: site.id, status: 'approved', site_status: 'not_published', ordering: 'id' }),
      api.contentList({ site_id: site.id, status: 'review', ordering: 'id' }),
      api.contentList({ site_id: site.id, status: 'draft', ordering: '-id' }),
    ]);
    if (!isCurrent(gen, site.id) || seq !== loadSeq) return;
    const mine = (l: Content[]) => l.filter((c) => c.site_id === site.id);
    lists = { ready: mine(ready), review: mine(review), drafts: mine(drafts) };
    for (const c of [...lists.ready, ...lists.review, ...lists.drafts]) titles.set(c.id, c.title);
    loadError = null;
  } catch (e) {
    if (!isCurrent(gen, site.id) || seq !== loadSeq) return;
    loadError = e instanceof ApiError ? e.message : String(e);
  }
  render();
}

async function runScheduler(btn: HTMLButtonElement, dryRun: boolean): Promise<void> {
  const site = state.site;
  if (!site) return;
  const gen = state.gen;
  schedulerError = null;
  try {
    const result = await busy(btn, () => api.scheduleApproved(site.id, dryRun));
    if (!isCurrent(gen, site.id)) return;
    const placed = new Set((result.assignments ?? []).map((a) => a.content_id));
    // The server's reasons; older servers list them in left_unscheduled, or only count
    // what they left (a number): then the ready items that got nothing.
    const left: Left = Array.isArray(result.unscheduled)
      ? result.unscheduled.map((u) => ({ content_id: u.content_id, reason: u.reason?.message ?? '', code: u.reason?.code }))
      : Array.isArray(result.left_unscheduled)
        ? result.left_unscheduled
        : (lists ? lists.ready.filter((c) => !placed.has(c.id)).map((c) => ({ content_id: c.id, reason: '', title: c.title })) : []);
    preview = { result, dry: dryRun, left };
    if (!dryRun) {
      toast(`Scheduled ${result.assigned} item${result.assigned === 1 ? '' : 's'}.`);
      refreshAll();
    }
  } catch (e) {
    if (!isCurrent(gen, site.id)) return;
    schedulerError = e instanceof ApiError
      ? (e.status === 404 && e.code === 'http_404' ? 'This server cannot run the scheduler from the browser yet.' : e.message)
      : String(e);
  }
  render();
}

const titles = new Map<number, string>(); // outlives the lists: a placed item leaves them
function titleOf(id: number): string {
  return titles.get(id) ?? `Item #${id}`;
}

function itemRow(c: Content, extra: Node | null): HTMLElement {
  return h('li', { class: 'queue-item', 'data-testid': 'queue-item', 'data-content-id': c.id, 'data-status': c.status },
    h('button', { type: 'button', class: 'link queue-title', 'data-testid': 'queue-open', onclick: () => openItem(c.id) }, c.title),
    extra,
  );
}

function approveButton(c: Content): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'queue-approve' }, 'Approve');
  b.addEventListener('click', async () => {
    const site = state.site;
    if (!site) return;
    const gen = state.gen;
    try {
      const updated = await busy(b, () => approve(c));
      if (!isCurrent(gen, site.id)) return;
      contentChanged(updated);
      toast(`Approved “${c.title}”.`);
    } catch (e) {
      if (isCurrent(gen, site.id)) toast(e instanceof ApiError ? e.message : String(e), 'error');
    }
  });
  return b;
}

function section(title: string, testid: string, items: Content[], mk: (c: Content) => Node | null, empty: string): HTMLElement {
  return h('section', { class: 'queue-section', 'data-testid': testid },
    h('h3', null, `${title} `, h('span', { class: 'count' }, `(${items.length})`)),
    items.length ? h('ul', { class: 'queue-list' }, items.map((c) => itemRow(c, mk(c)))) : h('p', { class: 'muted' }, empty));
}

export function render(): void {
  if (!root) return;
  clear(root);
  const site = state.site;
  if (!site) return;

  const runBtn = h('button', { type: 'button', class: 'btn', 'data-testid': 'scheduler-run' }, 'Run scheduler now');
  const dryBtn = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'scheduler-preview' }, 'Preview (dry run)');
  runBtn.addEventListener('click', () => runScheduler(runBtn, false));
  dryBtn.addEventListener('click', () => runScheduler(dryBtn, true));

  const previewBox = preview ? resultBox(preview.result, preview.dry, preview.left, site.timezone) : null;

  root.append(
    h('div', { class: 'scheduler' },
      autoPublishSwitch('queue'),
      h('p', { class: 'muted' }, 'The slot scheduler gives approved items the next free publishing slots. “Run scheduler now” places them once, whether auto-publish is on or off.'),
      h('div', { class: 'actions' }, runBtn, dryBtn),
      schedulerError ? h('p', { class: 'error', role: 'alert', 'data-testid': 'scheduler-error' }, schedulerError) : null,
      previewBox),
    h('div', { class: 'queue-ops' },
      h('h3', null, 'Scheduled queue'),
      h('p', { class: 'muted' }, 'Place the scheduled items again: in their order under the current settings (Rebalance) or in a random order (Shuffle). Pinned items stay. Each shows what would move first.'),
      queueButtons()),
  );

  if (loadError) {
    root.append(h('p', { class: 'error', role: 'alert', 'data-testid': 'queue-error' }, loadError));
    return;
  }
  if (!lists) {
    root.append(h('p', { class: 'muted' }, 'Loading…'));
    return;
  }
  root.append(
    section('Approved, not scheduled', 'queue-ready', lists.ready, (c) => heldBadge(c), 'Nothing waiting: every approved item has a time.'),
    section('In review', 'queue-review', lists.review, approveButton, 'Nothing in review.'),
    section('Drafts', 'queue-drafts', lists.drafts, approveButton, 'No drafts.'),
  );
}

/** Why an item stayed unscheduled: the server's reason when it gives one, else what the
 * settings show on their face (no days, no slots), else a plain "no free slot". */
function fallbackReason(): string {
  const s = state.settings;
  if (s && !s.publish_days.length) return 'No publishing day is ticked in Settings.';
  if (s && !s.publish_time_slots.length) return 'There is no time slot in Settings.';
  return 'No free slot was found within a year (slots taken or limits reached).';
}

function resultBox(result: ScheduleResult, dry: boolean, left: Left, tz: string): HTMLElement {
  const n = result.assigned;
  return h('div', { class: 'preview', 'data-testid': dry ? 'scheduler-preview-result' : 'scheduler-run-result' },
    h('p', null, dry
      ? `Dry run: ${n} item${n === 1 ? '' : 's'} would be scheduled (nothing saved).`
      : `${n} item${n === 1 ? '' : 's'} scheduled.`),
    result.assignments?.length
      ? h('ul', null, result.assignments.map((a) => h('li', { 'data-testid': 'assignment', 'data-content-id': a.content_id },
        h('span', null, titleOf(a.content_id)), ' → ', h('time', { datetime: a.scheduled_publish_at }, fmtLocal(a.scheduled_publish_at, tz)))))
      : null,
    left.length
      ? h('div', { 'data-testid': 'left-unscheduled' },
        h('p', null, h('strong', null, `${left.length} item${left.length === 1 ? '' : 's'} ${dry ? 'would stay' : 'stayed'} unscheduled:`)),
        h('ul', null, left.map((l) => h('li', { 'data-testid': 'unscheduled-item', 'data-content-id': l.content_id, 'data-reason-code': l.code ?? null },
          h('span', null, l.title ?? titleOf(l.content_id)), ' ',
          l.code === 'held' ? heldBadge({ held: true }, 'unscheduled-held', true) : null, ' — ',
          h('span', { 'data-testid': 'unscheduled-reason' }, l.reason || (l.code === 'held' ? HELD_WHY : fallbackReason()))))))
      : null,
    h('button', { type: 'button', class: 'link', onclick: () => { preview = null; render(); } }, 'Hide'));
}
