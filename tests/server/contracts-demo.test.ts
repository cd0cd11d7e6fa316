import { seedDemo } from '../../server/src/demo/seed';
import { seedContractsForDemo } from '../../server/src/modules/contracts';
import { seedReceivableDemo } from '../../server/src/modules/receivables';
import { seedMaterialsForDemo } from '../../server/src/modules/materials';
import { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';

// The demo's contracts and receivables, made through the real flows after the demo company and its
// materials, in main.ts's order: the receivables' contracts (approved), then a contract in every state.
let h: Harness;
let receivableContracts: Set<number>;
beforeAll(async () => {
  h = await startHarness({ now: new Date() });
  await seedDemo(h.db, h.policy, h.clock);
  await seedMaterialsForDemo(h.db, h.clock, h.services, h.policy.grading.strategies.supportPack?.tag ?? null);
  await seedReceivableDemo(h.db, h.policy, h.clock, h.services);
  receivableContracts = new Set(((await h.db.query('SELECT id FROM contract')) as { id: number }[]).map((r) => Number(r.id)));
  await seedContractsForDemo(h.db, h.services);
});
afterAll(() => h.close());

describe('the demo contracts', () => {
  it('has one in every state: a draft, one at its first step with 需市场支持 open, one at finance, one approved (签约, answered), one rejected', async () => {
    const finance = await h.db.getRepository(Member).findOneByOrFail({ role: 'finance' });
    const token = (await h.services.auth.issueSession(finance, 'wechat')).token;
    const all = (await api(h.url, 'GET', '/api/v1/contracts?pageSize=50', { token })).body.items as Array<{ id: number; state: string; waitingAt: string | null; rejectReason: string | null; customer: { id: number } }>;
    const list = all.filter((c) => !receivableContracts.has(c.id));
    expect(list.map((c) => c.state).sort()).toEqual(['approved', 'draft', 'rejected', 'submitted', 'submitted']);
    const waiting = list.filter((c) => c.state === 'submitted').map((c) => c.waitingAt);
    expect(waiting).toEqual(expect.arrayContaining([expect.stringMatching(/^第 1\/2 步 · /), '第 3/3 步 · 财务']));
    expect(list.find((c) => c.state === 'rejected')!.rejectReason).toBe('月结 90 天超出公司政策，请改为 60 天后重新提交');
    const approved = list.find((c) => c.state === 'approved')!;
    const detail = (await api(h.url, 'GET', `/api/v1/contracts/${approved.id}`, { token })).body;
    expect(detail.support).toMatchObject({ state: 'answered', answer: { text: '已准备二级医院监护仪落地案例与科室培训话术，签约前可带去演示' } });
    expect(detail.support.answer.materials).toHaveLength(1);
    expect((await api(h.url, 'GET', `/api/v1/customers/${approved.customer.id}`, { token })).body.stage).toBe('signed');
    const open = (await h.services.tasks.ofSubject('contract', list.find((c) => c.waitingAt?.startsWith('第 1/2 步'))!.id)).filter((t) => t.kind === 'contract_marketing_support');
    expect(open).toHaveLength(1);
    expect(open[0]!.completedAt).toBeNull();
  });

  it('every demo receivable belongs to a contract that exists and was approved; the receivable page links to it, and its owner opens it', async () => {
    const finance = await h.db.getRepository(Member).findOneByOrFail({ role: 'finance' });
    const token = (await h.services.auth.issueSession(finance, 'wechat')).token;
    const receivables = (await api(h.url, 'GET', '/api/v1/receivables?pageSize=100', { token })).body.items as Array<{ id: number; contractId: number; customerId: number; ownerId: number; seq: number; dueDate: string; amountFen: number; state: string }>;
    expect(receivables.length).toBeGreaterThanOrEqual(3 * 8);
    expect([...new Set(receivables.map((r) => r.state))].sort()).toEqual(['open', 'overdue', 'paid', 'partly_paid']);
    const contracts = new Map<number, { state: string; customer: { id: number }; owner: { id: number }; instalments: Array<{ seq: number; dueDate: string; amountFen: number }> }>();
    for (const id of new Set(receivables.map((r) => r.contractId))) {
      const res = await api(h.url, 'GET', `/api/v1/contracts/${id}`, { token });
      expect(res.status).toBe(200);
      contracts.set(id, res.body);
    }
    for (const r of receivables) {
      const c = contracts.get(r.contractId)!;
      expect(c.state).toBe('approved');
      expect(c.customer.id).toBe(r.customerId);
      expect(c.instalments.find((p) => p.seq === r.seq)).toMatchObject({ dueDate: r.dueDate, amountFen: r.amountFen });
    }
    // what the page's 「合同 HT-…」 opens, for the rep who owns the receivable
    const r = receivables.find((x) => x.state === 'overdue')!;
    const owner = await h.db.getRepository(Member).findOneByOrFail({ id: r.ownerId });
    const ownerToken = (await h.services.auth.issueSession(owner, 'wechat')).token;
    expect((await api(h.url, 'GET', `/api/v1/receivables/${r.id}`, { token: ownerToken })).body.contractId).toBe(r.contractId);
    expect((await api(h.url, 'GET', `/api/v1/contracts/${r.contractId}`, { token: ownerToken })).status).toBe(200);
  });
});
