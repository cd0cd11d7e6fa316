// The dashboards at the issue's scale (issue 14 "Fast at scale"): 2 000 reps in teams of 8 under 250
// supervisors, 4 regions under directors, 200 000 customers, 2 000 000 visits over a year, a year of
// morning/evening check-ins (working days) and a sign-in per visit, a to-do per visit of the last six
// months. Generated set-based in MariaDB (INSERT … SELECT from the sequence tables): nothing passes
// through this process. Then every GET /dashboards/… route (read from the route table, so new dashboards
// are timed too) over real HTTP against a spawned server, for a director (the whole region, 500 reps) and
// a supervisor (the team, 8 reps), 16 concurrent: p50 / p95 per endpoint. Also the data set's size on disk.
import { BOARD_METRICS } from '@anchor/shared';
import { loadPolicy } from '../server/src/config/policy';
import { withSqlTransaction } from '../server/src/db/sql';
import { startHarness } from '../tests/support/harness';
import { spawnServer } from '../tests/support/spawn-server';
import { KeepAliveClient } from './http-load';
import { percentile } from './stats';

const REGIONS = 4;
const TEAMS = 250;
const REPS_PER_TEAM = 8;
const REPS = TEAMS * REPS_PER_TEAM;
const CUSTOMERS = Number(process.env.BENCH_DASH_CUSTOMERS ?? 200_000);
const VISITS_PER_REP = Number(process.env.BENCH_DASH_VISITS_PER_REP ?? 1000);
const CHECKIN_DAYS = Number(process.env.BENCH_DASH_CHECKIN_DAYS ?? 365);
const CONCURRENCY = 16;
const REQUESTS = Number(process.env.BENCH_DASH_REQUESTS ?? 48);
const DAY_S = 86_400;

const PAINS = ['安装调试太慢影响手术排期', '耗材库存积压占用资金', '物流时效不稳定经常延误', '集采降价压力大', '预算审批周期长', '科室使用意愿低', '竞品已入院价格更低', '售后响应慢设备故障多', '操作培训不足', '回款周期长资金紧张', '客户要求重新报价', '签约后关心什么时候到货'];
const OBJECTIVES = ['建立联系', '推进方案', '促成签约', '处理异议', '收集反馈'];
const STAGES = ['lead', 'visit', 'proposal', 'quote', 'signed', 'delivered'];
const elt = (list: readonly string[], expr: string) => `ELT((${expr}) % ${list.length} + 1, ${list.map((s) => `'${s}'`).join(', ')})`;

export interface EndpointFigure {
  path: string;
  role: 'director' | 'supervisor';
  /** median of 5 requests one at a time */
  alone: number;
  p50: number;
  p95: number;
  /** p95 when the 16 ask 16 different periods (nothing to share: each computed on its own) */
  distinctP95: number;
  status: string;
}

export interface DashboardScale {
  reps: number;
  customers: number;
  visits: number;
  checkins: number;
  signins: number;
  tasks: number;
  generateSeconds: number;
  rollupSeconds: number | null;
  steadySeconds: number | null;
  dataMb: number;
  indexMb: number;
  tables: Array<{ table: string; rows: number; mb: number }>;
  figures: EndpointFigure[];
  loadBefore: string;
  loadAfter: string;
  /** BENCH_DASH_REUSE: timed on an earlier run's data set (nothing generated) */
  reused: boolean;
}

const loadavg = () => (require('node:os') as typeof import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ');

export async function dashboardsScale(): Promise<DashboardScale> {
  const loadBefore = loadavg();
  const now = new Date();
  // The seed's statements (100 000 rows each) get 5 minutes instead of the product's 10 s: on a shared machine a
  // to-do chunk with its seven indexes took longer. The spawned server keeps the policy's own timeout.
  const base = loadPolicy();
  // BENCH_DASH_KEEP=1 leaves the generated database in place (its URL is logged); BENCH_DASH_REUSE=<that URL> times
  // against it again without generating (after a code change: migrations run, the rollup job catches up first).
  const reuse = process.env.BENCH_DASH_REUSE;
  const h = await startHarness({
    now,
    policy: { ...base, database: { ...base.database, queryTimeoutSeconds: 300 } },
    keepDatabase: process.env.BENCH_DASH_KEEP === '1' || !!reuse,
    sharedDatabaseUrl: reuse,
  });
  const q = (text: string, params: unknown[] = []) => h.db.query(text, params) as Promise<Array<Record<string, unknown>>>;
  const log = (s: string) => console.error(`[dashboards bench ${new Date().toISOString().slice(11, 19)}] ${s}`);
  let server: Awaited<ReturnType<typeof spawnServer>> | null = null;
  try {
    const t0 = performance.now();
    if (process.env.BENCH_DASH_KEEP === '1') log(`the data set stays in ${h.dbUrl}`);
    const regionIds: number[] = [];
    const directors = [];
    if (reuse) {
      for (const r of await q(`SELECT id FROM region WHERE name LIKE '压测大区%' ORDER BY id`)) regionIds.push(Number(r.id));
      for (const d of await q(`SELECT id FROM member WHERE role = 'director' AND name LIKE '压测总监%' ORDER BY id`)) directors.push((await h.services.org.findActiveMember(Number(d.id)))!);
    } else {
    // ── the org: regions, directors, teams, supervisors, reps ──
    for (let r = 0; r < REGIONS; r++) {
      const region = await h.services.org.createRegion(`压测大区${r + 1}`);
      regionIds.push(region.id);
      directors.push(await h.services.org.createMember({ name: `压测总监${r + 1}`, phone: `1370000000${r}`, role: 'director', regionId: region.id }));
    }
    await q(`INSERT INTO team (name, regionId) SELECT CONCAT('压测组', seq), ELT((seq - 1) % ${REGIONS} + 1, ${regionIds.join(', ')}) FROM seq_1_to_${TEAMS}`);
    await q(
      `INSERT INTO member (name, phone, role, teamId, regionId, managerId, joinedAt, createdAt, updatedAt)
       SELECT CONCAT('压测主管', s.seq), CONCAT('1371', LPAD(s.seq, 7, '0')), 'supervisor', t.id, t.regionId, ELT((s.seq - 1) % ${REGIONS} + 1, ${directors.map((d) => d.id).join(', ')}), ?, ?, ?
       FROM seq_1_to_${TEAMS} s JOIN team t ON t.name = CONCAT('压测组', s.seq)`,
      [new Date(now.getTime() - 400 * DAY_S * 1000), now, now],
    );
    // bench_rep: rep number n (1…2000) → member, team; bench_customer: customer number → id (helper tables, dropped with the database)
    await q('CREATE TABLE bench_rep (n INT PRIMARY KEY, memberId INT NOT NULL, teamId INT NOT NULL)');
    await q(
      `INSERT INTO member (name, phone, role, teamId, regionId, managerId, joinedAt, createdAt, updatedAt)
       SELECT CONCAT('压测代表', s.seq), CONCAT('1372', LPAD(s.seq, 7, '0')), 'rep', t.id, t.regionId, sup.id, ?, ?, ?
       FROM seq_1_to_${REPS} s JOIN team t ON t.name = CONCAT('压测组', (s.seq - 1) DIV ${REPS_PER_TEAM} + 1) JOIN member sup ON sup.teamId = t.id AND sup.role = 'supervisor'`,
      [new Date(now.getTime() - 400 * DAY_S * 1000), now, now],
    );
    await q(`INSERT INTO bench_rep (n, memberId, teamId) SELECT CAST(SUBSTRING(name, 5) AS UNSIGNED), id, teamId FROM member WHERE role = 'rep' AND name LIKE '压测代表%'`);
    log('org built');
    // ── customers: rep n owns customers n, n + 2000, …; leads assigned over the year, 4 in 5 touched ──
    await q('CREATE TABLE bench_customer (n INT PRIMARY KEY, id INT NOT NULL)');
    for (let from = 1; from <= CUSTOMERS; from += 50_000) {
      const to = Math.min(CUSTOMERS, from + 49_999);
      await q(
        `INSERT INTO customer (name, nameKey, industry, stage, stageChangedAt, ownerId, createdById, lastFollowUpAt, createdAt, updatedAt, leadAssignedAt, firstTouchAt)
         SELECT CONCAT('压测医院', s.seq), CONCAT('bench', s.seq), '公立医院', ${elt(STAGES, 's.seq')}, x.at, r.memberId, r.memberId,
                DATE_SUB(?, INTERVAL (s.seq % 9) DAY), x.at, x.at, x.at, IF(s.seq % 5 = 0, NULL, DATE_ADD(x.at, INTERVAL (s.seq % 72) HOUR))
         FROM seq_${from}_to_${to} s JOIN bench_rep r ON r.n = (s.seq - 1) % ${REPS} + 1
         JOIN (SELECT seq, DATE_SUB(?, INTERVAL (seq % 365) DAY) AS at FROM seq_${from}_to_${to}) x ON x.seq = s.seq`,
        [now, now],
      );
    }
    await q(`INSERT INTO bench_customer (n, id) SELECT CAST(SUBSTRING(nameKey, 6) AS UNSIGNED), id FROM customer WHERE nameKey LIKE 'bench%'`);
    const perRep = Math.max(1, Math.floor(CUSTOMERS / REPS));
    log('customers built');
    // stage moves for the counters: every 10th customer signed 1–20 days ago, every 20th entered 报价 twice
    await q(
      `INSERT INTO customer_stage_change (customerId, fromStage, toStage, kind, changedById, changedAt)
       SELECT c.id, 'quote', 'signed', 'stage', c.ownerId, DATE_SUB(?, INTERVAL (c.id % 20 + 1) DAY) FROM customer c WHERE c.id % 10 = 0`,
      [now],
    );
    for (const days of [60, 5]) {
      await q(
        `INSERT INTO customer_stage_change (customerId, fromStage, toStage, kind, changedById, changedAt)
         SELECT c.id, 'proposal', 'quote', 'stage', c.ownerId, DATE_SUB(?, INTERVAL ${days} DAY) FROM customer c WHERE c.id % 20 = 0`,
        [now],
      );
    }
    // ── visits: rep n's visit i (0…999) to their customer i % perRep, i × 365/1000 days ago; one in 10 promises no follow-up ──
    const spacing = Math.floor((365 * DAY_S) / VISITS_PER_REP);
    const totalVisits = REPS * VISITS_PER_REP;
    for (let from = 1; from <= totalVisits; from += 100_000) {
      const to = Math.min(totalVisits, from + 99_999);
      await q(
        `INSERT INTO visit (customerId, memberId, objective, painPoint, dialogueSummary, bottleneck, valuePoint, agreedAction, nextFollowUpAt, nextFollowUpForm, alert, submittedAt, savedAt, createdAt)
         SELECT c.id, r.memberId, ${elt(OBJECTIVES, 'x.i + x.n')}, ${elt(PAINS, 'x.i * 7 + x.n')}, '双方沟通了下一步安排', '其他', '快速响应', '发送方案',
                IF(x.i % 10 = 0, NULL, DATE_ADD(x.at, INTERVAL 2 DAY)), '电话', 0, x.at, x.at, x.at
         FROM (SELECT seq, (seq - 1) % ${REPS} + 1 AS n, (seq - 1) DIV ${REPS} AS i,
                      DATE_SUB(?, INTERVAL ((seq - 1) DIV ${REPS}) * ${spacing} + ((seq - 1) % ${REPS}) * 7 % 28800 + 600 SECOND) AS at
               FROM seq_${from}_to_${to}) x
         JOIN bench_rep r ON r.n = x.n JOIN bench_customer c ON c.n = x.n + ${REPS} * (x.i % ${perRep})`,
        [now],
      );
      if ((to / 100_000) % 5 === 0) log(`visits ${to}`);
    }
    log('visits built');
    // Statements over 100 000 rows at most.
    const [{ lo, hi }] = (await q('SELECT MIN(id) AS lo, MAX(id) AS hi FROM visit')) as Array<{ lo: number; hi: number }>;
    const byVisitIds = async (text: string, params: unknown[] = []) => {
      for (let from = Number(lo); from <= Number(hi); from += 100_000) await q(`${text} AND v.id >= ${from} AND v.id < ${from + 100_000}`, params);
    };
    // ── sign-ins: one per visit, at the customer ──
    await byVisitIds(
      `INSERT INTO signin (customerId, memberId, lat, lng, coordSystem, accuracy, distance, tooFar, inaccurate, localDay, visitId, createdAt)
       SELECT v.customerId, v.memberId, 30.25, 120.15, 'gcj02', 20, 35, 0, 0, DATE_FORMAT(DATE_ADD(v.submittedAt, INTERVAL 8 HOUR), '%Y-%m-%d'), v.id, DATE_SUB(v.submittedAt, INTERVAL 1 HOUR) FROM visit v WHERE 1 = 1`,
    );
    log('sign-ins built');
    // ── to-dos: each visit of the last six months has its next-action to-do; 6 in 7 confirmed ──
    await byVisitIds(
      `INSERT INTO task (kind, subjectType, subjectId, customerId, requesterId, assigneeId, snapshot, dueAt, escalationTarget, completedAt, outcome, createdAt)
       SELECT 'visit_next_action', 'visit', v.id, v.customerId, v.memberId, r.id, '{}', DATE_ADD(v.submittedAt, INTERVAL 1 DAY), 'manager',
              IF(v.id % 7 = 0, NULL, DATE_ADD(v.submittedAt, INTERVAL (v.id % 60) HOUR)), IF(v.id % 7 = 0, NULL, 'done'), v.submittedAt
       FROM visit v JOIN member m ON m.id = v.memberId JOIN member r ON r.teamId = m.teamId AND r.role = 'supervisor'
       WHERE v.submittedAt > DATE_SUB(?, INTERVAL 183 DAY)`,
      [now],
    );
    log('to-dos built');
    // ── check-ins: morning and evening of each working day of the year (local days), 1 in 10 missing ──
    for (let first = 1; first <= CHECKIN_DAYS; first += 30) await q(
      `INSERT INTO checkin (memberId, teamId, day, kind, slot, status, answers, checkedInAt, windowClosesAt, createdAt)
       SELECT r.memberId, r.teamId, d.day, k.kind, k.kind, IF((d.seq + r.n) % 10 = 0, 'missing', 'on_time'),
              IF(k.kind = 'morning', CONCAT('{"coreNeed":"', ${elt(PAINS, 'd.seq + r.n')}, '"}'), NULL), d.at, d.at, d.at
       FROM (SELECT seq, DATE_FORMAT(DATE_SUB(?, INTERVAL seq DAY), '%Y-%m-%d') AS day, DATE_SUB(?, INTERVAL seq DAY) AS at FROM seq_${first}_to_${Math.min(CHECKIN_DAYS, first + 29)}) d
       CROSS JOIN bench_rep r CROSS JOIN (SELECT 'morning' AS kind UNION ALL SELECT 'evening') k
       WHERE DAYOFWEEK(d.day) NOT IN (1, 7)`,
      [new Date(now.getTime() + 8 * 3600_000), now],
    );
    log('check-ins built');
    await q('ANALYZE TABLE customer, visit, checkin, signin, task, customer_stage_change, member, team');
    }
    const generateSeconds = (performance.now() - t0) / 1000;

    // ── the rollups, built once the way the recurring job builds them ──
    let rollupSeconds: number | null = null;
    let steadySeconds: number | null = null;
    const dashboards = h.services.dashboards as unknown as { refreshRollups?: (sql: unknown, now: Date) => Promise<{ complete: boolean }> };
    if (typeof dashboards.refreshRollups === 'function') {
      const t1 = performance.now();
      // run by run, as the recurring job would (each run within a third of the job's lease)
      while (!(await withSqlTransaction(h.db, (sql) => dashboards.refreshRollups!(sql, new Date()))).complete) log('rollup build: one run done');
      rollupSeconds = (performance.now() - t1) / 1000;
      log(`rollups built in ${rollupSeconds.toFixed(0)} s`);
      // a steady-state run (what the job does every 10 minutes when the cut has not moved)
      const t2 = performance.now();
      await withSqlTransaction(h.db, (sql) => dashboards.refreshRollups!(sql, new Date()));
      steadySeconds = (performance.now() - t2) / 1000;
      log(`a steady-state rollup run: ${steadySeconds.toFixed(2)} s`);
    }

    const count = async (table: string) => Number((await q(`SELECT COUNT(*) AS n FROM ${table}`))[0]!.n);
    const [customers, visits, checkins, signins, tasks] = [await count('customer'), await count('visit'), await count('checkin'), await count('signin'), await count('task')];
    const schema = String((await q('SELECT DATABASE() AS db'))[0]!.db);
    const sizes = await q(
      `SELECT TABLE_NAME AS t, TABLE_ROWS AS n, DATA_LENGTH AS d, INDEX_LENGTH AS i FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY DATA_LENGTH + INDEX_LENGTH DESC`,
      [schema],
    );
    const mb = (b: unknown) => Number(b) / 2 ** 20;
    const tables = sizes.filter((s) => !String(s.t).startsWith('bench_')).map((s) => ({ table: String(s.t), rows: Number(s.n), mb: mb(Number(s.d) + Number(s.i)) }));
    const dataMb = sizes.reduce((n, s) => n + mb(s.d), 0);
    const indexMb = sizes.reduce((n, s) => n + mb(s.i), 0);

    // ── timing over HTTP ──
    const supervisorRow = (await q(`SELECT m.id FROM member m JOIN team t ON t.id = m.teamId WHERE m.role = 'supervisor' AND t.regionId = ? ORDER BY m.id LIMIT 1`, [regionIds[0]]))[0]!;
    const supervisor = (await h.services.org.findActiveMember(Number(supervisorRow.id)))!;
    const sample = (await q(`SELECT r.memberId AS rep, r.teamId AS team FROM bench_rep r JOIN member s ON s.teamId = r.teamId WHERE s.id = ? ORDER BY r.memberId LIMIT 1`, [supervisor.id]))[0]!;
    const tokens = {
      director: (await h.services.auth.issueSession(directors[0]!, 'wechat')).token,
      supervisor: (await h.services.auth.issueSession(supervisor, 'wechat')).token,
    };
    const local = new Date(now.getTime() + 8 * 3600_000).toISOString();
    const month = local.slice(0, 7);
    const today = local.slice(0, 10);
    const prevMonthEnd = new Date(Date.parse(`${month}-01T00:00:00Z`) - DAY_S * 1000).toISOString().slice(0, 10);
    const prevMonth = prevMonthEnd.slice(0, 7);
    // what a drill-down needs besides the filters (first cell of each table)
    const extra: Record<string, string> = {
      '/dashboards/penetration/records': `action=${encodeURIComponent(h.policy.dashboards.penetration.keyActions[0]!.id)}&month=${month}`,
      '/dashboards/checkins/records': `day=${today}&repId=${sample.rep}`,
      '/dashboards/word-cloud/records': `term=${encodeURIComponent('库存')}`,
      '/dashboards/counters/customers': 'counter=second_quote',
      '/dashboards/pipeline/customers': 'overdue=true',
      '/dashboards/visits': `repId=${sample.rep}`,
      // last month against this month so far
      '/dashboards/board': `beforeFrom=${prevMonth}-01&beforeTo=${prevMonthEnd}&afterFrom=${month}-01&afterTo=${today}`,
      '/dashboards/board/records': `metric=${BOARD_METRICS[0]}`,
    };
    // BENCH_DASH_PATHS=/dashboards/penetration,/dashboards/counters: just those (comma-separated)
    const only = process.env.BENCH_DASH_PATHS?.split(',').map((p) => p.trim());
    const paths = [...new Set(h.routes.filter((r) => r.method === 'get' && r.path.startsWith('/dashboards')).map((r) => r.path))].filter((p) => !p.includes(':') && (!only || only.includes(p)));
    // the server as `npm start` runs it, on this database (the harness's own server stays idle)
    server = await spawnServer({ DATABASE_URL: h.dbUrl, ANCHOR_DEMO: '0', LOG_LEVEL: 'silent', DATABASE_POOL_SIZE: '16', ANCHOR_BACKGROUND: 'off' });
    const clients = Array.from({ length: CONCURRENCY }, () => new KeepAliveClient(new URL(server!.url)));
    const figures: EndpointFigure[] = [];
    for (const path of paths) {
      for (const role of ['director', 'supervisor'] as const) {
        const query = extra[path] ? `?${extra[path]}` : '';
        const url = `/api/v1${path}${query}`;
        const headers = { Authorization: `Bearer ${tokens[role]}` };
        const statuses = new Map<number, number>();
        const latencies: number[] = [];
        // distinct: client i asks from i days earlier, so no two requests in flight are the same question
        const distinctUrl = (i: number) => `${url}${query ? '&' : '?'}from=${new Date(now.getTime() + 8 * 3600_000 - (40 + i) * DAY_S * 1000).toISOString().slice(0, 10)}`;
        const round = async (total: number, record: boolean, into = latencies, distinct = false) => {
          let next = 0;
          await Promise.all(clients.map(async (client, i) => {
            while (next < total) {
              next++;
              const s = performance.now();
              const status = await client.request('GET', distinct ? distinctUrl(i) : url, headers);
              if (record) {
                into.push(performance.now() - s);
                statuses.set(status, (statuses.get(status) ?? 0) + 1);
              }
            }
          }));
        };
        await round(CONCURRENCY, false); // warm-up: one request per client
        // one at a time first: what a request costs alone, before 16 queue for two cores
        const alone: number[] = [];
        for (let i = 0; i < 5; i++) {
          const s = performance.now();
          await clients[0]!.request('GET', url, headers);
          alone.push(performance.now() - s);
        }
        alone.sort((a, b) => a - b);
        await round(REQUESTS, true);
        latencies.sort((a, b) => a - b);
        const distinct: number[] = [];
        if (!path.startsWith('/dashboards/board')) await round(REQUESTS, true, distinct, true);
        distinct.sort((a, b) => a - b);
        const figure = { path, role, alone: percentile(alone, 50), p50: percentile(latencies, 50), p95: percentile(latencies, 95), distinctP95: distinct.length ? percentile(distinct, 95) : Number.NaN, status: [...statuses].map(([s, n]) => `${s}×${n}`).join(' ') };
        figures.push(figure);
        log(`${path} ${role}: alone ${figure.alone.toFixed(0)} ms, p50 ${figure.p50.toFixed(0)} ms, p95 ${figure.p95.toFixed(0)} ms, 16 different periods p95 ${figure.distinctP95.toFixed(0)} ms (${figure.status})`);
      }
    }
    for (const c of clients) c.close();
    return { reps: REPS, customers, visits, checkins, signins, tasks, generateSeconds, rollupSeconds, steadySeconds, dataMb, indexMb, tables, figures, loadBefore, loadAfter: loadavg(), reused: !!reuse };
  } finally {
    if (server) await server.stop();
    await h.close();
  }
}
