// The planner on the calendar: blacked-out days (shaded, with their reason), slots that cannot
// be used (blacked out, too close to a taken one: the server's reason) and the expected future
// occurrences of evergreen items. Each is a list of FullCalendar events for a range.
import type { EventInput } from '@fullcalendar/core';
import { DateTime } from 'luxon';
import { api, type Blackout, type Content, type Slot } from './api';
import { occurrences } from './planfields';
import { state } from './state';
import { fmtLocal, validZone } from './time';

export const blackoutLabel = (b: Blackout) => (b.reason ? `Blackout: ${b.reason}` : 'Blackout (no publishing)');

/** One background event per blackout range touching [start, end): whole days in month views
 * (all-day dates), local midnight to midnight in the time grids. */
export function blackoutEvents(start: Date, end: Date, tz: string, grid: boolean): EventInput[] {
  const zone = validZone(tz);
  const out: EventInput[] = [];
  (state.settings?.blackout_dates ?? []).forEach((b, i) => {
    const from = DateTime.fromISO(b.from, { zone });
    const to = DateTime.fromISO(b.to, { zone }).plus({ days: 1 });
    if (!from.isValid || !to.isValid || to.toMillis() <= start.getTime() || from.toMillis() >= end.getTime()) return;
    out.push({
      id: `blackout-${i}`,
      groupId: 'blackouts',
      title: blackoutLabel(b),
      ...(grid
        ? { start: from.toUTC().toISO()!, end: to.toUTC().toISO()!, allDay: false }
        : { start: b.from, end: to.toISODate()!, allDay: true }),
      display: 'background',
      classNames: ['herald-blackout'],
      extendedProps: { blackout: b },
    });
  });
  return out;
}

const BLOCKED_TEXT: Record<string, string> = {
  blackout: 'Blacked out',
  blacked_out: 'Blacked out',
  too_close: 'Too close',
  spacing: 'Too close',
};

/** A slot that is neither free, taken, full nor past: the planner keeps it closed. */
export const isBlocked = (s: Slot) => !['free', 'taken', 'full', 'past'].includes(s.state);
export function blockedText(s: Slot, tz: string): string {
  const what = BLOCKED_TEXT[s.state] ?? `Not available (${s.state.replace(/_/g, ' ')})`;
  if (!s.reason) return what;
  // too_close names the near item's time (an ISO instant): said in the site's zone
  return `${what}: ${s.reason.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?Z/g, (t) => fmtLocal(t, tz))}`;
}
/** The short label drawn in the slot (the full reason is its tooltip). */
export const blockedLabel = (s: Slot) => BLOCKED_TEXT[s.state] ?? 'Not available';

/** Expected future occurrences of the site's evergreen items within [start, end). */
export async function occurrenceEvents(siteId: number, start: Date, end: Date, tz: string, signal?: AbortSignal): Promise<EventInput[]> {
  const items = await api.contentList({ site_id: siteId, site_status: 'scheduled', scheduled_before: DateTime.fromJSDate(end).toUTC().toISO()! }, signal);
  const out: EventInput[] = [];
  for (const c of items as Content[]) {
    if (!c.recurrence || c.site_id !== siteId) continue;
    for (const at of occurrences(c, tz, end)) {
      if (Date.parse(at) < start.getTime()) continue;
      out.push({
        id: `occ-${c.id}-${at}`,
        title: c.title,
        start: at,
        allDay: false,
        editable: false,
        backgroundColor: '#ffffff',
        borderColor: '#1d4ed8',
        textColor: '#1e3a8a',
        classNames: ['herald-event', 'herald-occurrence'],
        extendedProps: { content: c, occurrence: true },
      });
    }
  }
  return out;
}
