// Queue operations (rebalance, shuffle, move to top): each asks the server for a dry run
// first, shows every item's old → new time in a confirmation dialog, and applies only when
// confirmed. What is applied is the server's plan at that moment; the dialog says when it
// moved differently from the preview.
import { api, ApiError, type QueueAnswer, type QueueMove } from './api';
import { busy, confirmAction, h, toast } from './dom';
import { isCurrent, refreshAll, state } from './state';
import { fmtLocal } from './time';

export type QueueOp = 'rebalance' | 'shuffle' | 'move-to-top';

const TEXT: Record<QueueOp, { title: string; confirm: string; done: string; what: string }> = {
  rebalance: {
    title: 'Rebalance the queue?',
    confirm: 'Rebalance',
    done: 'Rebalanced the queue',
    what: 'Every scheduled item that is not pinned is placed again, in its current order, under the current settings.',
  },
  shuffle: {
    title: 'Shuffle the queue?',
    confirm: 'Shuffle',
    done: 'Shuffled the queue',
    what: 'Every scheduled item that is not pinned is placed again in a random order.',
  },
  'move-to-top': {
    title: 'Move to the top of the queue?',
    confirm: 'Move to top',
    done: 'Moved to the top',
    what: 'It takes the earliest free slot; the items it passes move down.',
  },
};

function run(op: QueueOp, siteId: number, contentId: number | null, dry: boolean, seed?: number): Promise<QueueAnswer> {
  if (op === 'rebalance') return api.rebalance(siteId, dry);
  if (op === 'shuffle') return api.shuffle(siteId, dry, seed);
  return api.moveToTop(contentId!, dry);
}

/** Titles of the moved items: the answer's own, else the site's scheduled items. */
async function titles(siteId: number, moves: QueueMove[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const m of moves) if (m.title) out.set(m.content_id, m.title);
  if (moves.every((m) => out.has(m.content_id))) return out;
  try {
    const items = await api.contentList({ site_id: siteId, site_status: 'scheduled' });
    for (const c of items) if (!out.has(c.id)) out.set(c.id, c.title);
  } catch { /* ids are shown instead */ }
  return out;
}

/** The table of moves, in the order the server placed them. */
export function movesTable(moves: QueueMove[], names: Map<number, string>, tz: string): HTMLElement {
  // it scrolls (long queues, phones): keyboard users reach it too
  return h('div', { class: 'table-wrap moves-wrap', tabindex: 0, role: 'region', 'aria-label': 'Moves' }, h('table', { class: 'records moves', 'data-testid': 'queue-moves' },
    h('caption', { class: 'visually-hidden' }, 'Items that move: old time and new time'),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Item'), h('th', { scope: 'col' }, 'Now'), h('th', { scope: 'col' }, 'Moves to'))),
    h('tbody', null, moves.map((m) => h('tr', { 'data-testid': 'queue-move', 'data-content-id': m.content_id, 'data-from': m.from ?? '', 'data-to': m.to ?? '' },
      h('td', null, names.get(m.content_id) ?? `Item #${m.content_id}`),
      h('td', null, m.from ? h('time', { datetime: m.from }, fmtLocal(m.from, tz)) : '—'),
      h('td', null, m.to ? h('time', { datetime: m.to }, '→ ', fmtLocal(m.to, tz)) : h('strong', null, 'no free slot: unscheduled')))))));
}

const same = (a: QueueMove[], b: QueueMove[]) =>
  a.length === b.length && a.every((m, i) => m.content_id === b[i].content_id && m.to === b[i].to);

/** Dry run → confirmation with every move → apply. Resolves true when something was applied. */
export async function queueOperation(op: QueueOp, btn: HTMLButtonElement | null, contentId: number | null = null, label?: string): Promise<boolean> {
  const site = state.site;
  if (!site) return false;
  const gen = state.gen;
  const t = TEXT[op];
  // One seed for the preview and the run, so a shuffle applies the order it showed.
  const seed = op === 'shuffle' ? Math.floor(Math.random() * 2 ** 31) : undefined;
  try {
    const preview = await busy(btn, () => run(op, site.id, contentId, true, seed));
    if (!isCurrent(gen, site.id)) return false;
    if (!preview.moves.length) {
      toast(op === 'move-to-top' ? `“${label ?? 'It'}” is already as early as it can be: nothing would move.` : 'Nothing would move: the queue already fits the settings.');
      return false;
    }
    const names = await titles(site.id, preview.moves);
    if (!isCurrent(gen, site.id)) return false;
    const n = preview.moves.length;
    const ok = await confirmAction({
      title: t.title,
      message: h('div', { 'data-testid': 'queue-preview' },
        h('p', null, label ? `“${label}”: ${t.what}` : t.what, ` ${n} item${n === 1 ? '' : 's'} would move (times in ${site.timezone}); nothing has changed yet.`),
        movesTable(preview.moves, names, site.timezone)),
      confirm: t.confirm,
    });
    if (!ok || !isCurrent(gen, site.id)) return false;
    // the seed the dry run used (answered by the server) replays exactly its order
    const done = await busy(btn, () => run(op, site.id, contentId, false, preview.seed ?? seed));
    if (!isCurrent(gen, site.id)) return false;
    refreshAll();
    const m = done.moves.length;
    toast(same(done.moves, preview.moves)
      ? `${t.done}: ${m} item${m === 1 ? '' : 's'} moved.`
      : `${t.done}: ${m} item${m === 1 ? '' : 's'} moved (the queue changed since the preview, so the result differs).`,
    same(done.moves, preview.moves) ? 'info' : 'warning');
    return true;
  } catch (e) {
    if (!isCurrent(gen, site.id)) return false;
    const msg = e instanceof ApiError
      ? (e.status === 404 && e.code === 'http_404' ? 'This server has no queue operations yet.' : e.message)
      : String(e);
    toast(msg, 'error');
    return false;
  }
}

/** Rebalance and Shuffle buttons (the queue panel, and after a settings change). */
export function queueButtons(): HTMLElement {
  const reb = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'queue-rebalance' }, 'Rebalance…');
  const shu = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'queue-shuffle' }, 'Shuffle…');
  reb.addEventListener('click', () => void queueOperation('rebalance', reb));
  shu.addEventListener('click', () => void queueOperation('shuffle', shu));
  return h('div', { class: 'actions', role: 'group', 'aria-label': 'Queue operations' }, reb, shu);
}
