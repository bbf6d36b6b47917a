import type { Content, PublishingSettings, Site } from './api';

export const SITE_STORAGE = 'herald.siteId';
export const VIEW_STORAGE = 'herald.view';

/** Shared app state. `gen` changes whenever the selected site changes (or on
 * sign-out) so late answers for the old site are dropped. */
export const state = {
  sites: [] as Site[],
  site: null as Site | null,
  /** The selected site's publishing settings once loaded (null while loading or failed). */
  settings: null as PublishingSettings | null,
  gen: 0,
};

export function isCurrent(gen: number, siteId?: number): boolean {
  return gen === state.gen && !!state.site && (siteId === undefined || state.site.id === siteId);
}

type ContentListener = (c: Content) => void;
const listeners: ContentListener[] = [];
/** Something learned a fresher copy of an item (action answer, live event, poll). */
export function onContentChanged(fn: ContentListener): void { listeners.push(fn); }
export function contentChanged(c: Content): void {
  if (!state.site || c.site_id !== state.site.id) return;
  for (const fn of listeners) fn(c);
}

const removers: ContentListener[] = [];
/** An item was deleted: panels drop it. */
export function onContentRemoved(fn: ContentListener): void { removers.push(fn); }
export function contentRemoved(c: Content): void { for (const fn of removers) fn(c); }

type Refresher = () => void;
const refreshers: Refresher[] = [];
/** Panels register how to reload themselves (used by polling and after bulk actions). */
export function onRefresh(fn: Refresher): void { refreshers.push(fn); }
export function refreshAll(): void { for (const fn of refreshers) fn(); }

export const STATUS_META: Record<string, { label: string; icon: string; bg: string; fg: string }> = {
  scheduled: { label: 'Scheduled', icon: '◷', bg: '#1d4ed8', fg: '#ffffff' },
  publishing: { label: 'Publishing', icon: '↻', bg: '#f2b705', fg: '#1a1a1a' },
  published: { label: 'Published', icon: '✓', bg: '#15803d', fg: '#ffffff' },
  failed: { label: 'Failed', icon: '!', bg: '#b91c1c', fg: '#ffffff' },
  not_published: { label: 'Not published', icon: '○', bg: '#6b7280', fg: '#ffffff' },
};
