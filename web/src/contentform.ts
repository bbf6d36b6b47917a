// Content forms: compose (new content, optionally approved and scheduled in one go) and edit
// (every field of a stored item). Both check what people get wrong before asking the server
// and show all of a form's problems at once.
import { api, type Content } from './api';
import { busy, clear, h, toast } from './dom';
import { bodyEditor, type BodyEditor } from './editor';
import { clearErrors, field, isHttpUrl, showError, showErrors, warningsOf, type FieldProblem } from './messages';
import { warningsBox, watchDuplicates } from './dupcheck';
import { planFields } from './planfields';
import { contentChanged, isCurrent, state } from './state';
import { fromLocalInput } from './time';

const splitList = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

interface Fields {
  nodes: HTMLElement[];
  body: BodyEditor;
  values(): Record<string, unknown>;
  check(): FieldProblem[];
  reset(): void;
}

/** The editable fields of an item, filled from `c` when editing. */
function contentFields(c: Content | null): Fields {
  const title = h('input', { type: 'text', name: 'title', required: true, value: c?.title ?? '', 'data-testid': 'content-title' });
  const body = bodyEditor(c ? c.content_html ?? '' : null);
  const excerpt = h('textarea', { name: 'excerpt', rows: 2, 'data-testid': 'content-excerpt' });
  excerpt.value = c?.excerpt ?? '';
  const slug = h('input', { type: 'text', name: 'slug', value: c?.slug ?? '', placeholder: 'my-post', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'content-slug' });
  const cats = h('input', { type: 'text', name: 'categories', value: (c?.categories ?? []).join(', '), placeholder: 'News, Guides', 'data-testid': 'content-categories' });
  const tags = h('input', { type: 'text', name: 'tags', value: (c?.tags ?? []).join(', '), placeholder: 'launch, howto', 'data-testid': 'content-tags' });
  const image = h('input', { type: 'url', name: 'featured_image_url', value: c?.featured_image_url ?? '', placeholder: 'https://…/cover.jpg', autocomplete: 'off', 'data-testid': 'content-featured-image' });
  const nodes = [
    field('title', 'Title', title),
    body.el,
    field('excerpt', 'Excerpt', excerpt),
    h('div', { class: 'field-row' },
      field('slug', 'Slug', slug),
      field('featured_image_url', 'Featured image URL', image)),
    field('categories', 'Categories (comma-separated)', cats),
    field('tags', 'Tags (comma-separated)', tags),
  ];
  return {
    nodes,
    body,
    values: () => ({
      title: title.value.trim(),
      content_html: body.html(),
      excerpt: excerpt.value.trim(),
      slug: slug.value.trim(),
      categories: splitList(cats.value),
      tags: splitList(tags.value),
      featured_image_url: image.value.trim(),
    }),
    check: () => {
      const p: FieldProblem[] = [];
      if (!title.value.trim()) p.push({ field: 'title', message: 'Give it a title.' });
      if (body.empty()) p.push({ field: 'content_html', message: 'Write the body.' });
      if (slug.value.trim() && !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug.value.trim())) {
        p.push({ field: 'slug', message: 'Use lower-case letters, digits and dashes (e.g. spring-sale).' });
      }
      if (image.value.trim() && !isHttpUrl(image.value.trim())) {
        p.push({ field: 'featured_image_url', message: 'Enter a full address starting with https:// (or http://).' });
      }
      return p;
    },
    reset: () => { for (const i of [title, excerpt, slug, cats, tags, image]) i.value = ''; body.reset(); },
  };
}

/** draft → review → approved, as the API requires. */
export async function approve(c: Content): Promise<Content> {
  let cur = c;
  if (cur.status === 'draft') cur = await api.patchContent(cur.id, { status: 'review' });
  if (cur.status !== 'approved') cur = await api.patchContent(cur.id, { status: 'approved' });
  return cur;
}

// ---- compose ------------------------------------------------------------------

/** Opens an item's dialog (main.ts listens; the forms do not import the dialog). */
const openItem = (id: number) => document.dispatchEvent(new CustomEvent('herald:open-item', { detail: id }));

export function contentForm(root: HTMLElement): void {
  clear(root);
  const site = state.site;
  if (!site) return;
  const f = contentFields(null);
  const when = h('input', { type: 'datetime-local', name: 'scheduled_at', 'data-testid': 'content-when' });
  const approveBox = h('input', { type: 'checkbox', name: 'approve', id: 'content-approve', checked: true, 'data-testid': 'content-approve' });
  const submit = h('button', { type: 'submit', class: 'btn', 'data-testid': 'content-create' }, 'Create');
  const form = h('form', { class: 'form', novalidate: true, 'data-testid': 'content-form' },
    h('div', { 'data-field': '__form' }),
    f.nodes,
    field('scheduled_at', `Publish at (optional, ${site.timezone})`, when, 'Leave empty to let the scheduler pick a free slot, or schedule it later from the calendar. A time approves the item.'),
    h('div', { class: 'field field-check', 'data-field': 'status' }, approveBox, h('label', { for: 'content-approve' }, 'Approve right away (ready for the scheduler)')),
    h('div', { class: 'actions' }, submit),
  ) as HTMLFormElement;

  watchDuplicates(form, () => (when.value ? fromLocalInput(when.value, site.timezone) : null), null, openItem);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const gen = state.gen;
    clearErrors(form);
    form.querySelectorAll('[data-testid="duplicate-warnings"]').forEach((x) => x.remove());
    const problems = f.check();
    const at = when.value ? fromLocalInput(when.value, site.timezone) : null;
    if (when.value && !at) problems.push({ field: 'scheduled_at', message: 'Pick a date and a time.' });
    if (at && Date.parse(at) <= Date.now()) problems.push({ field: 'scheduled_at', message: 'Pick a time in the future.' });
    if (problems.length) { showErrors(form, problems); return; }
    const body: Record<string, unknown> = { site_id: site.id, ...f.values() };
    let created: Content | null = null;
    try {
      await busy(submit, async () => {
        created = await api.createContent(body);
        let c: Content = created;
        // the create's and the schedule's warnings, each said once
        const warnings = new Set(warningsOf(created));
        if (approveBox.checked || at) c = await approve(c);
        if (at) {
          c = await api.schedule(c.id, at);
          for (const w of warningsOf(c)) warnings.add(w);
        }
        if (!isCurrent(gen, site.id)) return;
        contentChanged(c);
        const what = at ? `Created and scheduled “${c.title}”.` : approveBox.checked ? `Created and approved “${c.title}”.` : `Created draft “${c.title}”.`;
        const box = warningsBox({ warnings: [...warnings] });
        if (box) { form.querySelector('[data-field="__form"]')?.after(box); box.scrollIntoView({ block: 'center' }); }
        toast(warnings.size ? `${what} It may be a duplicate: see the note on the form.` : what, warnings.size ? 'warning' : 'info');
        form.querySelectorAll('[data-testid="duplicate-hint"]').forEach((x) => x.remove());
        f.reset();
        when.value = '';
        approveBox.checked = true;
      });
    } catch (err) {
      if (!isCurrent(gen, site.id)) return;
      showError(form, err);
      // Created but not scheduled (e.g. the slot was taken): say so, and keep the form for a new time.
      if (created) {
        contentChanged(await api.content((created as Content).id).catch(() => created as Content));
        toast(`“${(created as Content).title}” was created but not scheduled; pick another time or schedule it from the queue.`, 'error');
      }
    }
  });
  root.append(form);
}

// ---- edit ---------------------------------------------------------------------

/** The edit form inside the item dialog. */
export function editForm(c: Content, done: (fresh: Content | null) => void): HTMLFormElement {
  const f = contentFields(c);
  // pinned and recurrence only where the server has them
  const plan = 'pinned' in c ? planFields(c) : null;
  const submit = h('button', { type: 'submit', class: 'btn', 'data-testid': 'content-save' }, 'Save changes');
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'content-cancel', onclick: () => done(null) }, 'Cancel');
  const form = h('form', { class: 'form edit-form', novalidate: true, 'data-testid': 'content-edit-form' },
    h('div', { 'data-field': '__form' }),
    f.nodes,
    plan?.nodes ?? null,
    c.site_status === 'published' ? h('p', { class: 'hint' }, 'Already published: the site keeps the old text until you republish it.') : null,
    h('div', { class: 'actions' }, submit, cancel)) as HTMLFormElement;
  watchDuplicates(form, () => c.scheduled_publish_at ?? c.published_at ?? null, c.id, openItem);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const problems = [...f.check(), ...(plan?.check() ?? [])];
    if (problems.length) { showErrors(form, problems); return; }
    const site = state.site;
    if (!site) return;
    const gen = state.gen;
    try {
      const fresh = await busy(submit, () => api.patchContent(c.id, { ...f.values(), ...plan?.values() }));
      if (!isCurrent(gen, site.id)) return;
      contentChanged(fresh);
      const warned = warningsOf(fresh);
      toast(warned.length ? `Saved “${fresh.title}”. Warning: ${warned.join(' ')}` : `Saved “${fresh.title}”.`, warned.length ? 'warning' : 'info');
      done(fresh);
    } catch (err) {
      if (isCurrent(gen, site.id)) showError(form, err);
    }
  });
  return form;
}

/** A new draft with the same text and fields (never the times or the publication). */
export async function duplicate(c: Content): Promise<Content> {
  const full = c.content_html === undefined ? await api.content(c.id) : c;
  return api.createContent({
    site_id: full.site_id,
    title: `Copy of ${full.title}`,
    content_html: full.content_html ?? '',
    excerpt: full.excerpt ?? '',
    categories: full.categories ?? [],
    tags: full.tags ?? [],
    featured_image_url: full.featured_image_url ?? '',
    content_type: full.content_type ?? 'post',
  });
}
