import { randomUUID } from 'node:crypto';
import { withTransaction } from '../../server/src/db/transaction';
import { receivableInputFor } from '../../server/src/modules/contracts';
import type { Member } from '../../server/src/modules/org/member.entity';
import { OutboxMessage } from '../../server/src/outbox/outbox-message.entity';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { completeVisit, submitVisit } from '../support/visit-fixture';

// Contracts through real HTTP on the shipped policy: approvals.contract is supervisor → director from
// ¥500 000 (50 000 000 fen) → the finance pool; 需市场支持 goes to the marketing lead pool.
let h: Harness;
let org: OrgFixture;
let seq = 0;

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
});
afterAll(() => h.close());

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n');
const form = (bytes: Buffer, name: string, type: string) => {
  const f = new FormData();
  f.append('file', new Blob([bytes], { type }), name);
  return f;
};

const call = (member: Member, method: string, path: string, json?: unknown) => api(h.url, method, `/api/v1${path}`, { token: org.token(member), ...(json !== undefined ? { json } : {}) });
const act = (member: Member, taskId: number, json: Record<string, unknown>) => call(member, 'POST', `/tasks/${taskId}/actions`, json);
const messages = async (kind: string) => (await h.db.getRepository(OutboxMessage).find({ where: { kind }, order: { id: 'ASC' } })).map((m) => m.payload);

async function newCustomer(owner: Member): Promise<number> {
  const res = await call(org.admin, 'POST', '/customers', { name: `合同测试医院${++seq}号`, industry: '公立医院', ownerId: owner.id });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** ¥120 000.00 in two instalments: ¥36 000.00 + ¥84 000.00. */
const terms = (over: Record<string, unknown> = {}) => ({
  amountFen: 12_000_000,
  lines: [{ model: 'US-5000 超声诊断仪', quantity: 2 }, { model: 'C-10 耗材包', quantity: 100 }],
  instalments: [
    { seq: 1, dueDate: '2026-12-31', amountFen: 3_600_000 },
    { seq: 2, dueDate: '2027-03-31', amountFen: 8_400_000 },
  ],
  keyTerms: '首付 30%，验收后 90 天内付清尾款；质保 3 年；含安装培训',
  needsMarketing: false,
  ...over,
});

async function draft(owner: Member, over: Record<string, unknown> = {}, customerId?: number) {
  const res = await call(owner, 'POST', '/contracts', { customerId: customerId ?? (await newCustomer(owner)), ...terms(over) });
  expect(res.status).toBe(201);
  return res.body as { id: number; customer: { id: number } };
}

async function openStep(contractId: number): Promise<{ taskId: number; index: number; approvalId: number }> {
  const c = (await call(org.admin, 'GET', `/contracts/${contractId}`)).body;
  const chain = c.approvals[0];
  const step = chain.steps.find((s: { state: string }) => s.state === 'open');
  return { taskId: step.taskId, index: step.index, approvalId: chain.id };
}

describe('drafting: instalments add up to the amount, product models come from the policy', () => {
  it('instalments that add up to ¥119 999.99 against ¥120 000.00 are refused, naming the field and the difference; nothing is stored', async () => {
    const customerId = await newCustomer(org.repA);
    const before = await h.db.query('SELECT COUNT(*) AS n FROM contract');
    const res = await call(org.repA, 'POST', '/contracts', {
      customerId,
      ...terms({ instalments: [{ seq: 1, dueDate: '2026-12-31', amountFen: 3_600_000 }, { seq: 2, dueDate: '2027-03-31', amountFen: 8_399_999 }] }),
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.fields).toEqual({ instalments: '回款计划各期金额合计 ¥119,999.99，与合同金额 ¥120,000.00 不一致（少 ¥0.01）' });
    const after = await h.db.query('SELECT COUNT(*) AS n FROM contract');
    expect(Number(after[0].n)).toBe(Number(before[0].n));
  });

  it('instalments out of order, a product model the policy does not list and a fractional amount are each named', async () => {
    const customerId = await newCustomer(org.repA);
    const res = await call(org.repA, 'POST', '/contracts', {
      customerId,
      ...terms({
        amountFen: 12_000_000.5,
        lines: [{ model: 'X-9 不存在的型号', quantity: 1 }],
        instalments: [{ seq: 2, dueDate: '2027-03-31', amountFen: 3_600_000 }, { seq: 1, dueDate: '2026-12-31', amountFen: 8_400_000 }],
      }),
    });
    expect(res.status).toBe(422);
    expect(res.body.error.fields['amountFen']).toBe('合同金额必须是整数（分）');
    expect(res.body.error.fields['lines.0.model']).toBe('产品明细 第 1 项 产品型号不是有效选项，可选：US-5000 超声诊断仪、P4-2 彩超探头、M-300 监护仪、IP-20 输液泵、C-10 耗材包、其他');
    // the checks across fields speak once every field is well-formed
    const order = await call(org.repA, 'POST', '/contracts', {
      customerId, ...terms({ instalments: [{ seq: 2, dueDate: '2027-03-31', amountFen: 3_600_000 }, { seq: 1, dueDate: '2026-12-31', amountFen: 8_400_000 }] }),
    });
    expect(order.status).toBe(422);
    expect(order.body.error.fields).toEqual({
      'instalments.0.seq': '回款计划第 1 期的期数应为 1', 'instalments.1.seq': '回款计划第 2 期的期数应为 2', 'instalments.1.dueDate': '回款计划第 2 期的到期日不能早于第 1 期（2027-03-31）',
    });
  });

  it('a draft keeps what was written, with ¥ amounts in fen, and the rep may edit and submit it', async () => {
    const { id } = await draft(org.repA);
    const c = (await call(org.repA, 'GET', `/contracts/${id}`)).body;
    expect(c).toMatchObject({
      number: `HT-${String(id).padStart(6, '0')}`, state: 'draft', stateLabel: '草稿', amountFen: 12_000_000, owner: { id: org.repA.id, name: '代表甲' },
      lines: [{ model: 'US-5000 超声诊断仪', quantity: 2 }, { model: 'C-10 耗材包', quantity: 100 }],
      instalments: [{ seq: 1, dueDate: '2026-12-31', amountFen: 3_600_000 }, { seq: 2, dueDate: '2027-03-31', amountFen: 8_400_000 }],
      can: { edit: true, submit: true, answerSupport: false }, approvals: [], support: null, waitingAt: null,
    });
  });
});

describe('edit rules per state', () => {
  it('draft: editable; submitted and approved: refused (409, nothing changes); rejected: editable, then resubmitted', async () => {
    const { id } = await draft(org.repA);
    const edited = await call(org.repA, 'PUT', `/contracts/${id}`, terms({ keyTerms: '首付 40%' }));
    expect(edited.status).toBe(200);
    expect(edited.body.keyTerms).toBe('首付 40%');

    expect((await call(org.repA, 'POST', `/contracts/${id}/submit`)).body.state).toBe('submitted');
    const locked = await call(org.repA, 'PUT', `/contracts/${id}`, terms({ keyTerms: '改条款' }));
    expect(locked.status).toBe(409);
    expect(locked.body.error).toMatchObject({ code: 'CONTRACT_NOT_EDITABLE', message: '合同审批中，不能修改（只有草稿或被驳回的合同可以修改）' });
    const again = await call(org.repA, 'POST', `/contracts/${id}/submit`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONTRACT_NOT_SUBMITTABLE');
    expect((await call(org.repA, 'GET', `/contracts/${id}`)).body).toMatchObject({ keyTerms: '首付 40%', can: { edit: false, submit: false } });

    const s1 = await openStep(id);
    expect((await act(org.supervisor1, s1.taskId, { action: 'approve' })).status).toBe(200);
    const s2 = await openStep(id);
    expect((await act(org.finance, s2.taskId, { action: 'approve' })).status).toBe(200);
    const approved = await call(org.repA, 'PUT', `/contracts/${id}`, terms());
    expect(approved.status).toBe(409);
    expect(approved.body.error.message).toBe('合同已通过，不能修改（只有草稿或被驳回的合同可以修改）');
  });

  it('someone else in reach but not allowed to submit (a director) cannot edit; a teammate does not see it', async () => {
    const { id } = await draft(org.repA);
    expect((await call(org.directorEast, 'PUT', `/contracts/${id}`, terms())).status).toBe(403);
    expect((await call(org.repB, 'PUT', `/contracts/${id}`, terms())).status).toBe(404);
    expect((await call(org.repB, 'POST', `/contracts/${id}/submit`)).status).toBe(404);
    // the rep's supervisor may (contracts.submit: team)
    expect((await call(org.supervisor1, 'PUT', `/contracts/${id}`, terms({ keyTerms: '主管修改' }))).body.keyTerms).toBe('主管修改');
  });
});

describe('the approval chain from policy', () => {
  it('below ¥500 000: supervisor → finance pool; each step shows who, state, when; the card is planned once per step', async () => {
    const { id } = await draft(org.repA);
    const submitted = (await call(org.repA, 'POST', `/contracts/${id}/submit`)).body;
    expect(submitted.approvals).toHaveLength(1);
    expect(submitted.approvals[0].steps.map((s: { rule: string; assignee: string; state: string }) => [s.rule, s.assignee, s.state])).toEqual([
      ['supervisor', '一组主管', 'open'],
      ['pool', '财务', 'waiting'],
    ]);
    expect(submitted.waitingAt).toBe('第 1/2 步 · 一组主管');
    const s1 = await openStep(id);
    const task = (await call(org.supervisor1, 'GET', `/tasks/${s1.taskId}`)).body;
    expect(task).toMatchObject({ kind: 'contract', kindLabel: '合同审批', title: `HT-${String(id).padStart(6, '0')} ${submitted.customer.name}`, actions: ['approve', 'reject', 'comment', 'reassign'] });
    expect(task.lines).toEqual(['金额：¥120,000.00', `客户：${submitted.customer.name}`, '申请人：代表甲', '产品：US-5000 超声诊断仪 ×2，C-10 耗材包 ×100', '回款：1. 2026-12-31 ¥36,000.00；2. 2027-03-31 ¥84,000.00', '审批：第 1/2 步']);
    expect((await act(org.supervisor1, s1.taskId, { action: 'comment', comment: '价格已核对' })).status).toBe(200);
    expect((await act(org.supervisor1, s1.taskId, { action: 'approve' })).status).toBe(200);
    const mid = (await call(org.repA, 'GET', `/contracts/${id}`)).body;
    expect(mid.approvals[0].steps[0]).toMatchObject({ state: 'approved', decidedBy: { id: org.supervisor1.id, name: '一组主管' }, decidedAt: h.clock.now().toISOString(), reason: null, comments: [{ by: { name: '一组主管' }, comment: '价格已核对' }] });
    expect(mid.approvals[0].steps[1]).toMatchObject({ state: 'open', assignee: '财务' });
    const cards = (await messages('task.card')).filter((p) => [s1.taskId, mid.approvals[0].steps[1].taskId].includes(p.taskId as number));
    expect(cards).toHaveLength(2);
  });

  it('from ¥500 000 (exactly 50 000 000 fen) the director is added between: three steps', async () => {
    const amount = 50_000_000;
    const { id } = await draft(org.repA, { amountFen: amount, instalments: [{ seq: 1, dueDate: '2026-12-31', amountFen: 20_000_000 }, { seq: 2, dueDate: '2027-06-30', amountFen: 30_000_000 }] });
    const c = (await call(org.repA, 'POST', `/contracts/${id}/submit`)).body;
    expect(c.approvals[0].steps.map((s: { rule: string; assignee: string }) => `${s.rule}:${s.assignee}`)).toEqual(['supervisor:一组主管', 'director:东区总监', 'pool:财务']);
    // ¥499 999.99 gets two
    const below = await draft(org.repA, { amountFen: amount - 1, instalments: [{ seq: 1, dueDate: '2026-12-31', amountFen: amount - 1 }] });
    const c2 = (await call(org.repA, 'POST', `/contracts/${below.id}/submit`)).body;
    expect(c2.approvals[0].steps.map((s: { rule: string }) => s.rule)).toEqual(['supervisor', 'pool']);
    for (const who of [org.supervisor1, org.directorEast, org.finance]) {
      const step = await openStep(id);
      expect((await act(who, step.taskId, { action: 'approve' })).status).toBe(200);
    }
    expect((await call(org.repA, 'GET', `/contracts/${id}`)).body.state).toBe('approved');
  });

  it('the last approval moves the customer to 签约 with stage history, and the receivables input is exactly the contract\'s', async () => {
    const { id, customer } = await draft(org.repA);
    await call(org.repA, 'POST', `/contracts/${id}/submit`);
    await act(org.supervisor1, (await openStep(id)).taskId, { action: 'approve' });
    expect((await call(org.repA, 'GET', `/customers/${customer.id}`)).body.stage).toBe('lead');
    await act(org.finance, (await openStep(id)).taskId, { action: 'approve' });
    const c = (await call(org.repA, 'GET', `/contracts/${id}`)).body;
    expect(c).toMatchObject({ state: 'approved', stateLabel: '已通过', decidedAt: h.clock.now().toISOString(), approvals: [{ state: 'approved' }] });
    expect((await call(org.repA, 'GET', `/customers/${customer.id}`)).body.stage).toBe('signed');
    const history = (await call(org.repA, 'GET', `/customers/${customer.id}/stage-history`)).body.items;
    expect(history[0]).toMatchObject({ from: 'lead', to: 'signed', toLabel: '签约', changedBy: { id: org.finance.id, name: '财务' }, note: `合同 HT-${String(id).padStart(6, '0')} 审批通过` });
    expect(await withTransaction(h.db, (m) => receivableInputFor(m, id))).toEqual({
      contractId: id, customerId: customer.id, ownerId: org.repA.id,
      instalments: [{ seq: 1, dueDate: '2026-12-31', amountFen: 3_600_000 }, { seq: 2, dueDate: '2027-03-31', amountFen: 8_400_000 }],
    });
    // ... and those instalments are now the rep's receivables (made in the approving transaction)
    const receivables = (await call(org.repA, 'GET', `/receivables?customerId=${customer.id}`)).body.items;
    expect(receivables.map((r: { contractId: number; seq: number; dueDate: string; amountFen: number; paidFen: number }) => [r.contractId, r.seq, r.dueDate, r.amountFen, r.paidFen])).toEqual([
      [id, 1, '2026-12-31', 3_600_000, 0],
      [id, 2, '2027-03-31', 8_400_000, 0],
    ]);
    // the rep is told once that the chain is approved
    const approvalId = c.approvals[0].id;
    expect((await messages('approval.decided')).filter((p) => p.approvalId === approvalId)).toHaveLength(1);
  });

  it('reject with a reason → back to the rep (told once); edited and resubmitted, a new chain starts at the supervisor', async () => {
    const { id } = await draft(org.repA);
    await call(org.repA, 'POST', `/contracts/${id}/submit`);
    const s1 = await openStep(id);
    const noReason = await act(org.supervisor1, s1.taskId, { action: 'reject' });
    expect(noReason.status).toBe(422);
    expect(noReason.body.error.fields).toEqual({ comment: '请填写驳回理由' });
    expect((await act(org.supervisor1, s1.taskId, { action: 'reject', comment: '首付比例太低，至少 40%' })).status).toBe(200);
    const rejected = (await call(org.repA, 'GET', `/contracts/${id}`)).body;
    expect(rejected).toMatchObject({ state: 'rejected', stateLabel: '已驳回', rejectReason: '首付比例太低，至少 40%', can: { edit: true, submit: true } });
    expect(rejected.approvals[0]).toMatchObject({ state: 'rejected', reason: '首付比例太低，至少 40%' });
    expect(rejected.approvals[0].steps.map((s: { state: string }) => s.state)).toEqual(['rejected', 'waiting']);
    expect((await messages('approval.decided')).filter((p) => p.approvalId === s1.approvalId)).toEqual([{ approvalId: s1.approvalId, taskId: s1.taskId }]);

    const fixed = await call(org.repA, 'PUT', `/contracts/${id}`, terms({
      amountFen: 12_000_000, instalments: [{ seq: 1, dueDate: '2026-12-31', amountFen: 4_800_000 }, { seq: 2, dueDate: '2027-03-31', amountFen: 7_200_000 }], keyTerms: '首付 40%，验收后 90 天内付清',
    }));
    expect(fixed.body.state).toBe('rejected');
    const again = (await call(org.repA, 'POST', `/contracts/${id}/submit`)).body;
    expect(again).toMatchObject({ state: 'submitted', rejectReason: null });
    expect(again.approvals.map((a: { state: string }) => a.state)).toEqual(['open', 'rejected']);
    expect(again.approvals[0].id).not.toBe(s1.approvalId);
    expect(again.approvals[0].steps.map((s: { rule: string; state: string }) => `${s.rule}:${s.state}`)).toEqual(['supervisor:open', 'pool:waiting']);
    const step = await openStep(id);
    const task = (await call(org.supervisor1, 'GET', `/tasks/${step.taskId}`)).body;
    expect(task.lines[4]).toBe('回款：1. 2026-12-31 ¥48,000.00；2. 2027-03-31 ¥72,000.00');
  });

  it('a click replayed on a step already decided changes nothing: no second step, no second decision, no message', async () => {
    const { id } = await draft(org.repA);
    await call(org.repA, 'POST', `/contracts/${id}/submit`);
    const s1 = await openStep(id);
    const first = await act(org.supervisor1, s1.taskId, { action: 'approve' });
    expect(first.body).toMatchObject({ changed: true, state: 'approved' });
    const replay = await act(org.supervisor1, s1.taskId, { action: 'approve' });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ changed: false, state: 'approved', actions: ['comment'] });
    const late = await act(org.supervisor1, s1.taskId, { action: 'reject', comment: '改主意了' });
    expect(late.body).toMatchObject({ changed: false, state: 'approved' });
    const c = (await call(org.repA, 'GET', `/contracts/${id}`)).body;
    expect(c.state).toBe('submitted');
    expect(c.approvals[0].steps.map((s: { state: string }) => s.state)).toEqual(['approved', 'open']);
    const [n] = await h.db.query('SELECT COUNT(*) AS n FROM task WHERE approvalId = ?', [s1.approvalId]);
    expect(Number(n.n)).toBe(2);
    expect((await messages('task.settled')).filter((p) => p.taskId === s1.taskId)).toHaveLength(1);
    // the finance step, then a replay of the finance click: one approval, one stage change
    const s2 = await openStep(id);
    await act(org.finance, s2.taskId, { action: 'approve' });
    expect((await act(org.finance, s2.taskId, { action: 'approve' })).body.changed).toBe(false);
    expect((await messages('approval.decided')).filter((p) => p.approvalId === s1.approvalId)).toHaveLength(1);
    const [changes] = await h.db.query("SELECT COUNT(*) AS n FROM customer_stage_change WHERE customerId = ? AND toStage = 'signed'", [c.customer.id]);
    expect(Number(changes.n)).toBe(1);
  });
});

describe('需市场支持', () => {
  it('submitting creates one task for the marketing lead pool with the customer profile, its history and the key terms; marketing answers with materials; the rep sees it and is told once', async () => {
    const customerId = await newCustomer(org.repA);
    const touch = await api(h.url, 'POST', `/api/v1/customers/${customerId}/first-touch`, {
      token: org.token(org.repA), json: { method: '电话', verbatim: '下周可以来科室演示', evidenceText: '通话 5 分钟' }, headers: { 'idempotency-key': randomUUID() },
    });
    expect(touch.status).toBe(201);
    for (let i = 0; i < 2; i++) expect((await submitVisit(h, org.token(org.repA), completeVisit(customerId))).status).toBe(201);
    const graded = (await call(org.admin, 'POST', `/customers/${customerId}/grade`)).body.grade;
    const { id } = await draft(org.repA, { needsMarketing: true }, customerId);
    expect((await call(org.marketing, 'GET', `/contracts/${id}`)).status).toBe(404);
    await call(org.repA, 'POST', `/contracts/${id}/submit`);
    const c = (await call(org.repA, 'GET', `/contracts/${id}`)).body;
    expect(c.support).toMatchObject({ state: 'open', answer: null });

    const pool = (await call(org.marketing, 'GET', '/tasks?as=pool')).body.items.filter((t: { subjectId: number }) => t.subjectId === id);
    expect(pool).toHaveLength(1);
    expect(pool[0]).toMatchObject({ kind: 'contract_marketing_support', kindLabel: '需市场支持', assigneePool: 'marketing_lead', assigneePoolLabel: '市场负责人', actions: ['confirm', 'comment'], actionLabels: { confirm: '已答复' } });
    const [row] = await h.db.query('SELECT snapshot FROM task WHERE id = ?', [pool[0].id]);
    const snap = JSON.parse(row.snapshot);
    expect(snap.customer).toMatchObject({ id: customerId, industry: '公立医院', stage: 'lead', stageLabel: '线索', grade: graded, owner: '代表甲' });
    expect(snap.history).toMatchObject({ visitCount: 2, firstTouch: { by: '代表甲', method: '电话', verbatim: '下周可以来科室演示', onTime: true }, grade: graded });
    expect(snap.history.visits).toHaveLength(2);
    expect(snap.history.visits[0]).toMatchObject({ by: '代表甲', objective: '推进方案', agreedAction: '安排演示' });
    expect(snap.terms).toEqual({ amountFen: 12_000_000, lines: 'US-5000 超声诊断仪 ×2，C-10 耗材包 ×100', instalments: '1. 2026-12-31 ¥36,000.00；2. 2027-03-31 ¥84,000.00', keyTerms: '首付 30%，验收后 90 天内付清尾款；质保 3 年；含安装培训' });
    expect(snap.requester).toEqual({ id: org.repA.id, name: '代表甲' });

    // marketing sees exactly the contracts that asked it
    const listed = (await call(org.marketing, 'GET', '/contracts')).body.items.map((x: { id: number }) => x.id);
    expect(listed).toEqual([id]);
    const material = await h.services.materials.create(org.marketing, { kind: 'script', title: '三甲医院超声案例话术', description: '', attachmentId: null, scriptText: '案例', tagIds: [], stages: [], industries: [], bottlenecks: [] });
    const answered = await call(org.marketing, 'POST', `/contracts/${id}/marketing-support/answer`, { text: '附上三甲医院案例话术，演示时重点讲安装时效', materialIds: [material.id] });
    expect(answered.status).toBe(200);
    const seen = (await call(org.repA, 'GET', `/contracts/${id}`)).body.support;
    expect(seen).toMatchObject({ state: 'answered', answer: { text: '附上三甲医院案例话术，演示时重点讲安装时效', by: { id: org.marketing.id, name: '市场' }, materials: [{ id: material.id, title: '三甲医院超声案例话术', kind: 'script' }] } });
    expect((await call(org.marketing, 'GET', `/tasks/${pool[0].id}`)).body).toMatchObject({ state: 'done', comment: '附上三甲医院案例话术，演示时重点讲安装时效' });
    expect((await messages('contract.support_answered')).filter((p) => p.contractId === id)).toHaveLength(1);
    const twice = await call(org.marketing, 'POST', `/contracts/${id}/marketing-support/answer`, { text: '再答一次' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('CONTRACT_SUPPORT_ANSWERED');
    expect((await messages('contract.support_answered')).filter((p) => p.contractId === id)).toHaveLength(1);

    // a rejection and resubmission does not ask marketing again
    await act(org.supervisor1, (await openStep(id)).taskId, { action: 'reject', comment: '补充条款' });
    await call(org.repA, 'POST', `/contracts/${id}/submit`);
    const [n] = await h.db.query("SELECT COUNT(*) AS n FROM task WHERE subjectType = 'contract' AND subjectId = ? AND kind = 'contract_marketing_support'", [id]);
    expect(Number(n.n)).toBe(1);
  });

  it('answering a contract without a request: 404 for marketing who cannot see it; an empty answer is refused naming the field', async () => {
    const { id } = await draft(org.repA);
    expect((await call(org.marketing, 'POST', `/contracts/${id}/marketing-support/answer`, { text: '答复' })).status).toBe(404);
    const withSupport = await draft(org.repA, { needsMarketing: true });
    await call(org.repA, 'POST', `/contracts/${withSupport.id}/submit`);
    const empty = await call(org.marketing, 'POST', `/contracts/${withSupport.id}/marketing-support/answer`, { text: '  ' });
    expect(empty.status).toBe(422);
    expect(empty.body.error.fields).toEqual({ text: '请填写答复内容' });
  });
});

describe('scans and who sees a contract', () => {
  it('a PDF scan is attached on save and downloaded by those who see the contract; other files are refused', async () => {
    const scan = await api(h.url, 'POST', '/api/v1/contract-scans', { token: org.token(org.repA), form: form(PDF, 'contract.pdf', 'application/pdf') });
    expect(scan.status).toBe(201);
    expect(scan.body).toMatchObject({ contentType: 'application/pdf', size: PDF.length });
    const text = await api(h.url, 'POST', '/api/v1/contract-scans', { token: org.token(org.repA), form: form(Buffer.from('hello'), 'a.txt', 'text/plain') });
    expect(text.status).toBe(415);
    expect(text.body.error.message).toBe('只能上传 PDF、JPEG 或 PNG 文件');
    const { id } = await draft(org.repA, { scanIds: [scan.body.id] });
    expect((await call(org.repA, 'GET', `/contracts/${id}`)).body.scans).toEqual([{ id: scan.body.id, contentType: 'application/pdf', size: PDF.length }]);
    const byFinance = await api(h.url, 'GET', `/api/v1/attachments/${scan.body.id}`, { token: org.token(org.finance) });
    expect(byFinance.status).toBe(200);
    expect(Buffer.compare(byFinance.body, PDF)).toBe(0);
    expect((await api(h.url, 'GET', `/api/v1/attachments/${scan.body.id}`, { token: org.token(org.repB) })).status).toBe(404);
    // used once: another contract cannot take the same scan
    const reuse = await call(org.repA, 'POST', '/contracts', { customerId: await newCustomer(org.repA), ...terms({ scanIds: [scan.body.id] }) });
    expect(reuse.status).toBe(422);
    expect(reuse.body.error.fields).toEqual({ scanIds: '合同扫描件不存在、不是你上传的或已被使用' });
  });

  it('rep own, supervisor team, director region, finance and admin all', async () => {
    const { id } = await draft(org.repA);
    const sees = async (m: Member) => (await call(m, 'GET', `/contracts/${id}`)).status;
    expect(await sees(org.repA)).toBe(200);
    expect(await sees(org.repB)).toBe(404);
    expect(await sees(org.supervisor1)).toBe(200);
    expect(await sees(org.supervisor2)).toBe(404);
    expect(await sees(org.directorEast)).toBe(200);
    expect(await sees(org.directorWest)).toBe(404);
    expect(await sees(org.finance)).toBe(200);
    expect(await sees(org.admin)).toBe(200);
    expect(await sees(org.marketing)).toBe(404);
    const drafts = (await call(org.repB, 'GET', '/contracts?state=draft')).body.items.map((x: { id: number }) => x.id);
    expect(drafts).not.toContain(id);
    expect((await call(org.repA, 'GET', '/contracts?state=draft')).body.items.map((x: { id: number }) => x.id)).toContain(id);
    expect((await call(org.repA, 'GET', '/contracts?state=approved')).body.items.map((x: { id: number }) => x.id)).not.toContain(id);
  });

  it('a customer closed as lost takes no new contract', async () => {
    const customerId = await newCustomer(org.repA);
    await h.services.customers.close(org.admin, customerId, { reason: '价格' });
    const res = await call(org.repA, 'POST', '/contracts', { customerId, ...terms() });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONTRACT_CUSTOMER_CLOSED');
  });
});
