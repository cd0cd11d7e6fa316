import { CustomerGrade } from '../../server/src/modules/grading/customer-grade.entity';
import { Customer } from '../../server/src/modules/customers/customer.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { describeMariaDbOnly } from '../support/database';

const HOUR = 3_600_000;

describe('every customer regraded by a recurring job (limits.regradeIntervalHours)', () => {
  let h: Harness;
  let org: OrgFixture;
  beforeAll(async () => {
    h = await startHarness();
    org = await buildOrg(h);
  });
  afterAll(() => h.close());

  it('regrades all customers in batches, keeps each run as history and changes only grades that moved', async () => {
    const ids: number[] = [];
    for (const [name, inputs, activity] of [
      ['定时分级甲', { inventoryConsumptionSpeed: 100, competitorPenetration: 0, paymentOnTimeRate: 100 }, '高'],
      ['定时分级乙', { inventoryConsumptionSpeed: 0, competitorPenetration: 100 }, '低'],
    ] as const) {
      const res = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name, industry: '公立医院', hospitalLevel: '三级甲等', departmentActivity: activity, gradingInputs: inputs } });
      ids.push(res.body.id);
    }
    const before = await h.db.getRepository(CustomerGrade).count();
    const { graded } = await h.services.grading.regradeAll();
    expect(graded).toBe(await h.db.getRepository(Customer).count());
    expect(await h.db.getRepository(CustomerGrade).count()).toBe(before + graded);
    // 甲: payment is never read from the record (no receivables yet) → 50: 15 + 25 + 25 + 20 = 85 → A+
    // 乙: 15 + 0 + 0.25·50 (12.5) + 0 = 27.5 → C
    const grades = await h.db.getRepository(Customer).findBy(ids.map((id) => ({ id })));
    expect(Object.fromEntries(grades.map((c) => [c.name, c.grade]))).toEqual({ 定时分级甲: 'A+', 定时分级乙: 'C' });
    const [row] = await h.db.getRepository(CustomerGrade).find({ where: { customerId: ids[1] }, order: { id: 'DESC' }, take: 1 });
    expect(row).toMatchObject({ score: 27.5, grade: 'C', reason: 'scheduled', missing: 'paymentHistory', paymentHistory: 50, inventorySpeed: 0, hospitalLevelActivity: 50, competitorPenetration: 0 });
    // nothing moved: the second run changes no grade but is still kept
    expect((await h.services.grading.regradeAll()).changed).toBe(0);
    expect(await h.db.getRepository(CustomerGrade).countBy({ customerId: ids[0] })).toBe(2);
  });
});

describeMariaDbOnly('two servers need one database', 'the regrade job on two servers', () => {
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    a = await startHarness();
    b = await startHarness({ sharedDatabaseUrl: a.dbUrl, env: { ANCHOR_UPLOAD_DIR: a.env.uploadDir } });
    const org = await buildOrg(a);
    await api(a.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '双服务器分级', industry: '公立医院' } });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('runs once per 72 h across both servers', async () => {
    const customers = await a.db.getRepository(Customer).count();
    const runs = async () => (await a.db.getRepository(CustomerGrade).countBy({ reason: 'scheduled' })) / customers;
    await Promise.all([a.services.jobs.seedRecurring(), b.services.jobs.seedRecurring()]);
    const both = () => Promise.all([a.services.jobs.runDue(), b.services.jobs.runDue()]);
    await both();
    await both();
    expect(await runs()).toBe(1);
    for (const c of [a, b]) c.clock.advance(71 * HOUR);
    await both();
    expect(await runs()).toBe(1);
    for (const c of [a, b]) c.clock.advance(1 * HOUR);
    await both();
    await both();
    expect(await runs()).toBe(2);
  });
});
