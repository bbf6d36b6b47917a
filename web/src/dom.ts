// Tiny DOM helpers (no framework).

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs | null = null, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') {
        el.addEventListener(k.slice(2).toLowerCase(), v as EventListener);
      } else if (k === 'class') {
        el.className = String(v);
      } else if (k === 'value' && 'value' in el) {
        (el as HTMLInputElement).value = String(v);
      } else if (k === 'checked' && 'checked' in el) {
        (el as HTMLInputElement).checked = Boolean(v);
      } else if (v === true) {
        el.setAttribute(k, '');
      } else {
        el.setAttribute(k, String(v));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function $(sel: string, root: ParentNode = document): HTMLElement {
  const el = root.querySelector<HTMLElement>(sel);
  if (!el) throw new Error(`missing element ${sel}`);
  return el;
}

let toastTimer: number | undefined;
/** One message line at the top of the page; errors stay until dismissed or replaced. */
export function toast(message: string, kind: 'info' | 'warning' | 'error' = 'info'): void {
  const box = document.getElementById('toast');
  if (!box) return;
  clear(box);
  box.className = `toast toast-${kind}`;
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  box.dataset.kind = kind;
  box.append(
    h('span', { 'data-testid': `${kind}-message` }, message),
    h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss message', onclick: () => hideToast() }, '×'),
  );
  box.hidden = false;
  window.clearTimeout(toastTimer);
  if (kind === 'info') toastTimer = window.setTimeout(hideToast, 4000);
  if (kind === 'warning') toastTimer = window.setTimeout(hideToast, 9000);
}
export function hideToast(): void {
  const box = document.getElementById('toast');
  if (box) { box.hidden = true; clear(box); }
}

/** Disables a button while an async action runs. */
export async function busy<T>(btn: HTMLButtonElement | null, fn: () => Promise<T>): Promise<T> {
  if (btn) { btn.disabled = true; btn.setAttribute('aria-busy', 'true'); }
  try { return await fn(); } finally {
    if (btn) { btn.disabled = false; btn.removeAttribute('aria-busy'); }
  }
}

/** Asks before something that cannot be undone or that people may not expect. A modal
 * <dialog> on top of whatever is open; resolves true only on the confirming button. */
export function confirmAction(opts: { title: string; message: string | Node; confirm: string; danger?: boolean; extra?: Node }): Promise<boolean> {
  return new Promise((resolve) => {
    const dlg = h('dialog', { class: 'dialog dialog-confirm', 'data-testid': 'confirm-dialog', 'aria-labelledby': 'confirm-title' });
    const done = (v: boolean) => { if (dlg.open) dlg.close(); dlg.remove(); resolve(v); };
    const ok = h('button', { type: 'button', class: opts.danger ? 'btn btn-danger' : 'btn', 'data-testid': 'confirm-ok', onclick: () => done(true) }, opts.confirm);
    const cancel = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'confirm-cancel', onclick: () => done(false) }, 'Cancel');
    dlg.append(
      h('h2', { id: 'confirm-title' }, opts.title),
      typeof opts.message === 'string' ? h('p', null, opts.message) : opts.message,
      opts.extra ?? '',
      h('div', { class: 'actions' }, ok, cancel));
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    document.body.append(dlg);
    dlg.showModal();
    cancel.focus();
  });
}
