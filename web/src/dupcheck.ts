// Duplicate warnings: before saving, the form looks for another item of the site with the same
// title (case and spacing ignored) or slug dated within 30 days, as the server's rule does;
// after saving, the server's own `warnings` are shown. Neither blocks anything.
import { api, type Content } from './api';
import { h } from './dom';
import { warningsOf } from './messages';
import { state } from './state';

const WINDOW_MS = 30 * 86400000;
const norm = (t: string) => t.replace(/[A-Z]/g, (c) => c.toLowerCase()).replace(/\s+/g, ' ').trim();
/** When an item is (or was) to go out, else when it went out, else when it was written. */
const dateOf = (c: Content) => Date.parse(c.scheduled_publish_at ?? c.published_at ?? c.created_at ?? '') || Date.now();

let cache: { siteId: number; at: number; items: Content[] } | null = null;
async function siteItems(siteId: number): Promise<Content[]> {
  if (cache && cache.siteId === siteId && Date.now() - cache.at < 30000) return cache.items;
  const items = await api.contentList({ site_id: siteId });
  cache = { siteId, at: Date.now(), items };
  return items;
}
export function forgetItems(): void { cache = null; }

export interface Dup { field: 'title' | 'slug'; other: Content }

export async function findDuplicates(title: string, slug: string, atIso: string | null, selfId: number | null): Promise<Dup[]> {
  const site = state.site;
  if (!site || (!title.trim() && !slug.trim())) return [];
  const at = atIso ? Date.parse(atIso) : Date.now();
  const out: Dup[] = [];
  for (const c of await siteItems(site.id)) {
    if (c.id === selfId || c.site_id !== site.id || Math.abs(dateOf(c) - at) > WINDOW_MS) continue;
    if (title.trim() && norm(c.title) === norm(title)) out.push({ field: 'title', other: c });
    else if (slug.trim() && c.slug === slug.trim()) out.push({ field: 'slug', other: c });
  }
  return out;
}

/** Watches a form's title and slug inputs and shows a note under the field with a match. */
export function watchDuplicates(form: HTMLElement, when: () => string | null, selfId: number | null, open: (id: number) => void): void {
  const title = form.querySelector<HTMLInputElement>('[data-testid="content-title"]');
  const slug = form.querySelector<HTMLInputElement>('[data-testid="content-slug"]');
  if (!title || !slug) return;
  let seq = 0;
  const check = async () => {
    const n = ++seq;
    let dups: Dup[] = [];
    try { dups = await findDuplicates(title.value, slug.value, when(), selfId); } catch { return; }
    if (n !== seq) return;
    form.querySelectorAll('[data-testid="duplicate-hint"]').forEach((e) => e.remove());
    for (const field of ['title', 'slug'] as const) {
      const d = dups.filter((x) => x.field === field);
      if (!d.length) continue;
      const holder = (field === 'title' ? title : slug).closest('.field');
      holder?.append(h('p', { class: 'dup-hint', role: 'status', 'data-testid': 'duplicate-hint' },
        `Another item of this site dated within 30 days has this ${field}: `,
        d.slice(0, 3).map((x, i) => [i ? ', ' : '', h('button', { type: 'button', class: 'link', onclick: () => open(x.other.id) }, `“${x.other.title}”`)]).flat(),
        '. You can still save it.'));
    }
  };
  title.addEventListener('change', () => void check());
  slug.addEventListener('change', () => void check());
}

/** The server's warnings after a save, as a box (null when there are none). */
export function warningsBox(answer: unknown): HTMLElement | null {
  const texts = warningsOf(answer);
  if (!texts.length) return null;
  forgetItems();
  return h('div', { class: 'warning', role: 'status', 'data-testid': 'duplicate-warnings' },
    h('p', null, h('strong', null, 'Saved, with a warning:')),
    h('ul', null, texts.map((t) => h('li', null, t))));
}
