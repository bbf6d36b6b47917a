// Settings › Event hooks: the account's hooks (for every site), listed, added, edited and
// deleted through /api/v1/event-hooks/. The secret is write-only: the form never shows it.
import { api, ApiError, HOOK_EVENTS, type EventHook } from './api';
import { busy, clear, h, toast } from './dom';
import { clearErrors, field, showError } from './messages';

let root: HTMLElement | null = null;
let seq = 0;

export function initHooks(el: HTMLElement): void {
  root = el;
}

export async function loadHooks(): Promise<void> {
  if (!root) return;
  const mine = ++seq;
  const box = root;
  try {
    const hooks = await api.hooks();
    if (mine !== seq) return;
    render(box, hooks);
  } catch (e) {
    if (mine !== seq) return;
    clear(box);
    box.append(h('p', { class: 'error', role: 'alert', 'data-testid': 'hooks-load-error' }, e instanceof ApiError ? e.message : String(e)));
  }
}

function render(box: HTMLElement, hooks: EventHook[]): void {
  clear(box);
  const list = h('ul', { class: 'hook-list', 'data-testid': 'hooks-list' });
  for (const hook of hooks) {
    list.append(h('li', { class: 'hook', 'data-testid': 'hook-row', 'data-hook-id': hook.id },
      h('div', { class: 'hook-url', 'data-testid': 'hook-url' }, hook.url),
      h('div', { class: 'hint', 'data-testid': 'hook-events' }, hook.events.join(', ')),
      hook.is_active ? null : h('span', { class: 'badge', 'data-testid': 'hook-inactive' }, 'inactive'),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-testid': 'hook-edit', onclick: () => openForm(box, hook) }, 'Edit'),
        hook.is_active ? h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-testid': 'hook-test', onclick: (e: Event) => void sendTest(e.currentTarget as HTMLButtonElement, hook) }, 'Send test') : null,
        deleteButton(hook))));
  }
  const add = h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'hook-add', onclick: () => openForm(box, null) }, 'Add hook');
  box.append(
    h('h3', null, 'Event hooks'),
    h('p', { class: 'hint' }, 'Signed notices (Standard Webhooks) to your own tools — chat relays, n8n, Zapier — for every site of this account.'),
    hooks.length ? list : h('p', { class: 'muted', 'data-testid': 'hooks-empty' }, 'No event hooks yet.'),
    h('div', { class: 'hook-form-slot', 'data-testid': 'hook-form-slot' }),
    h('div', { class: 'actions' }, add));
}

async function sendTest(b: HTMLButtonElement, hook: EventHook): Promise<void> {
  await busy(b, async () => {
    try {
      const queued = await api.testHook(hook.id);
      toast(`Test event queued (webhook-id ${queued.webhook_id}); a worker sends it within seconds.`);
    } catch (e) {
      toast(e instanceof ApiError ? e.message : String(e), 'error');
    }
  });
}

/** Two clicks: "Delete", then "Really delete?" (no browser dialog). */
function deleteButton(hook: EventHook): HTMLButtonElement {
  let armed = false;
  const b = h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-testid': 'hook-delete' }, 'Delete');
  b.addEventListener('click', () => {
    if (!armed) {
      armed = true;
      b.textContent = 'Really delete?';
      return;
    }
    void busy(b, async () => {
      try {
        await api.deleteHook(hook.id);
        toast('Event hook deleted.');
      } catch (e) {
        toast(e instanceof ApiError ? e.message : String(e), 'error');
      }
      await loadHooks();
    });
  });
  return b;
}

function openForm(box: HTMLElement, hook: EventHook | null): void {
  const slot = box.querySelector<HTMLElement>('[data-testid="hook-form-slot"]');
  if (!slot) return;
  clear(slot);
  const url = h('input', { type: 'url', name: 'url', value: hook?.url ?? '', autocomplete: 'off', spellcheck: 'false', placeholder: 'https://hooks.example.com/herald', 'data-testid': 'hook-url-input' });
  const secret = h('input', { type: 'password', name: 'secret', autocomplete: 'new-password', spellcheck: 'false', placeholder: hook ? 'leave empty to keep the current secret' : 'whsec_… or any shared secret', 'data-testid': 'hook-secret-input' });
  const events = h('fieldset', { class: 'events' }, h('legend', null, 'Events'),
    HOOK_EVENTS.map((e) => h('label', { class: 'day' },
      h('input', { type: 'checkbox', value: e, checked: hook ? hook.events.includes(e) : true, 'data-testid': `hook-event-${e.replace('.', '-')}` }), ' ', e)));
  const active = h('input', { type: 'checkbox', id: 'hook-active', checked: hook ? hook.is_active : true, 'data-testid': 'hook-active' });
  const submit = h('button', { type: 'submit', class: 'btn', 'data-testid': 'hook-save' }, hook ? 'Save hook' : 'Add hook');
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'hook-cancel', onclick: () => clear(slot) }, 'Cancel');
  const form = h('form', { class: 'form hook-form', novalidate: true, 'data-testid': 'hook-form' },
    h('div', { 'data-field': '__form' }),
    field('url', 'URL', url),
    field('secret', 'Signing secret', secret, hook ? 'Write-only: herald never shows it again.' : 'Receivers verify each delivery with it.'),
    h('div', { class: 'field', 'data-field': 'events' }, events),
    h('div', { class: 'field field-check', 'data-field': 'is_active' }, active, h('label', { for: 'hook-active' }, 'Active')),
    h('div', { class: 'actions' }, submit, cancel)) as HTMLFormElement;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const body: Record<string, unknown> = {
      url: (url as HTMLInputElement).value.trim(),
      events: [...events.querySelectorAll<HTMLInputElement>('input[type=checkbox]')].filter((c) => c.checked).map((c) => c.value),
      is_active: (active as HTMLInputElement).checked,
    };
    const s = (secret as HTMLInputElement).value;
    if (s || !hook) body.secret = s;
    try {
      await busy(submit, async () => {
        if (hook) await api.patchHook(hook.id, body);
        else await api.createHook(body);
      });
      toast(hook ? 'Event hook saved.' : 'Event hook added.');
      await loadHooks();
    } catch (e) {
      showError(form, e);
    }
  });
  slot.append(form);
  (url as HTMLInputElement).focus();
}
