import type { DataSource } from 'typeorm';
import {
  BOARD_METRICS, BOARD_METRIC_BETTER, BOARD_METRIC_LABELS, addDays, boardChange, checkinCompletion, contactEfficiency, isWorkingDay, localDay, localInstant, rate, weeksOf,
  type Action, type BoardMetric,
} from '@anchor/shared';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { isSqlite } from '../../db/data-source';
import { withSqlTransaction, type Sql } from '../../db/sql';
import { invalid } from '../../http/errors';
import type { Member } from '../org';
import { joinDates, newReps, recordCompleteness, stageJudgments } from './board.sql';
import { periodOf, reachOf, type DashboardFilter, type Reach } from './dashboards.reach';
import { checkinCounts, dialectOf, penetrationByMonth, penetrationRecords, type Dialect } from './dashboards.sql';
import type { PageQuery } from './dashboards.service';
import { agreedActionCounts, agreedActionRecords, contactRecords, effectiveContacts } from './efficiency.sql';

const pageOf = (q: PageQuery) => ({ limit: q.pageSize, offset: (q.page - 1) * q.pageSize });
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const DAY_MS = 86_400_000;
const MAX_WEEKS = 27;

/** The two periods of the board table, each a period of local days (the same 366-day limit). */
export interface BoardPeriods {
  before: { from: string; to: string };
  after: { from: string; to: string };
}

/**
 * The dashboards added with the data that came later (README «Metrics»): contact efficiency, the weekly
 * agreed-action and check-in completion trends, and the board table (before / after). Same reach and
 * filters as DashboardService; the definitions are board.sql.ts and efficiency.sql.ts.
 */
export class DashboardBoardService {
  private readonly d: Dialect;
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {
    this.d = dialectOf(isSqlite(db));
  }

  private get tz() {
    return this.policy.timeZone;
  }
  private get rules() {
    return this.policy.dashboards;
  }

  private read<T>(caller: Member, action: Action, filter: DashboardFilter, work: (sql: Sql, reach: Reach) => Promise<T>): Promise<T> {
    const period = periodOf(filter, this.clock.now(), this.tz);
    return withSqlTransaction(this.db, async (sql) => work(sql, await reachOf(sql, caller, action, filter, period)));
  }

  private positiveFeedback(): string {
    return this.policy.options.customerFeedback[0]!;
  }

  // ── 客户接触效率比 contact efficiency ──────────────────────────────────────────────────────────

  /** The period's working days up to today, by the policy calendar (checkins: weekdays, holidays, 调休). */
  private workingDaysOf(from: string, to: string): string[] {
    const today = localDay(this.clock.now(), this.tz);
    const last = to < today ? to : today;
    const days: string[] = [];
    for (let day = from; day <= last; day = addDays(day, 1)) if (isWorkingDay(day, this.policy.checkins)) days.push(day);
    return days;
  }

  async efficiency(caller: Member, filter: DashboardFilter) {
    return this.read(caller, 'dashboards.read', filter, async (sql, reach) => {
      const ids = reach.shown.map((p) => p.id);
      const counts = new Map((await effectiveContacts(sql, ids, reach.start, reach.end, this.positiveFeedback())).map((c) => [c.memberId, c]));
      const joined = await joinDates(sql, ids);
      const hoursPerDay = this.rules.efficiency.hoursPerDay;
      const days = this.workingDaysOf(reach.from, reach.to);
      // Reps, and a supervisor only if they visited in the period: a supervisor who manages rather than sells
      // would add hours without contacts and pull the team's ratio down.
      const selling = reach.shown.filter((p) => p.role === 'rep' || (counts.get(p.id)?.visits ?? 0) > 0);
      const rows = selling.map((p) => {
        // from the member's join day (the policy zone's day of COALESCE(joinedAt, createdAt))
        const joinDay = joined.has(p.id) ? localDay(joined.get(p.id)!, this.tz) : reach.from;
        const workingDays = joinDay <= reach.from ? days.length : days.filter((d) => d >= joinDay).length;
        const salesHours = workingDays * hoursPerDay;
        const c = counts.get(p.id);
        return {
          memberId: p.id, name: p.name, teamId: p.teamId, teamName: p.teamName, visits: c?.visits ?? 0, effectiveContacts: c?.effective ?? 0, workingDays, salesHours,
          perHour: contactEfficiency(c?.effective ?? 0, salesHours),
        };
      });
      const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((n, r) => n + f(r), 0);
      const total = { visits: sum((r) => r.visits), effectiveContacts: sum((r) => r.effectiveContacts), salesHours: sum((r) => r.salesHours), perHour: contactEfficiency(sum((r) => r.effectiveContacts), sum((r) => r.salesHours)) };
      return { from: reach.from, to: reach.to, hoursPerDay, salesHoursFrom: 'working_calendar' as const, rows, total };
    });
  }

  /** The visits behind a ratio: the period's visits of the members shown, each saying whether it is an effective contact. */
  async efficiencyVisits(caller: Member, filter: DashboardFilter & { effective?: boolean | undefined }, page: PageQuery) {
    return this.read(caller, 'dashboards.read', filter, async (sql, reach) => {
      const names = new Map(reach.shown.map((p) => [p.id, p.name]));
      const { rows, total } = await contactRecords(sql, [...names.keys()], reach.start, reach.end, this.positiveFeedback(), filter.effective === true, pageOf(page));
      return {
        items: rows.map((r) => ({ ...r, memberName: names.get(r.memberId) ?? '', submittedAt: r.submittedAt.toISOString(), nextFollowUpAt: iso(r.nextFollowUpAt) })),
        total, page: page.page, pageSize: page.pageSize,
      };
    });
  }

  // ── trends: agreed-action completion and check-in completion, weekly ──────────────────────────

  async trends(caller: Member, filter: DashboardFilter) {
    const now = this.clock.now();
    return this.read(caller, 'dashboards.read', filter, async (sql, reach) => {
      const weeks = weeksOf(reach.from, reach.to);
      if (weeks.length > MAX_WEEKS) throw invalid({ from: `趋势最多显示 ${MAX_WEEKS} 周` });
      const ids = reach.shown.map((p) => p.id);
      const starts = [...weeks.map((w) => localInstant(w.from, '00:00', this.tz)), localInstant(addDays(weeks[weeks.length - 1]!.to, 1), '00:00', this.tz)];
      const actions = await agreedActionCounts(sql, ids, starts, now);
      const checkins = await checkinCounts(sql, ids, reach.from, reach.to);
      const weekOf = (day: string) => weeks.findIndex((w) => day >= w.from && day <= w.to);
      type Acc = { a: Array<{ due: number; done: number }>; c: Array<{ onTime: number; late: number; missing: number }> };
      const blank = (): Acc => ({ a: weeks.map(() => ({ due: 0, done: 0 })), c: weeks.map(() => ({ onTime: 0, late: 0, missing: 0 })) });
      const per = new Map<number, Acc>(ids.map((id) => [id, blank()]));
      for (const x of actions) {
        const cell = per.get(x.memberId)?.a[x.bucket];
        if (cell) {
          cell.due += x.due;
          cell.done += x.done;
        }
      }
      for (const x of checkins) {
        const cell = per.get(x.memberId)?.c[weekOf(x.day)];
        if (cell && (x.status === 'on_time' || x.status === 'late' || x.status === 'missing')) cell[x.status === 'on_time' ? 'onTime' : x.status] += x.n;
      }
      const merge = (list: Acc[]): Acc => {
        const out = blank();
        for (const acc of list)
          for (let i = 0; i < weeks.length; i++) {
            out.a[i]!.due += acc.a[i]!.due;
            out.a[i]!.done += acc.a[i]!.done;
            out.c[i]!.onTime += acc.c[i]!.onTime;
            out.c[i]!.late += acc.c[i]!.late;
            out.c[i]!.missing += acc.c[i]!.missing;
          }
        return out;
      };
      const series = (acc: Acc) => ({
        agreedActions: acc.a.map((x) => ({ due: x.due, done: x.done, rate: rate(x.done, x.due) })),
        checkins: acc.c.map((x) => ({ done: x.onTime + x.late, rows: x.onTime + x.late + x.missing, rate: checkinCompletion(x.onTime, x.late, x.missing) })),
      });
      const teamIds = [...new Set(reach.shown.map((p) => p.teamId))];
      return {
        from: reach.from, to: reach.to, weeks,
        total: series(merge([...per.values()])),
        teams: teamIds.map((teamId) => {
          const members = reach.shown.filter((p) => p.teamId === teamId);
          return { teamId, teamName: members[0]?.teamName ?? null, ...series(merge(members.map((p) => per.get(p.id)!))) };
        }),
        reps: reach.shown.map((p) => ({ memberId: p.id, name: p.name, teamId: p.teamId, teamName: p.teamName, ...series(per.get(p.id)!) })),
      };
    });
  }

  /** The agreed actions behind a completion rate or a week: every one due in the period (by follow-up time). */
  async agreedActions(caller: Member, filter: DashboardFilter, page: PageQuery) {
    return this.read(caller, 'dashboards.read', filter, async (sql, reach) => {
      const names = new Map(reach.shown.map((p) => [p.id, p.name]));
      const { rows, total } = await agreedActionRecords(sql, [...names.keys()], reach.start, reach.end, this.clock.now(), pageOf(page));
      return {
        items: rows.map((r) => ({ ...r, memberName: names.get(r.memberId) ?? '', nextFollowUpAt: r.nextFollowUpAt.toISOString(), actionDoneAt: iso(r.actionDoneAt) })),
        total, page: page.page, pageSize: page.pageSize,
      };
    });
  }

  // ── board table (before / after) ──────────────────────────────────────────────────────────────

  /** The lead key action of the board: the policy's lead_assigned → first_touch key action (48 h by default). */
  private leadAction() {
    const a = this.rules.penetration.keyActions.find((k) => k.trigger === 'lead_assigned');
    return a ?? { id: 'lead_touch', label: BOARD_METRIC_LABELS.lead_touch, trigger: 'lead_assigned' as const, completion: 'first_touch' as const, deadlineHours: 48 };
  }

  /** One board metric over one period: value, numerator, denominator. */
  private async measure(sql: Sql, reach: Reach, metric: BoardMetric): Promise<{ value: number | null; numerator: number; denominator: number }> {
    const ids = reach.shown.map((p) => p.id);
    const now = this.clock.now();
    switch (metric) {
      case 'lead_touch': {
        const [c] = await penetrationByMonth(sql, this.d, 'lead_assigned', ids, [reach.start, reach.end], this.leadAction().deadlineHours * 3600, now);
        return { value: rate(c?.done ?? 0, c?.due ?? 0), numerator: c?.done ?? 0, denominator: c?.due ?? 0 };
      }
      case 'record_completeness': {
        const r = await recordCompleteness(sql, this.d, ids, reach.start, reach.end, now, this.rules.board.recordFilledWithinHours * 3600);
        return { value: rate(r.done, r.due), numerator: r.done, denominator: r.due };
      }
      case 'stage_misjudgment': {
        const j = await stageJudgments(sql, ids, reach.start, reach.end);
        const wrong = j.filter((x) => x.wrong !== null).length;
        return { value: rate(wrong, j.length), numerator: wrong, denominator: j.length };
      }
      case 'new_rep_days': {
        const reps = await newReps(sql, ids, reach.start, this.rules.board.newRepDays);
        const signed = reps.filter((r) => r.firstSignedAt !== null);
        const days = signed.map((r) => (r.firstSignedAt!.getTime() - r.joinedAt.getTime()) / DAY_MS);
        const avg = days.length ? Math.round((days.reduce((a, b) => a + b, 0) / days.length) * 10) / 10 : null;
        return { value: avg, numerator: signed.length, denominator: reps.length };
      }
    }
  }

  private drillPath(metric: BoardMetric, period: { from: string; to: string }, filter: DashboardFilter): string {
    const q = new URLSearchParams({ metric, from: period.from, to: period.to });
    if (filter.teamId !== undefined) q.set('teamId', String(filter.teamId));
    if (filter.repId !== undefined) q.set('repId', String(filter.repId));
    return `/api/v1/dashboards/board/records?${q.toString()}`;
  }

  async board(caller: Member, periods: BoardPeriods, filter: Pick<DashboardFilter, 'teamId' | 'repId'>) {
    const now = this.clock.now();
    const before = periodOf({ ...periods.before }, now, this.tz);
    const after = periodOf({ ...periods.after }, now, this.tz);
    return withSqlTransaction(this.db, async (sql) => {
      const reachBefore = await reachOf(sql, caller, 'dashboards.read', { ...filter, ...periods.before }, before);
      const reachAfter = { ...reachBefore, ...after };
      const rows = [];
      for (const metric of BOARD_METRICS) {
        const b = await this.measure(sql, reachBefore, metric);
        const a = await this.measure(sql, reachAfter, metric);
        rows.push({
          metric, label: this.boardLabel(metric), unit: metric === 'new_rep_days' ? ('days' as const) : ('rate' as const), better: BOARD_METRIC_BETTER[metric],
          before: { from: before.from, to: before.to, ...b, drillDown: this.drillPath(metric, before, filter) },
          after: { from: after.from, to: after.to, ...a, drillDown: this.drillPath(metric, after, filter) },
          ...boardChange(metric, b.value, a.value),
        });
      }
      return { newRepDays: this.rules.board.newRepDays, rows };
    });
  }

  boardLabel(metric: BoardMetric): string {
    return metric === 'lead_touch' ? `线索 ${this.leadAction().deadlineHours} 小时内触达率` : BOARD_METRIC_LABELS[metric];
  }

  /** The records behind one side of a board row: the leads, the visit records, the customers judged, the new reps. */
  async boardRecords(caller: Member, filter: DashboardFilter & { metric: BoardMetric }, page: PageQuery) {
    const now = this.clock.now();
    const { limit, offset } = pageOf(page);
    return this.read(caller, 'dashboards.read', filter, async (sql, reach) => {
      const names = new Map(reach.shown.map((p) => [p.id, p.name]));
      const ids = [...names.keys()];
      const stage = (code: string) => this.policy.stages.find((s) => s.code === code)?.label ?? code;
      type Item = { kind: 'customer' | 'visit' | 'member'; id: number; name: string; memberId: number; memberName: string; customerId: number | null; at: string | null; counted: boolean; detail: string };
      let items: Item[] = [];
      let total = 0;
      switch (filter.metric) {
        case 'lead_touch': {
          const deadline = this.leadAction().deadlineHours * 3600;
          const r = await penetrationRecords(sql, 'lead_assigned', ids, reach.start, reach.end, deadline, now, { limit, offset });
          total = r.total;
          items = r.rows.map((x) => {
            const onTime = x.completedAt !== null && x.completedAt.getTime() <= x.triggeredAt.getTime() + deadline * 1000;
            return {
              kind: 'customer', id: x.customerId ?? 0, name: x.customerName ?? '', memberId: x.ownerId, memberName: names.get(x.ownerId) ?? '', customerId: x.customerId, at: x.triggeredAt.toISOString(), counted: onTime,
              detail: x.completedAt ? `分配于 ${fmt(x.triggeredAt, this.tz)}，触达于 ${fmt(x.completedAt, this.tz)}${onTime ? '（按时）' : '（超时）'}` : `分配于 ${fmt(x.triggeredAt, this.tz)}，未触达`,
            };
          });
          break;
        }
        case 'record_completeness': {
          const within = this.rules.board.recordFilledWithinHours;
          const r = await recordCompleteness(sql, this.d, ids, reach.start, reach.end, now, within * 3600, { limit, offset });
          total = r.total;
          items = r.rows.map((x) => ({
            kind: 'visit', id: x.id, name: x.customerName, memberId: x.memberId, memberName: names.get(x.memberId) ?? '', customerId: x.customerId, at: x.createdAt.toISOString(), counted: x.done,
            detail: x.submittedAt === null ? `待填写，超过 ${within} 小时未提交` : x.done ? '三要素完整提交' : `${within} 小时后才提交`,
          }));
          break;
        }
        case 'stage_misjudgment': {
          const all = await stageJudgments(sql, ids, reach.start, reach.end);
          total = all.length;
          items = all.slice(offset, offset + limit).map((x) => ({
            kind: 'customer', id: x.customerId, name: x.customerName, memberId: x.ownerId, memberName: names.get(x.ownerId) ?? '', customerId: x.customerId, at: x.movedAt.toISOString(), counted: x.wrong !== null,
            detail: `${stage(x.fromStage)} → ${stage(x.toStage)}${x.wrong === 'back' ? `，${fmt(x.wrongAt!, this.tz)} 退回` : x.wrong === 'closed_lost' ? `，${fmt(x.wrongAt!, this.tz)} 丢单` : ''}`,
          }));
          break;
        }
        case 'new_rep_days': {
          const all = await newReps(sql, ids, reach.start, this.rules.board.newRepDays);
          total = all.length;
          items = all.slice(offset, offset + limit).map((x) => ({
            kind: 'member', id: x.memberId, name: names.get(x.memberId) ?? '', memberId: x.memberId, memberName: names.get(x.memberId) ?? '', customerId: x.customerId, at: iso(x.firstSignedAt), counted: x.firstSignedAt !== null,
            detail: x.firstSignedAt
              ? `入职 ${localDay(x.joinedAt, this.tz)}，${Math.round(((x.firstSignedAt.getTime() - x.joinedAt.getTime()) / DAY_MS) * 10) / 10} 天后首单（${x.customerName ?? ''}）`
              : `入职 ${localDay(x.joinedAt, this.tz)}，尚无签约`,
          }));
          break;
        }
      }
      return { metric: filter.metric, items, total, page: page.page, pageSize: page.pageSize };
    });
  }
}

/** 11-20 10:00 in the policy time zone. */
function fmt(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('month')}-${get('day')} ${get('hour') === '24' ? '00' : get('hour')}:${get('minute')}`;
}
