import { sqlDate, withSqlTransaction } from '../../server/src/db/sql';
import type { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';

/**
 * The visit rollup (dashboard_visit_day, README «At scale») equals the metric computed from the raw rows:
 * `visitAggregates` (Σ visits, follow-up seconds, pain characters, follow-ups due and on time per member
 * and objective — what the behaviour heatmap and visit quality are made of) over several periods, before
 * the recurring job ever ran, after it, after new visits today, after midnight before and after the next
 * run, and while a rebuild is under way. The clock starts at 2026-11-20 02:00 UTC (10:00 in Shanghai): the
 * job's cut is its run less 5 minutes (2026-11-20 01:55 UTC, 09:55 local). Grace for a promise: 12 h (policy).
 */
let a: Harness;
let b: Harness | null = null; // a second server on the same database (MariaDB)
let org: OrgFixture;
const sqlite = process.env.ANCHOR_TEST_DB === 'sqlite';
const at = (utc: string) => `${utc}:00.000`;
const c: Record<string, number> = {};

async function insert(table: string, row: Record<string, unknown>): Promise<number> {
  const cols = Object.keys(row);
  const q = a.db.options.type === 'better-sqlite3' ? '"' : '`';
  await a.db.query(`INSERT INTO ${table} (${cols.map((k) => `${q}${k}${q}`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, Object.values(row));
  const [last] = await a.db.query(a.db.options.type === 'better-sqlite3' ? 'SELECT last_insert_rowid() AS id' : 'SELECT LAST_INSERT_ID() AS id');
  return Number(last.id);
}
let seq = 0;
async function customer(key: string, owner: Member) {
  c[key] = await insert('customer', {
    name: `汇总医院${key}`, nameKey: `rollup${++seq}`, industry: '公立医院', stage: 'visit', stageChangedAt: at('2026-10-01 00:00'), ownerId: owner.id, waitingVisits: 0,
    createdById: owner.id, createdAt: at('2026-09-01 00:00'), updatedAt: at('2026-09-01 00:00'),
  });
}
async function visit(by: Member, customerKey: string, objective: string, submitted: string, painPoint: string, nextFollowUp: string | null) {
  await insert('visit', {
    customerId: c[customerKey], memberId: by.id, objective, painPoint, dialogueSummary: '双方沟通了下一步的安排', bottleneck: '其他', valuePoint: '快速响应', agreedAction: '发送方案',
    nextFollowUpAt: nextFollowUp ? at(nextFollowUp) : null, nextFollowUpForm: '电话', alert: 0, customerVerbatim: null, submittedAt: at(submitted), savedAt: at(submitted), createdAt: at(submitted),
  });
}

const members = () => [org.repA, org.repB, org.repC, org.supervisor1].map((m) => m.id);
/** [start, end) of local days (Shanghai, +8) */
const period = (from: string, toInclusive: string) => {
  const start = new Date(`${from}T00:00:00+08:00`);
  const end = new Date(new Date(`${toInclusive}T00:00:00+08:00`).getTime() + 86_400_000);
  return { start, end };
};
const PERIODS = [
  period('2026-11-01', '2026-11-20'), // this month to today (the default)
  period('2026-11-01', '2026-11-30'),
  period('2026-10-20', '2026-11-19'), // ends before today
  period('2026-11-10', '2026-11-10'), // one closed day
  period('2026-11-20', '2026-11-21'), // today (and tomorrow)
  period('2026-10-01', '2026-11-21'),
];

const sorted = <T extends { memberId: number; objective: string }>(rows: T[]) => [...rows].sort((x, y) => x.memberId - y.memberId || (x.objective < y.objective ? -1 : x.objective > y.objective ? 1 : 0));

/** Every period: from the rollup (and what changed since its cut) = from the raw rows. Returns whether the rollup was used. */
async function expectRollupEqualsRaw(): Promise<boolean> {
  const d = a.services.dashboards;
  return withSqlTransaction(a.db, async (sql) => {
    for (const p of PERIODS) {
      const raw = await d.visitAggregates(sql, members(), p.start, p.end, { raw: true });
      const rolled = await d.visitAggregates(sql, members(), p.start, p.end);
      expect({ period: p, rows: sorted(rolled) }).toEqual({ period: p, rows: sorted(raw) });
    }
    const [state] = (await sql.rows("SELECT COUNT(*) AS n FROM dashboard_rollup_state WHERE name = 'visit_day' AND buildingFrom IS NULL")) as Array<{ n: unknown }>;
    return Number(state?.n) > 0;
  });
}

const runJobs = async () => {
  await Promise.all([a.services.jobs.runDue(), ...(b ? [b.services.jobs.runDue()] : [])]);
};
const advance = (ms: number) => {
  a.clock.advance(ms);
  b?.clock.advance(ms);
};
const rollupRows = async () => Number((await a.db.query('SELECT COUNT(*) AS n FROM dashboard_visit_day'))[0].n);

beforeAll(async () => {
  a = await startHarness();
  if (!sqlite) b = await startHarness({ sharedDatabaseUrl: a.dbUrl, env: { ANCHOR_UPLOAD_DIR: a.env.uploadDir } });
  org = await buildOrg(a);
  await Promise.all([a.services.jobs.seedRecurring(), b?.services.jobs.seedRecurring()]); // what each server does at start-up
  const { repA: A, repB: B, repC: C } = org;
  for (const [key, owner] of [['c1', A], ['c2', B], ['c3', A], ['c4', C], ['c5', A], ['c6', B], ['c7', C]] as const) await customer(key, owner);
  // c1: closed on time (next contact 2 h after the promise), closed late, then waiting: its promise (11-19 08:00) falls due after the cut
  await visit(A, 'c1', '建立联系', '2026-11-02 02:00', '安装调试太慢', '2026-11-03 00:00');
  await visit(A, 'c1', '建立联系', '2026-11-03 02:00', '耗材库存积压', '2026-11-04 02:00');
  await visit(A, 'c1', '推进方案', '2026-11-05 02:00', '物流时效慢', '2026-11-19 08:00');
  // c2: waiting, nothing promised
  await visit(B, 'c2', '建立联系', '2026-11-01 02:00', '预算审批周期长', null);
  // c3: waiting and due at the cut; closed today (below)
  await visit(A, 'c3', '收集反馈', '2026-11-10 02:00', '价格太高了', '2026-11-12 02:00');
  // c4: a visit before November whose next contact is in it; the next one waits, its promise not yet due
  await visit(C, 'c4', '处理异议', '2026-10-30 02:00', '回款周期长', '2026-11-01 02:00');
  await visit(C, 'c4', '处理异议', '2026-11-04 02:00', '集采降价压力大', '2026-11-25 02:00');
  // c5: two visits at the same instant (both close at the next contact), today's contact closes them
  await visit(A, 'c5', '推进方案', '2026-11-08 02:00', '竞品已入院', '2026-11-09 02:00');
  await visit(B, 'c5', '推进方案', '2026-11-08 02:00', '科室使用意愿低', '2026-11-09 02:00');
  // c6: submitted today before the job first runs (after the cut: live)
  await visit(B, 'c6', '建立联系', '2026-11-19 20:00', '操作培训不足', '2026-11-21 02:00');
  // c7: October only
  await visit(C, 'c7', '促成签约', '2026-10-20 02:00', '售后响应慢', '2026-10-21 02:00');
  await visit(C, 'c7', '促成签约', '2026-10-22 02:00', '售后响应慢设备故障多', '2026-10-22 20:00');
});
afterAll(async () => {
  await b?.close();
  await a.close();
});

describe('the visit rollup equals the metric from the raw rows', () => {
  it('the raw metric, by hand: 代表甲 in November to today', async () => {
    const [start, end] = [PERIODS[0]!.start, PERIODS[0]!.end];
    const rows = await withSqlTransaction(a.db, (sql) => a.services.dashboards.visitAggregates(sql, [org.repA.id], start, end, { raw: true }));
    const now = a.clock.now().getTime();
    const h = 3600;
    expect(sorted(rows)).toEqual(sorted([
      // 11-02 → 11-03 02:00 (24 h, on time: 2 h after 11-03 00:00); 11-03 → 11-05 (48 h, late: 24 h after its promise)
      { memberId: org.repA.id, objective: '建立联系', visits: 2, waitSeconds: 72 * h, painChars: 6 + 6, followUpsDue: 2, followUpsOnTime: 1 },
      // 11-05 waiting (promise 11-19 08:00 + 12 h passed at 11-20 02:00: due, missed) + 11-08 waiting (due, missed)
      { memberId: org.repA.id, objective: '推进方案', visits: 2, waitSeconds: (now - Date.parse('2026-11-05T02:00:00Z')) / 1000 + (now - Date.parse('2026-11-08T02:00:00Z')) / 1000, painChars: 5 + 5, followUpsDue: 2, followUpsOnTime: 0 },
      // 11-10 waiting, due at 11-12 14:00
      { memberId: org.repA.id, objective: '收集反馈', visits: 1, waitSeconds: (now - Date.parse('2026-11-10T02:00:00Z')) / 1000, painChars: 5, followUpsDue: 1, followUpsOnTime: 0 },
    ]));
  });

  it('before the job ever ran: the raw rows answer', async () => {
    expect(await expectRollupEqualsRaw()).toBe(false);
  });

  it('after the recurring job ran (two servers: once), rows up to its cut: the run less 5 minutes, today so far included', async () => {
    await runJobs();
    await runJobs(); // not due again for policy recurring.dashboards.rollup minutes
    expect(await expectRollupEqualsRaw()).toBe(true);
    const [state] = await a.db.query("SELECT cutAt, buildingFrom FROM dashboard_rollup_state WHERE name = 'visit_day'");
    expect(sqlDate(state.cutAt)).toEqual(new Date('2026-11-20T01:55:00Z'));
    expect(state.buildingFrom).toBeNull();
    const days: Array<{ day: string }> = await a.db.query('SELECT DISTINCT day FROM dashboard_visit_day ORDER BY day');
    // 11-20: c6's visit of this morning (04:00 local), before the cut
    expect(days.map((r) => r.day)).toEqual(['2026-10-20', '2026-10-22', '2026-10-30', '2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-08', '2026-11-10', '2026-11-20']);
    // the month rows hold whole days only (before the cut's day): today is read from its day row
    const [month] = await a.db.query("SELECT SUM(visits) AS n FROM dashboard_visit_month WHERE month = '2026-11'");
    expect(Number(month.n)).toBe(8);
    const [job] = await a.db.query("SELECT status, dueAt, attempts FROM job WHERE recurring = 'dashboards.rollup'");
    expect(job).toMatchObject({ status: 'pending', attempts: 0 });
    expect(sqlDate(job.dueAt)).toEqual(new Date(a.clock.now().getTime() + a.policy.recurring['dashboards.rollup'].everyMinutes * 60_000));
  });

  it('after new visits today: the ones they close and their own are counted live, and equal', async () => {
    advance(60 * 60_000); // 11:00 local
    await visit(org.repB, 'c3', '收集反馈', '2026-11-20 02:30', '价格太高需要再谈', '2026-11-22 02:00'); // closes 代表甲's 11-10 visit (late)
    await visit(org.repA, 'c5', '推进方案', '2026-11-20 02:45', '竞品价格更低', '2026-11-21 02:00'); // closes both 11-08 visits
    await visit(org.repC, 'c4', '处理异议', '2026-11-20 02:50', '集采降价', null); // closes 11-04 (its promise not due yet: on time)
    expect(await expectRollupEqualsRaw()).toBe(true);
  });

  it('after midnight: equal before the next run (the day since the cut is live) and after it (recounted)', async () => {
    advance(16 * 3600_000); // 2026-11-21 03:00 local
    await visit(org.repA, 'c1', '推进方案', '2026-11-20 18:00', '物流时效仍不稳定', '2026-11-23 02:00'); // today: closes 11-05
    expect(await expectRollupEqualsRaw()).toBe(true);
    await runJobs();
    const [state] = await a.db.query("SELECT cutAt FROM dashboard_rollup_state WHERE name = 'visit_day'");
    expect(sqlDate(state.cutAt)).toEqual(new Date('2026-11-20T18:55:00Z'));
    expect(await expectRollupEqualsRaw()).toBe(true);
    // a day later, no new visits: promises fall due with the clock only
    advance(24 * 3600_000);
    expect(await expectRollupEqualsRaw()).toBe(true);
    await runJobs();
    expect(await expectRollupEqualsRaw()).toBe(true);
  });

  it('a 设定跟进 moving the promise of a waiting visit of an earlier day is counted from the next run (every 10 minutes)', async () => {
    // 代表乙's 11-20 visit to c6 waits; its promise (11-21 02:00 + 12 h) had passed at the cut: due, missed
    await a.services.followUps.setFollowUp(org.repB.id, { customerId: c.c6!, agreedAction: '发送方案', agreedActionNote: '', nextFollowUpDate: '2026-11-26', nextFollowUpTime: '10:00', nextFollowUpForm: '电话' });
    const [moved] = await a.db.query('SELECT followUpSetAt FROM visit WHERE customerId = ?', [c.c6]);
    expect(sqlDate(moved.followUpSetAt)).toEqual(a.clock.now());
    // until the next run the rollup still counts it due (the one staleness it has, README «At scale»)
    const due = (rows: Array<{ memberId: number; followUpsDue: number }>) => rows.filter((r) => r.memberId === org.repB.id).reduce((n, r) => n + r.followUpsDue, 0);
    const { start, end } = PERIODS[1]!;
    const [raw, rolled] = await withSqlTransaction(a.db, async (sql) => [
      await a.services.dashboards.visitAggregates(sql, members(), start, end, { raw: true }),
      await a.services.dashboards.visitAggregates(sql, members(), start, end),
    ]);
    expect(due(rolled)).toBe(due(raw) + 1);
    advance(a.policy.recurring['dashboards.rollup'].everyMinutes * 60_000);
    await runJobs();
    expect(await expectRollupEqualsRaw()).toBe(true);
  });

  it('a rebuild (state lost, e.g. a policy change) goes a few days per run and is used only once complete; a restarted server carries on', async () => {
    await a.db.query('DELETE FROM dashboard_rollup_state');
    const runs: boolean[] = [];
    for (let i = 0; i < 40; i++) {
      // budget 0: one statement (four days) per run, as a run out of its time budget would
      const result = await withSqlTransaction(a.db, (sql) => a.services.dashboards.refreshRollups(sql, a.clock.now(), 0));
      runs.push(result.complete);
      if (!result.complete) expect(await expectRollupEqualsRaw()).toBe(false);
      if (result.complete) break;
      if (i === 1 && !sqlite) {
        // a server started afresh on the same database continues the build where the state says
        const restarted = await startHarness({ sharedDatabaseUrl: a.dbUrl, now: a.clock.now(), env: { ANCHOR_UPLOAD_DIR: a.env.uploadDir } });
        try {
          runs.push((await withSqlTransaction(restarted.db, (sql) => restarted.services.dashboards.refreshRollups(sql, restarted.clock.now(), 0))).complete);
        } finally {
          await restarted.close();
        }
      }
    }
    expect(runs[runs.length - 1]).toBe(true);
    expect(runs.length).toBeGreaterThan(3); // 2026-10-20 … 2026-11-21: several runs of four days
    expect(await rollupRows()).toBeGreaterThan(0);
    expect(await expectRollupEqualsRaw()).toBe(true);
  });
});
