// Building an Intl.DateTimeFormat costs ~1 ms; a 10 000-row import needs one, not 20 000.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

// Offsets only change at (half-)hour boundaries, so one lookup per zone and quarter hour is enough.
const QUARTER_HOUR_MS = 15 * 60_000;
const offsetCache = new Map<string, number>();

/** Offset of `timeZone` from UTC at `instant`, in minutes (Asia/Shanghai → 480). */
export function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  const cacheKey = `${timeZone}@${Math.floor(instant.getTime() / QUARTER_HOUR_MS)}`;
  const cached = offsetCache.get(cacheKey);
  if (cached !== undefined) return cached;
  if (offsetCache.size > 5000) offsetCache.clear();
  const offset = computeOffset(instant, timeZone);
  offsetCache.set(cacheKey, offset);
  return offset;
}

function computeOffset(instant: Date, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
}

/** A wall-clock time (carried in a Date's UTC fields, as spreadsheets give them) → the real instant. */
export function wallClockToInstant(wall: Date, timeZone: string): Date {
  const guess = new Date(wall.getTime() - zoneOffsetMinutes(wall, timeZone) * 60000);
  return new Date(wall.getTime() - zoneOffsetMinutes(guess, timeZone) * 60000);
}

/** The real instant → its wall-clock time in `timeZone`, carried in a Date's UTC fields. */
export function instantToWallClock(instant: Date, timeZone: string): Date {
  return new Date(instant.getTime() + zoneOffsetMinutes(instant, timeZone) * 60000);
}
