import { addDays, checkinCompletion, isWorkingDay, localDay, localInstant, overdueCriteria, rate, type CheckinPolicy } from '@anchor/shared';
import type { Policy } from '../../config/policy';
import type { Sql } from '../../db/sql';
import type { Member } from '../org';
import { reachOf } from './dashboards.reach';
import { checkinCounts, penetrationByMonth, pipelineCounts, visitAggregates, type Dialect } from './dashboards.sql';

/**
 * The weekly digest (README «Weekly digest»): when it is due, and what it says. Its numbers are the
 * dashboards' own (the same SQL over the same reach), over two whole ISO weeks in the policy time zone.
 */

type Calendar = Pick<CheckinPolicy, 'workingWeekdays' | 'holidays' | 'makeUpWorkdays'>;
export type DigestSchedule = Policy['weeklyDigest'];

/** 1 = Monday … 7 = Sunday of a local day `YYYY-MM-DD`. */
function weekdayOf(day: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay() || 7;
}

/** The Monday of the ISO week holding `day`. */
export function mondayOf(day: string): string {
  return addDays(day, 1 - weekdayOf(day));
}

/** The ISO 8601 week of a local day, `2026-W48` (the week's Thursday decides the year). */
export function isoWeek(day: string): string {
  const thursday = addDays(mondayOf(day), 3);
  const year = thursday.slice(0, 4);
  const days = Math.round((Date.parse(`${thursday}T00:00:00Z`) - Date.parse(`${year}-01-01T00:00:00Z`)) / 86_400_000);
  return `${year}-W${String(Math.floor(days / 7) + 1).padStart(2, '0')}`;
}

/**
 * When the digest of the week starting `monday` goes out: its weekday at its time; on a day off (the
 * check-ins' working calendar: weekdays, holidays, 调休) the week's next working day at that time, or
 * none that week (`onDayOff: skip`, or no working day left in the week).
 */
export function sendInstant(monday: string, schedule: DigestSchedule, calendar: Calendar, timeZone: string): { day: string; at: Date } | null {
  for (let day = addDays(monday, schedule.weekday - 1); day < addDays(monday, 7); day = addDays(day, 1)) {
    if (isWorkingDay(day, calendar)) return { day, at: localInstant(day, schedule.time, timeZone) };
    if (schedule.onDayOff === 'skip') return null;
  }
  return null;
}

/** The next time the digest goes out after `now` (the recurring row's next occurrence). */
export function nextDigestAfter(now: Date, schedule: DigestSchedule, calendar: Calendar, timeZone: string): Date {
  const monday = mondayOf(localDay(now, timeZone));
  for (let week = 0; week < 60; week++) {
    const send = sendInstant(addDays(monday, 7 * week), schedule, calendar, timeZone);
    if (send && send.at.getTime() > now.getTime()) return send.at;
  }
  return new Date(now.getTime() + 7 * 86_400_000); // a calendar with no working day for a year: look again in a week
}

export interface DigestWeek {
  /** the ISO week the digest belongs to (its send day's), the once-per-person key */
  week: string;
  sendDay: string;
  /** the two whole weeks compared: `last` (Monday … Sunday before the send day's week) and the one before */
  last: { from: string; to: string; start: Date; end: Date };
  before: { from: string; to: string; start: Date; end: Date };
}

/**
 * The digest due at `now`, if any: the latest send time at or before now, no more than catchUpHours ago
 * (a server down at 08:30 sends it when it is back; much later, that week's is left out).
 */
export function dueDigest(now: Date, schedule: DigestSchedule, calendar: Calendar, timeZone: string): DigestWeek | null {
  const thisMonday = mondayOf(localDay(now, timeZone));
  for (const monday of [thisMonday, addDays(thisMonday, -7)]) {
    const send = sendInstant(monday, schedule, calendar, timeZone);
    if (!send || send.at.getTime() > now.getTime()) continue;
    if (now.getTime() - send.at.getTime() >= schedule.catchUpHours * 3_600_000) return null;
    const span = (from: string) => ({ from, to: addDays(from, 6), start: localInstant(from, '00:00', timeZone), end: localInstant(addDays(from, 7), '00:00', timeZone) });
    return { week: isoWeek(send.day), sendDay: send.day, last: span(addDays(monday, -7)), before: span(addDays(monday, -14)) };
  }
  return null;
}

// ── what the card says ──────────────────────────────────────────────────────────────────────────

/** One headline figure over the two weeks: a count, or a rate (0…1; null when nothing was due). */
export interface Figure {
  id: string;
  label: string;
  kind: 'count' | 'rate';
  last: number | null;
  before: number | null;
}

/** A figure that moved: its relative change (环比) last week against the week before; null when it rose from 0. */
export interface Move extends Figure {
  change: number | null;
}

/** A figure as the card shows it: a rate in whole percent (0.8572 → 86), a count as it is. */
const shown = (kind: Figure['kind'], v: number | null) => (v === null || kind === 'count' ? v : Math.round(v * 100));

/**
 * "Moved most": among the headline figures with a value in both weeks, those whose relative change
 * (last − before) ÷ before is largest in size, whichever way; a figure that rose from 0 ranks above any
 * finite change; ties keep the headline order. At most `n`. Computed on the values as the card shows them
 * (rates in whole percent), so the reader can redo the 环比 from the card, and 85.72% against 85.71% —
 * shown 86% both weeks — did not move and is not listed.
 */
export function movedMost(figures: readonly Figure[], n: number): Move[] {
  const moves: Array<Move & { size: number; order: number }> = [];
  figures.forEach((raw, order) => {
    const [last, before] = [shown(raw.kind, raw.last), shown(raw.kind, raw.before)];
    if (last === null || before === null || last === before) return;
    const change = before === 0 ? null : (last - before) / before;
    moves.push({ ...raw, last: raw.kind === 'rate' ? last / 100 : last, before: raw.kind === 'rate' ? before / 100 : before, change, size: change === null ? Number.POSITIVE_INFINITY : Math.abs(change), order });
  });
  moves.sort((a, b) => b.size - a.size || a.order - b.order);
  return moves.slice(0, n).map(({ size: _size, order: _order, ...m }) => m);
}

/** The payload of a digest's outbox message: everything the card shows, fixed when it was produced. */
export interface DigestPayload {
  memberId: number;
  week: string;
  /** whose figures: 上海一组 (a supervisor's team) or 华东 (a director's region) */
  scopeName: string;
  last: { from: string; to: string };
  moves: Move[];
  /** the reach's overdue customers at the time it was produced, and in last week's digest (if one was) */
  overdue: number;
  overdueBefore: number | null;
  /** one line per running campaign with targets in the reach (the campaigns module words them), when there is one */
  campaigns?: string[];
  [key: string]: unknown;
}

const pct = (r: number) => `${Math.round(r * 100)}%`;
const value = (kind: Figure['kind'], v: number) => (kind === 'rate' ? pct(v) : String(v));
const md = (day: string) => `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;

/** One moved figure as a line: 「拜访次数：8（前一周 4，环比 +100%）」. */
export function moveLine(m: Move): string {
  const change = m.change === null ? '前一周为 0' : `环比 ${m.change > 0 ? '+' : '-'}${pct(Math.abs(m.change))}`;
  return `${m.label}：${value(m.kind, m.last!)}（前一周 ${value(m.kind, m.before!)}，${change}）`;
}

/** The card's text, the same words in every channel. */
export function digestLines(p: DigestPayload): string[] {
  const period = `上周（${md(p.last.from)}–${md(p.last.to)}）`;
  const moved = p.moves.length
    ? [`${period}变化最大的 ${p.moves.length} 项：`, ...p.moves.map((m, i) => `${i + 1}. ${moveLine(m)}`)]
    : [`${period}各项与前一周相比没有变化（或两周都没有数据）。`];
  const overdue = `当前逾期客户：${p.overdue} 位${p.overdueBefore === null ? '' : `（上期周报时 ${p.overdueBefore} 位）`}`;
  return [...moved, overdue, ...(p.campaigns ?? [])];
}

export const digestTitle = (p: DigestPayload) => `${p.scopeName} 周报 · ${p.week}`;

// ── the figures of one person's reach ───────────────────────────────────────────────────────────

/** Who gets a digest: the roles that lead a reach of reps (a supervisor's team, a director's region). */
export const DIGEST_ROLES = ['supervisor', 'director'] as const;

/**
 * The headline figures, in this order (the tie-break): 拜访次数 (visits submitted by the reach), 打卡完成率
 * (check-ins done on time or late ÷ all due), 下次跟进按时率 (promised follow-ups kept, as the visit-quality
 * dashboard), then each key action's on-time rate (policy dashboards.penetration.keyActions: 线索 48 小时
 * 内触达, 主管 48 小时内确认 …; due in the week by trigger + deadline, as the penetration dashboard counts months).
 */
export async function digestFigures(
  sql: Sql, d: Dialect, policy: Policy, person: Pick<Member, 'id' | 'role' | 'teamId' | 'regionId'>, week: DigestWeek, now: Date,
): Promise<{ scope: number[]; figures: Figure[]; overdue: number }> {
  // the reach reads only these four of the member (its scope in the permission matrix, its team and region)
  const reach = await reachOf(sql, person as Member, 'dashboards.read', {}, week.last);
  const ids = reach.shown.map((p) => p.id);
  const grace = policy.dashboards.visitQuality.followUpGraceHours * 3600;
  const visits = async (w: DigestWeek['last']) => {
    const rows = await visitAggregates(sql, d, ids, w.start, w.end, now, grace);
    const sum = (k: 'visits' | 'followUpsDue' | 'followUpsOnTime') => rows.reduce((n, r) => n + r[k], 0);
    return { visits: sum('visits'), followUp: rate(sum('followUpsOnTime'), sum('followUpsDue')) };
  };
  const checkins = async (w: DigestWeek['last']) => {
    const n = { on_time: 0, late: 0, missing: 0 } as Record<string, number>;
    for (const c of await checkinCounts(sql, ids, w.from, w.to)) n[c.status] = (n[c.status] ?? 0) + c.n;
    return checkinCompletion(n.on_time ?? 0, n.late ?? 0, n.missing ?? 0);
  };
  const [vLast, vBefore] = [await visits(week.last), await visits(week.before)];
  const figures: Figure[] = [
    { id: 'visits', label: '拜访次数', kind: 'count', last: vLast.visits, before: vBefore.visits },
    { id: 'checkin_completion', label: '打卡完成率', kind: 'rate', last: await checkins(week.last), before: await checkins(week.before) },
    { id: 'follow_up_on_time', label: '下次跟进按时率', kind: 'rate', last: vLast.followUp, before: vBefore.followUp },
  ];
  for (const a of policy.dashboards.penetration.keyActions) {
    // two buckets: [before.start, last.start) and [last.start, last.end)
    const counted = await penetrationByMonth(sql, d, a.trigger, ids, [week.before.start, week.last.start, week.last.end], a.deadlineHours * 3600, now);
    const of = (bucket: number) => {
      const c = counted.find((x) => x.month === bucket);
      return rate(c?.done ?? 0, c?.due ?? 0);
    };
    figures.push({ id: `key_action:${a.id}`, label: `${a.label}率`, kind: 'rate', last: of(1), before: of(0) });
  }
  const { cutoff, excludedStages } = overdueCriteria({ overdueDays: policy.limits.overdueDays, overdueExcludedStages: policy.overdueExcludedStages }, now);
  const overdue = (await pipelineCounts(sql, ids, excludedStages, cutoff)).reduce((n, s) => n + s.overdue, 0);
  return { scope: ids, figures, overdue };
}
