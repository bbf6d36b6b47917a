// The auto-publish state where people look for free slots (queue, week/day view): on or off,
// with a switch, and a warning when it is on but has no day or no slot to fill.
import { ApiError } from './api';
import { busy, h, toast } from './dom';
import { localWarnings, setAutoPublish } from './settings';
import { state } from './state';

export function autoPublishSwitch(where: 'queue' | 'calendar'): HTMLElement | null {
  const s = state.settings;
  if (!s) return null;
  const on = s.auto_publish_enabled;
  const btn = h('button', {
    type: 'button', role: 'switch', 'aria-checked': String(on), class: `switch${on ? ' switch-on' : ''}`,
    'data-testid': `${where}-auto-publish-switch`,
  }, h('span', { class: 'switch-track', 'aria-hidden': 'true' }, h('span', { class: 'switch-thumb' })), on ? 'Auto-publish on' : 'Auto-publish off');
  btn.addEventListener('click', async () => {
    try {
      const r = await busy(btn, () => setAutoPublish(!on));
      if (!r) return;
      const w = r.warnings.length ? ` ${r.warnings.join(' ')}` : '';
      toast(`Auto-publish is now ${r.settings.auto_publish_enabled ? 'on' : 'off'}.${w}`, r.warnings.length ? 'warning' : 'info');
    } catch (e) {
      toast(e instanceof ApiError ? e.message : String(e), 'error');
    }
  });
  const warnings = localWarnings(s);
  const text = on
    ? (where === 'queue' ? 'Auto-publish is on: approved items take the next free slot by themselves.' : 'Free slots (hatched) are filled by auto-publish.')
    : (where === 'queue'
      ? 'Auto-publish is off: approved items wait here until you schedule them or run the scheduler.'
      : 'Auto-publish is off for this site, so no free slots are shown: nothing fills them by itself.');
  return h('div', { class: `autopublish autopublish-${on ? 'on' : 'off'}`, 'data-testid': `${where}-auto-publish`, 'data-state': on ? 'on' : 'off' },
    h('p', null, text),
    btn,
    warnings.length ? h('p', { class: 'warning', 'data-testid': `${where}-auto-publish-warning` }, warnings.join(' ')) : null);
}
