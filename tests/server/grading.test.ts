import { CustomerGrade } from '../../server/src/modules/grading/customer-grade.entity';
import { Customer } from '../../server/src/modules/customers/customer.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';

let h: Harness;
let org: OrgFixture;

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
});
afterAll(() => h.close());

const create = async (token: string, json: Record<string, unknown>) => {
  const res = await api(h.url, 'POST', '/api/v1/customers', { token, json: { industry: '公立医院', ...json } });
  expect(res.status).toBe(201);
  return res.body.id as number;
};

describe('on-demand grading: POST /customers/:id/grade', () => {
  it('answers the new grade, its four sub-scores and the weights used, sets the customer grade and keeps the run in history', async () => {
    const id = await create(org.token(org.repA), {
      name: '分级测试医院甲',
      hospitalLevel: '三级乙等',
      departmentActivity: '中',
      gradingInputs: { inventoryConsumptionSpeed: 80, competitorPenetration: 30 },
    });
    const res = await api(h.url, 'POST', `/api/v1/customers/${id}/grade`, { token: org.token(org.repA) });
    expect(res.status).toBe(200);
    // payment history missing (no receivables yet) → neutral 50; 三级乙等 80 + 中 50 → 65; competitor 100 − 30 = 70
    // 0.30·50 + 0.25·80 + 0.25·65 + 0.20·70 = 15 + 20 + 16.25 + 14 = 65.25 → 65.3 → B
    expect(res.body).toMatchObject({
      customerId: id,
      grade: 'B',
      score: 65.3,
      subScores: { paymentHistory: 50, inventorySpeed: 80, hospitalLevelActivity: 65, competitorPenetration: 70 },
      weights: { paymentHistory: 0.3, inventorySpeed: 0.25, hospitalLevelActivity: 0.25, competitorPenetration: 0.2 },
      missing: ['paymentHistory'],
      reason: 'on_demand',
    });
    expect((await h.db.getRepository(Customer).findOneByOrFail({ id })).grade).toBe('B');

    await api(h.url, 'PATCH', `/api/v1/customers/${id}`, { token: org.token(org.repA), json: { departmentActivity: '高', gradingInputs: { inventoryConsumptionSpeed: 100, competitorPenetration: 0 } } });
    const again = await api(h.url, 'POST', `/api/v1/customers/${id}/grade`, { token: org.token(org.repA), json: {} }); // as the app sends it
    // 15 + 25 + 0.25·90 (22.5) + 20 = 82.5 → A
    expect([again.body.score, again.body.grade]).toEqual([82.5, 'A']);

    const history = await api(h.url, 'GET', `/api/v1/customers/${id}/grades`, { token: org.token(org.repA) });
    expect(history.status).toBe(200);
    expect(history.body.items.map((r: { grade: string; score: number }) => [r.grade, r.score])).toEqual([['A', 82.5], ['B', 65.3]]);
    expect(history.body.items[1].subScores).toEqual({ paymentHistory: 50, inventorySpeed: 80, hospitalLevelActivity: 65, competitorPenetration: 70 });
    expect(await h.db.getRepository(CustomerGrade).countBy({ customerId: id })).toBe(2);
  });

  it('a customer with no inputs at all grades on neutral values, each listed as missing', async () => {
    const id = await create(org.token(org.repA), { name: '分级测试医院乙' });
    const res = await api(h.url, 'POST', `/api/v1/customers/${id}/grade`, { token: org.token(org.repA) });
    expect(res.body).toMatchObject({ score: 50, grade: 'B', missing: ['paymentHistory', 'inventorySpeed', 'hospitalLevelActivity', 'competitorPenetration'] });
  });

  it('a customer outside the caller\'s reach is 404 as if it did not exist, and nothing is written', async () => {
    const id = await create(org.token(org.repB), { name: '分级测试医院丙' });
    const res = await api(h.url, 'POST', `/api/v1/customers/${id}/grade`, { token: org.token(org.repA) });
    expect(res.status).toBe(404);
    expect(await h.db.getRepository(CustomerGrade).countBy({ customerId: id })).toBe(0);
    expect((await api(h.url, 'GET', `/api/v1/customers/${id}/grades`, { token: org.token(org.repA) })).status).toBe(404);
    expect((await api(h.url, 'POST', `/api/v1/customers/${id}/grade`, { token: org.token(org.supervisor1) })).status).toBe(200);
    expect((await api(h.url, 'POST', '/api/v1/customers/abc/grade', { token: org.token(org.repA) })).status).not.toBe(500);
  });
});
