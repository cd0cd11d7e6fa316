import { instantToWallClock } from '@anchor/shared'

export const TEAM_TIME_ZONE = 'Asia/Shanghai'

const pad = (n: number) => (n < 10 ? `0${n}` : String(n))

/** An instant → its date and clock time in the team's zone. */
export function localParts(instant: Date): { date: string; time: string } {
  const wall = instantToWallClock(instant, TEAM_TIME_ZONE)
  return {
    date: `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`,
    time: `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}`,
  }
}

/** '2026-11-27T06:30:00Z' → '11-27 14:30' (Shanghai); '' for nothing. */
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
