// The planner's publishing settings in the settings form: what happens to a missed slot (with
// the lateness allowed), blackout date ranges with their reasons, and the minimum spacing
// between two items. Drawn only when the server has them (a planner server answers them).
import type { Blackout, MissedSlotPolicy, PublishingSettings } from './api';
import { h } from './dom';
import { field, type FieldProblem } from './messages';

const POLICIES: [MissedSlotPolicy, string][] = [
  ['publish_late', 'Publish late (as soon as possible)'],
  ['next_free_slot', 'Move it to the next free slot'],
  ['hold', 'Hold it (unschedule, for a person to decide)'],
];
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function hasPlanner(s: PublishingSettings): boolean {
  return 'missed_slot_policy' in s || 'blackout_dates' in s || 'min_spacing_minutes' in s;
}

export interface PlannerInputs {
  nodes: HTMLElement[];
  values(): Record<string, unknown>;
  check(): FieldProblem[];
}

function blackoutRow(b: Blackout, list: HTMLElement): HTMLElement {
  const li = h('li', { class: 'blackout-row', 'data-testid': 'settings-blackout' });
  const from = h('input', { type: 'date', value: b.from, 'data-testid': 'settings-blackout-from' });
  const to = h('input', { type: 'date', value: b.to, 'data-testid': 'settings-blackout-to' });
  const reason = h('input', { type: 'text', value: b.reason ?? '', placeholder: 'e.g. Holidays', 'data-testid': 'settings-blackout-reason' });
  const rm = h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-testid': 'settings-blackout-remove' }, 'Remove');
  rm.addEventListener('click', () => { li.remove(); relabel(list); });
  // Each input is a field of its own ("blackout_dates[1].to"), so an error marks only it.
  li.append(
    h('div', { class: 'field', 'data-part': 'from' }, h('label', null, 'From'), from),
    h('div', { class: 'field', 'data-part': 'to' }, h('label', null, 'To'), to),
    h('div', { class: 'field field-wide', 'data-part': 'reason' }, h('label', null, 'Reason'), reason),
    rm);
  return li;
}

/** Field names and labels follow each row's position (after a remove too). */
function relabel(list: HTMLElement): void {
  [...list.children].forEach((li, i) => {
    (li as HTMLElement).dataset.field = `blackout_dates[${i}]`;
    (li as HTMLElement).dataset.label = `Blackout ${i + 1}`;
    for (const part of li.querySelectorAll<HTMLElement>('[data-part]')) {
      const p = part.dataset.part!;
      part.dataset.field = `blackout_dates[${i}].${p}`;
      part.dataset.label = `Blackout ${i + 1} ${p}`;
      const input = part.querySelector('input')!;
      input.id = `blackout-${i}-${p}`;
      part.querySelector('label')!.setAttribute('for', input.id);
    }
    li.querySelector('button')!.setAttribute('aria-label', `Remove blackout ${i + 1}`);
  });
}

export function plannerInputs(s: PublishingSettings): PlannerInputs | null {
  if (!hasPlanner(s)) return null;
  const policy = h('select', { 'data-testid': 'settings-missed-slot-policy' },
    POLICIES.map(([v, label]) => h('option', { value: v }, label)));
  policy.value = s.missed_slot_policy ?? 'publish_late';
  const lateness = h('input', { type: 'number', min: 0, step: 1, inputmode: 'numeric', value: s.max_lateness_minutes ?? 60, 'data-testid': 'settings-max-lateness-minutes' });
  const latenessField = field('max_lateness_minutes', 'Publish late up to (minutes)', lateness, 'Later than this, it takes the next free slot instead.');
  const syncPolicy = () => { latenessField.hidden = policy.value !== 'publish_late'; };
  policy.addEventListener('change', syncPolicy);
  syncPolicy();
  const spacing = h('input', { type: 'number', min: 0, step: 1, inputmode: 'numeric', placeholder: 'none', value: s.min_spacing_minutes || '', 'data-testid': 'settings-min-spacing-minutes' });

  const list = h('ul', { class: 'blackout-list', 'data-testid': 'settings-blackouts' });
  for (const b of s.blackout_dates ?? []) list.append(blackoutRow(b, list));
  relabel(list);
  const add = h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-testid': 'settings-blackout-add' }, 'Add blackout dates');
  add.addEventListener('click', () => {
    const li = blackoutRow({ from: '', to: '', reason: '' }, list);
    list.append(li);
    relabel(list);
    li.querySelector('input')?.focus();
  });

  const nodes = [
    h('fieldset', { class: 'planner' },
      h('legend', null, 'Missed slots and spacing'),
      field('missed_slot_policy', 'When herald reaches an item more than 5 minutes after its slot', policy),
      latenessField,
      field('min_spacing_minutes', 'Minimum minutes between two items (empty = no minimum)', spacing)),
    h('fieldset', { class: 'blackouts', 'data-field': 'blackout_dates', 'data-label': 'Blackout dates' },
      h('legend', null, 'Blackout dates (no publishing; the site’s local dates, inclusive)'),
      list, add),
  ];
  const rows = () => [...list.querySelectorAll<HTMLElement>('li')];
  const val = (li: HTMLElement, part: string) => li.querySelector<HTMLInputElement>(`[data-part="${part}"] input`)!.value.trim();
  return {
    nodes,
    values: () => ({
      missed_slot_policy: policy.value,
      max_lateness_minutes: Number(lateness.value || 0),
      min_spacing_minutes: spacing.value.trim() ? Number(spacing.value) : 0,
      blackout_dates: rows().map((li) => ({ from: val(li, 'from'), to: val(li, 'to'), reason: val(li, 'reason') })),
    }),
    check: () => {
      const p: FieldProblem[] = [];
      const t = lateness.value.trim();
      if (policy.value === 'publish_late' && !/^\d+$/.test(t)) p.push({ field: 'max_lateness_minutes', message: 'Enter a whole number of minutes, 0 or more.' });
      if (spacing.value.trim() && !/^\d+$/.test(spacing.value.trim())) p.push({ field: 'min_spacing_minutes', message: 'Enter a whole number of minutes, or leave it empty.' });
      rows().forEach((li, i) => {
        const from = val(li, 'from');
        const to = val(li, 'to');
        if (!DATE_RE.test(from)) p.push({ field: `blackout_dates[${i}].from`, message: 'Pick the first day.' });
        if (!DATE_RE.test(to)) p.push({ field: `blackout_dates[${i}].to`, message: 'Pick the last day.' });
        else if (DATE_RE.test(from) && to < from) p.push({ field: `blackout_dates[${i}].to`, message: 'The last day is before the first.' });
      });
      return p;
    },
  };
}

/** Whether a save changed what decides where items go (then a rebalance is offered). */
export function placementChanged(before: PublishingSettings, after: Record<string, unknown>): boolean {
  const keys = ['publish_days', 'publish_time_slots', 'daily_publish_limit', 'weekly_publish_limit', 'monthly_publish_limit', 'blackout_dates', 'min_spacing_minutes'] as const;
  const norm = (k: string, v: unknown) => JSON.stringify(k === 'min_spacing_minutes' ? v || 0 : v ?? null);
  return keys.some((k) => k in after && norm(k, (before as unknown as Record<string, unknown>)[k]) !== norm(k, after[k]));
}
