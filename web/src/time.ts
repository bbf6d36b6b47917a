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
