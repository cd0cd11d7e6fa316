import ExcelJS from 'exceljs';
import type { z } from 'zod';
import {
  behaviourDashboardSchema, checkinRecordsSchema, checkinsDashboardSchema, counterCustomersSchema, countersDashboardSchema, dashboardVisitsSchema, penetrationDashboardSchema,
  penetrationRecordsSchema, pipelineCustomersSchema, pipelineDashboardSchema, visitQualityDashboardSchema, wordCloudDashboardSchema, wordCloudRecordsSchema,
} from '@anchor/shared';
import type { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';

/**
 * Each dashboard metric on a small data set whose numbers are worked out by hand below (README «Metrics»
 * has the definitions). The rows are written straight into the tables with the exact times the metric
 * turns on; the harness clock stands at 2026-11-20 02:00 UTC (10:00 in Shanghai), so the default period is
 * 2026-11-01 … 2026-11-20 local. Team 1 = 一组主管 S1, 代表甲 A, 代表乙 B; team 2 = 二组主管, 代表丙 C (same
 * region); team 3 = 代表戊 E (another region).
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
async function customer(key: string, owner: Member, stage: string, fields: { lastFollowUpAt?: string | null; createdAt?: string; leadAssignedAt?: string; firstTouchAt?: string | null } = {}) {
  const name = `仪表盘医院${key}`;
  c[key] = await insert('customer', {
    name, nameKey: `dash${++seq}`, industry: '公立医院', stage, stageChangedAt: at('2026-10-01 00:00'), ownerId: owner.id, waitingVisits: 0, createdById: owner.id,
    lastFollowUpAt: fields.lastFollowUpAt ? at(fields.lastFollowUpAt) : null, createdAt: at(fields.createdAt ?? '2026-09-01 00:00'), updatedAt: at('2026-11-01 00:00'),
    leadAssignedAt: fields.leadAssignedAt ? at(fields.leadAssignedAt) : null, firstTouchAt: fields.firstTouchAt ? at(fields.firstTouchAt) : null,
    firstTouchDueAt: fields.leadAssignedAt ? at(fields.leadAssignedAt) : null,
  });
}
async function visit(key: string, by: Member, customerKey: string, objective: string, submitted: string, painPoint: string, nextFollowUp: string, texts: { dialogueSummary?: string; customerVerbatim?: string } = {}) {
  v[key] = await insert('visit', {
    customerId: c[customerKey], memberId: by.id, objective, painPoint, dialogueSummary: texts.dialogueSummary ?? '双方沟通了下一步的安排和时间节点', bottleneck: '其他', valuePoint: '快速响应',
    agreedAction: '发送方案', nextFollowUpAt: at(nextFollowUp), nextFollowUpForm: '电话', alert: 0, customerVerbatim: texts.customerVerbatim ?? null,
    submittedAt: at(submitted), savedAt: at(submitted), createdAt: at(submitted),
  });
}
async function stageChange(customerKey: string, from: string | null, to: string, when: string) {
  await insert('customer_stage_change', { customerId: c[customerKey], fromStage: from, toStage: to, changedById: org.admin.id, changedAt: at(when) });
}
async function confirmTask(requester: Member, created: string, completed: string | null, outcome: string | null = completed ? 'done' : null) {
  await insert('task', {
    kind: 'visit_next_action', subjectType: 'visit', subjectId: null, customerId: c.c1, requesterId: requester.id, assigneeId: org.supervisor1.id, snapshot: '{}',
    dueAt: at(created), escalationTarget: 'manager', completedAt: completed ? at(completed) : null, outcome, createdAt: at(created),
  });
}
async function checkin(who: Member, day: string, kind: 'morning' | 'evening' | 'visit', slot: string, status: string, coreNeed?: string) {
  await insert('checkin', {
    memberId: who.id, teamId: who.teamId, day, kind, slot, status, answers: coreNeed ? JSON.stringify({ customerName: null, coreNeed }) : null,
    checkedInAt: status === 'missing' ? null : at(`${day} 01:00`), windowClosesAt: at(`${day} 02:00`), createdAt: at(`${day} 02:00`),
  });
}

const get = (who: Member, path: string) => api(h.url, 'GET', `/api/v1/dashboards/${path}`, { token: org.token(who) });

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
  const { repA: A, repB: B, repC: C, repE: E } = org;
  // customers: overdue cutoff is 2026-11-17 02:00 (3 days before now); 签约/交付 never overdue
  await customer('c1', A, 'visit', { lastFollowUpAt: '2026-11-19 02:00', leadAssignedAt: '2026-10-01 02:00', firstTouchAt: '2026-10-02 02:00' });
  await customer('c2', A, 'proposal', { lastFollowUpAt: '2026-11-10 02:00', leadAssignedAt: '2026-10-10 02:00', firstTouchAt: '2026-10-13 02:00' }); // overdue; touched late
  await customer('c3', A, 'signed', { lastFollowUpAt: '2026-11-01 02:00', leadAssignedAt: '2026-11-01 02:00', firstTouchAt: '2026-11-02 02:00' }); // old, but 签约
  await customer('c4', B, 'quote', { lastFollowUpAt: null, createdAt: '2026-11-01 00:00', leadAssignedAt: '2026-11-05 02:00' }); // never followed up: created counts; never touched
  await customer('c5', B, 'lead', { createdAt: '2026-11-19 00:00', leadAssignedAt: '2026-11-19 01:00' }); // its 48 h are not over
  // assigned 10-29 20:00 UTC: due 10-31 20:00 UTC = 11-01 04:00 in Shanghai, a November key action
  await customer('c6', C, 'visit', { lastFollowUpAt: '2026-11-01 02:00', leadAssignedAt: '2026-10-29 20:00', firstTouchAt: '2026-10-30 02:00' }); // overdue, team 2
  await customer('c7', E, 'lead', { createdAt: '2026-11-19 00:00' }); // another region

  // visits (submitted, next follow-up promised); the next contact is the next visit to the same customer
  await visit('v0', A, 'c2', '促成签约', '2026-10-30 02:00', '预算审批周期长', '2026-11-02 02:00', { dialogueSummary: '客户说要再报价一次才能走流程' }); // before the period
  await visit('v1', A, 'c1', '建立联系', '2026-11-02 02:00', '安装调试太慢', '2026-11-03 00:00'); //  → v2 24 h; next contact 2 h after the promise: on time
  await visit('v2', A, 'c1', '建立联系', '2026-11-03 02:00', '耗材库存积压', '2026-11-04 02:00'); //  → v3 48 h; 24 h late
  await visit('v3', A, 'c1', '建立联系', '2026-11-05 02:00', '物流时效慢', '2026-11-06 02:00'); //    → v4 24 h; on time
  await visit('v4', A, 'c1', '推进方案', '2026-11-06 02:00', '耗材库存积压严重', '2026-11-25 02:00', { dialogueSummary: '讨论了发货和安装的安排' }); // waiting 336 h; not due
  await visit('v5', B, 'c4', '建立联系', '2026-11-02 02:00', '安装调试周期太长影响手术排期', '2026-11-04 02:00'); // → v6 48 h; on time
  await visit('v6', B, 'c4', '建立联系', '2026-11-04 02:00', '集采降价压力大导致科室使用意愿低', '2026-11-05 02:00', { dialogueSummary: '客户要求重新报价后再提交采购申请' }); // → v7 144 h; late
  await visit('v7', B, 'c4', '建立联系', '2026-11-10 02:00', '耗材库存积压占用资金需要尽快消化', '2026-11-11 02:00'); // → v8 24 h; on time
  await visit('v8', B, 'c4', '收集反馈', '2026-11-11 02:00', '物流时效不稳定经常延误到货时间', '2026-11-19 20:00'); // waiting 216 h; not due yet (grace 12 h)
  await visit('v9', C, 'c6', '处理异议', '2026-11-03 02:00', '回款周期长', '2026-11-05 02:00');
  await visit('v10', A, 'c3', '收集反馈', '2026-11-12 02:00', '价格太高了', '2026-11-15 02:00', { customerVerbatim: '设备什么时候到货' }); // waiting 192 h; due, missed

  // stage history: c2 enters 报价 again in November (a second quote); c3 signed 11-10, asked about delivery 2 days later
  await stageChange('c2', 'proposal', 'quote', '2026-10-01 02:00');
  await stageChange('c2', 'quote', 'proposal', '2026-10-05 02:00');
  await stageChange('c2', 'proposal', 'quote', '2026-11-14 02:00');
  await stageChange('c2', 'quote', 'proposal', '2026-11-16 02:00');
  await stageChange('c3', 'quote', 'signed', '2026-11-10 02:00');
  await stageChange('c4', 'proposal', 'quote', '2026-11-03 02:00'); // first time in 报价: not a second quote

  // supervisor confirmations (48 h): Sep 1/1, Oct 2/2, Nov 1 of 3 (one late, one never; one cancelled and one not yet due left out)
  await confirmTask(A, '2026-09-10 02:00', '2026-09-10 05:00');
  await confirmTask(A, '2026-10-05 02:00', '2026-10-06 02:00');
  await confirmTask(B, '2026-10-20 02:00', '2026-10-21 02:00');
  await confirmTask(A, '2026-11-02 02:00', '2026-11-03 02:00');
  await confirmTask(B, '2026-11-10 02:00', '2026-11-13 02:00');
  await confirmTask(A, '2026-11-12 02:00', null);
  await confirmTask(A, '2026-11-19 02:00', null);
  await confirmTask(B, '2026-11-08 02:00', '2026-11-08 03:00', 'cancelled');

  // check-ins
  await checkin(A, '2026-11-16', 'morning', 'morning', 'on_time', '希望缩短物流时效');
  await checkin(A, '2026-11-16', 'visit', `visit:${v.v10}`, 'missing');
  await checkin(A, '2026-11-16', 'evening', 'evening', 'late');
  await checkin(A, '2026-11-17', 'morning', 'morning', 'missing');
  await checkin(A, '2026-11-17', 'evening', 'evening', 'missing');
  await checkin(B, '2026-11-16', 'morning', 'morning', 'on_time', '关注集采降价后的价格');
});
afterAll(() => h.close());

describe('pipeline: stage distribution and overdue customers (the shared overdue rule)', () => {
  it('counts per stage and the overdue ones over the supervisor\'s team, the director\'s region, the admin\'s all and the rep\'s own', async () => {
    const team = await get(org.supervisor1, 'pipeline');
    expect(team.status).toBe(200);
    expect(team.body.stages.map((s: any) => [s.label, s.customers, s.overdue])).toEqual([
      ['线索', 1, 0], ['拜访', 1, 0], ['方案', 1, 1], ['报价', 1, 1], ['签约', 1, 0], ['交付', 0, 0],
    ]);
    expect([team.body.total, team.body.overdue]).toEqual([5, 2]);
    const region = await get(org.directorEast, 'pipeline');
    expect([region.body.total, region.body.overdue]).toEqual([6, 3]);
    expect((await get(org.admin, 'pipeline')).body.total).toBe(7);
    const own = await get(org.repA, 'pipeline');
    expect([own.body.total, own.body.overdue]).toEqual([3, 1]);
  });

  it('drills down to the overdue customers and to a stage\'s customers, within the reach', async () => {
    const overdue = await get(org.supervisor1, 'pipeline/customers?overdue=true');
    expect(overdue.body.items.map((x: any) => [x.name, x.ownerName, x.overdue])).toEqual([['仪表盘医院c4', '代表乙', true], ['仪表盘医院c2', '代表甲', true]]);
    expect(overdue.body.total).toBe(2);
    const quote = await get(org.directorEast, 'pipeline/customers?stage=quote');
    expect(quote.body.items.map((x: any) => x.name)).toEqual(['仪表盘医院c4']);
    const byTeam = await get(org.directorEast, `pipeline/customers?overdue=1&teamId=${org.teamIds.team2}`);
    expect(byTeam.body.items.map((x: any) => x.name)).toEqual(['仪表盘医院c6']);
  });
});

describe('behaviour-health heatmap: average follow-up duration ÷ the team\'s, per objective', () => {
  it('gives each cell its ratio, red above 1.3, too few below 3 visits', async () => {
    const res = await get(org.supervisor1, 'behaviour');
    expect(res.status).toBe(200);
    expect(res.body.objectives).toEqual(['建立联系', '推进方案', '促成签约', '处理异议', '收集反馈']);
    const row = (m: Member) => res.body.rows.find((r: any) => r.memberId === m.id);
    const cell = (m: Member, objective: string) => row(m).cells.find((x: any) => x.objective === objective);
    expect(res.body.rows.map((r: any) => r.name)).toEqual(['一组主管', '代表甲', '代表乙']);
    // 建立联系: A 24+48+24 = 96 h / 3 = 32 h; B 48+144+24 = 216 h / 3 = 72 h; team 312 h / 6 = 52 h
    expect(cell(org.repA, '建立联系')).toEqual({ objective: '建立联系', visits: 3, avgHours: 32, teamAvgHours: 52, ratio: 0.62, status: 'normal' });
    expect(cell(org.repB, '建立联系')).toEqual({ objective: '建立联系', visits: 3, avgHours: 72, teamAvgHours: 52, ratio: 1.38, status: 'red' });
    // still waiting counts up to now: A's 推进方案 visit 11-06 → 11-20 = 336 h, alone in the team
    expect(cell(org.repA, '推进方案')).toMatchObject({ visits: 1, avgHours: 336, ratio: 1, status: 'too_few' });
    // 收集反馈: A 192 h, B 216 h; team 204 h
    expect(cell(org.repA, '收集反馈')).toMatchObject({ visits: 1, avgHours: 192, teamAvgHours: 204, ratio: 0.94, status: 'too_few' });
    expect(cell(org.repB, '收集反馈')).toMatchObject({ ratio: 1.06, status: 'too_few' });
    expect(cell(org.supervisor1, '建立联系')).toMatchObject({ visits: 0, ratio: null, status: 'none' });
  });

  it('a rep sees their own row against the whole team\'s mean', async () => {
    const res = await get(org.repB, 'behaviour');
    expect(res.body.rows.map((r: any) => r.name)).toEqual(['代表乙']);
    expect(res.body.rows[0].cells[0]).toMatchObject({ ratio: 1.38, teamAvgHours: 52, status: 'red' });
  });

  it('drills down to the team\'s visits behind its average', async () => {
    const res = await get(org.supervisor1, `visits?teamId=${org.teamIds.team1}&objective=${encodeURIComponent('建立联系')}`);
    // the team's 建立联系 mean, 52 h, is these six: 24 + 48 + 24 + 48 + 144 + 24 = 312 h
    expect(res.body.items.map((x: any) => x.followUpHours)).toEqual([24, 48, 48, 144, 24, 24]);
  });

  it('drills down to the visits behind a cell, each with its follow-up', async () => {
    const res = await get(org.supervisor1, `visits?repId=${org.repB.id}&objective=${encodeURIComponent('建立联系')}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((x: any) => [x.id, x.followUpHours, x.waiting, x.followUpOnTime])).toEqual([
      [v.v5, 48, false, true], [v.v6, 144, false, false], [v.v7, 24, false, true],
    ]);
  });
});

describe('visit quality per rep', () => {
  it('averages pain-summary length, rates next follow-ups on time, flags 假忙', async () => {
    const res = await get(org.supervisor1, 'visit-quality');
    const row = (m: Member) => res.body.rows.find((r: any) => r.memberId === m.id);
    // A: 6+6+5+8+5 = 30 characters over 5 visits; due follow-ups v1 (on time), v2 (24 h late), v3 (on time), v10 (missed); v4 not due
    expect(row(org.repA)).toMatchObject({ visits: 5, avgPainChars: 6, followUpsDue: 4, followUpsOnTime: 2, followUpOnTimeRate: 0.5, teamMedianVisits: 4, fakeBusy: true });
    // B: 14+16+16+15 = 61 over 4 = 15.25; due v5 (on time), v6 (late), v7 (on time); v8 promised 11-19 20:00, not due with 12 h grace
    expect(row(org.repB)).toMatchObject({ visits: 4, avgPainChars: 15.3, followUpsDue: 3, followUpsOnTime: 2, followUpOnTimeRate: 0.6667, teamMedianVisits: 4, fakeBusy: false });
    // the team median counts the supervisor's 0: median(0, 5, 4) = 4
    expect(row(org.supervisor1)).toMatchObject({ visits: 0, avgPainChars: null, followUpOnTimeRate: null, fakeBusy: false });
    expect(res.body.notYetMeasured).toEqual([]);
  });

  it('drills down to a rep\'s visits', async () => {
    const res = await get(org.supervisor1, `visits?repId=${org.repA.id}`);
    expect(res.body.items.map((x: any) => [x.id, x.painChars, x.followUpOnTime])).toEqual([[v.v1, 6, true], [v.v2, 6, false], [v.v3, 5, true], [v.v4, 8, null], [v.v10, 5, false]]);
  });
});

describe('action penetration: key actions done on time ÷ due, per month', () => {
  it('counts each key action per month by its due time in the policy time zone and marks ≥ 85 % two months running', async () => {
    const res = await get(org.supervisor1, 'penetration');
    expect(res.status).toBe(200);
    expect(res.body.months).toEqual(['2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11']);
    const months = (id: string) => Object.fromEntries(res.body.actions.find((a: any) => a.id === id).months.map((m: any) => [m.month, [m.due, m.done, m.rate, m.marked]]));
    const lead = months('lead_touch');
    // c1 on time and c2 late (Oct); c3 on time and c4 never (Nov); c5 not due yet
    expect([lead['2026-10'], lead['2026-11']]).toEqual([[2, 1, 0.5, false], [2, 1, 0.5, false]]);
    const confirm = months('supervisor_confirm');
    expect([confirm['2026-08'], confirm['2026-09'], confirm['2026-10'], confirm['2026-11']]).toEqual([[0, 0, null, false], [1, 1, 1, false], [2, 2, 1, true], [3, 1, 0.3333, false]]);
    expect(res.body.notYetMeasured[0].label).toBe('进入报价 24 小时内发出报价');
  });

  it('a lead due at 04:00 on 1 November in Shanghai (still October in UTC) counts in November', async () => {
    const res = await get(org.directorEast, 'penetration?from=2026-10-01&to=2026-11-20');
    const lead = res.body.actions.find((a: any) => a.id === 'lead_touch').months;
    expect(lead.map((m: any) => [m.month, m.due, m.done])).toEqual([['2026-10', 2, 1], ['2026-11', 3, 2]]);
  });

  it('drills down to the key actions behind a month', async () => {
    const res = await get(org.supervisor1, 'penetration/records?action=supervisor_confirm&month=2026-11');
    expect(res.body.items.map((x: any) => [x.ownerName, x.triggeredAt, x.onTime])).toEqual([
      ['代表甲', '2026-11-02T02:00:00.000Z', true], ['代表乙', '2026-11-10T02:00:00.000Z', false], ['代表甲', '2026-11-12T02:00:00.000Z', false],
    ]);
    expect((await get(org.supervisor1, 'penetration/records?action=quote_sent&month=2026-11')).status).toBe(422);
  });
});

describe('check-in completion heatmap', () => {
  it('gives each rep\'s day done (on time or late) ÷ its check-ins, and drills down to them', async () => {
    const res = await get(org.supervisor1, 'checkins?from=2026-11-16&to=2026-11-18');
    expect(res.body.days).toEqual(['2026-11-16', '2026-11-17', '2026-11-18']);
    const cells = (m: Member) => res.body.rows.find((r: any) => r.memberId === m.id).cells.map((x: any) => [x.day, x.onTime, x.late, x.missing, x.completion]);
    expect(cells(org.repA)).toEqual([['2026-11-16', 1, 1, 1, 0.6667], ['2026-11-17', 0, 0, 2, 0], ['2026-11-18', 0, 0, 0, null]]);
    expect(cells(org.repB)[0]).toEqual(['2026-11-16', 1, 0, 0, 1]);
    const records = await get(org.supervisor1, `checkins/records?repId=${org.repA.id}&day=2026-11-16`);
    expect(records.body.items.map((x: any) => [x.kind, x.status]).sort()).toEqual([['evening', 'late'], ['morning', 'on_time'], ['visit', 'missing']]);
  });
});

describe('word cloud of customer demands', () => {
  it('segments pain points and morning core needs with the domain dictionary and counts texts per term', async () => {
    const res = await get(org.supervisor1, 'word-cloud');
    expect(res.status).toBe(200);
    // 9 pain points of team 1 in November + 2 core needs; 物流时效 in v3, v8 and A's core need …
    expect(res.body.texts).toBe(11);
    expect(res.body.terms.slice(0, 6)).toEqual([
      { term: '物流时效', count: 3 }, { term: '积压', count: 3 }, { term: '耗材库存', count: 3 },
      { term: '价格', count: 2 }, { term: '安装调试', count: 2 }, { term: '集采降价', count: 2 },
    ]);
    // stop words (希望, 需要) never show
    expect(res.body.terms.map((t: any) => t.term)).not.toEqual(expect.arrayContaining(['希望']));
  });

  it('drills a term down to the visits and check-ins behind it; marketing reads it too', async () => {
    const res = await get(org.marketing, `word-cloud/records?term=${encodeURIComponent('物流时效')}&teamId=${org.teamIds.team1}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((x: any) => [x.kind, x.kind === 'visit' ? x.id : x.memberName])).toEqual([['visit', v.v3], ['visit', v.v8], ['checkin', '代表甲']]);
  });
});

describe('business counters', () => {
  it('second quote: a visit\'s words or 报价 entered again; delivery asked within 7 days of signing', async () => {
    const res = await get(org.supervisor1, 'counters');
    expect(res.body.counters.map((x: any) => [x.counter, x.customers])).toEqual([['second_quote', 2], ['delivery_ask', 1]]);
    const quotes = await get(org.supervisor1, 'counters/customers?counter=second_quote');
    expect(quotes.body.items.map((x: any) => [x.customerName, x.evidence.map((e: any) => e.reason)])).toEqual([['仪表盘医院c4', ['visit_text']], ['仪表盘医院c2', ['quote_again']]]);
    const delivery = await get(org.supervisor1, 'counters/customers?counter=delivery_ask');
    expect(delivery.body.items.map((x: any) => [x.customerName, x.evidence[0].visitId])).toEqual([['仪表盘医院c3', v.v10]]);
    // October alone: v0 said 再报价 to c2; c2 first entered 报价 (not again)
    const october = await get(org.supervisor1, 'counters?from=2026-10-01&to=2026-10-31');
    expect(october.body.counters.map((x: any) => x.customers)).toEqual([1, 0]);
  });
});

describe('scope and filters', () => {
  it('a team or rep outside the reach answers 404 in Chinese, a role without the right 403', async () => {
    const team = await get(org.supervisor1, `pipeline?teamId=${org.teamIds.team2}`);
    expect([team.status, team.body.error.message]).toEqual([404, '团队不存在']);
    const rep = await get(org.supervisor1, `behaviour?repId=${org.repC.id}`);
    expect([rep.status, rep.body.error.message]).toEqual([404, '成员不存在']);
    expect((await get(org.directorEast, `visit-quality?teamId=${org.teamIds.team3}`)).status).toBe(404);
    expect((await get(org.repA, `visits?repId=${org.repB.id}`)).status).toBe(404);
    const finance = await get(org.finance, 'pipeline');
    expect(finance.status).toBe(403);
    expect(finance.body.error.message).toMatch(/财务/);
    expect((await get(org.finance, 'counters')).status).toBe(200);
  });

  it('a bad filter is a 422 naming the field, never a 500', async () => {
    const res = await get(org.supervisor1, 'pipeline?from=2026-11-20&to=2026-11-01');
    expect(res.status).toBe(422);
    expect(res.body.error.fields.to).toBeDefined();
    expect((await get(org.supervisor1, 'pipeline?from=2026-02-30')).status).toBe(422);
    expect((await get(org.supervisor1, 'checkins/records?day=2026-11-16')).body.error.fields.repId).toBe('请选择成员');
  });
});

describe('the answers fit the response schemas in shared/ (the app reads them typed from there)', () => {
  it('every dashboard and drill-down', async () => {
    const cases: Array<[string, z.ZodType]> = [
      ['pipeline', pipelineDashboardSchema], ['pipeline/customers?overdue=true', pipelineCustomersSchema], ['behaviour', behaviourDashboardSchema],
      ['visit-quality', visitQualityDashboardSchema], [`visits?repId=${org.repA.id}`, dashboardVisitsSchema], ['penetration', penetrationDashboardSchema],
      ['penetration/records?action=lead_touch&month=2026-11', penetrationRecordsSchema], ['checkins?from=2026-11-16&to=2026-11-17', checkinsDashboardSchema],
      [`checkins/records?repId=${org.repA.id}&day=2026-11-16`, checkinRecordsSchema], ['word-cloud', wordCloudDashboardSchema],
      [`word-cloud/records?term=${encodeURIComponent('积压')}`, wordCloudRecordsSchema], ['counters', countersDashboardSchema], ['counters/customers?counter=second_quote', counterCustomersSchema],
    ];
    for (const [path, schema] of cases) {
      const res = await get(org.supervisor1, path);
      const result = schema.safeParse(res.body);
      expect([path, res.status, result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)]).toEqual([path, 200, []]);
    }
  });
});

describe('xlsx export of each dashboard\'s table', () => {
  it('pipeline, heatmap, quality, penetration, check-ins, word cloud, counters', async () => {
    const read = async (path: string) => {
      const res = await get(org.supervisor1, path);
      expect(res.status).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.body as unknown as ExcelJS.Buffer);
      return wb;
    };
    const pipeline = await read('pipeline/export.xlsx');
    expect(pipeline.getWorksheet('阶段分布')!.getRow(8).values).toEqual([undefined, '合计', 5, 2]);
    expect(pipeline.getWorksheet('逾期客户')!.rowCount).toBe(3);
    const quality = await read('visit-quality/export.xlsx');
    expect(quality.worksheets[0]!.getRow(3).values).toEqual([undefined, '代表甲', '上海一组', 5, 6, 4, 2, 50, 4, '是', 5, 0, 0, '']); // agreed actions: v0 v1 v2 v3 v10 due, none marked done
    const heat = await read('behaviour/export.xlsx');
    expect(heat.worksheets[0]!.getRow(4).getCell(3).value).toBe(1.38);
    expect((await read('penetration/export.xlsx')).worksheets[0]!.rowCount).toBe(13);
    expect((await read('checkins/export.xlsx?from=2026-11-16&to=2026-11-17')).worksheets[0]!.getRow(3).values).toEqual([undefined, '代表甲', '上海一组', 66.7, 0]);
    expect((await read('word-cloud/export.xlsx')).worksheets[0]!.getRow(2).values).toEqual([undefined, '物流时效', 3]);
    expect((await read('counters/export.xlsx')).worksheets.map((w) => w.name)).toEqual(['业务计数', '二次报价客户', '签约后询问交付']);
  });
});
