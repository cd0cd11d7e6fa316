import { instantToWallClock } from '@anchor/shared'

/**
 * The team's zone is the server's policy `timeZone`, given by /options (api/options.ts sets it when
 * the options load, or from the stored copy). Asia/Shanghai only until then.
 */
export const FALLBACK_TIME_ZONE = 'Asia/Shanghai'

let teamZone = FALLBACK_TIME_ZONE
const listeners = new Set<() => void>()

function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** The zone every wall-clock time in the app is shown and read in. */
export function teamTimeZone(): string {
  return teamZone
}

/** Set from the options; nothing (or a zone this runtime does not know) means the fallback. */
export function setTeamTimeZone(zone: string | null | undefined): void {
  const next = zone && isZone(zone) ? zone : FALLBACK_TIME_ZONE
  if (next === teamZone) return
  teamZone = next
  for (const listener of [...listeners]) listener()
}

/** Told when the zone changes (pages re-render their times); returns the unsubscribe. */
export function onTeamTimeZoneChange(listener: () => void): () => void {
  listeners.add(listener)
  return () => void listeners.delete(listener)
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n))

/** An instant → its date and clock time in the team's zone. */
export function localParts(instant: Date): { date: string; time: string } {
  const wall = instantToWallClock(instant, teamZone)
  return {
    date: `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`,
    time: `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}`,
  }
}

/** '2026-11-27T06:30:00Z' → '11-27 14:30' (in Asia/Shanghai; the team's zone); '' for nothing. */
export function formatInstant(iso: string | null | undefined, withYear = false): string {
  if (!iso) return ''
  const at = new Date(iso)
  if (Number.isNaN(at.getTime())) return ''
  const { date, time } = localParts(at)
  return `${withYear ? date : date.slice(5)} ${time}`
}

export function todayLocal(): string {
  return localParts(new Date()).date
}

export function addDaysLocal(days: number): string {
  return localParts(new Date(Date.now() + days * 86_400_000)).date
}

/** A unique key for one create (server accepts 8–100 of A-Za-z0-9_.:-). */
let counter = 0
export function newIdempotencyKey(): string {
  counter = (counter + 1) % 1000
  return `v-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}-${counter}`
}
