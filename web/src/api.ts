// Thin client for the herald HTTP API (/api/v1, same origin).

export const API_BASE = '/api/v1';
const KEY_STORAGE = 'herald.apiKey';

export type SiteStatus = 'not_published' | 'scheduled' | 'publishing' | 'published' | 'failed';
export type EditorialStatus = 'draft' | 'review' | 'approved';

export interface Site {
  id: number;
  name: string;
  platform_type: string;
  domain: string;
  username?: string | null;
  timezone: string;
  is_active: boolean;
  has_api_key?: boolean;
  health?: SiteHealth;
  health_reason?: string | null;
  health_since?: string | null;
  /** What its platform cannot publish without that it lacks: {code, message, field}. */
  warnings?: unknown[];
}

/** Delivery health: degraded sites get one probe at a time, paused ones nothing until resumed. */
export type SiteHealth = 'healthy' | 'degraded' | 'paused';

export interface PublishingSettings {
  auto_publish_enabled: boolean;
  publish_days: string[];
  publish_time_slots: string[];
  daily_publish_limit: number | null;
  weekly_publish_limit: number | null;
  monthly_publish_limit: number | null;
  // the planner (newer servers; absent on older ones)
  missed_slot_policy?: MissedSlotPolicy;
  max_lateness_minutes?: number | null;
  blackout_dates?: Blackout[];
  min_spacing_minutes?: number | null;
}

export type MissedSlotPolicy = 'publish_late' | 'next_free_slot' | 'hold';
/** Inclusive local dates of the site ("YYYY-MM-DD") on which nothing is published. */
export interface Blackout { from: string; to: string; reason?: string | null }
/** An evergreen item is placed again `every_days` after each publication. */
export interface Recurrence { every_days: number; until: string | null; count: number | null }

export interface Content {
  id: number;
  site_id: number;
  title: string;
  content_html?: string;
  excerpt?: string | null;
  slug?: string | null;
  content_type?: string;
  categories?: string[];
  tags?: string[];
  featured_image_url?: string | null;
  status: EditorialStatus;
  site_status: SiteStatus;
  approved_at?: string | null;
  scheduled_publish_at: string | null;
  published_at: string | null;
  external_id?: string | null;
  external_url?: string | null;
  last_error?: string | null;
  created_at?: string;
  updated_at?: string;
  site_status_updated_at?: string | null;
  pinned?: boolean;
  /** Held after a missed slot: the scheduler skips it until a person acts. */
  held?: boolean;
  recurrence?: Recurrence | null;
  publication_count?: number;
  warnings?: unknown[];
}

export interface PublishingRecord {
  id: number;
  content_id: number;
  site_id: number;
  attempt: number;
  started_at: string | null;
  finished_at: string | null;
  outcome: string;
  http_status: number | null;
  error: string | null;
  external_id: string | null;
  external_url: string | null;
}

export interface EventHook {
  id: number;
  url: string;
  events: string[];
  is_active: boolean;
  has_secret: boolean;
  version: number;
}

export const HOOK_EVENTS = ['content.published', 'content.failed', 'site.degraded', 'site.paused', 'site.recovered'] as const;

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** `free`, `taken`, `full`, `past`; planner servers add states such as blacked-out or too
 * close to a taken slot, with a `reason`. */
export interface Slot { at: string; state: string; reason?: string | null }

/** One item a queue operation moves: its time before and after (null: no free slot). */
export interface QueueMove { content_id: number; from: string | null; to: string | null; title?: string }
export interface QueueAnswer { dry_run?: boolean; seed?: number | null; moves: QueueMove[]; raw: unknown }

export interface ImportAnswer { imported: number; ids: number[]; status: string; warnings?: unknown[] }
export interface IcalToken { token: string; path: string; url: string; created_at?: string }

export interface ScheduleResult {
  assigned: number;
  assignments: { content_id: number; scheduled_publish_at: string }[];
  /** The items that got no slot and why; older servers answer only how many (a number). */
  left_unscheduled?: { content_id: number; reason: string; title?: string }[] | number;
  /** Each item left over with the server's reason (`held`, `limits_full`, …). */
  unscheduled?: { content_id: number; reason: { code: string; message: string; field: string | null } }[];
  warnings?: unknown[];
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public field: string | null,
    /** The whole error body (an import's refusal also names its `row` or `file`). */
    public body: unknown = null,
  ) {
    super(message);
  }
}

export function getKey(): string | null {
  try { return sessionStorage.getItem(KEY_STORAGE); } catch { return null; }
}
export function setKey(key: string | null): void {
  try {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  } catch { /* storage disabled: key lives for this page only */ }
  memoryKey = key;
}
let memoryKey: string | null = getKey();
export function currentKey(): string | null { return memoryKey; }

/** Called on every 401 (wired by the app: back to sign-in). */
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(fn: () => void): void { onUnauthorized = fn; }

function toUrl(path: string): string {
  if (/^https?:\/\//.test(path)) {
    // `next` links: keep path + query but stay on our origin.
    const u = new URL(path);
    return u.pathname + u.search;
  }
  return path.startsWith('/') ? path : `${API_BASE}/${path}`;
}

/** A body sent as is (an import file) with its own media type, instead of JSON. */
export class RawBody {
  constructor(public data: Blob | string, public type: string) {}
}

export async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const key = memoryKey;
  if (key) headers.Authorization = `Api-Key ${key}`;
  if (body !== undefined) headers['Content-Type'] = body instanceof RawBody ? body.type : 'application/json';
  let res: Response;
  try {
    res = await fetch(toUrl(path), {
      method,
      headers,
      body: body === undefined ? undefined : body instanceof RawBody ? body.data : JSON.stringify(body),
      signal,
      cache: 'no-store',
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', 'Cannot reach the herald server. Check that it is running.', null);
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const err = (data && typeof data === 'object' && 'error' in data ? (data as { error: unknown }).error : null) as
      | { code?: string; message?: string; field?: string | null }
      | null;
    const apiErr = new ApiError(
      res.status,
      err?.code ?? `http_${res.status}`,
      err?.message ?? `The server answered ${res.status} ${res.statusText}`.trim(),
      err?.field ?? null,
      data,
    );
    if (res.status === 401 && onUnauthorized) onUnauthorized();
    throw apiErr;
  }
  return data as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, undefined, signal);
export const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body);
export const put = <T>(path: string, body: unknown) => request<T>('PUT', path, body);
export const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, body);

export function qs(params: Record<string, string | number | null | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** Follows `next` links until the list is exhausted (bounded for safety). */
export async function getAll<T>(path: string, signal?: AbortSignal, maxPages = 50): Promise<T[]> {
  const out: T[] = [];
  let url: string | null = path;
  for (let i = 0; url && i < maxPages; i++) {
    const page: Page<T> = await get<Page<T>>(url, signal);
    out.push(...(page.results ?? []));
    url = page.next;
  }
  return out;
}

// ---- endpoints ---------------------------------------------------------

export const api = {
  sites: () => getAll<Site>('/api/v1/sites/?page_size=500'),
  site: (id: number) => get<Site>(`/api/v1/sites/${id}/`),
  resumeSite: (id: number) => post<Site>(`/api/v1/sites/${id}/resume/`),
  createSite: (body: Record<string, unknown>) => post<Site>('/api/v1/sites/', body),
  patchSite: (id: number, body: Record<string, unknown>) => patch<Site>(`/api/v1/sites/${id}/`, body),
  deleteSite: (id: number) => request<null>('DELETE', `/api/v1/sites/${id}/`),
  testConnection: (id: number) => post<{ ok: boolean; message: string; http_status: number | null }>(`/api/v1/sites/${id}/test-connection/`),
  settings: (siteId: number) => get<PublishingSettings>(`/api/v1/sites/${siteId}/publishing-settings/`),
  patchSettings: (siteId: number, s: Record<string, unknown>) => patch<PublishingSettings & { warnings?: unknown[] }>(`/api/v1/sites/${siteId}/publishing-settings/`, s),
  putSettings: (siteId: number, s: unknown) => put<PublishingSettings & { warnings?: unknown[] }>(`/api/v1/sites/${siteId}/publishing-settings/`, s),
  contentList: (params: Record<string, string | number | null | undefined>, signal?: AbortSignal) =>
    getAll<Content>(`/api/v1/writer/content/${qs({ page_size: 500, ...params })}`, signal),
  content: (id: number) => get<Content>(`/api/v1/writer/content/${id}/`),
  createContent: (body: Record<string, unknown>) => post<Content>('/api/v1/writer/content/', body),
  patchContent: (id: number, body: Record<string, unknown>) => patch<Content>(`/api/v1/writer/content/${id}/`, body),
  deleteContent: (id: number) => request<null>('DELETE', `/api/v1/writer/content/${id}/`),
  schedule: (id: number, at: string) => post<Content>(`/api/v1/writer/content/${id}/schedule/`, { scheduled_at: at }),
  reschedule: (id: number, at: string) => post<Content>(`/api/v1/writer/content/${id}/reschedule/`, { scheduled_at: at }),
  unschedule: (id: number) => post<Content>(`/api/v1/writer/content/${id}/unschedule/`),
  publish: (id: number, platform: string) =>
    post<{ success: boolean; external_url?: string }>('/api/v1/publisher/publish', { content_id: id, destinations: [platform] }),
  records: (contentId: number, siteId: number) =>
    getAll<PublishingRecord>(`/api/v1/publisher/records/${qs({ content_id: contentId, site_id: siteId, page_size: 500 })}`),
  slots: (siteId: number, from: string, to: string, signal?: AbortSignal) =>
    get<{ results: Slot[] }>(`/api/v1/sites/${siteId}/slots/${qs({ from, to })}`, signal),
  hooks: () => getAll<EventHook>('/api/v1/event-hooks/?page_size=500'),
  createHook: (body: Record<string, unknown>) => post<EventHook>('/api/v1/event-hooks/', body),
  patchHook: (id: number, body: Record<string, unknown>) => patch<EventHook>(`/api/v1/event-hooks/${id}/`, body),
  deleteHook: (id: number) => request<null>('DELETE', `/api/v1/event-hooks/${id}/`),
  testHook: (id: number) => post<{ webhook_id: string }>(`/api/v1/event-hooks/${id}/test/`),
  scheduleApproved: (siteId: number, dryRun: boolean) =>
    post<ScheduleResult>(`/api/v1/sites/${siteId}/schedule-approved/`, { dry_run: dryRun }),
  rebalance: (siteId: number, dryRun: boolean) =>
    post<unknown>(`/api/v1/sites/${siteId}/queue/rebalance/${qs({ dry_run: dryRun ? 'true' : null })}`).then(queueAnswer),
  shuffle: (siteId: number, dryRun: boolean, seed?: number) =>
    post<unknown>(`/api/v1/sites/${siteId}/queue/shuffle/${qs({ dry_run: dryRun ? 'true' : null, seed })}`).then(queueAnswer),
  moveToTop: (id: number, dryRun: boolean) =>
    post<unknown>(`/api/v1/writer/content/${id}/move-to-top/${qs({ dry_run: dryRun ? 'true' : null })}`).then(queueAnswer),
  importContent: (siteId: number, status: string, body: RawBody) =>
    request<ImportAnswer>('POST', `/api/v1/writer/content/import/${qs({ site_id: siteId, status })}`, body),
  exportContent: (siteId: number, format: 'csv' | 'ndjson') => download(`/api/v1/writer/content/export/${qs({ site_id: siteId, format })}`),
  createIcalToken: (siteId: number) => post<IcalToken>(`/api/v1/sites/${siteId}/ical-token/`),
  revokeIcalToken: (siteId: number) => request<null>('DELETE', `/api/v1/sites/${siteId}/ical-token/`),
};

/** A file the API answers (an export), fetched with the key, as a Blob. */
async function download(path: string): Promise<Blob> {
  const headers: Record<string, string> = {};
  if (memoryKey) headers.Authorization = `Api-Key ${memoryKey}`;
  const res = await fetch(toUrl(path), { headers, cache: 'no-store' });
  if (!res.ok) {
    const data = await res.json().catch(() => null) as { error?: { code?: string; message?: string; field?: string } } | null;
    if (res.status === 401 && onUnauthorized) onUnauthorized();
    throw new ApiError(res.status, data?.error?.code ?? `http_${res.status}`, data?.error?.message ?? `The server answered ${res.status}`, data?.error?.field ?? null, data);
  }
  return res.blob();
}

/** A queue operation's answer as a list of moves: `{moves: [{content_id, from, to}]}`. */
function queueAnswer(data: unknown): QueueAnswer {
  const d = (data ?? {}) as Record<string, unknown>;
  const list = (['moves', 'changes', 'results'].map((k) => d[k]).find(Array.isArray) ?? []) as Record<string, unknown>[];
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const moves = list.map((m) => ({
    content_id: Number(m.content_id ?? m.id),
    from: str(m.from ?? m.old_scheduled_publish_at ?? m.before),
    to: str(m.to ?? m.new_scheduled_publish_at ?? m.after),
    title: str(m.title) ?? undefined,
  }));
  return { dry_run: typeof d.dry_run === 'boolean' ? d.dry_run : undefined, seed: typeof d.seed === 'number' ? d.seed : null, moves, raw: data };
}
