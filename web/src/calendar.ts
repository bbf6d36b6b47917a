import { Calendar, type EventInput, type EventSourceFuncArg, type EventContentArg, type EventMountArg } from '@fullcalendar/core';
import dayGridPlugin from '@fullcalendar/daygrid';
import timeGridPlugin from '@fullcalendar/timegrid';
import listPlugin from '@fullcalendar/list';
import interactionPlugin from '@fullcalendar/interaction';
import luxon3Plugin from '@fullcalendar/luxon3';
import { api, ApiError, type Content } from './api';
import { autoPublishSwitch } from './autopublish';
import { clear, confirmAction, h, toast } from './dom';
import { blackoutEvents, blockedLabel, blockedText, isBlocked, occurrenceEvents } from './calplan';
import { HEALTH_EVENT, isWaiting, WAITING_LABEL, waitingTitle } from './health';
import { SETTINGS_EVENT } from './settings';
import { contentChanged, isCurrent, onContentChanged, onContentRemoved, state, STATUS_META, VIEW_STORAGE } from './state';
import { isoUtc, slotFit, validZone, workdayStart } from './time';

export const VIEWS = [
  { id: 'dayGridMonth', label: 'Month', testid: 'view-month' },
  { id: 'timeGridWeek', label: 'Week', testid: 'view-week' },
  { id: 'timeGridDay', label: 'Day', testid: 'view-day' },
  { id: 'listMonth', label: 'List', testid: 'view-list' },
] as const;

/** Seven columns do not fit a phone: there the Week button shows three days. */
const narrowQuery = window.matchMedia('(max-width: 640px)');
const THREE_DAYS = 'timeGridThreeDay';
export function viewFor(id: string): string {
  return id === 'timeGridWeek' && narrowQuery.matches ? THREE_DAYS : id;
}
const isTimeGrid = (type: string) => type.startsWith('timeGrid');

let calendar: Calendar | null = null;
let openItem: (id: number) => void = () => {};
let slotsSupported = true; // flips to false for the session on a 404
let contentAbort: AbortController | null = null;
let dragging = false;
let scrollStart = '08:00:00'; // an hour before the site's first slot, once settings load

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

/** A published item that is scheduled again keeps its first publication on the calendar, as
 * history: a separate, read-only entry at published_at. */
function historyEvent(c: Content): EventInput | null {
  if (!c.published_at || c.site_status === 'published' || c.site_status === 'not_published') return null;
  const meta = STATUS_META.published;
  return {
    id: `hist-${c.id}`,
    title: c.title,
    start: c.published_at,
    allDay: false,
    editable: false,
    backgroundColor: '#ffffff',
    borderColor: meta.bg,
    textColor: '#14532d',
    classNames: ['herald-event', 'herald-history'],
    extendedProps: { content: c, history: true },
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
    // every item published in the range, also those scheduled again since (their history)
    api.contentList({ site_id: siteId, published_after: from, published_before: to }, ac.signal),
  ]);
  if (!isCurrent(gen, siteId)) return [];
  const byId = new Map<number, Content>();
  for (const c of [...scheduled, ...published]) if (c.site_id === siteId) byId.set(c.id, c);
  const lo = info.start.getTime();
  const hi = info.end.getTime();
  const out: EventInput[] = [];
  const within = (iso: string | null | undefined) => !!iso && Date.parse(iso) >= lo && Date.parse(iso) < hi;
  for (const c of byId.values()) {
    const ev = toEvent(c);
    if (ev && within(placement(c))) out.push(ev);
    const hist = historyEvent(c);
    if (hist && within(c.published_at)) out.push(hist);
  }
  return out;
}

async function loadSlots(info: EventSourceFuncArg, siteId: number, gen: number): Promise<EventInput[]> {
  // Only the week view draws slots. The view object may still be the old one
  // while FullCalendar fetches for a new view, so judge by the range: a week.
  const days = (info.end.getTime() - info.start.getTime()) / 86400000;
  if (!slotsSupported || days > 8) return [];
  // Free-slot bands only mean something where auto-publish fills them.
  if (!state.settings?.auto_publish_enabled) return [];
  try {
    const res = await api.slots(siteId, isoUtc(info.start), isoUtc(info.end));
    if (!isCurrent(gen, siteId)) return [];
    const out: EventInput[] = [];
    for (const s of res.results ?? []) {
      const blocked = isBlocked(s);
      if (s.state !== 'free' && s.state !== 'full' && !blocked) continue;
      const start = new Date(s.at);
      out.push({
        id: `slot-${s.at}`,
        groupId: 'slots',
        start,
        end: new Date(start.getTime() + 30 * 60 * 1000),
        display: 'background',
        // a closed slot says why (blacked out, too close to a taken one)
        title: blocked ? blockedLabel(s) : s.state === 'free' ? 'Free slot' : 'Full (limit)',
        classNames: ['herald-slot', blocked ? 'slot-blocked' : `slot-${s.state}`],
        extendedProps: { slotState: s.state, at: s.at, reason: blocked ? blockedText(s, state.site?.timezone ?? 'UTC') : null },
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
  if (!c) return { domNodes: [h('span', { class: arg.event.extendedProps.blackout ? 'slot-label blackout-label' : 'slot-label' }, arg.event.title)] };
  if (arg.event.extendedProps.occurrence) {
    return { domNodes: [h('span', { class: 'ev-inner' }, h('span', { class: 'ev-icon', 'aria-hidden': 'true' }, '↻'),
      arg.view.type.startsWith('list') || !arg.timeText ? null : h('span', { class: 'ev-time' }, arg.timeText),
      h('span', { class: 'ev-hist' }, 'Repeats'), h('span', { class: 'ev-title' }, arg.event.title),
      h('span', { class: 'visually-hidden' }, ' (expected repeat of an evergreen item)'))] };
  }
  const history = !!arg.event.extendedProps.history;
  const meta = history ? STATUS_META.published : STATUS_META[c.site_status] ?? STATUS_META.not_published;
  const isList = arg.view.type.startsWith('list');
  const waiting = !history && isWaiting(c);
  const nodes = [
    h('span', { class: 'ev-icon', 'aria-hidden': 'true' }, waiting ? '‖' : meta.icon),
    !isList && arg.timeText ? h('span', { class: 'ev-time' }, arg.timeText) : null,
    waiting ? h('span', { class: 'ev-waiting', 'data-testid': 'event-waiting', title: waitingTitle() }, WAITING_LABEL) : null,
    history ? h('span', { class: 'ev-hist' }, 'Earlier') : null,
    h('span', { class: 'ev-title' }, arg.event.title),
    h('span', { class: 'visually-hidden' }, history ? ' (Published earlier; scheduled again)' : waiting ? ` (${meta.label}, ${waitingTitle()})` : ` (${meta.label})`),
  ].filter(Boolean) as Node[];
  return { domNodes: [h('span', { class: 'ev-inner' }, nodes)] };
}

/** Why a day or slot is closed is said on hover (title) and to keyboard and screen-reader
 * users: the band takes focus and names itself. */
function reachable(el: HTMLElement, text: string): void {
  el.tabIndex = 0;
  el.setAttribute('role', 'note');
  el.setAttribute('aria-label', text);
}

function mountEvent(arg: EventMountArg): void {
  const el = arg.el;
  const c = arg.event.extendedProps.content as Content | undefined;
  if (c && arg.event.extendedProps.occurrence) {
    el.dataset.testid = 'calendar-occurrence';
    el.dataset.contentId = String(c.id);
    el.title = `${c.title} — expected to be published again here (evergreen; the exact slot is chosen then)`;
  } else if (arg.event.extendedProps.blackout) {
    el.dataset.testid = 'calendar-blackout';
    el.title = arg.event.title;
    reachable(el, arg.event.title);
  } else if (c && arg.event.extendedProps.history) {
    el.dataset.testid = 'calendar-history';
    el.dataset.contentId = String(c.id);
    el.title = `${c.title} — published here earlier; scheduled again`;
  } else if (c) {
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
    if (arg.event.extendedProps.reason) { el.dataset.reason = String(arg.event.extendedProps.reason); el.title = `Unavailable: ${el.dataset.reason}`; reachable(el, el.title); }
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
  initialView = viewFor(initialView);

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
    scrollTime: '08:00:00', // moved to an hour before the site's first slot once settings load
    allDaySlot: false, // herald items always have a time
    slotEventOverlap: false, // items close together sit side by side, never on top of each other
    lazyFetching: false, // refetch on every navigation: fresh data, and slots only for week ranges
    eventDisplay: 'block',
    displayEventEnd: false,
    eventMinHeight: 22,
    views: {
      timeGridWeek: { dayHeaderFormat: { weekday: 'short', day: 'numeric', month: 'short', omitCommas: true } },
      [THREE_DAYS]: { type: 'timeGrid', duration: { days: 3 }, dayHeaderFormat: { weekday: 'short', day: 'numeric', omitCommas: true } },
      timeGridDay: { dayHeaderFormat: { weekday: 'long', day: 'numeric', month: 'long', omitCommas: true } },
    },
    eventTimeFormat: { hour: '2-digit', minute: '2-digit', hour12: false },
    slotLabelFormat: { hour: '2-digit', minute: '2-digit', hour12: false },
    eventContent: renderEventContent,
    eventDidMount: mountEvent,
    // FullCalendar draws "+N more" as an <a> without href: give it the role it acts as
    moreLinkDidMount: (arg) => { arg.el.setAttribute('role', 'button'); if (!arg.el.hasAttribute('tabindex')) arg.el.tabIndex = 0; },
    noEventsContent: () => ({ domNodes: [h('span', { 'data-testid': 'calendar-empty' }, 'Nothing scheduled or published in this period.')] }),
    eventClick: (arg) => {
      arg.jsEvent.preventDefault();
      if (arg.event.display === 'background') return;
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
      // A time that is not a slot, or a day that is not a publishing day, is allowed but asked about.
      const set = state.settings;
      if (set) {
        const fit = slotFit(at, site.timezone, set.publish_days, set.publish_time_slots);
        if (!fit.day || !fit.time) {
          const why = !fit.day && !fit.time ? 'is not a publishing day and not one of the time slots'
            : !fit.day ? 'is not a publishing day' : 'is not one of the time slots';
          const ok = await confirmAction({
            title: 'Move outside the publishing plan?',
            message: `${fit.local} ${why} (${set.publish_time_slots.join(', ') || 'no slots'} on ${set.publish_days.join(', ') || 'no days'}). Move “${c.title}” there anyway?`,
            confirm: 'Move anyway',
          });
          if (!ok || !isCurrent(gen, site.id)) { arg.revert(); return; }
        }
      }
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
        if (b) b.setAttribute('aria-pressed', String(arg.view.type === viewFor(v.id)));
      }
      const grid = isTimeGrid(arg.view.type);
      // Week and day views get a fixed height, so the day scrolls inside and opens at the
      // working hours; month and list grow with their content.
      const height = grid ? (narrowQuery.matches ? 600 : 720) : 'auto';
      if (calendar && calendar.getOption('height') !== height) {
        const cal = calendar;
        window.setTimeout(() => {
          cal.setOption('height', height);
          if (grid) cal.scrollToTime(scrollStart);
        });
      }
      document.querySelectorAll<HTMLElement>('.legend-week').forEach((li) => { li.hidden = !grid || !state.settings?.auto_publish_enabled; });
      document.getElementById('calendar')?.setAttribute('data-view', arg.view.type);
      renderSlotNote();
      try { localStorage.setItem(VIEW_STORAGE, arg.view.type === THREE_DAYS ? 'timeGridWeek' : arg.view.type); } catch { /* ignore */ }
    },
    loading: (isLoading) => {
      document.getElementById('calendar')?.setAttribute('aria-busy', String(isLoading));
    },
  });
  calendar.render();

  onContentChanged((c) => upsertEvent(c));
  onContentRemoved((c) => {
    calendar?.getEventById(String(c.id))?.remove();
    calendar?.getEventById(`hist-${c.id}`)?.remove();
  });
  document.addEventListener(SETTINGS_EVENT, () => applySettings());
  // turning the phone (or resizing across 640 px) swaps a week for three days and back
  narrowQuery.addEventListener('change', () => {
    const type = calendar?.view.type;
    if (type === 'timeGridWeek' || type === THREE_DAYS) calendar?.changeView(viewFor('timeGridWeek'));
  });
  // The site's health decides which items show as waiting: redraw them.
  document.addEventListener(HEALTH_EVENT, () => rerenderEvents());
  return calendar;
}

export function getCalendar(): Calendar | null { return calendar; }

/** The week and day views open an hour before the site's first slot; slots follow auto-publish. */
function applySettings(): void {
  if (!calendar) return;
  const set = state.settings;
  if (set) {
    const start = workdayStart(set.publish_time_slots);
    scrollStart = start;
    calendar.setOption('scrollTime', start);
    // days that are not publishing days are shaded (FullCalendar's non-business background)
    const dow = set.publish_days.map((d) => ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].indexOf(d)).filter((n) => n >= 0);
    calendar.setOption('businessHours', { daysOfWeek: dow.length ? dow : [-1], startTime: '00:00', endTime: '24:00' });
    if (isTimeGrid(calendar.view.type)) calendar.scrollToTime(start);
    calendar.getEventSourceById('slots')?.refetch();
    calendar.getEventSourceById('blackouts')?.refetch();
  }
  const grid = isTimeGrid(calendar.view.type);
  document.querySelectorAll<HTMLElement>('.legend-week').forEach((li) => { li.hidden = !grid || !set?.auto_publish_enabled; });
  const legendBlackout = document.querySelector<HTMLElement>('[data-testid="legend-blackout"]');
  if (legendBlackout) legendBlackout.hidden = !set?.blackout_dates?.length;
  renderSlotNote();
}

/** In the week and day views: whether auto-publish fills the free slots, with its switch. */
function renderSlotNote(): void {
  const box = document.getElementById('cal-autopublish');
  if (!box || !calendar) return;
  clear(box);
  if (!isTimeGrid(calendar.view.type)) return;
  const sw = autoPublishSwitch('calendar');
  if (sw) box.append(sw);
}

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
  // Blackouts come from the settings (no fetch); month ranges get whole days, grids hours.
  calendar.addEventSource({
    id: 'blackouts',
    events: (info, success) => {
      const grid = (info.end.getTime() - info.start.getTime()) / 86400000 <= 8;
      success(isCurrent(gen, siteId) ? blackoutEvents(info.start, info.end, site.timezone, grid) : []);
    },
  });
  calendar.addEventSource({
    id: 'occurrences',
    events: (info, success) => {
      occurrenceEvents(siteId, info.start, info.end, site.timezone)
        .then((evs) => success(isCurrent(gen, siteId) ? evs : []), () => success([]));
    },
  });
}

export function refetchCalendar(): void {
  if (dragging) return; // never pull events from under the pointer
  calendar?.refetchEvents();
}

/** Applies a fresher copy of an item: move, recolour, add or drop its event. */
export function upsertEvent(c: Content): void {
  if (!calendar || !state.site || c.site_id !== state.site.id) return;
  calendar.getEventById(String(c.id))?.remove();
  calendar.getEventById(`hist-${c.id}`)?.remove();
  const source = calendar.getEventSourceById('content') ?? true;
  const ev = toEvent(c);
  if (ev && inView(String(ev.start))) calendar.addEvent(ev, source);
  const hist = historyEvent(c);
  if (hist && inView(String(hist.start))) calendar.addEvent(hist, source);
  // an evergreen item's expected repeats follow its time and recurrence
  if (c.recurrence || calendar.getEvents().some((e) => e.id.startsWith(`occ-${c.id}-`))) calendar.getEventSourceById('occurrences')?.refetch();
}

/** Redraws the events already loaded (no fetch): e.g. after the site's health changed. */
function rerenderEvents(): void {
  if (!calendar || dragging) return;
  calendar.batchRendering(() => {
    for (const ev of calendar!.getEvents()) {
      const c = ev.extendedProps.content as Content | undefined;
      if (c && !ev.extendedProps.history) upsertEvent(c);
    }
  });
}

export function changeView(viewId: string): void { calendar?.changeView(viewFor(viewId)); }
export function prev(): void { calendar?.prev(); }
export function next(): void { calendar?.next(); }
export function today(): void { calendar?.today(); }
