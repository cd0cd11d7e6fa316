import ExcelJS from 'exceljs';
import type { z } from 'zod';
import { agreedActionRecordsSchema, boardDashboardSchema, boardRecordsSchema, efficiencyDashboardSchema, efficiencyVisitsSchema, trendsDashboardSchema, visitQualityDashboardSchema } from '@anchor/shared';
import type { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';

/**
 * The dashboards' metrics that needed the data added later (README «Metrics»): the pipeline's overdue leaving
 * 丢单 customers out, agreed-action completion and 「真推进」, contact efficiency, the weekly trends and the board
 * table (before / after). Rows are written straight into the tables with the exact times each metric turns on;
 * the harness clock stands at 2026-11-20 02:00 UTC (10:00 in Shanghai): the default period is 2026-11-01 … 11-20
 * local, 15 working days (Mon–Fri; 11-01 is a Sunday). Team 1 = 一组主管 S1, 代表甲 A, 代表乙 B; team 2 = 代表丙 C.
 * Joined: A 2026-07-01, B 2026-11-09, C 2026-09-21 (local days); everyone else long before.
 */
let h: Harness;
let org: OrgFixture;

const at = (utc: string) => `${utc}:00.000`; // 'YYYY-MM-DD HH:MM' UTC → the stored form (both databases)
const c: Record<string, number> = {};
const v: Record<string, number> = {};

async function insert(table: string, row: Record<string, unknown>): Promise<number> {
  const cols = Object.keys(row);
  const sqlite = h.db.options.type === 'better-sqlite3';
  const q = sqlite ? '"' : '`';
  await h.db.query(`INSERT INTO ${table} (${cols.map((k) => `${q}${k}${q}`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, Object.values(row));
  const [last] = await h.db.query(sqlite ? 'SELECT last_insert_rowid() AS id' : 'SELECT LAST_INSERT_ID() AS id');
  return Number(last.id);
}

let seq = 0;
async function customer(key: string, owner: Member, stage: string, f: { lastFollowUpAt?: string; leadAssignedAt?: string; firstTouchAt?: string; closed?: [string, string] } = {}) {
  c[key] = await insert('customer', {
    name: `指标医院${key}`, nameKey: `metric${++seq}`, industry: '公立医院', stage, stageChangedAt: at('2026-10-01 00:00'), ownerId: owner.id, waitingVisits: 0, createdById: owner.id,
    lastFollowUpAt: at(f.lastFollowUpAt ?? '2026-11-19 02:00'), createdAt: at('2026-06-01 00:00'), updatedAt: at('2026-11-01 00:00'),
    leadAssignedAt: f.leadAssignedAt ? at(f.leadAssignedAt) : null, firstTouchAt: f.firstTouchAt ? at(f.firstTouchAt) : null, firstTouchDueAt: f.leadAssignedAt ? at(f.leadAssignedAt) : null,
    closedAt: f.closed ? at(f.closed[0]) : null, closedReason: f.closed ? f.closed[1] : null, closedById: f.closed ? owner.id : null,
  });
}
interface VisitFields {
  feedback?: string | null;
  done?: [string, boolean];
  agreedAction?: string | null;
  created?: string;
}
/** A submitted visit: submitted at `submitted`, its agreed action due at `followUp`, marked done (when, on time?) or not. */
async function visit(key: string, by: Member, customerKey: string, submitted: string | null, followUp: string | null, f: VisitFields = {}) {
  const filled = submitted !== null;
  v[key] = await insert('visit', {
    customerId: c[customerKey], memberId: by.id, objective: filled ? '推进方案' : null, painPoint: filled ? '耗材库存积压' : null, dialogueSummary: filled ? '双方沟通了下一步的安排和时间节点' : null,
    bottleneck: filled ? '其他' : null, valuePoint: filled ? '快速响应' : null, agreedAction: filled ? (f.agreedAction === undefined ? '发送方案' : f.agreedAction) : null,
    nextFollowUpAt: followUp ? at(followUp) : null, nextFollowUpForm: filled ? '电话' : null, alert: 0, customerFeedback: f.feedback ?? null,
    actionDoneAt: f.done ? at(f.done[0]) : null, actionDoneById: f.done ? by.id : null, actionDoneOnTime: f.done ? (f.done[1] ? 1 : 0) : null,
    submittedAt: submitted ? at(submitted) : null, savedAt: submitted ? at(submitted) : null, createdAt: at(f.created ?? submitted!),
  });
}
async function move(customerKey: string, from: string, to: string, when: string, kind: 'stage' | 'closed_lost' = 'stage') {
  await insert('customer_stage_change', { customerId: c[customerKey], fromStage: from, toStage: to, kind, changedById: org.admin.id, changedAt: at(when) });
}
async function checkin(who: Member, day: string, kind: 'morning' | 'evening', status: string) {
  await insert('checkin', {
    memberId: who.id, teamId: who.teamId, day, kind, slot: kind, status, answers: null,
    checkedInAt: status === 'missing' ? null : at(`${day} 01:00`), windowClosesAt: at(`${day} 02:00`), createdAt: at(`${day} 02:00`),
  });
}
async function joined(who: Member, utc: string) {
  await h.db.query(`UPDATE member SET joinedAt = ? WHERE id = ?`, [at(utc), who.id]);
}

const get = (who: Member, path: string) => api(h.url, 'GET', `/api/v1/dashboards/${path}`, { token: org.token(who) });
const BOARD = 'beforeFrom=2026-09-01&beforeTo=2026-09-30&afterFrom=2026-11-01&afterTo=2026-11-19';

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
  const { repA: A, repB: B, repC: C } = org;
  for (const m of [org.admin, org.finance, org.marketing, org.directorEast, org.directorWest, org.supervisor1, org.supervisor2, org.supervisor3, org.repE]) await joined(m, '2025-01-01 00:00');
  await joined(A, '2026-06-30 16:00'); // 07-01 local
  await joined(B, '2026-11-08 16:00'); // 11-09 local
  await joined(C, '2026-09-20 16:00'); // 09-21 local

  // customers; overdue cutoff 2026-11-17 02:00. k1 and k11 are closed as lost (丢单), never overdue
  await customer('k1', A, 'quote', { lastFollowUpAt: '2026-11-01 02:00', closed: ['2026-10-20 02:00', '竞品锁定'] });
  await customer('k2', A, 'proposal', { lastFollowUpAt: '2026-11-01 02:00' }); // overdue
  await customer('k3', A, 'signed');
  await customer('k4', B, 'visit', { leadAssignedAt: '2026-09-05 02:00', firstTouchAt: '2026-09-06 02:00' }); // touched on time (Sep)
  await customer('k5', C, 'visit', { leadAssignedAt: '2026-09-10 02:00', firstTouchAt: '2026-09-13 02:00' }); // touched late (Sep)
  await customer('k6', C, 'signed');
  await customer('k7', A, 'visit', { leadAssignedAt: '2026-11-03 02:00', firstTouchAt: '2026-11-04 02:00' }); // touched on time (Nov)
  await customer('k8', A, 'proposal');
  await customer('k9', B, 'quote');
  await customer('k10', B, 'proposal');
  await customer('k11', B, 'proposal', { lastFollowUpAt: '2026-11-01 02:00', closed: ['2026-11-10 02:00', '价格'] });
  // a lead lost before anyone touched it: never late, not due (neither in penetration nor on the board)
  await customer('k12', C, 'lead', { leadAssignedAt: '2026-09-15 02:00', closed: ['2026-09-20 02:00', '预算取消'] });

  // A's agreed actions (follow-up time = due): a6 and a1 done on time, a2 done late, a3 never, a4 done early (due later
  // today, counts once done), a5 not due yet and not done, a7 has no agreed action; a0 is October's
  await visit('a0', A, 'k8', '2026-10-28 02:00', '2026-10-31 02:00', { feedback: '积极', done: ['2026-10-30 02:00', true] });
  await visit('a6', A, 'k8', '2026-10-30 02:00', '2026-11-02 02:00', { feedback: '积极', done: ['2026-11-01 02:00', true] });
  await visit('a1', A, 'k8', '2026-11-02 02:00', '2026-11-03 02:00', { feedback: '积极', done: ['2026-11-03 01:00', true] });
  await visit('a2', A, 'k8', '2026-11-03 02:00', '2026-11-05 02:00', { feedback: '积极', done: ['2026-11-06 02:00', false] });
  await visit('a3', A, 'k8', '2026-11-04 02:00', '2026-11-06 02:00', { feedback: '中性' });
  await visit('a4', A, 'k8', '2026-11-10 02:00', '2026-11-20 08:00', { feedback: '积极', done: ['2026-11-12 02:00', true] });
  await visit('a5', A, 'k8', '2026-11-12 02:00', '2026-11-20 09:00');
  await visit('a7', A, 'k8', '2026-11-13 02:00', '2026-11-14 02:00', { feedback: '积极', agreedAction: null });
  await visit('b1', B, 'k10', '2026-11-10 02:00', '2026-11-12 02:00', { feedback: '积极', done: ['2026-11-11 02:00', true] });
  await visit('b2', B, 'k10', '2026-11-11 02:00', '2026-11-13 02:00', { feedback: '消极', done: ['2026-11-13 02:00', true] });
  // visit records waiting to be filled (created on entering 拜访): w3 never filled (past 48 h), w4 not 48 h old yet
  await visit('w3', A, 'k7', null, null, { created: '2026-11-15 02:00' });
  await visit('w4', A, 'k7', null, null, { created: '2026-11-19 02:00' });
  // September's records: s1 submitted at once, w1 filled 5 days after it was created, w2 within a day
  await visit('s1', A, 'k8', '2026-09-15 02:00', '2026-09-16 02:00');
  await visit('w1', A, 'k2', '2026-09-25 02:00', '2026-09-26 02:00', { created: '2026-09-20 02:00' });
  await visit('w2', B, 'k4', '2026-09-23 02:00', '2026-09-24 02:00', { created: '2026-09-22 02:00' });

  // stage history
  await move('k3', 'quote', 'signed', '2026-08-10 02:00'); // A's first signed deal: 40 d 10 h after joining
  await move('k6', 'quote', 'signed', '2026-10-21 04:00'); // C's: 30 d 12 h after joining
  await move('k8', 'proposal', 'quote', '2026-09-05 02:00'); // Sep judgment … moved back below 报价: wrong
  await move('k8', 'quote', 'proposal', '2026-09-20 02:00');
  await move('k9', 'visit', 'proposal', '2026-09-08 02:00'); // Sep judgment: right (its November move back is to 方案, not below)
  await move('k10', 'quote', 'proposal', '2026-09-10 02:00'); // a move back alone is no judgment
  await move('k5', 'lead', 'visit', '2026-09-13 02:00'); // Sep judgment: right
  await move('k1', 'proposal', 'quote', '2026-09-25 02:00'); // Sep judgment … closed lost at 报价: wrong
  await move('k1', 'quote', 'quote', '2026-10-20 02:00', 'closed_lost');
  await move('k7', 'lead', 'visit', '2026-11-04 02:00'); // Nov: right
  await move('k11', 'visit', 'proposal', '2026-11-05 02:00'); // Nov: closed lost at 方案 (before 报价): right
  await move('k11', 'proposal', 'proposal', '2026-11-10 02:00', 'closed_lost');
  await move('k9', 'proposal', 'quote', '2026-11-06 02:00'); // Nov: moved back two days later: wrong
  await move('k9', 'quote', 'proposal', '2026-11-08 02:00');
  await move('k9', 'proposal', 'quote', '2026-11-12 02:00');

  // check-ins: A's week of 11-16 two done of three; B's week of 11-09 one of one
  await checkin(A, '2026-11-16', 'morning', 'on_time');
  await checkin(A, '2026-11-16', 'evening', 'missing');
  await checkin(A, '2026-11-17', 'morning', 'late');
  await checkin(B, '2026-11-10', 'morning', 'on_time');
});
afterAll(() => h.close());

describe('pipeline: a customer closed as lost (丢单) is never overdue', () => {
  it('counts and lists only the open overdue customers; the closed ones still stand in their stage', async () => {
    const res = await get(org.supervisor1, 'pipeline');
    expect(res.body.stages.map((s: any) => [s.stage, s.customers, s.overdue])).toEqual([
      ['lead', 0, 0], ['visit', 2, 0], ['proposal', 4, 1], ['quote', 2, 0], ['signed', 1, 0], ['delivered', 0, 0],
    ]);
    expect(res.body.overdue).toBe(1);
    const list = await get(org.supervisor1, 'pipeline/customers?overdue=true');
    expect(list.body.items.map((x: any) => [x.name, x.overdue])).toEqual([['指标医院k2', true]]);
    // the stage's list shows the closed one, not overdue
    const quote = await get(org.supervisor1, 'pipeline/customers?stage=quote');
    expect(quote.body.items.map((x: any) => [x.name, x.overdue])).toEqual([['指标医院k1', false], ['指标医院k9', false]]);
  });
});

describe('visit quality: agreed-action completion and 「真推进」', () => {
  it('done by the follow-up time ÷ due in the period; 真推进 above 92 %', async () => {
    const res = await get(org.supervisor1, 'visit-quality');
    expect(res.status).toBe(200);
    const row = (m: Member) => res.body.rows.find((r: any) => r.memberId === m.id);
    // A: due a6, a1, a2, a3 (passed) and a4 (due later today, done early); done on time a6, a1, a4 → 3 / 5
    expect(row(org.repA)).toMatchObject({ agreedActionsDue: 5, agreedActionsDone: 3, agreedActionCompletionRate: 0.6, realPush: false });
    expect(row(org.repB)).toMatchObject({ agreedActionsDue: 2, agreedActionsDone: 2, agreedActionCompletionRate: 1, realPush: true });
    expect(row(org.supervisor1)).toMatchObject({ agreedActionsDue: 0, agreedActionCompletionRate: null, realPush: false });
    expect([res.body.realPushAbove, res.body.notYetMeasured]).toEqual([0.92, []]);
    expect(visitQualityDashboardSchema.safeParse(res.body).success).toBe(true);
  });

  it('drills down to the agreed actions behind a rate', async () => {
    const res = await get(org.supervisor1, `agreed-actions?repId=${org.repA.id}`);
    expect(res.body.items.map((x: any) => [x.visitId, x.onTime])).toEqual([[v.a6, true], [v.a1, true], [v.a2, false], [v.a3, false], [v.a4, true]]);
    expect(res.body.total).toBe(5);
    // October alone: a0
    const october = await get(org.supervisor1, `agreed-actions?repId=${org.repA.id}&from=2026-10-01&to=2026-10-31`);
    expect(october.body.items.map((x: any) => x.visitId)).toEqual([v.a0]);
  });
});

describe('contact efficiency (客户接触效率比): effective contacts ÷ sales hours', () => {
  it('counts visits with an objective, an agreed action with its follow-up and 积极 feedback, over working days × 8 h from joining', async () => {
    const res = await get(org.supervisor1, 'efficiency');
    expect(res.status).toBe(200);
    expect([res.body.hoursPerDay, res.body.salesHoursFrom]).toEqual([8, 'working_calendar']);
    const row = (m: Member) => res.body.rows.find((r: any) => r.memberId === m.id);
    // A: 6 visits in November (a1 a2 a3 a4 a5 a7); effective a1, a2, a4 (a3 中性, a5 no feedback, a7 no agreed action); 15 working days
    expect(row(org.repA)).toMatchObject({ visits: 6, effectiveContacts: 3, workingDays: 15, salesHours: 120, perHour: 0.025 });
    // B joined 11-09: 10 working days; b1 积极, b2 消极
    expect(row(org.repB)).toMatchObject({ visits: 2, effectiveContacts: 1, workingDays: 10, salesHours: 80, perHour: 0.0125 });
    // the supervisor made no visit: not a selling member this period, so no row and no hours in the total
    expect(row(org.supervisor1)).toBeUndefined();
    expect(res.body.total).toEqual({ visits: 8, effectiveContacts: 4, salesHours: 200, perHour: 0.02 });
  });

  it('drills down to the visits, saying which are effective', async () => {
    const all = await get(org.supervisor1, `efficiency/visits?repId=${org.repA.id}`);
    expect(all.body.items.map((x: any) => [x.id, x.effective])).toEqual([[v.a1, true], [v.a2, true], [v.a3, false], [v.a4, true], [v.a5, false], [v.a7, false]]);
    const effective = await get(org.supervisor1, `efficiency/visits?repId=${org.repA.id}&effective=true`);
    expect([effective.body.total, effective.body.items.map((x: any) => x.id)]).toEqual([3, [v.a1, v.a2, v.a4]]);
  });
});

describe('weekly trends: agreed-action completion and check-in completion', () => {
  it('per week (Monday to Sunday, clipped to the period), for all, per team and per rep', async () => {
    const res = await get(org.supervisor1, 'trends');
    expect(res.status).toBe(200);
    expect(res.body.weeks.map((w: any) => [w.week, w.from, w.to])).toEqual([
      ['2026-10-26', '2026-11-01', '2026-11-01'], ['2026-11-02', '2026-11-02', '2026-11-08'], ['2026-11-09', '2026-11-09', '2026-11-15'], ['2026-11-16', '2026-11-16', '2026-11-20'],
    ]);
    const rates = (list: any[]) => list.map((x) => x.rate);
    const rep = (m: Member) => res.body.reps.find((r: any) => r.memberId === m.id);
    // A: week 11-02 due a6 a1 a2 a3, done a6 a1; week 11-16 a4 done
    expect(rates(rep(org.repA).agreedActions)).toEqual([null, 0.5, null, 1]);
    expect(rates(rep(org.repB).agreedActions)).toEqual([null, null, 1, null]);
    expect(res.body.teams.map((t: any) => [t.teamName, rates(t.agreedActions)])).toEqual([['上海一组', [null, 0.5, 1, 1]]]);
    expect(res.body.total.agreedActions.map((x: any) => [x.due, x.done])).toEqual([[0, 0], [4, 2], [2, 2], [1, 1]]);
    expect(rep(org.repA).checkins.map((x: any) => [x.done, x.rows, x.rate])).toEqual([[0, 0, null], [0, 0, null], [0, 0, null], [2, 3, 0.6667]]);
    expect(rates(res.body.total.checkins)).toEqual([null, null, 1, 0.6667]);
    expect(trendsDashboardSchema.safeParse(res.body).success).toBe(true);
  });
});

describe('board table (before / after)', () => {
  it('gives each row before, after and the change, over the director\'s region', async () => {
    const res = await get(org.directorEast, `board?${BOARD}`);
    expect(res.status).toBe(200);
    const rows = Object.fromEntries(res.body.rows.map((r: any) => [r.metric, [r.before.value, r.before.numerator, r.before.denominator, r.after.value, r.after.numerator, r.after.denominator, r.change, r.improved]]));
    // leads due in Sep: k4 on time, k5 late (k12, lost untouched, is not due); Nov: k7 on time
    expect(rows.lead_touch).toEqual([0.5, 1, 2, 1, 1, 1, 0.5, true]);
    // Sep records: s1, w2 complete, w1 filled after 5 days; Nov: a1 a2 a3 a4 a5 a7 b1 b2 complete, w3 never filled (w4 not 48 h old)
    expect(rows.record_completeness).toEqual([0.6667, 2, 3, 0.8889, 8, 9, 0.2222, true]);
    // Sep judgments k8 (back), k9, k5, k1 (lost at 报价): 2 of 4 wrong; Nov k7, k11 (lost at 方案), k9 (back): 1 of 3
    expect(rows.stage_misjudgment).toEqual([0.5, 2, 4, 0.3333, 1, 3, -0.1667, true]);
    // new reps (joined < 90 days before the start): Sep A, 40.4 days to k3; Nov C, 30.5 days to k6
    expect(rows.new_rep_days).toEqual([40.4, 1, 1, 30.5, 1, 1, -9.9, true]);
    expect(res.body.rows.map((r: any) => r.label)).toEqual(['线索 48 小时内触达率', '拜访记录完整率', '阶段误判率', '新人首单天数']);
    expect(boardDashboardSchema.safeParse(res.body).success).toBe(true);
  });

  it('a supervisor\'s team: no new rep after, no change to show', async () => {
    const res = await get(org.supervisor1, `board?${BOARD}`);
    const row = (m: string) => res.body.rows.find((r: any) => r.metric === m);
    expect(row('lead_touch')).toMatchObject({ before: { value: 1, denominator: 1 }, after: { value: 1, denominator: 1 }, change: 0, improved: null });
    expect(row('new_rep_days')).toMatchObject({ before: { value: 40.4 }, after: { value: null, denominator: 0 }, change: null, improved: null });
  });

  it('drills each side down to its records', async () => {
    const res = await get(org.directorEast, `board?${BOARD}`);
    const drill = async (metric: string, side: 'before' | 'after') => {
      const path: string = res.body.rows.find((r: any) => r.metric === metric)[side].drillDown;
      const out = await api(h.url, 'GET', path, { token: org.token(org.directorEast) });
      expect(boardRecordsSchema.safeParse(out.body).success).toBe(true);
      return out.body.items.map((x: any) => [x.name, x.counted]);
    };
    expect(await drill('lead_touch', 'before')).toEqual([['指标医院k4', true], ['指标医院k5', false]]);
    const september = await get(org.directorEast, 'penetration?from=2026-09-01&to=2026-09-30');
    expect(september.body.actions.find((a: any) => a.id === 'lead_touch').months.map((m: any) => [m.month, m.due, m.done])).toEqual([['2026-09', 2, 1]]);
    expect(await drill('record_completeness', 'before')).toEqual([['指标医院k8', true], ['指标医院k2', false], ['指标医院k4', true]]);
    expect(await drill('stage_misjudgment', 'before')).toEqual([['指标医院k8', true], ['指标医院k9', false], ['指标医院k5', false], ['指标医院k1', true]]);
    expect(await drill('stage_misjudgment', 'after')).toEqual([['指标医院k7', false], ['指标医院k11', false], ['指标医院k9', true]]);
    expect(await drill('new_rep_days', 'after')).toEqual([['代表丙', true]]);
  });

  it('wants both periods; a bad one is a 422 naming the field; a team out of reach 404', async () => {
    const missing = await get(org.directorEast, 'board?beforeFrom=2026-09-01&beforeTo=2026-09-30');
    expect(missing.status).toBe(422);
    expect(missing.body.error.fields.afterFrom).toBeDefined();
    const reversed = await get(org.directorEast, 'board?beforeFrom=2026-09-30&beforeTo=2026-09-01&afterFrom=2026-11-01&afterTo=2026-11-19');
    expect(reversed.status).toBe(422);
    expect((await get(org.supervisor1, `board?${BOARD}&teamId=${org.teamIds.team2}`)).status).toBe(404);
    expect((await get(org.directorEast, 'board/records?metric=nope')).status).toBe(422);
    expect((await get(org.finance, `board?${BOARD}`)).status).toBe(403);
  });
});

describe('the answers fit their schemas; the tables export to xlsx', () => {
  it('drill-downs fit', async () => {
    const cases: Array<[string, z.ZodType]> = [
      ['efficiency', efficiencyDashboardSchema], [`efficiency/visits?repId=${org.repA.id}`, efficiencyVisitsSchema], ['trends', trendsDashboardSchema], ['agreed-actions', agreedActionRecordsSchema],
      [`board/records?metric=new_rep_days&from=2026-09-01&to=2026-09-30`, boardRecordsSchema],
    ];
    for (const [path, schema] of cases) {
      const res = await get(org.supervisor1, path);
      const result = schema.safeParse(res.body);
      expect([path, res.status, result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)]).toEqual([path, 200, []]);
    }
  });

  it('board, efficiency, trends and the quality columns', async () => {
    const read = async (who: Member, path: string) => {
      const res = await get(who, path);
      expect(res.status).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.body as unknown as ExcelJS.Buffer);
      return wb.worksheets[0]!;
    };
    const board = await read(org.directorEast, `board/export.xlsx?${BOARD}`);
    expect(board.getRow(1).values).toEqual([undefined, '指标', '对比前 2026-09-01~2026-09-30', '对比后 2026-11-01~2026-11-19', '变化', '改善', '对比前（分子/分母）', '对比后（分子/分母）']);
    expect(board.getRow(2).values).toEqual([undefined, '线索 48 小时内触达率 %', 50, 100, 50, '是', '1/2', '1/1']);
    expect(board.getRow(5).values).toEqual([undefined, '新人首单天数（天）', 40.4, 30.5, -9.9, '是', '1/1', '1/1']);
    const eff = await read(org.supervisor1, 'efficiency/export.xlsx');
    expect(eff.getRow(2).values).toEqual([undefined, '代表甲', '上海一组', 6, 3, 15, 120, 0.025]);
    const trends = await read(org.supervisor1, 'trends/export.xlsx');
    expect(trends.getRow(2).values).toEqual([undefined, '全部', undefined, undefined, 50, 100, 100]);
    const quality = await read(org.supervisor1, 'visit-quality/export.xlsx');
    expect((quality.getRow(4).values as ExcelJS.CellValue[]).slice(10)).toEqual([2, 2, 100, '是']);
  });
});
