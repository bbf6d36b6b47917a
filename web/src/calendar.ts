import { Calendar, type EventInput, type EventSourceFuncArg, type EventContentArg, type EventMountArg } from '@fullcalendar/core';
import dayGridPlugin from '@fullcalendar/daygrid';
import timeGridPlugin from '@fullcalendar/timegrid';
import listPlugin from '@fullcalendar/list';
import interactionPlugin from '@fullcalendar/interaction';
import luxon3Plugin from '@fullcalendar/luxon3';
import { api, ApiError, type Content } from './api';
import { h, toast } from './dom';
import { HEALTH_EVENT, isWaiting, WAITING_LABEL, waitingTitle } from './health';
import { contentChanged, isCurrent, onContentChanged, state, STATUS_META, VIEW_STORAGE } from './state';
import { isoUtc, validZone } from './time';

export const VIEWS = [
  { id: 'dayGridMonth', label: 'Month', testid: 'view-month' },
  { id: 'timeGridWeek', label: 'Week', testid: 'view-week' },
  { id: 'listMonth', label: 'List', testid: 'view-list' },
] as const;

let calendar: Calendar | null = null;
let openItem: (id: number) => void = () => {};
let slotsSupported = true; // flips to false for the session on a 404
let contentAbort: AbortController | null = null;
let dragging = false;

/** Where an item sits on the calendar, or null when it is not on it. */
export function placement(c: Content): string | null {
  if (c.site_status === 'published' && c.published_at) return c.published_at;
  if (c.site_status === 'not_published') return null;
  return c.scheduled_publish_at;
}

function toEvent(c: Content): EventInput | null {
  const at = placement(c);
  if (!at) return null;
  const meta = STATUS_META[c.site_status] ?? STATUS_META.not_published;
  return {
    id: String(c.id),
    title: c.title,
    start: at,
    allDay: false,
    editable: c.site_status === 'scheduled' || c.site_status === 'failed',
    backgroundColor: meta.bg,
    borderColor: meta.bg,
    textColor: meta.fg,
    classNames: ['herald-event', `status-${c.site_status}`],
    extendedProps: { content: c },
  };
}

function inView(iso: string): boolean {
  if (!calendar) return false;
  const t = Date.parse(iso);
  const v = calendar.view;
  return t >= v.activeStart.getTime() && t < v.activeEnd.getTime();
}

/** Loads the site's items for a range: scheduled ones by scheduled_publish_at,
 * published ones by published_at (filtered here too, in case the server
 * ignores published_after/published_before). */
async function loadContent(info: EventSourceFuncArg, siteId: number, gen: number): Promise<EventInput[]> {
  contentAbort?.abort();
  const ac = new AbortController();
  contentAbort = ac;
  const from = isoUtc(info.start);
  const to = isoUtc(info.end);
  const [scheduled, published] = await Promise.all([
    api.contentList({ site_id: siteId, scheduled_after: from, scheduled_before: to, ordering: 'scheduled_publish_at' }, ac.signal),
    api.contentList({ site_id: siteId, site_status: 'published', published_after: from, published_before: to }, ac.signal),
  ]);
  if (!isCurrent(gen, siteId)) return [];
  const byId = new Map<number, Content>();
  for (const c of [...scheduled, ...published]) if (c.site_id === siteId) byId.set(c.id, c);
  const lo = info.start.getTime();
  const hi = info.end.getTime();
  const out: EventInput[] = [];
  for (const c of byId.values()) {
    const at = placement(c);
    if (!at) continue;
    const t = Date.parse(at);
    if (t < lo || t >= hi) continue;
    const ev = toEvent(c);
    if (ev) out.push(ev);
  }
  return out;
}

// The slot states the week view draws (past and taken slots are not drawn).
const SLOT_TITLES: Record<string, string> = {
  free: 'Free slot',
  full: 'Full (limit)',
  blackout: 'Blackout',
  too_close: 'Too close (spacing)',
};

async function loadSlots(info: EventSourceFuncArg, siteId: number, gen: number): Promise<EventInput[]> {
  // Only the week view draws slots. The view object may still be the old one
  // while FullCalendar fetches for a new view, so judge by the range: a week.
  const days = (info.end.getTime() - info.start.getTime()) / 86400000;
  if (!slotsSupported || days > 8) return [];
  try {
    const res = await api.slots(siteId, isoUtc(info.start), isoUtc(info.end));
    if (!isCurrent(gen, siteId)) return [];
    const out: EventInput[] = [];
    for (const s of res.results ?? []) {
      const label = SLOT_TITLES[s.state];
      if (!label) continue;
      const start = new Date(s.at);
      out.push({
        id: `slot-${s.at}`,
        groupId: 'slots',
        start,
        end: new Date(start.getTime() + 30 * 60 * 1000),
        display: 'background',
        title: s.reason ? `${label}: ${s.reason}` : label,
        classNames: ['herald-slot', `slot-${s.state}`],
        extendedProps: { slotState: s.state, at: s.at },
      });
    }
    return out;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405 || e.status === 501)) slotsSupported = false;
    return []; // slots are a hint only: never block the calendar on them
  }
}

function renderEventContent(arg: EventContentArg) {
  const c = arg.event.extendedProps.content as Content | undefined;
  if (!c) return { domNodes: [h('span', { class: 'slot-label' }, arg.event.title)] };
  const meta = STATUS_META[c.site_status] ?? STATUS_META.not_published;
  const isList = arg.view.type.startsWith('list');
  const waiting = isWaiting(c);
  const nodes = [
    h('span', { class: 'ev-icon', 'aria-hidden': 'true' }, waiting ? '‖' : meta.icon),
    !isList && arg.timeText ? h('span', { class: 'ev-time' }, arg.timeText) : null,
    waiting ? h('span', { class: 'ev-waiting', 'data-testid': 'event-waiting', title: waitingTitle() }, WAITING_LABEL) : null,
    h('span', { class: 'ev-title' }, arg.event.title),
    h('span', { class: 'visually-hidden' }, waiting ? ` (${meta.label}, ${waitingTitle()})` : ` (${meta.label})`),
  ].filter(Boolean) as Node[];
  return { domNodes: [h('span', { class: 'ev-inner' }, nodes)] };
}

function mountEvent(arg: EventMountArg): void {
  const el = arg.el;
  const c = arg.event.extendedProps.content as Content | undefined;
  if (c) {
    el.dataset.testid = 'calendar-event';
    el.dataset.contentId = String(c.id);
    el.dataset.status = c.site_status;
    el.title = `${c.title} — ${STATUS_META[c.site_status]?.label ?? c.site_status}`;
    if (isWaiting(c)) {
      el.dataset.waiting = 'true';
      el.classList.add('is-waiting');
      el.title += ` — ${waitingTitle()}`;
    }
  } else if (arg.event.extendedProps.slotState) {
    el.dataset.testid = 'slot';
    el.dataset.slotState = String(arg.event.extendedProps.slotState);
    el.dataset.at = String(arg.event.extendedProps.at);
  }
}

export function initCalendar(el: HTMLElement, onOpen: (id: number) => void): Calendar {
  openItem = onOpen;
  const narrow = window.matchMedia('(max-width: 640px)').matches;
  let initialView = narrow ? 'listMonth' : 'dayGridMonth';
  try {
    const saved = localStorage.getItem(VIEW_STORAGE);
    if (saved && VIEWS.some((v) => v.id === saved)) initialView = saved;
  } catch { /* ignore */ }

  calendar = new Calendar(el, {
    plugins: [luxon3Plugin, dayGridPlugin, timeGridPlugin, listPlugin, interactionPlugin],
    initialView,
    timeZone: 'UTC',
    headerToolbar: false,
    height: 'auto',
    firstDay: 1,
    nowIndicator: true,
    dayMaxEvents: 4,
    eventInteractive: true,
    editable: true,
    eventDurationEditable: false,
    eventStartEditable: true,
    defaultTimedEventDuration: '00:30',
    forceEventDuration: true,
    slotDuration: '00:30:00',
    scrollTime: '08:00:00',
    lazyFetching: false, // refetch on every navigation: fresh data, and slots only for week ranges
    eventDisplay: 'block',
    displayEventEnd: false,
    eventMinHeight: 22,
    views: {
      timeGridWeek: { dayHeaderFormat: { weekday: 'short', day: 'numeric', month: 'short', omitCommas: true } },
    },
    eventTimeFormat: { hour: '2-digit', minute: '2-digit', hour12: false },
    slotLabelFormat: { hour: '2-digit', minute: '2-digit', hour12: false },
    eventContent: renderEventContent,
    eventDidMount: mountEvent,
    noEventsContent: () => ({ domNodes: [h('span', { 'data-testid': 'calendar-empty' }, 'Nothing scheduled or published in this period.')] }),
    eventClick: (arg) => {
      arg.jsEvent.preventDefault();
      const c = arg.event.extendedProps.content as Content | undefined;
      if (c) openItem(c.id);
    },
    eventDragStart: () => { dragging = true; },
    eventDragStop: () => { dragging = false; },
    eventDrop: async (arg) => {
      const c = arg.event.extendedProps.content as Content | undefined;
      const site = state.site;
      if (!c || !site || !arg.event.start) { arg.revert(); return; }
      const gen = state.gen;
      const at = isoUtc(arg.event.start);
      try {
        const updated = await api.reschedule(c.id, at);
        if (!isCurrent(gen, site.id)) return;
        const fresh = updated && typeof updated === 'object' && 'id' in updated ? updated : await api.content(c.id);
        contentChanged(fresh);
        toast(`Rescheduled “${c.title}”.`);
      } catch (e) {
        arg.revert();
        if (!isCurrent(gen, site.id)) return;
        toast(e instanceof ApiError ? e.message : String(e), 'error');
      }
    },
    datesSet: (arg) => {
      const title = document.getElementById('cal-title');
      if (title) title.textContent = arg.view.title;
      for (const v of VIEWS) {
        const b = document.querySelector<HTMLButtonElement>(`[data-view="${v.id}"]`);
        if (b) b.setAttribute('aria-pressed', String(arg.view.type === v.id));
      }
      document.querySelectorAll<HTMLElement>('.legend-week').forEach((li) => { li.hidden = arg.view.type !== 'timeGridWeek'; });
      document.getElementById('calendar')?.setAttribute('data-view', arg.view.type);
      try { localStorage.setItem(VIEW_STORAGE, arg.view.type); } catch { /* ignore */ }
    },
    loading: (isLoading) => {
      document.getElementById('calendar')?.setAttribute('aria-busy', String(isLoading));
    },
  });
  calendar.render();

  onContentChanged((c) => upsertEvent(c));
  // The site's health decides which items show as waiting: redraw them.
  document.addEventListener(HEALTH_EVENT, () => rerenderEvents());
  return calendar;
}

export function getCalendar(): Calendar | null { return calendar; }

/** Drops everything of the previous site and wires sources for the current one. */
export function resetCalendarForSite(): void {
  if (!calendar) return;
  contentAbort?.abort();
  for (const s of calendar.getEventSources()) s.remove();
  calendar.removeAllEvents();
  const site = state.site;
  calendar.setOption('timeZone', site ? validZone(site.timezone) : 'UTC');
  if (!site) return;
  const gen = state.gen;
  const siteId = site.id;
  calendar.addEventSource({
    id: 'content',
    events: (info, success, failure) => {
      loadContent(info, siteId, gen).then(success, (e) => {
        if ((e as Error).name === 'AbortError') return;
        if (isCurrent(gen, siteId)) toast(e instanceof ApiError ? e.message : String(e), 'error');
        failure(e as Error);
      });
    },
  });
  calendar.addEventSource({
    id: 'slots',
    events: (info, success) => { loadSlots(info, siteId, gen).then(success, () => success([])); },
  });
}

export function refetchCalendar(): void {
  if (dragging) return; // never pull events from under the pointer
  calendar?.refetchEvents();
}

/** Applies a fresher copy of an item: move, recolour, add or drop its event. */
export function upsertEvent(c: Content): void {
  if (!calendar || !state.site || c.site_id !== state.site.id) return;
  const existing = calendar.getEventById(String(c.id));
  const ev = toEvent(c);
  if (existing) existing.remove();
  if (ev && inView(String(ev.start))) {
    calendar.addEvent(ev, calendar.getEventSourceById('content') ?? true);
  }
}

/** Redraws the events already loaded (no fetch): e.g. after the site's health changed. */
function rerenderEvents(): void {
  if (!calendar || dragging) return;
  calendar.batchRendering(() => {
    for (const ev of calendar!.getEvents()) {
      const c = ev.extendedProps.content as Content | undefined;
      if (c) upsertEvent(c);
    }
  });
}

export function changeView(viewId: string): void { calendar?.changeView(viewId); }
export function prev(): void { calendar?.prev(); }
export function next(): void { calendar?.next(); }
export function today(): void { calendar?.today(); }
