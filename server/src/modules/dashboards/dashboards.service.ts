import type { DataSource } from 'typeorm';
import {
  DASHBOARD_COUNTERS, DASHBOARD_COUNTER_LABELS, addDays, behaviourCell, checkinCompletion, isFakeBusy, isRealPush, isCustomerOverdue, localDay, localInstant, medianOrNull, monthsBetween,
  overdueCriteria, penetrationMarks, previousMonth, rate, type Action, type DashboardCounter, type StageCode,
} from '@anchor/shared';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { isSqlite } from '../../db/data-source';
import { withSqlTransaction, type Sql } from '../../db/sql';
import { invalid } from '../../http/errors';
import type { Member } from '../org';
import { periodOf, reachOf, type DashboardFilter, type Reach } from './dashboards.reach';
import {
  checkinCounts, checkinRecords, deliveryAskEvidence, deliveryMatch, demandTexts, demandTextsOnly, dialectOf, phraseMatch, quoteAgainEvidence, visitTextCustomers, penetrationByMonth, penetrationRecords, pipelineCounts, pipelineCustomers, secondQuoteEvidence,
  visitAggregates, visitFacts, type CounterEvidence, type Dialect,
} from './dashboards.sql';
import { agreedActionCounts } from './efficiency.sql';
import { VISIT_CUT_MARGIN_MS, refreshVisitRollup, visitAggregatesRolled, visitRollupCut, type RefreshResult, type RollupParams } from './dashboards.rollup';
import { counterCustomersRolled, counterRollupCut, refreshCounterRollup, type CounterMatch } from './counters.rollup';
import { penetrationRolled, penetrationRollupCut, refreshPenetrationRollup, type KeyActionDef, type MonthClock } from './penetration.rollup';
import { segmenter, topTerms } from './word-cloud';

export interface PageQuery {
  page: number;
  pageSize: number;
}
const pageOf = (q: PageQuery) => ({ limit: q.pageSize, offset: (q.page - 1) * q.pageSize });
const hours = (seconds: number) => Math.round((seconds / 3600) * 10) / 10;
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const MAX_DAYS_IN_HEATMAP = 93;

/**
 * The dashboards of SPEC §5 over the caller's reach (dashboards.reach.ts) and a period. Each method is
 * one dashboard (its numbers) or one drill-down (the records behind a number); the definitions are the
 * SQL in dashboards.sql.ts and the rules in shared/src/dashboards.ts, in README «Metrics» words.
 */
export class DashboardService {
  private readonly d: Dialect;
  private readonly sqlite: boolean;
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {
    this.sqlite = isSqlite(db);
    this.d = dialectOf(this.sqlite);
  }

  // ── rollups (dashboards.rollup.ts) ───────────────────────────────────────────────────────────────

  private rollupParams(at: Date): RollupParams {
    const day = localDay(at, this.tz);
    return { graceSeconds: this.rules.visitQuality.followUpGraceHours * 3600, offsetMinutes: Math.round((Date.parse(`${day}T00:00:00Z`) - localInstant(day, '00:00', this.tz).getTime()) / 60_000) };
  }

  /**
   * The recurring job `dashboards.rollup` (inside its transaction): moves the visit rollup's cut to the
   * start of today (local) and recounts what the days passed and the writes since its last run changed.
   */
  async refreshRollups(sql: Sql, now: Date, budgetMs = (this.policy.jobs.leaseSeconds * 1000) / 3): Promise<RefreshResult> {
    const started = Date.now();
    const cut = localInstant(localDay(now, this.tz), '00:00', this.tz);
    // the visit rollup's cut follows the runs (dashboards.rollup.ts); the others' stays at midnight
    const visits = await refreshVisitRollup(sql, this.d, this.sqlite, new Date(now.getTime() - VISIT_CUT_MARGIN_MS), now, this.rollupParams(now), {
      dayOf: (at) => localDay(at, this.tz), dayStart: (day) => localInstant(day, '00:00', this.tz), nextDay: (day) => addDays(day, 1),
    }, budgetMs);
    // the penetration rollup (penetration.rollup.ts) with what is left of the run's budget
    const penetration = await refreshPenetrationRollup(sql, this.d, cut, now, this.keyActions, this.tz, this.monthClock, Math.max(0, budgetMs - (Date.now() - started)));
    // the counters rollup (counters.rollup.ts)
    const counters = await refreshCounterRollup(sql, this.sqlite, cut, now, this.counterMatches(), this.counterParams(now), this.rollupParams(now).offsetMinutes, this.days, Math.max(0, budgetMs - (Date.now() - started)));
    return { ...visits, complete: visits.complete && penetration.complete && counters.complete };
  }

  private get days() {
    return { dayOf: (at: Date) => localDay(at, this.tz), dayStart: (day: string) => localInstant(day, '00:00', this.tz), nextDay: (day: string) => addDays(day, 1) };
  }

  /** What the counters rollup's rows were counted with: the phrases, the days after 签约, the time zone's offset. */
  private counterParams(at: Date): string {
    const c = this.rules.counters;
    return JSON.stringify({ v: 1, offsetMinutes: this.rollupParams(at).offsetMinutes, secondQuote: c.secondQuotePhrases, delivery: c.deliveryPhrases, withinDays: c.deliveryWithinDays });
  }

  /** Each counter's visit condition (dashboards.sql.ts): the one definition the raw count and the rollup share. */
  private counterMatches(): CounterMatch[] {
    const c = this.rules.counters;
    return [
      { counter: 'second_quote', match: phraseMatch(c.secondQuotePhrases) },
      { counter: 'delivery_ask', match: deliveryMatch(this.d, c.deliveryPhrases, c.deliveryWithinDays) },
    ];
  }

  /**
   * The customers each counter counts over the owners and period: from the counters rollup (days before its cut),
   * the visits since the cut (one pass for the counters asked) and 报价 entered again, when the rollup was counted
   * with today's parameters (`raw`: from the raw rows, the drill-down's evidence).
   */
  async counterCustomerSets(
    sql: Sql, counters: readonly DashboardCounter[], ownerIds: readonly number[], period: { from: string; to: string; start: Date; end: Date }, options: { raw?: boolean } = {},
  ): Promise<Map<DashboardCounter, Set<number>>> {
    const c = this.rules.counters;
    const out = new Map<DashboardCounter, Set<number>>();
    const cut = options.raw ? null : await counterRollupCut(sql, this.counterParams(this.clock.now()));
    if (cut === null) {
      for (const counter of counters) {
        const found = counter === 'second_quote'
          ? await secondQuoteEvidence(sql, ownerIds, period.start, period.end, c.secondQuotePhrases)
          : await deliveryAskEvidence(sql, this.d, ownerIds, period.start, period.end, c.deliveryPhrases, c.deliveryWithinDays);
        out.set(counter, new Set(found.map((e) => e.customerId)));
      }
      return out;
    }
    const cutDay = localDay(cut, this.tz);
    const untilDay = addDays(period.to, 1) < cutDay ? addDays(period.to, 1) : cutDay;
    for (const counter of counters) out.set(counter, new Set(await counterCustomersRolled(sql, counter, ownerIds, period.from, untilDay)));
    const liveStart = new Date(Math.max(period.start.getTime(), cut.getTime()));
    if (liveStart.getTime() < period.end.getTime()) {
      const all = this.counterMatches();
      const live = await visitTextCustomers(sql, ownerIds, liveStart, period.end, counters.map((counter) => all.find((m) => m.counter === counter)!.match));
      counters.forEach((counter, i) => live[i]!.forEach((id) => out.get(counter)!.add(id)));
    }
    if (counters.includes('second_quote')) for (const e of await quoteAgainEvidence(sql, ownerIds, period.start, period.end)) out.get('second_quote')!.add(e.customerId);
    return out;
  }

  /** One counter's customers (`counterCustomerSets`). */
  async counterCustomerIds(sql: Sql, counter: DashboardCounter, ownerIds: readonly number[], period: { from: string; to: string; start: Date; end: Date }, options: { raw?: boolean } = {}): Promise<Set<number>> {
    return (await this.counterCustomerSets(sql, [counter], ownerIds, period, options)).get(counter)!;
  }

  private get keyActions(): KeyActionDef[] {
    return this.rules.penetration.keyActions.map((a) => ({ id: a.id, trigger: a.trigger, deadlineHours: a.deadlineHours }));
  }

  private get monthClock(): MonthClock {
    return { monthOf: (at) => localDay(at, this.tz).slice(0, 7), monthStart: (month) => this.monthStart(month), nextMonth };
  }

  /**
   * Per month (`monthStarts[i]` … `[i+1]`): key actions due and done on time, from the penetration rollup and
   * the key actions due since its cut when there is one counted with today's key actions (`raw`: the raw rows).
   */
  async penetrationCounts(sql: Sql, actionId: string, ownerIds: readonly number[], months: readonly string[], options: { raw?: boolean } = {}) {
    const action = this.keyActions.find((a) => a.id === actionId)!;
    const now = this.clock.now();
    const starts = [...months.map((m) => this.monthStart(m)), this.monthStart(nextMonth(months[months.length - 1]!))];
    const cut = options.raw ? null : await penetrationRollupCut(sql, this.keyActions, this.tz);
    if (cut === null) return penetrationByMonth(sql, this.d, action.trigger, ownerIds, starts, action.deadlineHours * 3600, now);
    return penetrationRolled(sql, this.d, action, ownerIds, months, starts, now, cut);
  }

  /**
   * Per member and objective over [start, end): from the rollup and what changed since its cut when there
   * is one counted with today's policy values, else from the raw rows (`raw`: always from the raw rows).
   */
  async visitAggregates(sql: Sql, memberIds: readonly number[], start: Date, end: Date, options: { raw?: boolean } = {}) {
    const now = this.clock.now();
    const params = this.rollupParams(now);
    const cut = options.raw ? null : await visitRollupCut(sql, params);
    if (cut === null) return visitAggregates(sql, this.d, memberIds, start, end, now, params.graceSeconds);
    return visitAggregatesRolled(sql, this.d, memberIds, start, end, now, params.graceSeconds, cut, (at) => localDay(at, this.tz));
  }

  private get tz() {
    return this.policy.timeZone;
  }
  private get rules() {
    return this.policy.dashboards;
  }

  /** One read transaction: every number of a dashboard counted at the same moment. */
  private read<T>(caller: Member, action: Action, filter: DashboardFilter, work: (sql: Sql, reach: Reach) => Promise<T>, defaultFrom?: string): Promise<T> {
    const period = periodOf(filter, this.clock.now(), this.tz, defaultFrom);
    return withSqlTransaction(this.db, async (sql) => work(sql, await reachOf(sql, caller, action, filter, period)));
  }

  private stageLabel(stage: string): string {
    return this.policy.stages.find((s) => s.code === stage)?.label ?? stage;
  }

  // ── 管道 pipeline ──────────────────────────────────────────────────────────────────────────────

  private overdueRules() {
    return { overdueDays: this.policy.limits.overdueDays, overdueExcludedStages: this.policy.overdueExcludedStages };
  }

  async pipeline(caller: Member, filter: DashboardFilter) {
    const now = this.clock.now();
    const { cutoff, excludedStages } = overdueCriteria(this.overdueRules(), now);
    return this.read(caller, 'dashboards.read', filter, async (sql, reach) => {
      const counts = new Map((await pipelineCounts(sql, reach.shown.map((p) => p.id), excludedStages, cutoff)).map((r) => [r.stage, r]));
      const stages = this.policy.stages.map((s) => ({ stage: s.code, label: s.label, customers: counts.get(s.code)?.customers ?? 0, overdue: counts.get(s.code)?.overdue ?? 0 }));
      return {
        asOf: now.toISOString(),
        overdueRule: { days: this.policy.limits.overdueDays, excludedStages },
        stages,
        total: stages.reduce((n, s) => n + s.customers, 0),
        overdue: stages.reduce((n, s) => n + s.overdue, 0),
      };
    });
  }

  /** The customers behind a stage's count (`stage`) or the overdue count (`overdue`), both within the reach. */
  async pipelineCustomers(caller: Member, filter: DashboardFilter & { stage?: StageCode | undefined; overdue?: boolean | undefined }, page: PageQuery) {
    const now = this.clock.now();
    const { cutoff, excludedStages } = overdueCriteria(this.overdueRules(), now);
    return this.read(caller, 'dashboards.read', filter, async (sql, reach) => {
      const names = new Map(reach.shown.map((p) => [p.id, p.name]));
      const { rows, total } = await pipelineCustomers(sql, [...names.keys()], { stage: filter.stage, overdue: filter.overdue ? { excluded: excludedStages, cutoff } : undefined }, pageOf(page));
      return {
        items: rows.map((c) => ({
          id: c.id, name: c.name, stage: c.stage, stageLabel: this.stageLabel(c.stage), ownerId: c.ownerId, ownerName: names.get(c.ownerId) ?? '',
          lastFollowUpAt: iso(c.lastFollowUpAt), overdue: isCustomerOverdue({ stage: c.stage as StageCode, lastFollowUpAt: c.lastFollowUpAt, createdAt: c.createdAt, closedAt: c.closedAt }, this.overdueRules(), now),
        })),
        total, page: page.page, pageSize: page.pageSize,
      };
    });
  }

  // ── 行为健康热力图 and 拜访质量 ─────────────────────────────────────────────────────────────────

  private async visitNumbers(sql: Sql, reach: Reach) {
    const aggregates = await this.visitAggregates(sql, reach.population.map((p) => p.id), reach.start, reach.end);
    const teams = new Map(reach.population.map((p) => [p.id, p.teamId]));
    // a member without a team is a team of one
    const teamOf = (memberId: number) => teams.get(memberId) ?? -memberId;
    return { aggregates, teamOf };
  }

  async behaviour(caller: Member, filter: DashboardFilter) {
    return this.read(caller, 'dashboards.read', filter, async (sql, reach) => {
      const { aggregates, teamOf } = await this.visitNumbers(sql, reach);
      const objectives = this.policy.options.visitObjectives;
      // the team's mean per objective: Σ durations ÷ Σ visits over every member of the team
      const team = new Map<string, { seconds: number; visits: number }>();
      for (const a of aggregates) {
        const key = `${teamOf(a.memberId)}|${a.objective}`;
        const t = team.get(key) ?? { seconds: 0, visits: 0 };
        t.seconds += a.waitSeconds;
        t.visits += a.visits;
        team.set(key, t);
      }
      const byCell = new Map(aggregates.map((a) => [`${a.memberId}|${a.objective}`, a]));
      const rows = reach.shown.map((p) => ({
        memberId: p.id, name: p.name, teamId: p.teamId, teamName: p.teamName,
        cells: objectives.map((objective) => {
          const a = byCell.get(`${p.id}|${objective}`);
          const t = team.get(`${teamOf(p.id)}|${objective}`);
          const repAvg = a && a.visits ? a.waitSeconds / a.visits : null;
          const teamAvg = t && t.visits ? t.seconds / t.visits : null;
          return { objective, visits: a?.visits ?? 0, avgHours: repAvg === null ? null : hours(repAvg), teamAvgHours: teamAvg === null ? null : hours(teamAvg), ...behaviourCell(repAvg, a?.visits ?? 0, teamAvg, this.rules.behaviour) };
        }),
      }));
      return { from: reach.from, to: reach.to, objectives, redAbove: this.rules.behaviour.redAbove, minVisits: this.rules.behaviour.minVisits, rows };
    });
  }

  async visitQuality(caller: Member, filter: DashboardFilter) {
    return this.read(caller, 'dashboards.read', filter, async (sql, reach) => {
      const { aggregates, teamOf } = await this.visitNumbers(sql, reach);
      const per = new Map<number, { visits: number; painChars: number; due: number; onTime: number }>();
      for (const p of reach.population) per.set(p.id, { visits: 0, painChars: 0, due: 0, onTime: 0 });
      for (const a of aggregates) {
        const m = per.get(a.memberId)!;
        m.visits += a.visits;
        m.painChars += a.painChars;
        m.due += a.followUpsDue;
        m.onTime += a.followUpsOnTime;
      }
      const counts = new Map<number, number[]>();
      for (const p of reach.population) counts.set(teamOf(p.id), [...(counts.get(teamOf(p.id)) ?? []), per.get(p.id)!.visits]);
      const medians = new Map([...counts].map(([team, list]) => [team, medianOrNull(list)]));
      // agreed actions due in the period (by their follow-up time) and done by it: efficiency.sql.ts
      const actions = new Map((await agreedActionCounts(sql, reach.shown.map((p) => p.id), [reach.start, reach.end], this.clock.now())).map((a) => [a.memberId, a]));
      const teamMedian = (teamKey: number) => medians.get(teamKey) ?? null;
      const rows = reach.shown.map((p) => {
        const m = per.get(p.id)!;
        const avgPainChars = m.visits ? Math.round((m.painChars / m.visits) * 10) / 10 : null;
        const teamMedianVisits = teamMedian(teamOf(p.id));
        const completion = rate(actions.get(p.id)?.done ?? 0, actions.get(p.id)?.due ?? 0);
        return {
          memberId: p.id, name: p.name, teamId: p.teamId, teamName: p.teamName, visits: m.visits, avgPainChars,
          followUpsDue: m.due, followUpsOnTime: m.onTime, followUpOnTimeRate: rate(m.onTime, m.due), teamMedianVisits,
          fakeBusy: isFakeBusy(m.visits, avgPainChars, teamMedianVisits, this.rules.visitQuality.fakeBusyPainChars),
          agreedActionsDue: actions.get(p.id)?.due ?? 0, agreedActionsDone: actions.get(p.id)?.done ?? 0, agreedActionCompletionRate: completion,
          realPush: isRealPush(completion, this.rules.visitQuality.realPushAbove),
        };
      });
      return {
        from: reach.from, to: reach.to, fakeBusyPainChars: this.rules.visitQuality.fakeBusyPainChars, followUpGraceHours: this.rules.visitQuality.followUpGraceHours,
        realPushAbove: this.rules.visitQuality.realPushAbove, rows,
        notYetMeasured: [] as string[],
      };
    });
  }

  /**
   * The visits behind a heatmap cell (rep + objective), a quality row (rep) or a team's average (team +
   * objective; the members shown: a rep only ever sees their own): each with its follow-up.
   */
  async visits(caller: Member, filter: DashboardFilter & { objective?: string | undefined }, page: PageQuery) {
    if (filter.objective !== undefined && !this.policy.options.visitObjectives.includes(filter.objective)) throw invalid({ objective: `拜访目标须为以下之一：${this.policy.options.visitObjectives.join('、')}` });
    const now = this.clock.now();
    const grace = this.rules.visitQuality.followUpGraceHours * 3_600_000;
    return this.read(caller, 'dashboards.read', filter, async (sql, reach) => {
      const { rows, total } = await visitFacts(sql, reach.shown.map((p) => p.id), reach.start, reach.end, filter.objective, pageOf(page));
      return {
        items: rows.map((v) => {
          const until = v.nextContactAt ?? now;
          const due = v.nextFollowUpAt ? v.nextFollowUpAt.getTime() + grace : null;
          const onTime = due === null ? null : v.nextContactAt && v.nextContactAt.getTime() <= due ? true : due <= now.getTime() ? false : null;
          return {
            id: v.id, customerId: v.customerId, customerName: v.customerName, objective: v.objective, painPoint: v.painPoint, painChars: [...v.painPoint].length,
            submittedAt: v.submittedAt.toISOString(), nextFollowUpAt: iso(v.nextFollowUpAt), nextContactAt: iso(v.nextContactAt), waiting: v.nextContactAt === null,
            followUpHours: hours((until.getTime() - v.submittedAt.getTime()) / 1000), followUpOnTime: onTime,
          };
        }),
        total, page: page.page, pageSize: page.pageSize,
      };
    });
  }

  // ── 动作穿透率 action penetration ──────────────────────────────────────────────────────────────

  private months(from: string, to: string): string[] {
    return monthsBetween(from, to);
  }
  private monthStart(month: string): Date {
    return localInstant(`${month}-01`, '00:00', this.tz);
  }
  private keyAction(id: string) {
    const action = this.rules.penetration.keyActions.find((a) => a.id === id);
    if (!action) throw invalid({ action: `关键动作须为以下之一：${this.rules.penetration.keyActions.map((a) => a.id).join('、')}` });
    return action;
  }

  private defaultPenetrationFrom(): string {
    const today = localDay(this.clock.now(), this.tz);
    let month = today.slice(0, 7);
    for (let i = 1; i < this.rules.penetration.months; i++) month = previousMonth(month);
    return `${month}-01`;
  }

  async penetration(caller: Member, filter: DashboardFilter) {
    return this.read(caller, 'dashboards.read', filter, async (sql, reach) => {
      const months = this.months(reach.from, reach.to);
      // one month before the first, for the first month's "two months running"
      const all = [previousMonth(months[0]!), ...months];
      const owners = reach.shown.map((p) => p.id);
      const actions = [];
      for (const a of this.rules.penetration.keyActions) {
        const counted = await this.penetrationCounts(sql, a.id, owners, all);
        const cells = all.map((month, i) => {
          const c = counted.find((x) => x.month === i);
          return { month, due: c?.due ?? 0, done: c?.done ?? 0, rate: rate(c?.done ?? 0, c?.due ?? 0) };
        });
        const marks = penetrationMarks(cells[0]!.rate, cells.slice(1).map((c) => c.rate), this.rules.penetration.markAt);
        actions.push({ id: a.id, label: a.label, trigger: a.trigger, completion: a.completion, deadlineHours: a.deadlineHours, months: cells.slice(1).map((c, i) => ({ ...c, marked: marks[i]! })) });
      }
      return {
        months, markAt: this.rules.penetration.markAt, actions,
        notYetMeasured: [{ label: '进入报价 24 小时内发出报价', reason: '还没有记录「报价已发出」的数据（报价单或合同模块）' }],
      };
    }, this.defaultPenetrationFrom());
  }

  /** The key actions behind one month's cell: every one due that month, done on time or not. */
  async penetrationRecords(caller: Member, filter: DashboardFilter & { action: string; month: string }, page: PageQuery) {
    const action = this.keyAction(filter.action);
    const now = this.clock.now();
    const { month } = filter;
    return this.read(caller, 'dashboards.read', { ...filter, from: `${month}-01`, to: addDays(`${nextMonth(month)}-01`, -1) }, async (sql, reach) => {
      const names = new Map(reach.shown.map((p) => [p.id, p.name]));
      const deadline = action.deadlineHours * 3_600_000;
      const { rows, total } = await penetrationRecords(sql, action.trigger, [...names.keys()], this.monthStart(month), this.monthStart(nextMonth(month)), action.deadlineHours * 3600, now, pageOf(page));
      return {
        action: { id: action.id, label: action.label }, month,
        items: rows.map((r) => {
          const dueAt = new Date(r.triggeredAt.getTime() + deadline);
          return {
            customerId: r.customerId, customerName: r.customerName, ownerId: r.ownerId, ownerName: names.get(r.ownerId) ?? '',
            triggeredAt: r.triggeredAt.toISOString(), dueAt: dueAt.toISOString(), completedAt: iso(r.completedAt), onTime: r.completedAt !== null && r.completedAt.getTime() <= dueAt.getTime(),
          };
        }),
        total, page: page.page, pageSize: page.pageSize,
      };
    });
  }

  // ── 打卡完成热力图 check-in completion ─────────────────────────────────────────────────────────

  async checkins(caller: Member, filter: DashboardFilter) {
    return this.read(caller, 'dashboards.read', filter, async (sql, reach) => {
      const days: string[] = [];
      for (let d = reach.from; d <= reach.to; d = addDays(d, 1)) days.push(d);
      if (days.length > MAX_DAYS_IN_HEATMAP) throw invalid({ from: `打卡热力图最多显示 ${MAX_DAYS_IN_HEATMAP} 天` });
      const counts = new Map((await checkinCounts(sql, reach.shown.map((p) => p.id), reach.from, reach.to)).map((c) => [`${c.memberId}|${c.day}|${c.status}`, c.n]));
      const rows = reach.shown.map((p) => ({
        memberId: p.id, name: p.name, teamId: p.teamId, teamName: p.teamName,
        cells: days.map((day) => {
          const of = (status: string) => counts.get(`${p.id}|${day}|${status}`) ?? 0;
          const [onTime, late, missing] = [of('on_time'), of('late'), of('missing')];
          return { day, onTime, late, missing, completion: checkinCompletion(onTime, late, missing) };
        }),
      }));
      return { from: reach.from, to: reach.to, days, rows };
    });
  }

  /** The check-ins behind one cell: the rep's rows of that day. */
  async checkinRecords(caller: Member, filter: DashboardFilter & { day: string }) {
    if (filter.repId === undefined) throw invalid({ repId: '请选择成员' });
    return this.read(caller, 'dashboards.read', { ...filter, from: filter.day, to: filter.day }, async (sql) => ({
      items: (await checkinRecords(sql, filter.repId!, filter.day)).map((r) => ({ ...r, checkedInAt: iso(r.checkedInAt) })),
    }));
  }

  // ── 客户需求词云 word cloud ─────────────────────────────────────────────────────────────────────

  async wordCloud(caller: Member, filter: DashboardFilter) {
    return this.read(caller, 'dashboards.demand.read', filter, async (sql, reach) => {
      const texts = await demandTextsOnly(sql, reach.shown.map((p) => p.id), reach.start, reach.end, reach.from, reach.to);
      const s = segmenter(this.rules.wordCloud.minTermChars);
      return { from: reach.from, to: reach.to, texts: texts.length, terms: topTerms(texts, s, this.rules.wordCloud.topTerms) };
    });
  }

  /** The visits (pain points) and morning check-ins (core needs) behind a term: those whose segmentation holds it. */
  async wordCloudRecords(caller: Member, filter: DashboardFilter & { term: string }, page: PageQuery) {
    return this.read(caller, 'dashboards.demand.read', filter, async (sql, reach) => {
      const names = new Map(reach.shown.map((p) => [p.id, p.name]));
      const s = segmenter(this.rules.wordCloud.minTermChars);
      const hits = (await demandTexts(sql, [...names.keys()], reach.start, reach.end, reach.from, reach.to, filter.term)).filter((t) => s.terms(t.text).includes(filter.term));
      const { limit, offset } = pageOf(page);
      return {
        term: filter.term,
        items: hits.slice(offset, offset + limit).map((t) => ({ kind: t.kind, id: t.id, memberId: t.memberId, memberName: names.get(t.memberId) ?? '', customerId: t.customerId, customerName: t.customerName, at: iso(t.at), text: t.text })),
        total: hits.length, page: page.page, pageSize: page.pageSize,
      };
    });
  }

  // ── 业务计数 business counters ─────────────────────────────────────────────────────────────────

  private async evidence(sql: Sql, reach: Reach, counter: DashboardCounter): Promise<CounterEvidence[]> {
    const c = this.rules.counters;
    const owners = reach.shown.map((p) => p.id);
    return counter === 'second_quote'
      ? secondQuoteEvidence(sql, owners, reach.start, reach.end, c.secondQuotePhrases)
      : deliveryAskEvidence(sql, this.d, owners, reach.start, reach.end, c.deliveryPhrases, c.deliveryWithinDays);
  }

  async counters(caller: Member, filter: DashboardFilter) {
    return this.read(caller, 'dashboards.demand.read', filter, async (sql, reach) => {
      const counters = [];
      const sets = await this.counterCustomerSets(sql, DASHBOARD_COUNTERS, reach.shown.map((p) => p.id), reach);
      for (const counter of DASHBOARD_COUNTERS) counters.push({ counter, label: this.counterLabel(counter), customers: sets.get(counter)!.size });
      return { from: reach.from, to: reach.to, counters };
    });
  }

  counterLabel(counter: DashboardCounter): string {
    return counter === 'delivery_ask' ? `签约 ${this.rules.counters.deliveryWithinDays} 天内询问交付的客户` : DASHBOARD_COUNTER_LABELS[counter];
  }

  /** The customers behind a counter, each with what recognised it (the visit's words, or 报价 again). */
  async counterCustomers(caller: Member, filter: DashboardFilter & { counter: DashboardCounter }, page: PageQuery) {
    return this.read(caller, 'dashboards.demand.read', filter, async (sql, reach) => {
      const names = new Map(reach.shown.map((p) => [p.id, p.name]));
      const byCustomer = new Map<number, { customerId: number; customerName: string; ownerId: number; ownerName: string; evidence: Array<{ reason: string; at: string; visitId: number | null; text: string | null }> }>();
      for (const e of await this.evidence(sql, reach, filter.counter)) {
        const c = byCustomer.get(e.customerId) ?? { customerId: e.customerId, customerName: e.customerName, ownerId: e.ownerId, ownerName: names.get(e.ownerId) ?? '', evidence: [] };
        c.evidence.push({ reason: e.reason, at: e.at.toISOString(), visitId: e.visitId, text: e.text });
        byCustomer.set(e.customerId, c);
      }
      const all = [...byCustomer.values()];
      const { limit, offset } = pageOf(page);
      return { counter: filter.counter, label: this.counterLabel(filter.counter), items: all.slice(offset, offset + limit), total: all.length, page: page.page, pageSize: page.pageSize };
    });
  }
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

