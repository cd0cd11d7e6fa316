import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { HOUR_MS } from '../../server/src/clock';
import { loadPolicy, parsePolicy, ConfigError, type Policy } from '../../server/src/config/policy';
import { createDataSource } from '../../server/src/db/data-source';
import { schemaOf } from '../../server/src/db/schema';
import { withTransaction } from '../../server/src/db/transaction';
import { serverModules } from '../../server/src/modules';
import { OutboxMessage } from '../../server/src/outbox/outbox-message.entity';
import { purchaseModule } from '../fixtures/purchase-module';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { itMariaDbOnly, serverUrl } from '../support/database';
import { Member as MemberEntity, type Member } from '../../server/src/modules/org/member.entity';

// The task engine through a fixture module that declares two kinds (an approval kind with hooks and a
// plain one), on a policy that gives the approval kind a chain with a threshold step.
const policy: Policy = {
  ...loadPolicy(),
  approvals: {
    ...loadPolicy().approvals,
    test_purchase: [{ assignee: 'supervisor' }, { assignee: 'director', minAmountFen: 1_000_000 }, { assignee: 'pool', pool: 'finance' }],
  },
};
const withPurchases = [...serverModules(), purchaseModule];
const start = new Date('2026-11-20T02:00:00Z');

let h: Harness;
let org: OrgFixture;
let finance2: Member;
let subjectSeq = 0;

beforeAll(async () => {
  h = await startHarness({ modules: withPurchases, policy, now: start });
  org = await buildOrg(h);
  finance2 = await h.services.org.createMember({ name: '财务二', phone: '13900099001', role: 'finance' });
  org.tokens.set(finance2.id, (await h.services.auth.issueSession(finance2, 'wechat')).token);
});
afterAll(() => h.close());
afterEach(() => h.clock.set(start));

const act = (member: Member, taskId: number, json: Record<string, unknown>) => api(h.url, 'POST', `/api/v1/tasks/${taskId}/actions`, { token: org.token(member), json });
const detail = (member: Member, taskId: number) => api(h.url, 'GET', `/api/v1/tasks/${taskId}`, { token: org.token(member) });
const mine = async (member: Member, as = 'mine') => (await api(h.url, 'GET', `/api/v1/tasks?as=${as}`, { token: org.token(member) })).body.items as { id: number; approvalId: number | null; stepIndex: number | null; kind: string }[];
const messages = async (kind: string) => (await h.db.getRepository(OutboxMessage).find({ where: { kind } })).map((m) => m.payload);

function purchase(amountFen: number, requester: Member = org.repA) {
  const subjectId = ++subjectSeq;
  return h.services.approvals.start({ kind: 'test_purchase', subjectType: 'purchase', subjectId, requesterId: requester.id, amountFen, snapshot: { item: `采购 #${subjectId}`, requester: requester.name } });
}
async function stepTask(approvalId: number, stepIndex: number): Promise<number> {
  const [row] = await h.db.query('SELECT id FROM task WHERE approvalId = ? AND stepIndex = ?', [approvalId, stepIndex]);
  return Number(row.id);
}
async function noticeTask(json: { assigneeId?: number; assigneePool?: string }, kind = 'test_notice') {
  return withTransaction(h.db, (m) =>
    h.services.tasks.create(m, { kind, subjectType: 'campaign', subjectId: ++subjectSeq, requesterId: org.marketing.id, snapshot: { item: '春季活动物料' }, ...json }),
  );
}

describe('task kinds', () => {
  it('a kind allows only its own actions: a notice cannot be approved, and its detail lists what the assignee may do', async () => {
    const task = await noticeTask({ assigneeId: org.supervisor1.id });
    const refused = await act(org.supervisor1, task.id, { action: 'approve' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe('该任务不支持「同意」');
    const shown = await detail(org.supervisor1, task.id);
    expect(shown.body).toMatchObject({ kind: 'test_notice', kindLabel: '通知确认', state: 'open', title: '春季活动物料', actions: ['confirm', 'request_talk', 'comment'] });
    // someone who is neither assignee nor requester does not see it
    expect((await detail(org.supervisor2, task.id)).status).toBe(404);
    expect((await act(org.supervisor2, task.id, { action: 'confirm' })).status).toBe(404);
  });

  it('an undeclared kind cannot be created', async () => {
    await expect(withTransaction(h.db, (m) => h.services.tasks.create(m, { kind: 'no_such_kind', subjectType: 'x', subjectId: 1, assigneeId: org.repA.id, snapshot: {} }))).rejects.toThrow(/unknown task kind no_such_kind/);
  });
});

describe('pool tasks', () => {
  it('any member of the pool may act; the first wins, the second changes nothing', async () => {
    const task = await noticeTask({ assigneePool: 'finance' });
    expect((await mine(org.finance, 'pool')).map((t) => t.id)).toContain(task.id);
    expect((await mine(finance2, 'pool')).map((t) => t.id)).toContain(task.id);
    expect((await act(org.marketing, task.id, { action: 'confirm' })).status).toBe(404); // not in the pool (its requester may only comment)
    const [a, b] = await Promise.all([act(org.finance, task.id, { action: 'confirm' }), act(finance2, task.id, { action: 'confirm' })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.changed, b.body.changed].sort()).toEqual([false, true]);
    const winner = a.body.changed ? org.finance : finance2;
    const shown = await detail(org.finance, task.id);
    expect(shown.body).toMatchObject({ state: 'done', completedById: winner.id, completedVia: 'app' });
    expect(shown.body.history.filter((e: { action: string }) => e.action === 'confirm')).toHaveLength(1);
    expect((await mine(org.finance, 'pool')).map((t) => t.id)).not.toContain(task.id);
  });
});

describe('chosen pools (policy taskPools: the marketing lead is picked by an admin)', () => {
  const pools = (member: Member) => api(h.url, 'GET', '/api/v1/task-pools', { token: org.token(member) });
  const pick = (member: Member, pool: string, json: unknown) => api(h.url, 'PUT', `/api/v1/task-pools/${pool}/members`, { token: org.token(member), json });
  const me = async (member: Member) => (await api(h.url, 'GET', '/api/v1/me', { token: org.token(member) })).body.taskPools;
  let lead: Member;
  beforeAll(async () => {
    lead = await h.services.org.createMember({ name: '市场负责人', phone: '13900099011', role: 'marketing' });
    org.tokens.set(lead.id, (await h.services.auth.issueSession(lead, 'wechat')).token);
  });
  afterEach(async () => {
    await pick(org.admin, 'marketing_lead', { memberIds: [] });
  });

  it('while nobody is picked every marketing member acts on it, and the admin is warned; once picked only the lead does', async () => {
    const listed = await pools(org.admin);
    expect(listed.status).toBe(200);
    const leadPool = listed.body.items.find((p: { id: string }) => p.id === 'marketing_lead');
    expect(leadPool).toMatchObject({ label: '市场负责人', roles: ['marketing'], roleLabels: ['市场'], chosen: true, members: [], warning: expect.stringContaining('尚未选定「市场负责人」的成员') });
    expect(leadPool.candidates.map((c: { id: number }) => c.id)).toEqual(expect.arrayContaining([org.marketing.id, lead.id]));
    expect(listed.body.items.find((p: { id: string }) => p.id === 'finance')).toMatchObject({ label: '财务', chosen: false, warning: null, members: [], candidates: [] });
    expect(await me(org.marketing)).toEqual([{ id: 'marketing', label: '市场部' }, { id: 'marketing_lead', label: '市场负责人' }]);

    const before = await noticeTask({ assigneePool: 'marketing_lead' });
    expect((await mine(org.marketing, 'pool')).map((t) => t.id)).toContain(before.id);
    expect((await mine(lead, 'pool')).map((t) => t.id)).toContain(before.id);

    const picked = await pick(org.admin, 'marketing_lead', { memberIds: [lead.id] });
    expect(picked.status).toBe(200);
    expect(picked.body).toMatchObject({ id: 'marketing_lead', members: [{ id: lead.id, name: '市场负责人' }], actors: 1, warning: null });
    expect(await me(org.marketing)).toEqual([{ id: 'marketing', label: '市场部' }]);
    expect(await me(lead)).toEqual([{ id: 'marketing', label: '市场部' }, { id: 'marketing_lead', label: '市场负责人' }]);
    // the other marketing member no longer lists it, and is refused (not told it does not exist)
    expect((await mine(org.marketing, 'pool')).map((t) => t.id)).not.toContain(before.id);
    const refused = await act(org.marketing, before.id, { action: 'confirm' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'TASK_ACTION_NOT_ALLOWED', message: '该任务由选定的「市场负责人」成员处理' });
    // (they asked for it, so they may still comment on it)
    expect((await detail(org.marketing, before.id)).body).toMatchObject({ assigneePool: 'marketing_lead', assigneePoolLabel: '市场负责人', actions: ['comment'] });
    // finance is not of its roles at all: as before, nothing there
    expect((await act(org.finance, before.id, { action: 'confirm' })).status).toBe(404);
    const done = await act(lead, before.id, { action: 'confirm' });
    expect(done.body).toMatchObject({ changed: true, state: 'done', completedById: lead.id });
    expect((await detail(org.marketing, before.id)).body.state).toBe('done');
  });

  it('a picked lead who leaves: nothing falls through, every marketing member acts again', async () => {
    expect((await pick(org.admin, 'marketing_lead', { memberIds: [lead.id] })).status).toBe(200);
    const task = await noticeTask({ assigneePool: 'marketing_lead' });
    expect((await mine(org.marketing, 'pool')).map((t) => t.id)).not.toContain(task.id);
    await h.db.getRepository(MemberEntity).update({ id: lead.id }, { deactivatedAt: new Date() });
    try {
      expect((await mine(org.marketing, 'pool')).map((t) => t.id)).toContain(task.id);
      expect((await pools(org.admin)).body.items.find((p: { id: string }) => p.id === 'marketing_lead')).toMatchObject({ members: [], warning: expect.stringContaining('尚未选定') });
      expect((await act(org.marketing, task.id, { action: 'confirm' })).body.changed).toBe(true);
    } finally {
      await h.db.getRepository(MemberEntity).update({ id: lead.id }, { deactivatedAt: null });
    }
  });

  it('only an admin picks; only active members of the pool\'s roles; an unknown pool is 404, a role pool needs no picking', async () => {
    for (const who of [org.marketing, org.directorEast, org.repA, org.finance]) {
      expect((await pools(who)).status).toBe(403);
      expect((await pick(who, 'marketing_lead', { memberIds: [lead.id] })).status).toBe(403);
    }
    const wrongRole = await pick(org.admin, 'marketing_lead', { memberIds: [lead.id, org.finance.id] });
    expect(wrongRole.status).toBe(422);
    expect(wrongRole.body.error.fields).toEqual({ memberIds: '成员「财务」不是市场角色，不能加入「市场负责人」' });
    const gone = await pick(org.admin, 'marketing_lead', { memberIds: [999999] });
    expect(gone.status).toBe(422);
    expect(gone.body.error.fields).toEqual({ memberIds: '成员 #999999 不存在或已停用' });
    const unknown = await pick(org.admin, 'accounting', { memberIds: [] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'TASK_POOL_NOT_FOUND', message: '没有名为 accounting 的任务池' });
    const rolePool = await pick(org.admin, 'finance', { memberIds: [org.finance.id] });
    expect(rolePool.status).toBe(409);
    expect(rolePool.body.error.code).toBe('TASK_POOL_NOT_CHOSEN');
    for (const bad of [{}, { memberIds: 'all' }, { memberIds: [0] }, { memberIds: [1.5] }, { memberIds: [2 ** 40] }, { memberIds: Array.from({ length: 51 }, (_, i) => i + 1) }, { memberIds: [], extra: 1 }]) {
      const res = await pick(org.admin, 'marketing_lead', bad);
      expect(res.status).toBe(422);
      expect(JSON.stringify(res.body.error.fields ?? {})).toMatch(/成员|extra/);
    }
    // none of those changed anything
    expect((await pools(org.admin)).body.items.find((p: { id: string }) => p.id === 'marketing_lead').members).toEqual([]);
  });
});

describe('reassign, comment and history', () => {
  it('a reassigned task moves to its new assignee; the history names who did what, from where', async () => {
    const task = await noticeTask({ assigneeId: org.supervisor1.id });
    const noOne = await act(org.supervisor1, task.id, { action: 'comment', comment: '   ' });
    expect(noOne.status).toBe(422);
    expect(noOne.body.error.fields).toEqual({ comment: '请填写评论内容' });
    expect((await act(org.supervisor1, task.id, { action: 'comment', comment: '下周二前处理' })).status).toBe(200);
    // reassign is not this kind's: use a purchase step, whose kind allows it
    const approval = await purchase(50_000);
    const step = await stepTask(approval.id, 0);
    const bad = await act(org.supervisor1, step, { action: 'reassign', toMemberId: 999999 });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields).toEqual({ toMemberId: '请选择在职的接手人' });
    expect((await act(org.supervisor1, step, { action: 'reassign', toMemberId: org.supervisor2.id })).status).toBe(200);
    expect((await act(org.supervisor1, step, { action: 'approve' })).status).toBe(404); // no longer theirs
    expect((await mine(org.supervisor2)).map((t) => t.id)).toContain(step);
    expect((await act(org.supervisor2, step, { action: 'comment', comment: '金额核对无误' })).status).toBe(200);
    expect((await act(org.supervisor2, step, { action: 'approve' })).body.changed).toBe(true);
    // the requester sees the step and its history
    const seen = await detail(org.repA, step);
    expect(seen.status).toBe(200);
    expect(seen.body.history.map((e: { action: string; by: { name: string } | null; to: { name: string } | null; comment: string | null; via: string }) => [e.action, e.by?.name, e.to?.name ?? null, e.comment, e.via])).toEqual([
      ['reassign', '一组主管', '二组主管', null, 'app'],
      ['comment', '二组主管', null, '金额核对无误', 'app'],
      ['approve', '二组主管', null, null, 'app'],
    ]);
    expect((await detail(org.supervisor1, task.id)).body.history.map((e: { action: string; comment: string }) => [e.action, e.comment])).toEqual([['comment', '下周二前处理']]);
  });
});

describe('the 已处理 list and whom a task can be handed to', () => {
  it('handoff offers colleagues in the same role and region, only to the task\'s actor, only while open', async () => {
    const approval = await purchase(60_000);
    const step = await stepTask(approval.id, 0);
    const offered = await api(h.url, 'GET', `/api/v1/tasks/${step}/handoff`, { token: org.token(org.supervisor1) });
    expect(offered.status).toBe(200);
    expect(offered.body.items.map((m: { name: string }) => m.name)).toEqual(['二组主管']); // not themselves, not another region's supervisor, no reps
    expect((await api(h.url, 'GET', `/api/v1/tasks/${step}/handoff`, { token: org.token(org.supervisor2) })).status).toBe(404);
    expect((await api(h.url, 'GET', '/api/v1/tasks/abc/handoff', { token: org.token(org.supervisor1) })).status).toBe(404); // not a 500
    const notice = await noticeTask({ assigneeId: org.supervisor1.id });
    const refused = await api(h.url, 'GET', `/api/v1/tasks/${notice.id}/handoff`, { token: org.token(org.supervisor1) });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe('该任务不支持「转交」');
    expect((await act(org.supervisor1, step, { action: 'approve' })).status).toBe(200);
    const settled = await api(h.url, 'GET', `/api/v1/tasks/${step}/handoff`, { token: org.token(org.supervisor1) });
    expect(settled.status).toBe(409);
    expect(settled.body.error.code).toBe('TASK_ALREADY_SETTLED');
  });

  it('as=handled lists what I decided, what I passed on (to whom), and what my pool settled, naming who', async () => {
    const decided = await stepTask((await purchase(70_000)).id, 0);
    const passed = await stepTask((await purchase(80_000)).id, 0);
    expect((await act(org.supervisor1, decided, { action: 'reject', comment: '资料不全' })).status).toBe(200);
    expect((await act(org.supervisor1, passed, { action: 'reassign', toMemberId: org.supervisor2.id })).status).toBe(200);
    const list = (await api(h.url, 'GET', '/api/v1/tasks?as=handled&status=all&pageSize=100', { token: org.token(org.supervisor1) })).body.items as Array<Record<string, any>>;
    const byId = new Map(list.map((t) => [t.id, t]));
    expect(byId.get(decided)).toMatchObject({ state: 'rejected', comment: '资料不全', completedBy: { id: org.supervisor1.id, name: '一组主管' }, completedVia: 'app', passedOn: null });
    expect(byId.get(passed)).toMatchObject({ state: 'open', passedOn: { to: { name: '二组主管' }, via: 'app' } });
    // open only: what I passed on and is still open
    const open = (await api(h.url, 'GET', '/api/v1/tasks?as=handled&status=open', { token: org.token(org.supervisor1) })).body.items.map((t: { id: number }) => t.id);
    expect(open).toContain(passed);
    expect(open).not.toContain(decided);
    // a pool task settled by a colleague shows in the other pool member's 已处理, naming the colleague
    const pool = await noticeTask({ assigneePool: 'finance' });
    expect((await act(finance2, pool.id, { action: 'confirm' })).status).toBe(200);
    const seen = (await api(h.url, 'GET', '/api/v1/tasks?as=handled&status=settled&pageSize=100', { token: org.token(org.finance) })).body.items as Array<Record<string, any>>;
    expect(seen.find((t) => t.id === pool.id)).toMatchObject({ state: 'done', completedBy: { name: '财务二' } });
    // someone else's decisions are not in a stranger's list
    const stranger = (await api(h.url, 'GET', '/api/v1/tasks?as=handled&status=all&pageSize=100', { token: org.token(org.supervisor3) })).body.items.map((t: { id: number }) => t.id);
    expect(stranger).not.toContain(decided);
    expect(stranger).not.toContain(passed);
  });
});

describe('approval chains from policy', () => {
  it('below the threshold: supervisor then the finance pool; the director step is not added', async () => {
    const approval = await purchase(999_999);
    expect(approval.steps.map((s) => s.rule)).toEqual(['supervisor', 'pool']);
    expect(approval.steps[0]).toMatchObject({ assigneeId: org.supervisor1.id });
    expect(approval.steps[1]).toMatchObject({ pool: 'finance', assigneeId: null });
  });

  it('from the threshold on: supervisor, the director above them, then finance; the last approve completes it and fires the hook once', async () => {
    const approval = await purchase(1_000_000);
    expect(approval.steps.map((s) => [s.rule, s.assigneeId, s.pool])).toEqual([
      ['supervisor', org.supervisor1.id, null],
      ['director', org.directorEast.id, null],
      ['pool', null, 'finance'],
    ]);
    // one step at a time: the director has nothing until the supervisor approves
    expect((await mine(org.directorEast)).filter((t) => t.approvalId === approval.id)).toEqual([]);
    expect((await act(org.supervisor1, await stepTask(approval.id, 0), { action: 'approve' })).body.changed).toBe(true);
    const directorStep = await stepTask(approval.id, 1);
    expect((await mine(org.directorEast)).map((t) => t.id)).toContain(directorStep);
    expect((await act(org.directorEast, directorStep, { action: 'approve' })).body.changed).toBe(true);
    const financeStep = await stepTask(approval.id, 2);
    expect((await h.services.approvals.get(approval.id)).state).toBe('open');
    // both finance members tap 同意 at once: one decides, the hook runs once
    const taps = await Promise.all([act(org.finance, financeStep, { action: 'approve' }), act(finance2, financeStep, { action: 'approve' }), act(org.finance, financeStep, { action: 'approve' })]);
    expect(taps.map((t) => t.status)).toEqual([200, 200, 200]);
    expect(taps.filter((t) => t.body.changed)).toHaveLength(1);
    expect(await h.services.approvals.get(approval.id)).toMatchObject({ state: 'approved', currentStep: 2 });
    expect((await messages('purchase.approved')).filter((p) => p.approvalId === approval.id)).toEqual([{ approvalId: approval.id, purchaseId: approval.subjectId }]);
    expect((await messages('approval.decided')).filter((p) => p.approvalId === approval.id)).toHaveLength(1);
    // a replayed approve later changes nothing either
    expect((await act(org.finance, financeStep, { action: 'approve' })).body.changed).toBe(false);
    expect((await messages('purchase.approved')).filter((p) => p.approvalId === approval.id)).toHaveLength(1);
  });

  it('a reject needs a reason, ends the chain with it and goes back to the requester; no later step is created', async () => {
    const approval = await purchase(2_000_000);
    const first = await stepTask(approval.id, 0);
    const bare = await act(org.supervisor1, first, { action: 'reject' });
    expect(bare.status).toBe(422);
    expect(bare.body.error.fields).toEqual({ comment: '请填写驳回理由' });
    expect((await h.services.approvals.get(approval.id)).state).toBe('open');
    const res = await act(org.supervisor1, first, { action: 'reject', comment: '预算已超，下季度再报' });
    expect(res.body).toMatchObject({ changed: true, state: 'rejected', comment: '预算已超，下季度再报' });
    expect(await h.services.approvals.get(approval.id)).toMatchObject({ state: 'rejected', reason: '预算已超，下季度再报', currentStep: 0 });
    expect(Number((await h.db.query('SELECT COUNT(*) AS n FROM task WHERE approvalId = ?', [approval.id]))[0].n)).toBe(1);
    expect((await messages('purchase.rejected')).filter((p) => p.approvalId === approval.id)).toEqual([{ approvalId: approval.id, reason: '预算已超，下季度再报' }]);
    expect((await messages('purchase.approved')).filter((p) => p.approvalId === approval.id)).toEqual([]);
    expect((await messages('approval.decided')).filter((p) => p.approvalId === approval.id)).toHaveLength(1);
    // the requester reads the decision and its reason on the step
    expect((await detail(org.repA, first)).body).toMatchObject({ state: 'rejected', comment: '预算已超，下季度再报' });
    // a later approve of the same step changes nothing
    expect((await act(org.supervisor1, first, { action: 'approve' })).body.changed).toBe(false);
  });

  it('a chain whose supervisor cannot be found is refused, naming why, and nothing is stored', async () => {
    const before = Number((await h.db.query('SELECT COUNT(*) AS n FROM approval'))[0].n);
    await expect(purchase(100, org.directorEast)).rejects.toMatchObject({ status: 422, fields: { kind: '找不到申请人的主管，无法发起审批' } });
    expect(Number((await h.db.query('SELECT COUNT(*) AS n FROM approval'))[0].n)).toBe(before);
  });
});

describe('policy approvals are validated at start', () => {
  const yaml = readFileSync(path.resolve(__dirname, '../../config/policy.yaml'), 'utf8');
  it('the shipped policy has contract and rebate_request chains', () => {
    const p = parsePolicy(yaml, 'policy.yaml');
    expect(Object.keys(p.approvals)).toEqual(expect.arrayContaining(['contract', 'rebate_request']));
  });
  it('a pool step without its pool, or an unknown pool, is refused with a clear message', () => {
    const broken = yaml.replace('- { assignee: pool, pool: finance }\n  rebate_request', '- { assignee: pool }\n  rebate_request');
    expect(() => parsePolicy(broken, 'policy.yaml')).toThrow(ConfigError);
    expect(() => parsePolicy(broken, 'policy.yaml')).toThrow(/approvals\.contract\.2：只有 assignee 为 pool 的步骤须写 pool/);
    const unknown = yaml.replace('pool: finance }\n  rebate_request', 'pool: accounting }\n  rebate_request');
    expect(() => parsePolicy(unknown, 'policy.yaml')).toThrow(/approvals\.contract\.2\.pool：没有名为 accounting 的任务池/);
  });
});

describe('escalation', () => {
  it('a task nobody acts on escalates once, to the assignee\'s manager, even with two servers claiming at once', async () => {
    const approval = await purchase(10_000, org.repB);
    const step = await stepTask(approval.id, 0);
    const other = await startHarness({ sharedDatabaseUrl: h.dbUrl, modules: withPurchases, policy, now: start });
    try {
      const due = new Date(start.getTime() + (policy.tasks.approvalStepHours * HOUR_MS) + 1000);
      h.clock.set(due);
      other.clock.set(due);
      await Promise.all([h.services.jobs.runDue(), other.services.jobs.runDue(), h.services.jobs.runDue()]);
      await Promise.all([h.services.jobs.runDue(), other.services.jobs.runDue()]);
      expect((await messages('task.escalation')).filter((p) => p.taskId === step)).toEqual([{ taskId: step, toId: org.directorEast.id }]);
      const shown = await detail(org.supervisor1, step);
      expect(shown.body.escalatedAt).toBe(due.toISOString());
      expect(shown.body.history.filter((e: { action: string }) => e.action === 'escalate')).toHaveLength(1);
      expect((await mine(org.directorEast, 'escalated')).map((t) => t.id)).toContain(step);
    } finally {
      await other.close();
    }
  });

  it('a task acted on in time does not escalate; a pool task escalates to the admins; a kind may escalate to the director above', async () => {
    const acted = await noticeTask({ assigneeId: org.supervisor1.id });
    const pooled = await noticeTask({ assigneePool: 'marketing' });
    const urgent = await noticeTask({ assigneeId: org.repC.id }, 'test_urgent');
    expect((await act(org.supervisor1, acted.id, { action: 'confirm' })).body.changed).toBe(true);
    h.clock.set(new Date(start.getTime() + 25 * HOUR_MS));
    await h.services.jobs.runDue();
    expect((await messages('task.escalation')).filter((p) => p.taskId === acted.id)).toEqual([]);
    expect((await messages('task.escalation')).filter((p) => p.taskId === pooled.id)).toEqual([{ taskId: pooled.id, toId: null }]);
    // rep C → supervisor 2 → director East
    expect((await messages('task.escalation')).filter((p) => p.taskId === urgent.id)).toEqual([{ taskId: urgent.id, toId: org.directorEast.id }]);
  });
});

describe('migration of the to-dos', () => {
  const TASKS = 1764962000000;
  const timestampOf = (m: { name: string }) => Number(/(\d{13})$/.exec(m.name)?.[1] ?? 0);
  const before = schemaOf().migrations.filter((m) => timestampOf(m as { name: string }) < TASKS);
  // up to this migration: later ones (foreign keys) would refuse the made-up ids below
  const upToTasks = schemaOf().migrations.filter((m) => timestampOf(m as { name: string }) <= TASKS);

  async function check(old: DataSourceOptions) {
    const legacy = new DataSource({ ...old, entities: [], migrations: before } as DataSourceOptions);
    await legacy.initialize();
    await legacy.runMigrations({ transaction: 'each' });
    const snap = JSON.stringify({ customer: { name: '华山医院' }, actionItems: { agreedAction: '安排演示' } });
    // as stored text, which both drivers bind (SQLite binds no Date)
    const t = (iso: string) => iso.replace('T', ' ').replace('Z', '.000');
    await legacy.query(
      `INSERT INTO todo (id, kind, customerId, visitId, assigneeId, repId, snapshot, dueAt, confirmedAt, confirmedById, confirmedVia, confirmComment, escalatedAt, discussRequestedAt, discussRequestedVia, createdAt) VALUES
       (7, 'visit_next_action', 1, 70, 5, 9, ?, ?, NULL, NULL, NULL, NULL, NULL, NULL, NULL, ?),
       (8, 'visit_next_action', 1, 80, 5, 9, ?, ?, ?, 5, 'wecom', '同意', NULL, NULL, NULL, ?),
       (12, 'visit_next_action', 2, 120, 6, 10, ?, ?, NULL, NULL, NULL, NULL, ?, ?, 'dingtalk', ?)`,
      [snap, t('2026-11-22T02:00:00Z'), t('2026-11-20T02:00:00Z'), snap, t('2026-11-22T02:00:00Z'), t('2026-11-20T05:00:00Z'), t('2026-11-20T02:00:00Z'),
        snap, t('2026-11-22T02:00:00Z'), t('2026-11-22T02:00:01Z'), t('2026-11-21T02:00:00Z'), t('2026-11-20T02:00:00Z')],
    );
    await legacy.destroy();
    const db = new DataSource({ ...old, migrations: upToTasks } as DataSourceOptions);
    await db.initialize();
    try {
      await db.runMigrations({ transaction: 'each' });
      const rows = await db.query('SELECT id, kind, subjectType, subjectId, requesterId, assigneeId, outcome, completedById, completedVia, comment FROM task ORDER BY id');
      expect(rows.map((r: Record<string, unknown>) => ({ ...r, id: Number(r.id), subjectId: Number(r.subjectId), requesterId: Number(r.requesterId), assigneeId: Number(r.assigneeId), completedById: r.completedById === null ? null : Number(r.completedById) }))).toEqual([
        { id: 7, kind: 'visit_next_action', subjectType: 'visit', subjectId: 70, requesterId: 9, assigneeId: 5, outcome: null, completedById: null, completedVia: null, comment: null },
        { id: 8, kind: 'visit_next_action', subjectType: 'visit', subjectId: 80, requesterId: 9, assigneeId: 5, outcome: 'done', completedById: 5, completedVia: 'wecom', comment: '同意' },
        { id: 12, kind: 'visit_next_action', subjectType: 'visit', subjectId: 120, requesterId: 10, assigneeId: 6, outcome: null, completedById: null, completedVia: null, comment: null },
      ]);
      const history = await db.query('SELECT taskId, action, byId, via, comment FROM task_action ORDER BY at, id');
      expect(history.map((r: Record<string, unknown>) => [Number(r.taskId), r.action, r.byId === null ? null : Number(r.byId), r.via, r.comment])).toEqual([
        [8, 'confirm', 5, 'wecom', '同意'],
        [12, 'request_talk', 6, 'dingtalk', null],
        [12, 'escalate', null, null, null],
      ]);
      // the old table's shape is still there to read, and new tasks do not reuse the old ids
      const old = await db.query('SELECT id, visitId, repId, confirmComment FROM todo ORDER BY id');
      expect(old.map((r: Record<string, unknown>) => [Number(r.id), Number(r.visitId), Number(r.repId), r.confirmComment])).toEqual([[7, 70, 9, null], [8, 80, 9, '同意'], [12, 120, 10, null]]);
      await db.query("INSERT INTO task (kind, subjectType, subjectId, snapshot, dueAt, createdAt) VALUES ('visit_next_action', 'visit', 130, '{}', ?, ?)", ['2026-11-20 02:00:00.000', '2026-11-20 02:00:00.000']);
      expect(Number((await db.query('SELECT MAX(id) AS n FROM task'))[0].n)).toBe(13);
    } finally {
      await db.destroy();
    }
  }

  itMariaDbOnly('the SQLite pass has no MariaDB; the next test covers SQLite', 'on MariaDB: every to-do becomes a task with its id, its confirmation, talk request and escalation its history', async () => {
    const base = new URL(serverUrl());
    const name = `anchor_mig_${randomBytes(3).toString('hex')}`;
    const admin = await createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) });
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    base.pathname = `/${name}`;
    try {
      await check(createDataSource({ url: base.toString(), dataDir: '/nonexistent', poolSize: 2 }).options);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    }
  });

  it('on SQLite, the same', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'anchor-mig-'));
    try {
      await check(createDataSource({ dataDir: dir }).options);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
