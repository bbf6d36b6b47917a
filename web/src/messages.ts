// One message style for every form: each problem sits under its field, named by the field's
// label (never the API's raw name), and all of a form's problems show at once with a short
// summary on top. A list field (time slots) marks only the entry that is wrong.
import { ApiError } from './api';
import { h } from './dom';

export interface FieldProblem {
  field: string | null; // API name, optionally with an index: "publish_time_slots[1]"
  message: string;
}

/** Clears every inline error and the summary in a form. */
export function clearErrors(form: HTMLElement): void {
  form.querySelectorAll('.field-error, .form-problems').forEach((e) => e.remove());
  form.querySelectorAll('[aria-invalid]').forEach((e) => {
    e.removeAttribute('aria-invalid');
    e.removeAttribute('aria-describedby');
  });
}

export function problemsOf(e: unknown): FieldProblem[] {
  if (e instanceof ApiError) return [{ field: e.field, message: e.message }];
  return [{ field: null, message: e instanceof Error ? e.message : String(e) }];
}

/** The label people see for a field: data-label, else its <label>/<legend> text. */
function labelOf(holder: HTMLElement): string {
  if (holder.dataset.label) return holder.dataset.label;
  const l = holder.querySelector('label, legend, .label');
  return (l?.textContent ?? '').replace(/\s*\(.*\)\s*$/, '').trim();
}

let seq = 0;

/** Shows every problem at once: next to its field (the nth entry only for "name[n]"), and a
 * summary naming the fields by label when there is more than one or one without a field. */
export function showErrors(form: HTMLElement, problems: FieldProblem[]): void {
  clearErrors(form);
  const top = form.querySelector<HTMLElement>('[data-field="__form"]') ?? form;
  const summary: { label: string; message: string }[] = [];
  let firstBad: HTMLElement | null = null;
  for (const p of problems) {
    const m = p.field ? /^([^[.]+)(?:[[.](\d+)\]?)?/.exec(p.field) : null;
    const name = m ? m[1] : null;
    const index = m && m[2] !== undefined ? Number(m[2]) : null;
    // "recurrence.count" may have a holder of its own; else "name[n]" / "name.n" as below
    const own = (f: string) => form.querySelector<HTMLElement>(`[data-field="${CSS.escape(f)}"]`);
    const exact = p.field && p.field !== name ? own(p.field) ?? (index !== null ? own(`${name}[${index}]`) : null) : null;
    const holder = exact ?? (name ? form.querySelector<HTMLElement>(`[data-field="${CSS.escape(name)}"]`) : null);
    if (!holder) { summary.push({ label: '', message: p.message }); continue; }
    const id = `err-${++seq}`;
    const controls = [...holder.querySelectorAll<HTMLElement>('input:not([type=checkbox]), select, textarea')];
    const all = [...holder.querySelectorAll<HTMLElement>('input, select, textarea')];
    // "publish_time_slots[1]": only that entry; otherwise every control of the field.
    const marked = !exact && index !== null && controls[index] ? [controls[index]] : all;
    for (const c of marked) {
      c.setAttribute('aria-invalid', 'true');
      c.setAttribute('aria-describedby', id);
    }
    firstBad ??= marked[0] ?? null;
    const label = labelOf(holder);
    const err = h('p', { class: 'field-error', id, 'data-testid': `field-error-${exact ? p.field : name}`, 'data-field-name': p.field ?? '' }, p.message);
    const after = !exact && index !== null ? marked[0]?.closest('li') : null;
    if (after) after.after(err); else holder.append(err);
    summary.push({ label, message: p.message });
  }
  const unplaced = summary.filter((s) => !s.label);
  if (summary.length > 1 || unplaced.length) {
    const box = h('div', { class: 'form-problems', role: 'alert', 'data-testid': 'form-error' },
      summary.length > 1 ? h('p', null, `Please fix ${summary.length} problems:`) : null,
      summary.length > 1
        ? h('ul', null, summary.map((s) => h('li', null, s.label ? h('strong', null, `${s.label}: `) : null, s.message)))
        : h('p', null, unplaced[0].message));
    top.append(box);
  } else {
    // one field problem: its own message is announced
    form.querySelector('.field-error')?.setAttribute('role', 'alert');
  }
  firstBad?.focus();
}

/** Shows an API error next to the field it names (error.field), else on top of the form. */
export function showError(form: HTMLElement, e: unknown): void {
  showErrors(form, problemsOf(e));
}

export function field(name: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || `f-${name}-${Math.random().toString(36).slice(2, 7)}`;
  control.id = id;
  return h('div', { class: 'field', 'data-field': name },
    h('label', { for: id }, label),
    control,
    hint ? h('p', { class: 'hint' }, hint) : null);
}

/** Warnings the server attached to a successful answer (`warnings`: strings or {message}). */
export function warningsOf(answer: unknown): string[] {
  const w = answer && typeof answer === 'object' ? (answer as { warnings?: unknown }).warnings : null;
  if (!Array.isArray(w)) return [];
  return w.map((x) => (typeof x === 'string' ? x : x && typeof x === 'object' && 'message' in x ? String((x as { message: unknown }).message) : ''))
    .filter(Boolean);
}

export const isHttpUrl = (s: string): boolean => {
  try { const u = new URL(s); return u.protocol === 'http:' || u.protocol === 'https:'; } catch { return false; }
};
