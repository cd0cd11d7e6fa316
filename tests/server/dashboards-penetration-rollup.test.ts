import { sqlDate, withSqlTransaction } from '../../server/src/db/sql';
import type { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';

/**
 * The penetration rollup (dashboard_penetration_month, README «At scale») equals the metric computed from
 * the raw rows (`penetrationByMonth`: key actions due per month and done on time), per owner and for all
 * owners together, over September–November: before the recurring job ever ran, after it, with key actions
 * falling due since its cut (counted live), after edits to key actions already due (from the next run),
 * across midnight and through a rebuild. Clock: 2026-11-20 02:00 UTC (10:00 Shanghai); the cut is
 * 2026-11-19 16:00 UTC. Both key actions have a 48 h deadline (policy).
 */
let h: Harness;
let org: OrgFixture;
const at = (utc: string) => `${utc}:00.000`;
const c: Record<string, number> = {};
const MONTHS = ['2026-09', '2026-10', '2026-11'];
const ACTIONS = ['lead_touch', 'supervisor_confirm'];

async function insert(table: string, row: Record<string, unknown>): Promise<number> {
  const cols = Object.keys(row);
  const sqlite = h.db.options.type === 'better-sqlite3';
  const q = sqlite ? '"' : '`';
  await h.db.query(`INSERT INTO ${table} (${cols.map((k) => `${q}${k}${q}`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, Object.values(row));
  const [last] = await h.db.query(sqlite ? 'SELECT last_insert_rowid() AS id' : 'SELECT LAST_INSERT_ID() AS id');
  return Number(last.id);
}
let seq = 0;
/** a lead assigned at `assigned` (UTC), touched at `touched` */
async function lead(key: string, owner: Member, assigned: string, touched: string | null, closed: string | null = null) {
  c[key] = await insert('customer', {
    name: `穿透医院${key}`, nameKey: `pen${++seq}`, industry: '公立医院', stage: touched ? 'visit' : 'lead', stageChangedAt: at(assigned), ownerId: owner.id, waitingVisits: 0,
    createdById: owner.id, createdAt: at(assigned), updatedAt: at(closed ?? touched ?? assigned), leadAssignedAt: at(assigned), firstTouchAt: touched ? at(touched) : null,
    closedAt: closed ? at(closed) : null, closedReason: closed ? '价格' : null,
  });
}
/** a visit's next-action to-do, created at `created`, confirmed (or cancelled) at `completed` */
async function todo(key: string, requester: Member, created: string, completed: string | null, outcome: string | null = completed ? 'done' : null) {
  c[key] = await insert('task', {
    kind: 'visit_next_action', subjectType: 'visit', subjectId: ++seq, customerId: null, requesterId: requester.id, assigneeId: org.supervisor1.id, snapshot: '{}',
    dueAt: at(created), escalationTarget: 'manager', completedAt: completed ? at(completed) : null, outcome, createdAt: at(created),
  });
}

type Counts = Record<string, string>;
/** action → "month due/done …" for these owners, from the rollup (or the raw rows) */
async function counts(owners: Member[], raw: boolean): Promise<Counts> {
  return withSqlTransaction(h.db, async (sql) => {
    const out: Counts = {};
    for (const action of ACTIONS) {
      const rows = await h.services.dashboards.penetrationCounts(sql, action, owners.map((o) => o.id), MONTHS, { raw });
      out[action] = rows.filter((r) => r.due > 0).sort((x, y) => x.month - y.month).map((r) => `${MONTHS[r.month]} ${r.due}/${r.done}`).join(', ');
    }
    return out;
  });
}
const everyone = () => [org.repA, org.repB, org.repC];
/** for all owners together and for each: rollup = raw */
async function expectRollupEqualsRaw(): Promise<void> {
  for (const owners of [everyone(), [org.repA], [org.repB], [org.repC]]) {
    expect({ owners: owners.map((o) => o.name), counts: await counts(owners, false) }).toEqual({ owners: owners.map((o) => o.name), counts: await counts(owners, true) });
  }
}
const rolledUp = async () => {
  const [state] = await h.db.query("SELECT cutAt, buildingFrom FROM dashboard_rollup_state WHERE name = 'penetration_month'");
  return state && state.buildingFrom === null ? sqlDate(state.cutAt) : null;
};

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
  await h.services.jobs.seedRecurring();
  const { repA: A, repB: B, repC: C } = org;
  // leads (lead_touch: due 48 h after assignment)
  await lead('L1', A, '2026-10-05 00:00', '2026-10-06 00:00'); // due Oct 7, on time
  await lead('L2', A, '2026-10-30 12:00', '2026-11-03 00:00'); // due Nov 1 12:00 UTC (Nov local), late
  await lead('L3', B, '2026-11-10 00:00', null); // due Nov 12, not touched
  await lead('L4', B, '2026-11-18 03:00', null); // due 11-20 03:00 UTC: not yet at 02:00
  await lead('L5', A, '2026-11-17 20:00', '2026-11-18 00:00'); // due 11-19 20:00 UTC, after the cut: live, on time
  await lead('L6', C, '2026-09-29 20:00', null, '2026-10-15 00:00'); // lost untouched: not due
  await lead('L7', C, '2026-10-30 17:00', '2026-11-01 16:00'); // due 11-01 17:00 UTC, touched after 47 h: on time
  await lead('L8', A, '2026-10-29 16:00', '2026-10-30 00:00'); // due 10-31 16:00 UTC = Nov 1 00:00 local: November
  // next-action to-dos (supervisor_confirm: confirmed within 48 h of the visit)
  await todo('T1', A, '2026-10-10 02:00', '2026-10-11 02:00'); // Oct, on time
  await todo('T2', A, '2026-11-05 02:00', '2026-11-08 02:00'); // Nov, late
  await todo('T3', B, '2026-11-12 02:00', null); // Nov, open
  await todo('T4', C, '2026-11-17 18:00', '2026-11-18 02:00'); // due 11-19 18:00 UTC, after the cut: live, on time
  await todo('T5', B, '2026-11-18 04:00', null); // due 11-20 04:00 UTC: not yet at 02:00
  await todo('T6', A, '2026-11-01 02:00', '2026-11-02 02:00', 'cancelled'); // cancelled: not due
  await todo('T7', C, '2026-09-20 02:00', '2026-09-21 02:00'); // Sep, on time
});
afterAll(async () => {
  await h.close();
});

describe('the penetration rollup equals the metric from the raw rows', () => {
  it('the raw metric, by hand', async () => {
    expect(await counts(everyone(), true)).toEqual({
      lead_touch: '2026-10 1/1, 2026-11 5/3', // Nov: L2 late, L3 open, L5, L7, L8 on time
      supervisor_confirm: '2026-09 1/1, 2026-10 1/1, 2026-11 3/1', // Nov: T2 late, T3 open, T4 on time
    });
    expect(await counts([org.repA], true)).toEqual({ lead_touch: '2026-10 1/1, 2026-11 3/2', supervisor_confirm: '2026-10 1/1, 2026-11 1/0' });
  });

  it('before the job ever ran: the raw rows answer', async () => {
    expect(await rolledUp()).toBeNull();
    await expectRollupEqualsRaw();
  });

  it('after the job ran: rows for what fell due before the cut; what fell due since is live; the director sees the same numbers', async () => {
    await h.services.jobs.runDue();
    expect(await rolledUp()).toEqual(new Date('2026-11-19T16:00:00Z'));
    const rows: Array<{ ownerId: number; action: string; month: string; due: number; done: number }> = await h.db.query(
      'SELECT ownerId, action, month, due, done FROM dashboard_penetration_month ORDER BY action, ownerId, month',
    );
    // L5 and T4 fell due after the cut: not in the rows
    expect(rows.map((r) => `${r.action} ${r.ownerId === org.repA.id ? 'A' : r.ownerId === org.repB.id ? 'B' : 'C'} ${r.month} ${Number(r.due)}/${Number(r.done)}`)).toEqual([
      'lead_touch A 2026-10 1/1', 'lead_touch A 2026-11 2/1', 'lead_touch B 2026-11 1/0', 'lead_touch C 2026-11 1/1',
      'supervisor_confirm A 2026-10 1/1', 'supervisor_confirm A 2026-11 1/0', 'supervisor_confirm B 2026-11 1/0', 'supervisor_confirm C 2026-09 1/1',
    ]);
    await expectRollupEqualsRaw();
    const res = await api(h.url, 'GET', '/api/v1/dashboards/penetration?from=2026-10-01&to=2026-11-30', { token: org.token(org.directorEast) });
    expect(res.status).toBe(200);
    const nov = (id: string) => res.body.actions.find((a: { id: string }) => a.id === id).months.find((m: { month: string }) => m.month === '2026-11');
    expect(nov('lead_touch')).toMatchObject({ due: 5, done: 3 });
    expect(nov('supervisor_confirm')).toMatchObject({ due: 3, done: 1 });
  });

  it('key actions falling due with the clock are counted live', async () => {
    h.clock.advance(3 * 3600_000); // 05:00 UTC: L4 and T5 fall due, not done
    expect(await counts(everyone(), false)).toEqual({ lead_touch: '2026-10 1/1, 2026-11 6/3', supervisor_confirm: '2026-09 1/1, 2026-10 1/1, 2026-11 4/1' });
    await expectRollupEqualsRaw();
  });

  it('edits of key actions already due (a customer moved, an untouched lead lost, a to-do cancelled) count from the next run', async () => {
    await h.services.customers.reassign(org.supervisor1, c.L2!, org.repB.id); // touched: its key action moves to 代表乙
    await h.services.customers.close(org.supervisor1, c.L3!, { reason: '价格' }); // untouched: no longer due
    await withSqlTransaction(h.db, (sql) => sql.exec("UPDATE task SET completedAt = ?, outcome = 'cancelled' WHERE id = ?", [h.clock.now(), c.T3])); // what a cancellation writes
    // until the next run the rollup still counts them as they were (README «At scale»): 代表甲 one lead more, 代表乙 one lead and one to-do
    expect((await counts([org.repA], false)).lead_touch).toBe('2026-10 1/1, 2026-11 3/2');
    expect((await counts([org.repA], true)).lead_touch).toBe('2026-10 1/1, 2026-11 2/2');
    h.clock.advance(h.policy.recurring['dashboards.rollup'].everyMinutes * 60_000);
    await h.services.jobs.runDue();
    await expectRollupEqualsRaw();
    expect(await counts(everyone(), false)).toEqual({ lead_touch: '2026-10 1/1, 2026-11 5/3', supervisor_confirm: '2026-09 1/1, 2026-10 1/1, 2026-11 3/1' });
  });

  it('after midnight: equal before the next run and after it (the cut moved)', async () => {
    h.clock.advance(20 * 3600_000); // 2026-11-21 ~09:10 local
    await todo('T8', org.repC, '2026-11-19 01:00', null); // due 11-21 01:00 UTC, after the old cut
    await expectRollupEqualsRaw();
    await h.services.jobs.runDue();
    expect(await rolledUp()).toEqual(new Date('2026-11-20T16:00:00Z'));
    await expectRollupEqualsRaw();
  });

  it('a rebuild goes a month per run, is used only once complete, and then equals', async () => {
    await h.db.query("DELETE FROM dashboard_rollup_state WHERE name = 'penetration_month'");
    let runs = 0;
    for (;;) {
      const done = await withSqlTransaction(h.db, (sql) => h.services.dashboards.refreshRollups(sql, h.clock.now(), 0));
      runs++;
      if (done.complete) break;
      expect(await rolledUp()).toBeNull();
      await expectRollupEqualsRaw();
    }
    expect(runs).toBe(3); // September, October, November
    expect(await rolledUp()).not.toBeNull();
    await expectRollupEqualsRaw();
  });
});
