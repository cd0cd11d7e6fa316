import { isCustomerOverdue, type StageCode } from '@anchor/shared';
import { loadPolicy } from '../../server/src/config/policy';
import { Customer } from '../../server/src/modules/customers/customer.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';

// Issue 12 item 9: the app's time zone comes from the server's policy through /options, and the
// overdue rule is one definition in shared/ that the SQL filter agrees with.
const NOW = new Date('2026-11-20T02:00:00Z');
const DAY = 86_400_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms);

let h: Harness;
let org: OrgFixture;

beforeAll(async () => {
  h = await startHarness({ policy: { ...loadPolicy(), timeZone: 'America/New_York' }, now: NOW });
  org = await buildOrg(h);
});
afterAll(async () => {
  await h.close();
});

describe('GET /api/v1/options and the policy time zone', () => {
  it('gives the policy time zone (not Shanghai) and the overdue rule\u2019s policy bits', async () => {
    const res = await api(h.url, 'GET', '/api/v1/options', { token: org.token(org.repA) });
    expect(res.status).toBe(200);
    expect(res.body.timeZone).toBe('America/New_York');
    expect(res.body.overdueExcludedStages).toEqual(['signed', 'delivered']);
    expect(res.body.limits.overdueDays).toBe(3);
  });
});

describe('the overdue rule: the SQL filter and the shared function agree', () => {
  // A hand-made set around the edges: at the cutoff, a second either side, never followed up
  // (creation counts), excluded stages however old, and a recent follow-up on an old customer.
  const cases: Array<{ name: string; stage: StageCode; lastFollowUpAt: Date | null; createdAt: Date }> = [
    { name: '逾期-恰在界限', stage: 'visit', lastFollowUpAt: ago(3 * DAY), createdAt: ago(30 * DAY) },
    { name: '逾期-界限前一秒', stage: 'visit', lastFollowUpAt: ago(3 * DAY + 1000), createdAt: ago(30 * DAY) },
    { name: '逾期-界限后一秒', stage: 'proposal', lastFollowUpAt: ago(3 * DAY - 1000), createdAt: ago(30 * DAY) },
    { name: '逾期-从未跟进旧', stage: 'lead', lastFollowUpAt: null, createdAt: ago(5 * DAY) },
    { name: '逾期-从未跟进新', stage: 'lead', lastFollowUpAt: null, createdAt: ago(2 * DAY) },
    { name: '逾期-从未跟进六天', stage: 'quote', lastFollowUpAt: null, createdAt: ago(6 * DAY) },
    { name: '逾期-已签约很久', stage: 'signed', lastFollowUpAt: ago(40 * DAY), createdAt: ago(90 * DAY) },
    { name: '逾期-已交付从未跟进', stage: 'delivered', lastFollowUpAt: null, createdAt: ago(90 * DAY) },
    { name: '逾期-老客户近期跟进', stage: 'quote', lastFollowUpAt: ago(DAY), createdAt: ago(400 * DAY) },
    { name: '逾期-报价四天', stage: 'quote', lastFollowUpAt: ago(4 * DAY), createdAt: ago(50 * DAY) },
  ];
  const ids = new Map<number, (typeof cases)[number]>();

  beforeAll(async () => {
    for (const c of cases) {
      const created = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: c.name, industry: '公立医院', stage: 'visit' } });
      expect(created.status).toBe(201);
      await h.db.getRepository(Customer).update({ id: created.body.id }, { stage: c.stage, lastFollowUpAt: c.lastFollowUpAt, createdAt: c.createdAt });
      ids.set(created.body.id, c);
    }
  });

  const listed = async (overdue: 'true' | 'false') => {
    const res = await api(h.url, 'GET', `/api/v1/customers?overdue=${overdue}&pageSize=100`, { token: org.token(org.repA) });
    expect(res.status).toBe(200);
    return (res.body.items as Array<{ id: number; overdue: boolean }>).filter((c) => ids.has(c.id));
  };

  // The policy object is the one the running services read; each rule set is applied to it in turn.
  const ruleSets: Array<{ overdueDays: number; overdueExcludedStages: StageCode[] }> = [
    { overdueDays: 3, overdueExcludedStages: ['signed', 'delivered'] },
    { overdueDays: 5, overdueExcludedStages: ['quote'] },
    { overdueDays: 1, overdueExcludedStages: [] },
  ];
  it.each(ruleSets)('overdueDays=$overdueDays, excluded=$overdueExcludedStages', async (rules) => {
    h.policy.limits.overdueDays = rules.overdueDays;
    h.policy.overdueExcludedStages = rules.overdueExcludedStages;
    const expected = [...ids].filter(([, c]) => isCustomerOverdue(c, rules, NOW)).map(([id]) => id).sort((a, b) => a - b);
    const notExpected = [...ids.keys()].filter((id) => !expected.includes(id)).sort((a, b) => a - b);
    const overdue = await listed('true');
    const notOverdue = await listed('false');
    expect(overdue.map((c) => c.id).sort((a, b) => a - b)).toEqual(expected);
    expect(notOverdue.map((c) => c.id).sort((a, b) => a - b)).toEqual(notExpected);
    // and the 逾期 flag each row carries says the same
    expect(overdue.every((c) => c.overdue)).toBe(true);
    expect(notOverdue.every((c) => !c.overdue)).toBe(true);
    // the set is not trivial: both sides have members
    expect(expected.length).toBeGreaterThan(0);
    expect(notExpected.length).toBeGreaterThan(0);
  });

  it('the shared function on the edges: at the cutoff is not overdue, a second older is', () => {
    const rules = { overdueDays: 3, overdueExcludedStages: ['signed', 'delivered'] as StageCode[] };
    expect(isCustomerOverdue({ stage: 'visit', lastFollowUpAt: ago(3 * DAY), createdAt: ago(9 * DAY) }, rules, NOW)).toBe(false);
    expect(isCustomerOverdue({ stage: 'visit', lastFollowUpAt: ago(3 * DAY + 1000).toISOString(), createdAt: ago(9 * DAY) }, rules, NOW)).toBe(true);
    expect(isCustomerOverdue({ stage: 'signed', lastFollowUpAt: null, createdAt: ago(90 * DAY) }, rules, NOW)).toBe(false);
  });
});
