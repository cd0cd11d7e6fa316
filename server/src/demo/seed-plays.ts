import type { EntityManager } from 'typeorm';
import { DAY_MS, HOUR_MS } from '../clock';
import type { Policy } from '../config/policy';
import { sqlDate } from '../db/sql';
import { playKeyOf } from '../modules/plays';
import { Visit } from '../modules/visits/visit.entity';

/**
 * Visit history the winning plays (赢单打法) are mined from, added after the rest of the demo (its own random
 * stream): before most of the last months' lasting stage advances, a visit by the customer's owner 2–12 days
 * earlier whose value point is one of a few plays per bottleneck (each in two wordings, which the mining
 * merges); and visits with the same plays at customers that did not move, so success rates are not all
 * 100 %. The new reps (郑新, 冯晓) copied a play on some of their visits, so the plays table can compare.
 * Every visit stays before its customer's 最近跟进 and in working hours.
 */
const PLAYS: Record<string, string[][]> = {
  集采降价压力: [['提供集采中标价格对比表', '提供集采中标价格的对比表'], ['耗材三年价格锁定', '耗材价格三年锁定不变']],
  预算审批周期长: [['协助科室准备预算申报材料', '帮科室准备预算申报材料'], ['分期付款降低一次性预算', '分期付款减少一次性预算压力']],
  科室使用意愿低: [['安排科室主任参观样板医院', '邀请科室主任参观样板医院'], ['免费操作培训与考核', '提供免费操作培训和考核']],
  竞品已入院: [['三甲医院同型号案例', '提供三甲医院同型号使用案例'], ['本地工程师 2 小时响应', '本地工程师两小时上门响应']],
};
/** 积极 mostly, then 中性, 消极; one visit in ten without (the options' order: the first is the positive one). */
const feedbackOf = (r: number, options: readonly string[]) => (r < 0.1 ? null : (r < 0.65 ? options[0] : r < 0.88 ? options[1] : options[2]) ?? null);
const RANK: Record<string, number> = { lead: 1, visit: 2, proposal: 3, quote: 4, signed: 5, delivered: 6 };

export async function seedPlayHistory(m: EntityManager, policy: Policy, now: Date, random: () => number): Promise<void> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const bottlenecks = Object.keys(PLAYS).filter((b) => policy.options.bottlenecks.includes(b));
  const objectives = policy.options.visitObjectives;
  if (!bottlenecks.length || !objectives.includes('推进方案') || !objectives.includes('促成签约')) return;
  const p = policy.plays;
  const from = now.getTime() - (p.lookbackDays - 5) * DAY_MS;
  const customers: Array<{ id: number; ownerId: number; createdAt: Date | string; lastFollowUpAt: Date | string | null }> = await m.query('SELECT id, ownerId, createdAt, lastFollowUpAt FROM customer');
  const changes: Array<{ customerId: number; fromStage: string | null; toStage: string; kind: string; changedAt: Date | string }> = await m.query(
    'SELECT customerId, fromStage, toStage, kind, changedAt FROM customer_stage_change ORDER BY customerId, changedAt, id',
  );
  const members: Array<{ id: number; joinedAt: Date | string | null; createdAt: Date | string }> = await m.query("SELECT id, joinedAt, createdAt FROM member WHERE role = 'rep'");
  const joined = new Map(members.map((r) => [Number(r.id), sqlDate(r.joinedAt ?? r.createdAt)!.getTime()]));
  const byCustomer = new Map<number, Array<{ from: string | null; to: string; kind: string; at: number }>>();
  for (const c of changes) {
    const list = byCustomer.get(Number(c.customerId)) ?? [];
    list.push({ from: c.fromStage, to: c.toStage, kind: c.kind, at: sqlDate(c.changedAt)!.getTime() });
    byCustomer.set(Number(c.customerId), list);
  }
  const forward = (c: { from: string | null; to: string; kind: string }) => c.kind === 'stage' && c.from !== null && (RANK[c.to] ?? 0) > (RANK[c.from] ?? 0);
  const visits: Partial<Visit>[] = [];
  /** a visit at a working hour (09:00–17:00 Shanghai) of the day `at` falls in, or null when it cannot stand before the customer's 最近跟进 */
  const add = (c: (typeof customers)[number], at: number, bottleneck: string, objective: string, text: string, copied: boolean) => {
    const day = new Date(at);
    day.setUTCHours(1 + Math.floor(random() * 8), Math.floor(random() * 60), 0, 0);
    const when = day.getTime();
    const last = sqlDate(c.lastFollowUpAt)?.getTime();
    if (!last || when >= last - HOUR_MS || when <= sqlDate(c.createdAt)!.getTime() + HOUR_MS || when < from) return false;
    const isNew = when < (joined.get(Number(c.ownerId)) ?? 0) + p.newRepDays * DAY_MS;
    const action = pick(policy.options.agreedActions.filter((a) => a !== '其他'));
    visits.push({
      customerId: c.id, memberId: c.ownerId, objective, painPoint: `${bottleneck}，科室推进缓慢`, dialogueSummary: '主任认可方向，需要我们给出具体方案和落地时间表', bottleneck,
      valuePoint: text, agreedAction: action, agreedActionNote: null, nextFollowUpAt: new Date(when + 5 * DAY_MS), nextFollowUpForm: pick(policy.options.followUpForms),
      alert: false, customerVerbatim: null, submittedAt: new Date(when), savedAt: new Date(when), createdAt: new Date(when),
      // most reps note the customer's reaction, as on the demo's other visits
      customerFeedback: feedbackOf(random(), policy.options.customerFeedback),
      playKey: isNew && copied ? playKeyOf(bottleneck, objective, text) : null,
    });
    return true;
  };
  const byId = new Map(customers.map((c) => [Number(c.id), c]));
  let i = 0;
  // before lasting advances: the plays that worked
  for (const [customerId, list] of byCustomer) {
    const c = byId.get(customerId);
    if (!c) continue;
    for (const move of list) {
      if (!forward(move) || move.at < from + 12 * DAY_MS) continue;
      const back = list.some((b) => b.at > move.at && b.at <= move.at + p.holdDays * DAY_MS && (b.kind === 'closed_lost' || (b.kind === 'stage' && b.from !== null && (RANK[b.to] ?? 0) < (RANK[move.to] ?? 0))));
      if (back) continue;
      const bottleneck = bottlenecks[i % bottlenecks.length]!;
      const play = PLAYS[bottleneck]![Math.floor(i / bottlenecks.length) % 2]!;
      const objective = (RANK[move.to] ?? 0) >= RANK.signed! ? '促成签约' : '推进方案';
      if (add(c, move.at - (2 + Math.floor(random() * 10)) * DAY_MS, bottleneck, objective, pick(play), random() < 0.6)) i++;
    }
  }
  // at customers that did not move within advanceWithinDays after: the same plays, not followed by an advance
  const misses = Math.round(i * 0.7);
  for (let n = 0, tries = 0; n < misses && tries < misses * 20; tries++) {
    const c = pick(customers);
    const at = from + random() * (now.getTime() - from - 2 * DAY_MS);
    const moved = (byCustomer.get(Number(c.id)) ?? []).some((x) => forward(x) && x.at > at && x.at <= at + p.advanceWithinDays * DAY_MS);
    if (moved) continue;
    const bottleneck = pick(bottlenecks);
    const play = pick(PLAYS[bottleneck]!);
    if (add(c, at, bottleneck, random() < 0.7 ? '推进方案' : '促成签约', pick(play), random() < 0.3)) n++;
  }
  for (let k = 0; k < visits.length; k += 200) await m.createQueryBuilder().insert().into(Visit).values(visits.slice(k, k + 200)).updateEntity(false).execute();
}
