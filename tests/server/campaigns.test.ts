import { addDays, localDay } from '@anchor/shared';
import { withSqlTransaction } from '../../server/src/db/sql';
import { campaignDigestLines } from '../../server/src/modules/campaigns';
import type { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { api, xlsxForm } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { completeVisit, submitVisit } from '../support/visit-fixture';
import { buildWorkbook } from '../support/xlsx';

// Campaign task flows (SPEC §10) over real HTTP and a real database: a plan refused for each bad input, naming
// the field; progress computed from the real records (a visit with the objective, a share, a stage change, a
// photo) — not from one before the launch, nor one by another rep; exceptions routed to the owner as tasks and
// answered, reassigned or dropped; the overdue chain (rep, then supervisor, once each); closing freezes the
// figures; who sees what across roles. The clock: Friday 2026-11-20 10:00 Shanghai.
let h: Harness;
let org: OrgFixture;
const tz = 'Asia/Shanghai';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const as = (who: Member) => ({ token: org.token(who) });
const HOUR = 3600_000;

let seq = 0;
async function customer(owner: Member, extra: Record<string, unknown> = {}): Promise<number> {
  const res = await api(h.url, 'POST', '/api/v1/customers', { ...as(org.admin), json: { name: `专项测试医院${++seq}号`, industry: '公立医院', ownerId: owner.id, stage: 'visit', hospitalLevel: '三级甲等', city: '上海市', ...extra } });
  expect(res.status).toBe(201);
  return res.body.id;
}
/** A complete visit by `who` at the customer, its next follow-up two days after the clock's day. */
async function visit(who: Member, customerId: number, extra: Record<string, unknown> = {}) {
  const res = await submitVisit(h, org.token(who), { ...completeVisit(customerId), nextFollowUpDate: addDays(localDay(h.clock.now(), tz), 2), ...extra });
  return res;
}
const outbox = async (kind: string): Promise<Array<Record<string, any>>> =>
  ((await h.db.query('SELECT payload FROM outbox_message WHERE kind = ? ORDER BY id', [kind])) as Array<{ payload: string | object }>).map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload));
const count = async (table: 'campaign' | 'campaign_target' | 'campaign_exception') => Number((await h.db.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

let material: number;
let a1: number, a2: number, a3: number, b1: number, c1: number, e1: number;

beforeAll(async () => {
  h = await startHarness({ now: new Date('2026-11-20T02:00:00Z') });
  org = await buildOrg(h);
  a1 = await customer(org.repA);
  a2 = await customer(org.repA, { stage: 'lead', hospitalLevel: '二级甲等' });
  a3 = await customer(org.repA, { industry: '民营医院' });
  b1 = await customer(org.repB);
  c1 = await customer(org.repC);
  e1 = await customer(org.repE);
  const m = await api(h.url, 'POST', '/api/v1/materials', { ...as(org.marketing), json: { title: '关节置换三甲案例', kind: 'script', scriptText: '王主任您好，这是我们在三甲医院的关节置换案例……' } });
  expect(m.status).toBe(201);
  material = m.body.id;
});
afterAll(() => h.close());

const STEPS = () => [
  { title: '上门推进方案', kind: 'visit', objective: '推进方案', dueDays: 2 },
  { title: '发送案例', kind: 'share', materialId: null, dueDays: 4 },
  { title: '推进到方案', kind: 'stage', stage: 'proposal', dueDays: 6 },
  { title: '现场拍照', kind: 'photo', dueDays: 6 },
];
const plan = (over: Record<string, unknown> = {}) => ({
  name: 'Q1 骨科关节置换专项攻坚', startsOn: '2026-11-20', endsOn: '2026-12-31', goalStage: 'proposal', goalCount: 2,
  customerIds: [a1, a2, b1], scriptMaterialId: material, materialIds: [material], steps: STEPS(), ...over,
});
const create = (who: Member, body: unknown) => api(h.url, 'POST', '/api/v1/campaigns', { ...as(who), json: body });

describe('a plan refused for what is wrong with it, naming the field, nothing written', () => {
  it('no targets: an empty list, or a filter matching nobody in the reach', async () => {
    const empty = await create(org.supervisor1, plan({ customerIds: [] }));
    expect(empty.status).toBe(422);
    expect(empty.body.error.code).toBe('CAMPAIGN_INVALID');
    expect(empty.body.error.fields.targets).toBe('没有目标客户：请按条件筛选或上传客户名单');
    // rep C's customer is in 上海市 too, but in another team: supervisor 1's filter does not reach it
    const nobody = await create(org.supervisor1, plan({ customerIds: [], filter: { industries: ['第三方检验'] } }));
    expect(nobody.body.error.fields.targets).toBe('筛选条件在你的管理范围内没有匹配的客户，请调整条件或上传客户名单');
    expect(await count('campaign')).toBe(0);
  });

  it('targets outside the creator reach: another team for a supervisor, another region for a director', async () => {
    const res = await create(org.supervisor1, plan({ customerIds: [a1, c1] }));
    expect(res.status).toBe(422);
    expect(res.body.error.fields.customerIds).toBe(`客户编号 ${c1} 不存在或不在你的管理范围内`);
    const director = await create(org.directorEast, plan({ customerIds: [a1, c1, e1] }));
    expect(director.body.error.fields.customerIds).toBe(`客户编号 ${e1} 不存在或不在你的管理范围内`);
    expect(await count('campaign')).toBe(0);
    expect(await count('campaign_target')).toBe(0);
  });

  it('negative, out-of-order and circular offsets; an unknown objective, material or stage', async () => {
    const res = await create(org.supervisor1, plan({
      steps: [
        { title: '一', kind: 'visit', objective: '随便聊聊', dueDays: -1 },
        { title: '二', kind: 'stage', stage: 'quote', dueDays: 5 },
        { title: '三', kind: 'share', materialId: 999999, dueDays: 3 },
        { title: '四', kind: 'stage', stage: 'proposal', dueDays: 7 },
        { title: '五', kind: 'stage', stage: 'won', dueDays: 8 },
      ],
    }));
    expect(res.status).toBe(422);
    expect(res.body.error.fields).toEqual({
      'steps.0.dueDays': '第 1 步的期限不能为负数（启动当天为第 0 天）',
      'steps.0.objective': '第 1 步的拜访目标「随便聊聊」不存在（可选：建立联系、推进方案、促成签约、处理异议、收集反馈）',
      'steps.2.dueDays': '第 3 步的期限（第 3 天）早于第 2 步（第 5 天）：步骤须按先后顺序排期，不能绕回前面的步骤',
      'steps.2.materialId': '第 3 步的素材（编号 999999）不存在或已下架',
      'steps.3.stage': '第 4 步的阶段「方案」没有在第 2 步「报价」之后：阶段步骤须逐步推进，不能回到或重复之前的阶段',
      'steps.4.stage': '第 5 步的阶段「won」不存在（可选：线索、拜访、方案、报价、签约、交付）',
    });
    expect(res.body.error.message).toContain('专项任务设置有误，未保存');
    const goal = await create(org.supervisor1, plan({ goalCount: 9, materialIds: [424242] }));
    expect(goal.body.error.fields).toEqual({ goalCount: '目标客户数（9）不能多于目标客户总数（3）', materialIds: '素材编号 424242 不存在或已下架' });
    expect(await count('campaign')).toBe(0);
  });

  it('only managers create: a rep, finance and an admin are refused', async () => {
    for (const who of [org.repA, org.finance, org.admin]) expect((await create(who, plan())).status).toBe(403);
  });
});

describe('targets by filter or by xlsx list, each keeping its owner', () => {
  it('a filter picks open customers in reach by industry, grade, stage, city and hospital level', async () => {
    const res = await api(h.url, 'POST', '/api/v1/campaigns/targets/preview', { ...as(org.supervisor1), json: { filter: { industries: ['公立医院'], stages: ['visit'], hospitalLevels: ['三级甲等'], cities: ['上海市'] } } });
    expect(res.status).toBe(200);
    expect(res.body.items.map((c: { id: number }) => c.id)).toEqual([a1, b1]);
    expect(res.body.items[1].owner).toEqual({ id: org.repB.id, name: '代表乙' });
    const director = await api(h.url, 'POST', '/api/v1/campaigns/targets/preview', { ...as(org.directorEast), json: { filter: { stages: ['visit'], cities: ['上海市'] } } });
    expect(director.body.items.map((c: { id: number }) => c.id)).toEqual([a1, a3, b1, c1]);
  });

  it('an xlsx list is matched by name; a name outside the reach reads as not found', async () => {
    const names = async (ids: number[]) => ((await h.db.query(`SELECT id, name FROM customer WHERE id IN (${ids.join(',')}) ORDER BY id`)) as Array<{ name: string }>).map((r) => r.name);
    const [n1, nc] = [...(await names([a1])), ...(await names([c1]))];
    const file = await buildWorkbook([['序号', '客户名称'], [1, n1], [2, nc], [3, '不存在的医院'], [4, n1]]);
    const res = await api(h.url, 'POST', '/api/v1/campaigns/targets/xlsx', { ...as(org.supervisor1), form: xlsxForm(file, '名单.xlsx') });
    expect(res.status).toBe(200);
    expect(res.body.matched).toEqual([{ row: 2, id: a1, name: n1, ownerName: '代表甲' }]);
    expect(res.body.unmatched).toEqual([
      { row: 3, name: nc, reason: '未找到该客户，或不在你的管理范围内' },
      { row: 4, name: '不存在的医院', reason: '未找到该客户，或不在你的管理范围内' },
      { row: 5, name: n1, reason: '与前面的行重复' },
    ]);
  });
});

let campaignId: number;
const target = async (customerId: number) => {
  const res = await api(h.url, 'GET', `/api/v1/campaigns/${campaignId}/targets`, as(org.supervisor1));
  return res.body.items.find((t: { customer: { id: number } }) => t.customer.id === customerId);
};
const board = async (who: Member = org.supervisor1) => api(h.url, 'GET', `/api/v1/campaigns/${campaignId}/board`, as(who));

describe('progress from the real records', () => {
  let visitA1: number;

  it('a visit from before the launch does not count; the launch tells each rep', async () => {
    expect((await visit(org.repA, a1)).status).toBe(201); // 推进方案, but before the campaign
    h.clock.advance(HOUR);
    const res = await create(org.supervisor1, { ...plan(), launch: true });
    expect(res.status).toBe(201);
    campaignId = res.body.id;
    expect(res.body).toMatchObject({ state: 'running', targetCount: 3, owner: { id: org.supervisor1.id }, script: { id: material, kind: 'script' } });
    expect(res.body.steps.map((s: { evidence: string }) => s.evidence)).toEqual(['拜访 · 目标「推进方案」', '分享专项素材', '客户推进到「方案」', '拜访时拍照']);
    expect((await target(a1)).steps[0]).toMatchObject({ done: false, record: null, overdue: false });
    const launched = await outbox('campaign.launched');
    expect(launched.map((p) => [p.memberId, p.targets])).toEqual([[org.repA.id, 2], [org.repB.id, 1]]);
    expect(launched[0]!.firstStep).toBe('上门推进方案（拜访 · 目标「推进方案」）');
  });

  it('a visit with another objective does not complete the step; one with the objective does, naming the visit', async () => {
    expect((await visit(org.repA, a2, { objective: '建立联系' })).status).toBe(201);
    const v = await visit(org.repA, a1);
    visitA1 = v.body.id;
    expect((await target(a2)).steps[0].done).toBe(false);
    expect((await target(a1)).steps[0]).toMatchObject({ done: true, record: { kind: 'visit', id: visitA1 } });
  });

  it("a rep cannot complete another rep's target: rep A cannot visit B's customer, the supervisor's own visit does not count", async () => {
    expect((await visit(org.repA, b1)).status).toBe(404);
    expect((await visit(org.supervisor1, b1)).status).toBe(201);
    expect((await target(b1)).steps[0].done).toBe(false);
  });

  it('a share, a stage change and a photo on a visit complete their steps; the goal counts the stage', async () => {
    const share = await api(h.url, 'POST', `/api/v1/materials/${material}/shares`, { ...as(org.repA), json: { customerId: a1 } });
    expect(share.status).toBe(201);
    expect((await api(h.url, 'PATCH', `/api/v1/customers/${a1}`, { ...as(org.repA), json: { stage: 'proposal' } })).status).toBe(200);
    const photo = await api(h.url, 'POST', '/api/v1/photos', { ...as(org.repA), form: (() => { const f = new FormData(); f.append('file', new Blob([PNG], { type: 'image/png' }), 'p.png'); return f; })() });
    expect(photo.status).toBe(201);
    expect((await visit(org.repA, a1, { objective: '收集反馈', photoIds: [photo.body.id] })).status).toBe(201);
    const t = await target(a1);
    expect(t.steps.map((s: { done: boolean; record: { kind: string } | null }) => [s.done, s.record?.kind])).toEqual([[true, 'visit'], [true, 'share'], [true, 'stage'], [true, 'visit']]);
    expect(t).toMatchObject({ state: 'done', nextStep: null, converted: true });
  });

  it("the board: per rep and team, targets by step, the goal; the rep's own flow with the next step", async () => {
    const res = await board();
    expect(res.status).toBe(200);
    expect(res.body.frozen).toBe(false);
    const repA = res.body.reps.find((r: { id: number }) => r.id === org.repA.id);
    expect(repA).toMatchObject({ targets: 2, done: [1, 1, 1, 1], atStep: [1, 0, 0, 0], completed: 1, converted: 1, overdueSteps: 0, openExceptions: 0 });
    expect(res.body.teams).toEqual([expect.objectContaining({ id: org.teamIds.team1, name: '上海一组', targets: 3, done: [1, 1, 1, 1], atStep: [2, 0, 0, 0] })]);
    expect(res.body.goal).toEqual({ stage: 'proposal', stageLabel: '方案', count: 2, reached: 1, rate: 0.5 });
    const drill = await api(h.url, 'GET', `/api/v1/campaigns/${campaignId}/targets?seq=1`, as(org.supervisor1));
    expect(drill.body.items.map((t: { customer: { id: number } }) => t.customer.id)).toEqual([a1]);
    const mine = await api(h.url, 'GET', '/api/v1/campaigns/mine', as(org.repA));
    expect(mine.status).toBe(200);
    expect(mine.body.reasons).toEqual(['客户拒绝', '竞品锁定', '联系人离职', '其他']);
    expect(mine.body.campaigns).toHaveLength(1);
    expect(mine.body.campaigns[0].campaign.materials).toEqual([{ id: material, title: '关节置换三甲案例', kind: 'script' }]);
    expect(mine.body.campaigns[0].targets.map((t: { customer: { id: number }; nextStep: number | null }) => [t.customer.id, t.nextStep])).toEqual([[a2, 1], [a1, null]]);
    expect((await api(h.url, 'GET', '/api/v1/campaigns/mine', as(org.repC))).body.campaigns).toEqual([]);
  });

  it('who sees the campaign: its owner and the director above; not another team or region; a rep not the board', async () => {
    expect((await board(org.directorEast)).status).toBe(200);
    expect((await board(org.supervisor2)).status).toBe(404);
    expect((await board(org.directorWest)).status).toBe(404);
    expect((await board(org.repA)).status).toBe(403);
    expect((await api(h.url, 'GET', '/api/v1/campaigns', as(org.directorEast))).body.items.map((c: { id: number }) => c.id)).toEqual([campaignId]);
    expect((await api(h.url, 'GET', '/api/v1/campaigns', as(org.supervisor2))).body.items).toEqual([]);
  });

  it('the weekly digest line of the reach', async () => {
    const lines = await withSqlTransaction(h.db, (sql) => campaignDigestLines(sql, h.policy, [org.repA.id, org.repB.id, org.supervisor1.id], h.clock.now()));
    expect(lines).toEqual(['专项「Q1 骨科关节置换专项攻坚」：目标 3 位，全部步骤完成 1 位，逾期步骤 0 个，待处理异常 0 个，推进到方案 1 位（专项目标 2 位）']);
    expect(await withSqlTransaction(h.db, (sql) => campaignDigestLines(sql, h.policy, [org.repE.id], h.clock.now()))).toEqual([]);
  });
});

describe('exception reports: a task of the owner, answered, reassigned or dropped', () => {
  let exA2: number;
  const report = (who: Member, customerId: number, body: Record<string, unknown>) =>
    target(customerId).then((t) => api(h.url, 'POST', `/api/v1/campaign-targets/${t.id}/exceptions`, { ...as(who), json: body }));
  const resolve = (who: Member, id: number, body: Record<string, unknown>) => api(h.url, 'POST', `/api/v1/campaign-exceptions/${id}/resolve`, { ...as(who), json: body });

  it('the rep reports a blocker; it lands as a 专项异常 task of the owner with its card', async () => {
    expect((await report(org.repA, a2, { reason: '没空' })).body.error.fields.reason).toBe('原因「没空」不在可选范围内（客户拒绝、竞品锁定、联系人离职、其他）');
    expect((await report(org.repA, a2, { reason: '其他' })).body.error.fields.note).toBe('选择「其他」时请填写说明');
    expect((await report(org.repB, a2, { reason: '客户拒绝' })).status).toBe(404);
    const res = await report(org.repA, a2, { reason: '竞品锁定', note: '刚与竞品签了三年协议' });
    expect(res.status).toBe(201);
    exA2 = res.body.id;
    expect(res.body).toMatchObject({ state: 'open', reason: '竞品锁定', reportedBy: { id: org.repA.id } });
    const tasks = await api(h.url, 'GET', '/api/v1/tasks?as=mine&status=open', as(org.supervisor1));
    const task = tasks.body.items.find((t: { kind: string }) => t.kind === 'campaign_exception');
    expect(task).toMatchObject({ kindLabel: '专项异常', subjectId: exA2, requesterId: org.repA.id, actions: ['confirm', 'comment'] });
    expect(task.lines).toContain('原因：竞品锁定');
    expect((await outbox('task.card')).some((p) => p.taskId === task.id)).toBe(true);
    expect((await report(org.repA, a2, { reason: '客户拒绝' })).body.error.code).toBe('CAMPAIGN_EXCEPTION_OPEN');
    expect((await board()).body.totals.openExceptions).toBe(1);
  });

  it('only the owner resolves; reassign goes to a rep in reach, the target and customer follow, the rep is told, once', async () => {
    expect((await resolve(org.directorEast, exA2, { action: 'answer', text: '好' })).status).toBe(404);
    expect((await resolve(org.supervisor1, exA2, { action: 'answer' })).body.error.fields.text).toBe('请填写答复内容');
    expect((await resolve(org.supervisor1, exA2, { action: 'reassign', toMemberId: org.repC.id })).body.error.fields.toMemberId).toBe('接手人须为你管理范围内的在职销售');
    const res = await resolve(org.supervisor1, exA2, { action: 'reassign', toMemberId: org.repB.id, text: '换个人试试' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'reassigned', answer: '换个人试试' });
    expect((await target(a2)).owner.id).toBe(org.repB.id);
    expect(Number((await h.db.query('SELECT ownerId FROM customer WHERE id = ?', [a2]))[0].ownerId)).toBe(org.repB.id);
    expect((await api(h.url, 'GET', '/api/v1/tasks?as=mine&status=open', as(org.supervisor1))).body.items.filter((t: { kind: string }) => t.kind === 'campaign_exception')).toEqual([]);
    expect((await outbox('campaign.exception_resolved')).map((p) => [p.memberId, p.resolution])).toEqual([[org.repA.id, 'reassigned']]);
    expect((await resolve(org.supervisor1, exA2, { action: 'drop' })).body.error.code).toBe('CAMPAIGN_EXCEPTION_SETTLED');
    const mineB = await api(h.url, 'GET', '/api/v1/campaigns/mine', as(org.repB));
    expect(mineB.body.campaigns[0].targets.map((t: { customer: { id: number } }) => t.customer.id).sort()).toEqual([a2, b1].sort());
  });

  it('drop: the target leaves the figures', async () => {
    const res = await report(org.repB, b1, { reason: '联系人离职' });
    expect(res.status).toBe(201);
    expect((await resolve(org.supervisor1, res.body.id, { action: 'drop', text: '本季度不再跟进' })).body.state).toBe('dropped');
    const b = (await board()).body;
    expect(b.totals).toMatchObject({ targets: 2, dropped: 1, openExceptions: 0 });
    expect((await target(b1)).state).toBe('dropped');
    expect((await report(org.repB, b1, { reason: '客户拒绝' })).body.error.code).toBe('CAMPAIGN_STATE_CONFLICT');
  });
});

describe('overdue steps: the rep once, then the supervisor once', () => {
  it('a step past its day reminds the rep; supervisorAfterHours later the supervisor; never twice', async () => {
    // launched Friday 11-20 ~11:00; step 1 (第 2 天) is due by the end of 11-22; a2 (now rep B's) has not done it
    h.clock.set(new Date('2026-11-22T15:00:00Z')); // 11-22 23:00 Shanghai: not yet
    await h.services.jobs.seedRecurring();
    await h.services.jobs.runDue();
    expect(await outbox('campaign.step_overdue')).toEqual([]);
    h.clock.set(new Date('2026-11-23T01:00:00Z')); // 11-23 09:00
    await h.services.jobs.runDue();
    const reminders = await outbox('campaign.step_overdue');
    expect(reminders.map((p) => [p.memberId, p.customerName.startsWith('专项测试医院'), p.seq])).toEqual([[org.repB.id, true, 1]]);
    expect(reminders[0]!.evidence).toBe('拜访 · 目标「推进方案」');
    const ofStep1 = (list: Array<Record<string, any>>) => list.filter((p) => p.seq === 1);
    // 47 h later: step 2 (第 4 天) has fallen due meanwhile and reminds once too; step 1 not again, no supervisor yet
    h.clock.advance(47 * HOUR);
    await h.services.jobs.runDue();
    expect((await outbox('campaign.step_overdue')).map((p) => p.seq)).toEqual([1, 2]);
    expect(await outbox('campaign.step_overdue_supervisor')).toEqual([]);
    // 48 h after the rep's reminder: the supervisor hears of step 1, once
    h.clock.advance(2 * HOUR);
    await h.services.jobs.runDue();
    expect(ofStep1(await outbox('campaign.step_overdue_supervisor')).map((p) => [p.supervisorId, p.repId, p.repName])).toEqual([[org.supervisor1.id, org.repB.id, '代表乙']]);
    h.clock.advance(72 * HOUR);
    await h.services.jobs.runDue();
    await h.services.jobs.runDue();
    expect(ofStep1(await outbox('campaign.step_overdue_supervisor'))).toHaveLength(1);
    expect(ofStep1(await outbox('campaign.step_overdue'))).toHaveLength(1);
    // rep A's done target reminds nobody
    expect((await outbox('campaign.step_overdue')).every((p) => p.memberId === org.repB.id)).toBe(true);
    expect((await board()).body.reps.find((r: { id: number }) => r.id === org.repB.id).overdueSteps).toBeGreaterThan(0);
  });
});

describe('closing freezes the figures', () => {
  it('records after closing change nothing on the board; closing twice and reporting after are refused', async () => {
    expect((await api(h.url, 'POST', `/api/v1/campaigns/${campaignId}/close`, as(org.repA))).status).toBe(403);
    const closed = await api(h.url, 'POST', `/api/v1/campaigns/${campaignId}/close`, as(org.supervisor1));
    expect(closed.status).toBe(200);
    expect(closed.body.frozen).toBe(true);
    expect(closed.body.campaign.state).toBe('closed');
    const before = closed.body.totals;
    expect((await visit(org.repB, a2)).status).toBe(201);
    const after = (await board()).body;
    expect(after.totals).toEqual(before);
    expect(after.frozen).toBe(true);
    expect((await api(h.url, 'POST', `/api/v1/campaigns/${campaignId}/close`, as(org.supervisor1))).body.error.code).toBe('CAMPAIGN_STATE_CONFLICT');
    const t = (await api(h.url, 'GET', `/api/v1/campaigns/${campaignId}/targets`, as(org.supervisor1))).body.items.find((x: { customer: { id: number } }) => x.customer.id === a2);
    expect(t.steps[0].done).toBe(false);
    expect((await api(h.url, 'GET', '/api/v1/campaigns/mine', as(org.repB))).body.campaigns).toEqual([]);
  });
});
