import Taro from '@tarojs/taro'
import { can, type Role } from '@anchor/shared'
import { API_BASE, ApiError, api } from '../../api/client'
import { getToken } from '../../api/session'
import { localParts, todayLocal } from '../../utils/time'

/** The filters every dashboard takes (README «Dashboards»): local days of the policy's zone, a team, a rep. */
export interface DashFilter {
  from: string
  to: string
  teamId?: number
  repId?: number
}

export type PeriodKey = 'week' | 'month' | 'lastMonth' | 'custom'
export const PERIOD_LABELS: Record<PeriodKey, string> = { week: '本周', month: '本月', lastMonth: '上月', custom: '自定义' }

const pad = (n: number) => (n < 10 ? `0${n}` : String(n))
/** A day (YYYY-MM-DD) moved by whole days, on the calendar (no time zone involved). */
export function shiftDay(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  const t = new Date(Date.UTC(y, m - 1, d + days))
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`
}
function weekday(day: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay()
}

/** 本周 (Monday to today), 本月 (the 1st to today), 上月 (the whole previous month), in the team's zone. */
export function periodOf(key: Exclude<PeriodKey, 'custom'>, today: string = todayLocal()): { from: string; to: string } {
  if (key === 'week') return { from: shiftDay(today, -((weekday(today) + 6) % 7)), to: today }
  const first = `${today.slice(0, 8)}01`
  if (key === 'month') return { from: first, to: today }
  const lastOfPrevious = shiftDay(first, -1)
  return { from: `${lastOfPrevious.slice(0, 8)}01`, to: lastOfPrevious }
}

/** Which preset a period is, or custom. */
export function periodKeyOf(f: { from: string; to: string }, today: string = todayLocal()): PeriodKey {
  for (const key of ['week', 'month', 'lastMonth'] as const) {
    const p = periodOf(key, today)
    if (p.from === f.from && p.to === f.to) return key
  }
  return 'custom'
}

/** '2026-11-01'…'2026-11-20' → '11-01 至 11-20' (with the year when it is not this year's). */
export function periodText(f: { from: string; to: string }): string {
  const year = todayLocal().slice(0, 4)
  const short = (d: string) => (d.startsWith(year) ? d.slice(5) : d)
  return f.from === f.to ? short(f.from) : `${short(f.from)} 至 ${short(f.to)}`
}

export function filterQuery(f: DashFilter): Record<string, string | number | undefined> {
  return { from: f.from, to: f.to, teamId: f.teamId, repId: f.repId }
}

export const getBoard = <T>(board: string, f: DashFilter, extra: Record<string, string | number | undefined> = {}) =>
  api.get<T>(`/dashboards/${board}`, { ...filterQuery(f), ...extra })

/**
 * Penetration is a monthly trend: the months up to the period's end, as many as policy shows by default
 * (6) — a week's penetration would say little.
 */
export function penetrationFilter(f: DashFilter, months = 6): DashFilter {
  const [y, m] = f.to.split('-').map(Number) as [number, number]
  const start = new Date(Date.UTC(y, m - 1 - (months - 1), 1))
  return { ...f, from: `${start.getUTCFullYear()}-${pad(start.getUTCMonth() + 1)}-01` }
}

/** Which dashboards a role reads (shared/src/permissions.ts): the full set, or the demand ones only (marketing, finance). */
export function dashboardAccess(role: Role | undefined): { full: boolean; demand: boolean } {
  return { full: can(role, 'dashboards.read'), demand: can(role, 'dashboards.demand.read') }
}

/** A member of a row may be narrowed to: team and rep filters only where the role sees more than itself. */
export function filtersShown(role: Role | undefined): { team: boolean; rep: boolean } {
  return { team: role === 'director' || role === 'admin', rep: role === 'director' || role === 'admin' || role === 'supervisor' }
}

function queryString(q: Record<string, string | number | undefined>): string {
  return Object.entries(q)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&')
}

async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } }
  return new ApiError((body.error?.code as never) ?? `HTTP_${res.status}`, body.error?.message || `导出失败（${res.status}）`, res.status)
}

/**
 * 导出 Excel: the dashboard's table with the same filters. H5 (the console) saves the file; the
 * mini-program downloads it with the session and opens it in WeChat's document viewer (share or save from there).
 */
export async function exportXlsx(board: string, query: Record<string, string | number | undefined>, filename: string): Promise<void> {
  const url = `${API_BASE}/api/v1/dashboards/${board}/export.xlsx?${queryString(query)}`
  const token = getToken()
  const header: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {}
  if (process.env.TARO_ENV === 'h5') {
    let res: Response
    try {
      res = await fetch(url, { headers: header })
    } catch {
      throw new ApiError('NETWORK', '网络连接失败，请检查网络后重试', 0)
    }
    if (!res.ok) throw await errorOf(res)
    const href = URL.createObjectURL(await res.blob())
    const a = document.createElement('a')
    a.href = href
    a.download = filename
    document.body.appendChild(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(href), 10_000)
    return
  }
  const done = await Taro.downloadFile({ url, header }).catch(() => {
    throw new ApiError('NETWORK', '网络连接失败，请检查网络后重试', 0)
  })
  if (done.statusCode !== 200) throw new ApiError(`HTTP_${done.statusCode}`, `导出失败（${done.statusCode}）`, done.statusCode)
  await Taro.openDocument({ filePath: done.tempFilePath, fileType: 'xlsx', showMenu: true })
}

/** '2026-11-20T02:00:00Z' → '11-20 10:00' is formatInstant; a bare local day for an instant: */
export const dayOf = (iso: string) => localParts(new Date(iso)).date

/** 0.8456 → '84.6%'; null → '—'. */
export function pct(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined) return '—'
  return `${(rate * 100).toFixed(digits).replace(/\.0$/, '')}%`
}
/** Hours as a person says them: 30 → '30 小时', 76 → '3.2 天'. */
export function hoursText(hours: number | null | undefined): string {
  if (hours === null || hours === undefined) return '—'
  return hours >= 48 ? `${(hours / 24).toFixed(1)} 天` : `${Math.round(hours)} 小时`
}

/** The board table's two periods: 对比前 (before) and 对比后 (after), local days. */
export interface BoardPeriods {
  beforeFrom: string
  beforeTo: string
  afterFrom: string
  afterTo: string
}
/** Default comparison: last month (whole) against this month up to today. */
export function defaultBoardPeriods(today: string = todayLocal()): BoardPeriods {
  const last = periodOf('lastMonth', today)
  const month = periodOf('month', today)
  return { beforeFrom: last.from, beforeTo: last.to, afterFrom: month.from, afterTo: month.to }
}
export function boardQuery(p: BoardPeriods, f: Pick<DashFilter, 'teamId' | 'repId'>): Record<string, string | number | undefined> {
  return { ...p, teamId: f.teamId, repId: f.repId }
}

/** Efficiency per hour: 0.0417 → '0.042 次/小时'; null → '—'. */
export function perHourText(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—'
  return `${v.toFixed(3).replace(/0+$/, '').replace(/\.$/, '')} 次/小时`
}
