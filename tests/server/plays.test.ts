import { withSqlTransaction } from '../../server/src/db/sql';
import { CustomerStageChange } from '../../server/src/modules/customers/customer-history.entity';
import { Member } from '../../server/src/modules/org/member.entity';
import { Visit } from '../../server/src/modules/visits/visit.entity';
import { playKeyOf } from '../../server/src/modules/plays';
import type { PlaySuggestions, PlaysTable } from '@anchor/shared';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { completeVisit, submitVisit } from '../support/visit-fixture';

// Winning plays on a hand-built visit history (policy: 90-day window, advance within 30 days, no move back
// within 30 days, a play shown from 5 advances, segments from 3, Jaccard ≥ 0.5). Every figure below is
// counted by hand from the rows this file writes.
const NOW = new Date('2026-11-20T02:00:00Z');
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const B = '集采降价压力';
const O = '推进方案';
const T1 = '提供集采中标价格对比表';
const T1b = '提供集采中标价格的对比表'; // the same words but 的 and 表 (one character, not counted): merged
const T2 = '安排科室主任参观样板医院';
const T3 = '免费提供试用样品';
const P1 = playKeyOf(B, O, T1);

let h: Harness;
let org: OrgFixture;
const customers: Record<string, number> = {};

async function customer(name: string, owner: Member, hospitalLevel = '二级甲等'): Promise<number> {
  const res = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(owner), json: { name, industry: '公立医院', stage: 'proposal', hospitalLevel } });
  if (res.status !== 201) throw new Error(`customer refused: ${JSON.stringify(res.body)}`);
  return (customers[name] = res.body.id as number);
}

async function visit(name: string, rep: Member, daysAgo: number, valuePoint: string, extra: Partial<Visit> = {}) {
  await h.db.getRepository(Visit).insert({
    customerId: customers[name]!, memberId: rep.id, objective: O, painPoint: '集采后价格压力很大', dialogueSummary: '主任关心集采之后的价格和服务', bottleneck: B, valuePoint,
    agreedAction: '发送方案', nextFollowUpAt: ago(daysAgo - 7), nextFollowUpForm: '电话', alert: false, submittedAt: ago(daysAgo), savedAt: ago(daysAgo), createdAt: ago(daysAgo), ...extra,
  });
}

async function move(name: string, from: string, to: string, daysAgo: number, kind: 'stage' | 'closed_lost' = 'stage') {
  await h.db.getRepository(CustomerStageChange).insert({ customerId: customers[name]!, fromStage: from as never, toStage: to as never, kind, reason: null, note: null, changedById: org.supervisor1.id, changedAt: ago(daysAgo) });
}

const mine = () => withSqlTransaction(h.db, (sql) => h.services.plays.mine(sql, NOW));
const suggestions = (who: Member, query: string) => api(h.url, 'GET', `/api/v1/plays/suggestions?${query}`, { token: org.token(who) });
const table = (who: Member, query = '') => api(h.url, 'GET', `/api/v1/plays${query}`, { token: org.token(who) });
const q = (params: Record<string, string | number>) => new URLSearchParams(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]))).toString();

beforeAll(async () => {
  h = await startHarness({ now: NOW });
  org = await buildOrg(h);
  // repB is a new rep (joined 60 days ago); the others joined long ago
  const members = h.db.getRepository(Member);
  for (const m of [org.repA, org.repC, org.repE]) await members.update(m.id, { joinedAt: ago(400) });
  await members.update(org.repB.id, { joinedAt: ago(60) });

  for (let i = 1; i <= 12; i++) await customer(`东区医院${i}`, i <= 6 ? org.repA : org.repB, i <= 3 ? '三级甲等' : '二级甲等');
  await customer('东区医院老', org.repA);
  for (let i = 1; i <= 5; i++) await customer(`西区医院${i}`, org.repE);

  // P1 (T1 and T1b merged): 8 visits, 5 followed by a lasting advance
  await visit('东区医院1', org.repB, 20, T1, { playKey: P1 }); //                       advanced 5 days later            ✔
  await move('东区医院1', 'proposal', 'quote', 15);
  await visit('东区医院2', org.repB, 20, T1, { playKey: P1 }); //                       advanced                          ✔
  await move('东区医院2', 'proposal', 'quote', 15);
  await visit('东区医院3', org.repA, 20, T1); //                                        advanced                          ✔
  await move('东区医院3', 'proposal', 'quote', 15);
  await visit('东区医院4', org.repB, 20, T1, { playKey: P1 }); //                       no move                           ✘
  await visit('东区医院5', org.repA, 30, T1b); //                                       advanced (another wording)        ✔
  await move('东区医院5', 'proposal', 'quote', 25);
  await visit('东区医院6', org.repB, 30, T1b); //                                       advanced, back 10 days later      ✘
  await move('东区医院6', 'proposal', 'quote', 25);
  await move('东区医院6', 'quote', 'proposal', 15);
  await visit('东区医院7', org.repA, 80, T1); //                                        advanced 40 days after the visit ✘
  await move('东区医院7', 'proposal', 'quote', 40);
  await visit('东区医院8', org.repA, 80, T1); //                                        advanced, back 35 days later      ✔
  await move('东区医院8', 'proposal', 'quote', 75);
  await move('东区医院8', 'quote', 'proposal', 40);
  await visit('东区医院老', org.repA, 100, T1); //                                      before the window                 (not counted)
  await move('东区医院老', 'proposal', 'quote', 95);
  // T2: 4 visits, all advanced: one short of the minimum support
  for (const i of [9, 10, 11, 12]) {
    await visit(`东区医院${i}`, i === 9 ? org.repB : org.repA, 10, T2);
    await move(`东区医院${i}`, 'proposal', 'signed', 5);
  }
  // region west: T3, 5 visits, all advanced (one closed as lost later: still 4 + … see below)
  for (let i = 1; i <= 5; i++) {
    await visit(`西区医院${i}`, org.repE, 40, T3);
    await move(`西区医院${i}`, 'proposal', 'quote', 35);
  }
  await move('西区医院5', 'quote', 'quote', 30, 'closed_lost'); // closed as lost 5 days after the move: did not hold
  await visit('西区医院1', org.repE, 39, T3); // a second visit at the same customer, before the same move: counted too
  await mine();
});
afterAll(() => h.close());

describe('mining: exact support counts and rates', () => {
  it('merges similar wordings, counts only lasting advances within the window, and keeps plays from the minimum support', async () => {
    const res = await table(org.directorEast);
    expect(res.status).toBe(200);
    const body = res.body as PlaysTable;
    expect(body.regionId).toBe(org.regionIds.east);
    const plays = body.bottlenecks.find((b) => b.bottleneck === B)!.plays;
    // T2 (4 advances < 5) is not a play; T1 and T1b are one
    expect(plays.map((p) => [p.valuePoint, p.variants, p.visits, p.advanced])).toEqual([[T1, [T1b], 8, 5]]);
    const p1 = plays[0]!;
    expect(p1.key).toBe(P1);
    expect(p1.successRate).toBeCloseTo(5 / 8);
    expect(p1.label).toBe('近 90 天 5 次拜访后推进到下一阶段 · 成功率 63 %');
    expect(p1.topAction).toBe('发送方案');
    // 三级甲等: customers 1–3, all advanced (3 ≥ segmentMinSupport); 二级甲等 2 advances: not shown
    expect(p1.segments).toEqual([
      { kind: 'industry', value: '公立医院', visits: 8, advanced: 5, successRate: 5 / 8 },
      { kind: 'hospitalLevel', value: '三级甲等', visits: 3, advanced: 3, successRate: 1 },
    ]);
    // every bottleneck of the options has its row, with or without plays
    expect(body.bottlenecks.map((b) => b.bottleneck)).toEqual(h.policy.options.bottlenecks);
  });

  it('a closed-as-lost within 30 days of the move does not hold; two visits before one move both count', async () => {
    const body = (await table(org.directorWest)).body as PlaysTable;
    const plays = body.bottlenecks.find((b) => b.bottleneck === B)!.plays;
    expect(plays.map((p) => [p.valuePoint, p.visits, p.advanced])).toEqual([[T3, 6, 5]]);
  });

  it("new reps' advance rate with a copied play and without", async () => {
    const body = (await table(org.directorEast)).body as PlaysTable;
    // repB (new): with P1 copied — customers 1, 2 advanced, 4 not; without — 6 (moved back), 9 (advanced)
    expect(body.effectiveness).toEqual({ newRepDays: 90, used: { visits: 3, advanced: 2, rate: 2 / 3 }, notUsed: { visits: 2, advanced: 1, rate: 1 / 2 } });
  });
});

describe('suggestions on the visit form', () => {
  it("suggests the region's plays for the bottleneck, with the customer's segment", async () => {
    const res = await suggestions(org.repA, q({ bottleneck: B, objective: O, customerId: customers['东区医院1']! }));
    expect(res.status).toBe(200);
    const body = res.body as PlaySuggestions;
    expect(body.reason).toBeNull();
    expect(body.plays.map((p) => [p.key, p.valuePoint, p.label])).toEqual([[P1, T1, '近 90 天 5 次拜访后推进到下一阶段 · 成功率 63 %']]);
    expect(body.plays[0]!.customerSegment).toEqual({ kind: 'hospitalLevel', value: '三级甲等', label: '三级甲等：3 次推进 · 成功率 100 %' });
  });

  it('too little data, another region, a bottleneck no longer in the options: empty, with the reason, never an error', async () => {
    const west = (await suggestions(org.repE, q({ bottleneck: '预算审批周期长' }))).body as PlaySuggestions;
    expect(west.plays).toEqual([]);
    expect(west.reason).toBe('近 90 天这个瓶颈还没有成功 5 次以上的打法，数据不足');
    // region west's play is not the east's
    const eastSees = (await suggestions(org.repC, q({ bottleneck: B }))).body as PlaySuggestions;
    expect(eastSees.plays.map((p) => p.valuePoint)).toEqual([T1]);
    const removed = await suggestions(org.repA, q({ bottleneck: '医保控费' }));
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ plays: [], reason: '「医保控费」已不在业务瓶颈选项中，没有可参考的打法' });
    const missing = await suggestions(org.repA, '');
    expect(missing.status).toBe(422);
    expect(missing.body.error.fields).toHaveProperty('bottleneck');
  });

  it("a customer out of the rep's reach answers 404", async () => {
    const res = await suggestions(org.repE, q({ bottleneck: B, customerId: customers['东区医院1']! }));
    expect(res.status).toBe(404);
  });

  it('a visit records the play copied into it; a malformed play key is refused and nothing stored', async () => {
    const count = () => h.db.getRepository(Visit).count();
    const before = await count();
    const bad = await submitVisit(h, org.token(org.repA), { ...completeVisit(customers['东区医院3']!), playKey: 'not-a-key' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields).toEqual({ playKey: '参考的赢单打法不是有效的打法编号' });
    expect(await count()).toBe(before);
    const ok = await submitVisit(h, org.token(org.repA), { ...completeVisit(customers['东区医院3']!), valuePoint: T1, playKey: P1 });
    expect(ok.status).toBe(201);
    expect(ok.body.playKey).toBe(P1);
    expect((await h.db.getRepository(Visit).findOneByOrFail({ id: ok.body.id })).playKey).toBe(P1);
    const none = await submitVisit(h, org.token(org.repA), completeVisit(customers['东区医院3']!));
    expect((await h.db.getRepository(Visit).findOneByOrFail({ id: none.body.id })).playKey).toBeNull();
  });
});

describe('directors hide plays; permissions', () => {
  it('a rep may neither see the table nor hide; a supervisor neither', async () => {
    expect((await table(org.repA)).status).toBe(403);
    expect((await api(h.url, 'POST', `/api/v1/plays/${P1}/hide`, { token: org.token(org.repA) })).status).toBe(403);
    expect((await table(org.supervisor1)).status).toBe(403);
  });

  it("a director sees their region only: another region's table or play answers 404", async () => {
    expect((await table(org.directorEast, `?regionId=${org.regionIds.west}`)).status).toBe(404);
    const west = (await table(org.directorWest)).body as PlaysTable;
    const westKey = west.bottlenecks.find((b) => b.bottleneck === B)!.plays[0]!.key;
    expect((await api(h.url, 'POST', `/api/v1/plays/${westKey}/hide`, { token: org.token(org.directorEast) })).status).toBe(404);
    // an admin picks the region
    const admin = (await table(org.admin, `?regionId=${org.regionIds.west}`)).body as PlaysTable;
    expect(admin.bottlenecks.find((b) => b.bottleneck === B)!.plays.map((p) => p.key)).toEqual([westKey]);
  });

  it('a hidden play is never suggested, and stays hidden when recomputed, also under a new leading wording', async () => {
    const hid = await api(h.url, 'POST', `/api/v1/plays/${P1}/hide`, { token: org.token(org.directorEast) });
    expect(hid.status).toBe(200);
    expect(hid.body.hidden).toBe(true);
    const after = (await suggestions(org.repA, q({ bottleneck: B }))).body as PlaySuggestions;
    expect(after.plays).toEqual([]);
    // T1b becomes the most used wording: the play's key changes, the hide holds
    for (let i = 0; i < 6; i++) await visit('东区医院4', org.repA, 3, T1b);
    await mine();
    const plays = ((await table(org.directorEast)).body as PlaysTable).bottlenecks.find((b) => b.bottleneck === B)!.plays;
    // 8 + the 6 just written + the visit submitted above with T1 (today)
    expect(plays.map((p) => [p.valuePoint, p.visits, p.advanced, p.hidden])).toEqual([[T1b, 15, 5, true]]);
    expect(((await suggestions(org.repA, q({ bottleneck: B }))).body as PlaySuggestions).plays).toEqual([]);
    // shown again
    const shown = await api(h.url, 'POST', `/api/v1/plays/${plays[0]!.key}/unhide`, { token: org.token(org.directorEast) });
    expect(shown.body.hidden).toBe(false);
    expect(((await suggestions(org.repA, q({ bottleneck: B }))).body as PlaySuggestions).plays.map((p) => p.valuePoint)).toEqual([T1b]);
  });
});
