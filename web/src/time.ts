import { DateTime, IANAZone } from 'luxon';

export function validZone(tz: string | null | undefined): string {
  return tz && IANAZone.isValidZone(tz) ? tz : 'UTC';
}

/** "Tue 20 Jan 2026, 15:00" in the site's zone. */
export function fmtLocal(iso: string | null | undefined, tz: string): string {
  if (!iso) return '—';
  const d = DateTime.fromISO(iso, { setZone: true });
  if (!d.isValid) return iso;
  return d.setZone(validZone(tz)).toFormat('ccc d LLL yyyy, HH:mm');
}

/** Value for <input type="datetime-local"> in the site's zone. */
export function toLocalInput(iso: string | null | undefined, tz: string): string {
  const d = iso ? DateTime.fromISO(iso, { setZone: true }) : DateTime.now().plus({ hours: 1 }).startOf('hour');
  return d.setZone(validZone(tz)).toFormat("yyyy-LL-dd'T'HH:mm");
}

/** A datetime-local value read as wall time in the site's zone → ISO UTC. */
export function fromLocalInput(value: string, tz: string): string | null {
  const d = DateTime.fromISO(value, { zone: validZone(tz) });
  return d.isValid ? d.toUTC().toISO({ suppressMilliseconds: true }) : null;
}

export function isoUtc(d: Date): string {
  return DateTime.fromJSDate(d).toUTC().toISO({ suppressMilliseconds: true })!;
}

export function zoneLabel(tz: string): string {
  const z = validZone(tz);
  const off = DateTime.now().setZone(z).toFormat('ZZ');
  return `${z} (UTC${off})`;
}

export function allZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  try {
    const list = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
    return list.includes('UTC') ? list : ['UTC', ...list];
  } catch {
    return ['UTC'];
  }
}

/** Whether an instant is one of the site's publishing slots: its local weekday is a publishing
 * day and its local HH:MM a time slot (both read in the site's zone). */
export function slotFit(iso: string, tz: string, days: string[], slots: string[]): { day: boolean; time: boolean; local: string } {
  const d = DateTime.fromISO(iso, { setZone: true }).setZone(validZone(tz));
  const weekday = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'][d.weekday - 1];
  return { day: days.includes(weekday), time: slots.includes(d.toFormat('HH:mm')), local: d.toFormat('cccc d LLL, HH:mm') };
}

/** "HH:MM:00" an hour before the earliest slot (for opening day/week views there). */
export function workdayStart(slots: string[]): string {
  const mins = slots.map((s) => /^(\d\d):(\d\d)$/.exec(s)).filter(Boolean).map((m) => Number(m![1]) * 60 + Number(m![2]));
  if (!mins.length) return '08:00:00';
  const start = Math.max(0, Math.min(...mins) - 60);
  return `${String(Math.floor(start / 60)).padStart(2, '0')}:${String(start % 60).padStart(2, '0')}:00`;
}
