// 100 000 to-dos falling due at once, two real server processes on one MariaDB: how long until every
// one is escalated, and whether any was escalated twice. The rows are written straight to the tables
// (as tests/server/jobs.test.ts does for 1 000) before either server starts, so all are due together.
import { createConnection, type Connection } from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import { loadPolicy } from '../server/src/config/policy';
import { systemClock } from '../server/src/clock';
import { OrgService } from '../server/src/modules/org/org.service';
import type { TodoSnapshot } from '../server/src/modules/tasks/todo.view';
import { createTestDatabase } from '../tests/support/database';
import { spawnServer, type SpawnedServer } from '../tests/support/spawn-server';

export interface EscalationRun {
  total: number;
  /** From the first server listening until every to-do is escalated (or until giving up). */
  seconds: number;
  /** Escalation messages beyond one per visit: must be 0. */
  duplicates: number;
  /** Escalation messages written: must equal `total`. */
  messages: number;
  finished: boolean;
  /** To-dos escalated when the run ended (equals `total` when finished). */
  escalated: number;
  /** Not part of the figure: seeding, process start-up, the second server's lag. */
  seedSeconds: number;
  startupSeconds: number;
  secondServerLagSeconds: number;
  /** Handler transactions (distinct escalatedAt per batch) and jobs claimed more than once (lease ran out). */
  batches: number;
  reclaimedJobs: number;
  /** Outbox messages the dispatchers (in the same two processes) had expanded when the last to-do was escalated. */
  outboxExpandedAtFinish: number;
  /** From SIGTERM until both servers are gone. */
  stopSeconds: number;
  /** Servers that did not exit within 15 s of SIGTERM (shutdown waits for the outbox pass) and were killed. */
  serversKilled: number;
  /** Mean time of one progress poll (a scan of the todo table), to judge what the poll itself costs. */
  pollMs: number;
}

const ROWS_PER_STATEMENT = 2000;
const POLL_MS = 250;
const GIVE_UP_MS = 300_000;
const STOP_GRACE_MS = 15_000;

export function escalationTotal(): number {
  const n = Number(process.env.BENCH_ESCALATIONS);
  return Number.isInteger(n) && n > 0 ? n : 100_000;
}

async function count(conn: Connection, query: string): Promise<number> {
  const [rows] = (await conn.query(query)) as unknown as [Record<string, unknown>[]];
  return Number(Object.values(rows[0]!)[0]);
}

/** The region, team, director, supervisor, rep and customer every to-do hangs off. */
async function seedOrg(db: DataSource, conn: Connection) {
  const org = new OrgService(db, loadPolicy(), systemClock);
  const region = await org.createRegion('升级压测大区');
  const team = await org.createTeam('升级压测组', region.id);
  const director = await org.createMember({ name: '升级压测总监', phone: '13500000001', role: 'director', regionId: region.id });
  const supervisor = await org.createMember({ name: '升级压测主管', phone: '13500000002', role: 'supervisor', teamId: team.id, regionId: region.id, managerId: director.id });
  const rep = await org.createMember({ name: '升级压测代表', phone: '13500000003', role: 'rep', teamId: team.id, regionId: region.id, managerId: supervisor.id });
  const now = new Date();
  const [{ insertId: customerId }] = (await conn.query(
    'INSERT INTO customer (name, nameKey, industry, stage, stageChangedAt, ownerId, createdById, createdAt, updatedAt) VALUES (?,?,?,?,?,?,?,?,?)',
    ['升级压测医院', 'sjycyy', '公立医院', 'proposal', now, rep.id, rep.id, now, now],
  )) as unknown as [{ insertId: number }];
  return { supervisorId: supervisor.id, repId: rep.id, repName: rep.name, customerId };
}

/** `total` submitted visits, their open to-dos and their escalation jobs, all due at `dueAt`. */
async function seedTodos(conn: Connection, total: number, org: Awaited<ReturnType<typeof seedOrg>>, dueAt: Date): Promise<void> {
  const createdAt = new Date(dueAt.getTime() - 48 * 3_600_000);
  // Shaped as VisitService writes it, so the outbox dispatcher can plan the escalation message.
  const snapshot = (visitId: number) =>
    JSON.stringify({
      customer: { id: org.customerId, name: '升级压测医院', stage: 'proposal', stageLabel: '方案', grade: null, industry: '公立医院', hospitalLevel: null, lastFollowUpAt: null },
      rep: { id: org.repId, name: org.repName },
      visit: { id: visitId, objective: '推进方案', painPoint: '安装调试周期长', bottleneck: '集采降价压力', valuePoint: '48 小时完成安装调试', submittedAt: createdAt.toISOString() },
      actionItems: { agreedAction: '安排演示', note: null, nextFollowUpAt: dueAt.toISOString(), nextFollowUpForm: '上门' },
    } satisfies TodoSnapshot);

  for (let done = 0; done < total; done += ROWS_PER_STATEMENT) {
    const n = Math.min(ROWS_PER_STATEMENT, total - done);
    await conn.query(
      `INSERT INTO visit (customerId, memberId, objective, agreedAction, nextFollowUpForm, submittedAt, createdAt) VALUES ${Array.from({ length: n }, () => '(?,?,?,?,?,?,?)').join(',')}`,
      Array.from({ length: n }, () => [org.customerId, org.repId, '推进方案', '安排演示', '上门', createdAt, createdAt]).flat(),
    );
  }
  const [visits] = (await conn.query('SELECT id FROM visit ORDER BY id')) as unknown as [{ id: number }[]];
  if (visits.length !== total) throw new Error(`seeded ${visits.length} visits, expected ${total}`);

  for (let i = 0; i < total; i += ROWS_PER_STATEMENT) {
    const chunk = visits.slice(i, i + ROWS_PER_STATEMENT).map((v) => Number(v.id));
    await conn.query(
      `INSERT INTO task (kind, subjectType, customerId, subjectId, assigneeId, requesterId, snapshot, dueAt, createdAt) VALUES ${chunk.map(() => "('visit_next_action','visit',?,?,?,?,?,?,?)").join(',')}`,
      chunk.flatMap((id) => [org.customerId, id, org.supervisorId, org.repId, snapshot(id), dueAt, createdAt]),
    );
    await conn.query(
      `INSERT INTO job (kind, dueAt, payload, subject, status, attempts, createdAt) VALUES ${chunk.map(() => "('todo.escalate',?,?,?,'pending',0,?)").join(',')}`,
      chunk.flatMap((id) => [dueAt, JSON.stringify({ visitId: id }), `visit:${id}`, createdAt]),
    );
  }
}

/**
 * SIGTERM, and SIGKILL after a grace period: a server's shutdown waits for its outbox pass, which may
 * still be expanding the escalation messages. Resolves to whether it had to be killed.
 */
async function stopServer(server: SpawnedServer): Promise<boolean> {
  let killed = false;
  const timer = setTimeout(() => {
    if (server.child.exitCode === null) killed = server.child.kill('SIGKILL');
  }, STOP_GRACE_MS);
  try {
    await server.stop();
  } finally {
    clearTimeout(timer);
  }
  return killed;
}

export async function escalationScale(total = escalationTotal()): Promise<EscalationRun> {
  const { db, url, drop } = await createTestDatabase(16);
  const servers: SpawnedServer[] = [];
  let conn: Connection | null = null;
  try {
    const u = new URL(url);
    conn = await createConnection({
      host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password),
      database: u.pathname.slice(1), charset: 'utf8mb4', timezone: 'Z',
    });

    const seedStart = performance.now();
    const org = await seedOrg(db, conn);
    // Due a moment before the servers start: every job is due at the first claim of either server.
    await seedTodos(conn, total, org, new Date(Date.now() - 1000));
    const seedSeconds = (performance.now() - seedStart) / 1000;
    console.log(`escalation bench: seeded ${total} visits, to-dos and jobs in ${seedSeconds.toFixed(1)} s`);

    // Both processes at once. A server starts its job runner (and outbox dispatcher) just before it
    // listens, so the stopwatch starts when the FIRST server prints that it listens: from then on at
    // least one server is claiming. The second server's lag is reported separately.
    const spawnAt = performance.now();
    const listenedAt: number[] = [];
    let t0 = 0;
    const spawned = await Promise.allSettled(
      [0, 1].map(() =>
        spawnServer({ DATABASE_URL: url, ANCHOR_DEMO: '0', LOG_LEVEL: 'silent' }).then((s) => {
          const at = performance.now();
          if (listenedAt.length === 0) t0 = at;
          listenedAt.push(at);
          servers.push(s);
          return s;
        }),
      ),
    );
    const failed = spawned.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;

    let escalated = 0;
    let polls = 0;
    let pollTime = 0;
    let finished = false;
    for (;;) {
      const p0 = performance.now();
      escalated = await count(conn, 'SELECT COUNT(*) FROM todo WHERE escalatedAt IS NOT NULL');
      pollTime += performance.now() - p0;
      polls++;
      if (escalated >= total) {
        finished = true;
        break;
      }
      if (performance.now() - t0 > GIVE_UP_MS) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const seconds = (performance.now() - t0) / 1000;
    const outboxExpandedAtFinish = await count(conn, "SELECT COUNT(*) FROM outbox_message WHERE kind = 'todo.escalation' AND expandedAt IS NOT NULL");

    const stopAt = performance.now();
    const serversKilled = (await Promise.all(servers.map(stopServer))).filter(Boolean).length;
    const stopSeconds = (performance.now() - stopAt) / 1000;
    servers.length = 0;

    const messages = await count(conn, "SELECT COUNT(*) FROM outbox_message WHERE kind = 'todo.escalation'");
    const duplicates = await count(conn, "SELECT COUNT(*) - COUNT(DISTINCT JSON_EXTRACT(payload, '$.visitId')) FROM outbox_message WHERE kind = 'todo.escalation'");
    // Each handler transaction stamps its to-dos with one `now`: distinct stamps ≈ transactions.
    const batches = await count(conn, 'SELECT COUNT(DISTINCT escalatedAt) FROM todo WHERE escalatedAt IS NOT NULL');
    const reclaimedJobs = await count(conn, "SELECT COUNT(*) FROM job WHERE kind = 'todo.escalate' AND attempts > 1");

    return {
      total, seconds, duplicates, messages, finished, escalated, seedSeconds,
      startupSeconds: (t0 - spawnAt) / 1000,
      secondServerLagSeconds: listenedAt.length === 2 ? (listenedAt[1]! - listenedAt[0]!) / 1000 : NaN,
      batches, reclaimedJobs, outboxExpandedAtFinish, stopSeconds, serversKilled, pollMs: pollTime / polls,
    };
  } finally {
    await Promise.all(servers.map(stopServer));
    await conn?.end();
    await drop();
  }
}
