// The body editor: write in Markdown (turned into HTML with marked) or in HTML, and see a
// preview of what the site will get. The API only ever receives HTML; the preview is
// sanitised with DOMPurify so a pasted <script> or onerror= never runs in herald's page.
import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import { h } from './dom';

const md = new Marked({ gfm: true, breaks: false, async: false });

export type BodyFormat = 'markdown' | 'html';

export function toHtml(text: string, format: BodyFormat): string {
  return format === 'markdown' ? (md.parse(text) as string).trim() : text;
}

export function sanitize(html: string): string {
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true } });
}

export interface BodyEditor {
  el: HTMLElement;
  html(): string;
  empty(): boolean;
  reset(): void;
}

let seq = 0;

/** `initialHtml` set (editing stored content): starts in HTML, since HTML cannot be turned back
 * into the writer's Markdown faithfully; new content starts in Markdown. */
export function bodyEditor(initialHtml: string | null): BodyEditor {
  const n = ++seq;
  let format: BodyFormat = initialHtml ? 'html' : 'markdown';
  const ta = h('textarea', { id: `body-${n}`, name: 'content_html', rows: 8, spellcheck: 'true', 'data-testid': 'content-html', 'aria-describedby': `body-hint-${n}` });
  ta.value = initialHtml ?? '';
  const preview = h('div', { class: 'body-preview', 'data-testid': 'body-preview', 'aria-live': 'polite', 'aria-label': 'Preview' });
  const hint = h('p', { class: 'hint', id: `body-hint-${n}` });
  const fmtButtons = (['markdown', 'html'] as const).map((f) => h('button', {
    type: 'button', class: 'btn btn-secondary btn-small', 'data-format': f, 'data-testid': `body-format-${f}`,
    onclick: () => setFormat(f),
  }, f === 'markdown' ? 'Markdown' : 'HTML'));
  const showPreview = h('button', { type: 'button', class: 'btn btn-secondary btn-small', 'aria-pressed': 'false', 'aria-controls': `body-preview-${n}`, 'data-testid': 'body-preview-toggle' }, 'Preview');
  preview.id = `body-preview-${n}`;
  preview.hidden = true;

  const draw = () => {
    preview.innerHTML = sanitize(toHtml(ta.value, format)) || '<p class="muted">Nothing to preview yet.</p>';
  };
  function setFormat(f: BodyFormat): void {
    format = f;
    for (const b of fmtButtons) b.setAttribute('aria-pressed', String(b.dataset.format === f));
    hint.textContent = f === 'markdown'
      ? 'Markdown: **bold**, *italic*, # heading, - list, [link](https://…). Sent to the site as HTML.'
      : 'HTML, sent to the site as written.';
    if (!preview.hidden) draw();
  }
  showPreview.addEventListener('click', () => {
    preview.hidden = !preview.hidden;
    showPreview.setAttribute('aria-pressed', String(!preview.hidden));
    if (!preview.hidden) draw();
  });
  ta.addEventListener('input', () => { if (!preview.hidden) draw(); });
  setFormat(format);

  const el = h('div', { class: 'field body-editor', 'data-field': 'content_html', 'data-label': 'Body' },
    h('div', { class: 'body-head' },
      h('label', { for: ta.id }, 'Body'),
      h('div', { class: 'seg', role: 'group', 'aria-label': 'Write the body in' }, fmtButtons),
      showPreview),
    ta, hint, preview);
  return {
    el,
    html: () => toHtml(ta.value, format),
    empty: () => !ta.value.trim(),
    reset: () => { ta.value = ''; setFormat('markdown'); preview.hidden = true; showPreview.setAttribute('aria-pressed', 'false'); },
  };
}
