import { withSqlTransaction } from '../../server/src/db/sql';
import type { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';

/**
 * The counters rollup (dashboard_counter_day, README «At scale») equals the counters computed from the raw
 * rows (the distinct customers of 要求二次报价 and 签约后询问交付), for all owners and each, over several
 * periods (this month to today, one that ends before today, one closed day, today alone, one spanning two
 * months): before the job ran, after it, with visits since its cut (live), after a customer changed owner,
 * across midnight and through a rebuild. Clock: 2026-11-20 02:00 UTC (10:00 Shanghai); the cut is
 * 2026-11-19 16:00 UTC. Phrases and the 7 days after 签约: policy.
 */
let h: Harness;
let org: OrgFixture;
const at = (utc: string) => `${utc}:00.000`;
const c: Record<string, number> = {};
const sqlite = () => h.db.options.type === 'better-sqlite3';

async function insert(table: string, row: Record<string, unknown>): Promise<number> {
  const cols = Object.keys(row);
  const q = sqlite() ? '"' : '`';
  await h.db.query(`INSERT INTO ${table} (${cols.map((k) => `${q}${k}${q}`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, Object.values(row));
  const [last] = await h.db.query(sqlite() ? 'SELECT last_insert_rowid() AS id' : 'SELECT LAST_INSERT_ID() AS id');
  return Number(last.id);
}
let seq = 0;
async function customer(key: string, owner: Member) {
  c[key] = await insert('customer', {
    name: `计数医院${key}`, nameKey: `cnt${++seq}`, industry: '公立医院', stage: 'visit', stageChangedAt: at('2026-09-01 00:00'), ownerId: owner.id, waitingVisits: 0,
    createdById: owner.id, createdAt: at('2026-09-01 00:00'), updatedAt: at('2026-09-01 00:00'),
  });
}
async function visit(by: Member, key: string, submitted: string, painPoint: string, dialogueSummary = '双方沟通了下一步的安排') {
  await insert('visit', {
    customerId: c[key], memberId: by.id, objective: '推进方案', painPoint, dialogueSummary, bottleneck: '其他', valuePoint: '快速响应', agreedAction: '发送方案',
    nextFollowUpAt: null, nextFollowUpForm: '电话', alert: 0, customerVerbatim: null, submittedAt: at(submitted), savedAt: at(submitted), createdAt: at(submitted),
  });
}
async function stage(key: string, to: string, changed: string) {
  await insert('customer_stage_change', { customerId: c[key], fromStage: 'proposal', toStage: to, kind: 'stage', changedById: org.repA.id, changedAt: at(changed) });
}

/** [start, end) of local days (Shanghai, +8) */
const period = (from: string, to: string) => ({ from, to, start: new Date(`${from}T00:00:00+08:00`), end: new Date(new Date(`${to}T00:00:00+08:00`).getTime() + 86_400_000) });
const PERIODS = [
  period('2026-11-01', '2026-11-20'), // this month to today (the default)
  period('2026-10-20', '2026-11-19'), // ends before today
  period('2026-11-19', '2026-11-19'), // one closed day
  period('2026-11-20', '2026-11-21'), // today (and tomorrow)
  period('2026-10-01', '2026-11-21'),
];
const COUNTERS = ['second_quote', 'delivery_ask'] as const;

async function customers(owners: Member[], p: (typeof PERIODS)[number], counter: (typeof COUNTERS)[number], raw: boolean): Promise<string[]> {
  const ids = await withSqlTransaction(h.db, (sql) => h.services.dashboards.counterCustomerIds(sql, counter, owners.map((o) => o.id), p, { raw }));
  const names = new Map(Object.entries(c).map(([k, v]) => [v, k]));
  return [...ids].map((id) => names.get(id) ?? String(id)).sort();
}
async function expectRollupEqualsRaw(): Promise<void> {
  for (const owners of [[org.repA, org.repB, org.repC], [org.repA], [org.repB], [org.repC]]) {
    for (const p of PERIODS) {
      for (const counter of COUNTERS) {
        const key = { owners: owners.map((o) => o.name), from: p.from, to: p.to, counter };
        expect({ ...key, customers: await customers(owners, p, counter, false) }).toEqual({ ...key, customers: await customers(owners, p, counter, true) });
      }
    }
  }
}
const state = async () => (await h.db.query("SELECT cutAt, buildingFrom FROM dashboard_rollup_state WHERE name = 'counter_day'"))[0] as { cutAt: unknown; buildingFrom: string | null } | undefined;
const everyone = () => [org.repA, org.repB, org.repC];

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
  await h.services.jobs.seedRecurring();
  const { repA: A, repB: B, repC: C } = org;
  for (const [key, owner] of [['A1', A], ['A2', A], ['A3', A], ['B1', B], ['B2', B], ['B3', B], ['C1', C], ['C2', C], ['C3', C]] as const) await customer(key, owner);
  await visit(A, 'A1', '2026-11-05 02:00', '客户要求重新报价'); // 二次报价 (pain point)
  await visit(A, 'A1', '2026-11-06 02:00', '预算紧张', '院方希望再报一次价'); // the same customer again (dialogue summary)
  await visit(B, 'B1', '2026-10-25 02:00', '需要二次报价'); // October only
  await stage('B2', 'quote', '2026-10-01 02:00');
  await stage('B2', 'quote', '2026-11-10 02:00'); // 报价 entered again: no visit
  await stage('C1', 'signed', '2026-11-15 02:00');
  await visit(C, 'C1', '2026-11-18 02:00', '什么时候到货'); // 3 days after 签约: 询问交付
  await stage('C2', 'signed', '2026-10-01 02:00');
  await visit(C, 'C2', '2026-11-12 02:00', '物流安排'); // 42 days after: not counted
  await visit(A, 'A2', '2026-11-19 20:00', '重新报价'); // after the cut: live
  await stage('A3', 'signed', '2026-11-19 10:00');
  await visit(A, 'A3', '2026-11-19 22:00', '发货时间'); // after the cut: live 询问交付
  await visit(B, 'B3', '2026-11-19 15:59', '重新核价'); // 11-19 23:59 local: the last day before the cut
  await visit(C, 'C3', '2026-10-31 16:00', '价格再算'); // 11-01 00:00 local: November
});
afterAll(async () => {
  await h.close();
});

describe('the counters rollup equals the counters from the raw rows', () => {
  it('the raw counters, by hand', async () => {
    expect(await customers(everyone(), PERIODS[0]!, 'second_quote', true)).toEqual(['A1', 'A2', 'B2', 'B3', 'C3']);
    expect(await customers(everyone(), PERIODS[0]!, 'delivery_ask', true)).toEqual(['A3', 'C1']);
    expect(await customers(everyone(), PERIODS[1]!, 'second_quote', true)).toEqual(['A1', 'B1', 'B2', 'B3', 'C3']);
    expect(await customers(everyone(), PERIODS[1]!, 'delivery_ask', true)).toEqual(['C1']);
  });

  it('before the job ever ran: the raw rows answer', async () => {
    expect(await state()).toBeUndefined();
    await expectRollupEqualsRaw();
  });

  it('after the job ran: a row per customer, counter and day before the cut; the director sees the same counts', async () => {
    await h.services.jobs.runDue();
    expect((await state())?.buildingFrom).toBeNull();
    const rows: Array<{ counter: string; day: string; customerId: number }> = await h.db.query('SELECT counter, day, customerId FROM dashboard_counter_day ORDER BY counter, day, customerId');
    const names = new Map(Object.entries(c).map(([k, v]) => [v, k]));
    expect(rows.map((r) => `${r.counter} ${r.day} ${names.get(Number(r.customerId))}`)).toEqual([
      'delivery_ask 2026-11-18 C1',
      'second_quote 2026-10-25 B1', 'second_quote 2026-11-01 C3', 'second_quote 2026-11-05 A1', 'second_quote 2026-11-06 A1', 'second_quote 2026-11-19 B3',
    ]);
    await expectRollupEqualsRaw();
    const res = await api(h.url, 'GET', '/api/v1/dashboards/counters', { token: org.token(org.directorEast) });
    expect(res.status).toBe(200);
    expect(res.body.counters.map((x: { counter: string; customers: number }) => `${x.counter} ${x.customers}`)).toEqual(['second_quote 5', 'delivery_ask 2']);
  });

  it('visits since the cut are counted live; a customer moved to another owner counts for the new one at once', async () => {
    await customer('C4', org.repC);
    await stage('C4', 'signed', '2026-11-19 18:00');
    await visit(org.repC, 'C4', '2026-11-20 01:30', '到货后的安装时间'); // live 询问交付
    await h.services.customers.reassign(org.supervisor1, c.A1!, org.repB.id);
    expect(await customers([org.repB], PERIODS[0]!, 'second_quote', false)).toEqual(['A1', 'B2', 'B3']);
    await expectRollupEqualsRaw();
  });

  it('after midnight: equal before the next run and after it', async () => {
    h.clock.advance(24 * 3600_000); // 2026-11-21 10:00 local
    await visit(org.repB, 'B1', '2026-11-20 17:00', '再报个价吧'); // today
    await expectRollupEqualsRaw();
    await h.services.jobs.runDue();
    const rows: Array<{ n: unknown }> = await h.db.query("SELECT COUNT(*) AS n FROM dashboard_counter_day WHERE day = '2026-11-20'");
    expect(Number(rows[0]!.n)).toBe(3); // A2 (second_quote), A3 and C4 (delivery_ask)
    await expectRollupEqualsRaw();
  });

  it('a rebuild goes a few days per run, is used only once complete, and then equals', async () => {
    await h.db.query("DELETE FROM dashboard_rollup_state WHERE name = 'counter_day'");
    let runs = 0;
    for (;;) {
      const done = await withSqlTransaction(h.db, (sql) => h.services.dashboards.refreshRollups(sql, h.clock.now(), 0));
      runs++;
      if (done.complete) break;
      expect((await state())?.buildingFrom).not.toBeNull();
      await expectRollupEqualsRaw();
    }
    expect(runs).toBeGreaterThan(3); // 2026-10-25 … 2026-11-20: eight days a statement
    await expectRollupEqualsRaw();
  });
});
