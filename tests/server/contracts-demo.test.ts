import { seedDemo } from '../../server/src/demo/seed';
import { seedContractsForDemo } from '../../server/src/modules/contracts';
import { seedMaterialsForDemo } from '../../server/src/modules/materials';
import { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';

// The demo's contracts, made through the real flows after the demo company and its materials.
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ now: new Date() });
  await seedDemo(h.db, h.policy, h.clock);
  await seedMaterialsForDemo(h.db, h.clock, h.services, h.policy.grading.strategies.supportPack?.tag ?? null);
  await seedContractsForDemo(h.db, h.services);
});
afterAll(() => h.close());

describe('the demo contracts', () => {
  it('has one in every state: a draft, one at its first step with 需市场支持 open, one at finance, one approved (签约, answered), one rejected', async () => {
    const finance = await h.db.getRepository(Member).findOneByOrFail({ role: 'finance' });
    const token = (await h.services.auth.issueSession(finance, 'wechat')).token;
    const list = (await api(h.url, 'GET', '/api/v1/contracts?pageSize=50', { token })).body.items as Array<{ id: number; state: string; waitingAt: string | null; rejectReason: string | null; customer: { id: number } }>;
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
});
