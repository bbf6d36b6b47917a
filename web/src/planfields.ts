// The planner's fields of an item (pinned, recurrence) in the edit form, how they read in the
// item dialog, the expected future occurrences of an evergreen item, and a record's lateness.
import { DateTime } from 'luxon';
import type { Content, PublishingRecord, Recurrence } from './api';
import { h } from './dom';
import type { FieldProblem } from './messages';
import { validZone } from './time';

export function recurrenceText(r: Recurrence): string {
  const every = r.every_days === 1 ? 'every day' : r.every_days === 7 ? 'every week' : `every ${r.every_days} days`;
  const ends = [r.until ? `until ${r.until}` : null, r.count ? `${r.count} publication${r.count === 1 ? '' : 's'} in all` : null].filter(Boolean);
  return `Published again ${every} after each publication${ends.length ? `, ${ends.join(' or ')}, whichever ends first` : ''}.`;
}

/** Minutes a publication started after its slot, when the server records it (planner servers). */
export function latenessOf(r: PublishingRecord): number | null {
  const x = r as unknown as Record<string, unknown>;
  if (typeof x.lateness_seconds === 'number') return x.lateness_seconds / 60;
  if (typeof x.late_by_seconds === 'number') return x.late_by_seconds / 60;
  if (typeof x.lateness_minutes === 'number') return x.lateness_minutes;
  return null;
}
export function lateText(minutes: number): string {
  if (minutes < 1) return '(on time)';
  const m = Math.round(minutes);
  return m < 120 ? `(${m} min late)` : `(${Math.floor(m / 60)} h ${m % 60} min late)`;
}

/** The instants an evergreen item is expected to go out again after `from` (its current
 * time): the same local time every N days, while `until` and `count` allow. The server gives
 * each the first free slot at or after that, so these are an expectation, not a booking. */
export function occurrences(c: Content, tz: string, rangeEnd: Date, max = 60): string[] {
  const r = c.recurrence;
  const from = c.site_status === 'published' ? c.published_at : c.scheduled_publish_at;
  if (!r || !from || r.every_days < 1 || c.status !== 'approved') return [];
  const zone = validZone(tz);
  let at = DateTime.fromISO(from, { setZone: true }).setZone(zone);
  // publications so far, plus the pending one when scheduled
  let done = (c.publication_count ?? 0) + (c.site_status === 'published' ? 0 : 1);
  const out: string[] = [];
  while (out.length < max) {
    at = at.plus({ days: r.every_days });
    if (at.toMillis() >= rangeEnd.getTime()) break;
    if (r.until && at.toISODate()! > r.until) break;
    if (r.count !== null && r.count !== undefined && done >= r.count) break;
    done++;
    out.push(at.toUTC().toISO({ suppressMilliseconds: true })!);
  }
  return out;
}

export interface PlanFields {
  nodes: HTMLElement[];
  values(): Record<string, unknown>;
  check(): FieldProblem[];
}

/** Pinned and "repeat every N days" in the item's edit form. */
export function planFields(c: Content): PlanFields {
  const pinned = h('input', { type: 'checkbox', id: `pin-${c.id}`, checked: !!c.pinned, 'data-testid': 'content-pinned' });
  const repeat = h('input', { type: 'checkbox', id: `rep-${c.id}`, checked: !!c.recurrence, 'data-testid': 'content-repeat' });
  const every = h('input', { type: 'number', min: 1, step: 1, inputmode: 'numeric', id: `rep-every-${c.id}`, value: c.recurrence?.every_days ?? 30, 'data-testid': 'content-repeat-every' });
  const until = h('input', { type: 'date', id: `rep-until-${c.id}`, value: c.recurrence?.until ?? '', 'data-testid': 'content-repeat-until' });
  const count = h('input', { type: 'number', min: 1, step: 1, inputmode: 'numeric', id: `rep-count-${c.id}`, value: c.recurrence?.count ?? '', placeholder: 'no limit', 'data-testid': 'content-repeat-count' });
  const details = h('div', { class: 'repeat-details' },
    h('div', { class: 'field', 'data-field': 'recurrence.every_days', 'data-label': 'Repeat every' }, h('label', { for: every.id }, 'Every (days)'), every),
    h('div', { class: 'field', 'data-field': 'recurrence.until', 'data-label': 'Until' }, h('label', { for: until.id }, 'Until (optional)'), until),
    h('div', { class: 'field', 'data-field': 'recurrence.count', 'data-label': 'Publications in all' }, h('label', { for: count.id }, 'Publications in all (optional)'), count));
  const sync = () => { details.hidden = !repeat.checked; };
  repeat.addEventListener('change', sync);
  sync();
  const nodes = [
    h('fieldset', { class: 'plan' },
      h('legend', null, 'Planning'),
      h('div', { class: 'field field-check', 'data-field': 'pinned' }, pinned, h('label', { for: pinned.id }, 'Pinned: keep its time (the scheduler, Rebalance, Shuffle and Move to top never move it)')),
      h('div', { class: 'field field-check', 'data-field': 'recurrence' }, repeat, h('label', { for: repeat.id }, 'Evergreen: publish it again after each publication')),
      details),
  ];
  const whole = (s: string) => /^\d+$/.test(s.trim()) && Number(s) >= 1;
  return {
    nodes,
    values: () => ({
      pinned: pinned.checked,
      recurrence: repeat.checked
        ? { every_days: Number(every.value), until: until.value || null, count: count.value.trim() ? Number(count.value) : null }
        : null,
    }),
    check: () => {
      if (!repeat.checked) return [];
      const p: FieldProblem[] = [];
      if (!whole(every.value)) p.push({ field: 'recurrence.every_days', message: 'Enter a whole number of days, 1 or more.' });
      if (count.value.trim() && !whole(count.value)) p.push({ field: 'recurrence.count', message: 'Enter a whole number, 1 or more, or leave it empty.' });
      return p;
    },
  };
}
