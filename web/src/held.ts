// An item held after a missed slot (the site's missed-slot policy "hold"): the scheduler
// leaves it until a person decides, so every list that shows it says so, and why.
import type { Content } from './api';
import { h } from './dom';

export const HELD_WHY = 'Missed its slot and is held for a person to decide: the scheduler does not place it by itself. Schedule it, or publish it now.';

/** The "Held" badge, its reason shown on hover; read out with it too unless `said` (the
 * reason is already written next to it). */
export function heldBadge(c: Pick<Content, 'held'>, testid = 'held-badge', said = false): HTMLElement | null {
  if (!c.held) return null;
  return h('span', { class: 'badge badge-held', 'data-testid': testid, title: HELD_WHY },
    'Held', said ? null : h('span', { class: 'visually-hidden' }, `: ${HELD_WHY}`));
}
