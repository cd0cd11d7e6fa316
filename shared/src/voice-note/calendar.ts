import { zoneOffsetMinutes } from '../time-zone';

// ─── the local calendar ────────────────────────────────────────────────────────────────────────

export const DAY_MS = 86_400_000;
/** A local calendar day as days since 1970-01-01 (so adding days is plain arithmetic). */
export type Day = number;
export const dayOf = (y: number, m: number, d: number): Day => Date.UTC(y, m - 1, d) / DAY_MS;
export const ymd = (day: Day) => {
  const t = new Date(day * DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
};
/** Monday = 1 … Sunday = 7. */
export const weekday = (day: Day) => ((new Date(day * DAY_MS).getUTCDay() + 6) % 7) + 1;
export const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
/** Month arithmetic: (y, m + k) normalised. */
export const addMonths = (y: number, m: number, k: number) => {
  const idx = y * 12 + (m - 1) + k;
  return { y: Math.floor(idx / 12), m: (idx % 12) + 1 };
};

export interface Clock {
  offsetAt(instant: Date): number;
  now: Date;
  today: Day;
}

export function makeClock(now: Date, timeZone: string, fixedOffset: number | undefined): Clock {
  const offsetAt = (instant: Date): number => {
    if (typeof fixedOffset === 'number' && Number.isFinite(fixedOffset)) return fixedOffset;
    try {
      const minutes = zoneOffsetMinutes(instant, timeZone);
      if (Number.isFinite(minutes)) return minutes;
    } catch {
      // Unknown zone, or a WebView whose Intl has no time zones: fall through.
    }
    return -instant.getTimezoneOffset(); // the device's own zone (the phone is where the team is)
  };
  const wall = new Date(now.getTime() + offsetAt(now) * 60000);
  return { offsetAt, now, today: dayOf(wall.getUTCFullYear(), wall.getUTCMonth() + 1, wall.getUTCDate()) };
}

/** Local day + clock time → the instant (minutes may exceed a day: 晚上12点 = next day 00:00). */
export function toInstant(clock: Clock, day: Day, minutes: number): Date {
  const wallMs = day * DAY_MS + minutes * 60000;
  const guess = wallMs - clock.offsetAt(clock.now) * 60000;
  return new Date(wallMs - clock.offsetAt(new Date(guess)) * 60000);
}
