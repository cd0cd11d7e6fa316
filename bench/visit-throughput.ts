// Visit submission over HTTP (auth, validation, the whole transaction) against raw mysql2 doing the
// same writes in one transaction: same MariaDB, same concurrency, one run.
//
// This machine's speed drifts within a run (a shared host), so the two sides alternate in rounds and
// each side's figures pool all its rounds; every round's ratio is reported too. Each side is warmed
// up first until the JIT has settled (a server runs for days; a short run measures its compiler).
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createPool, type Pool } from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import { loadPolicy } from '../server/src/config/policy';
import { systemClock } from '../server/src/clock';
import { AuthService } from '../server/src/modules/org/auth.service';
import { OrgService } from '../server/src/modules/org/org.service';
import { createLogger } from '../server/src/logger';
import { createTestDatabase } from '../tests/support/database';
import { spawnServer } from '../tests/support/spawn-server';
import { KeepAliveClient } from './http-load';
import { percentile } from './stats';

export interface Run {
  label: string;
  count: number;
  seconds: number;
  throughput: number;
  p50: number;
  p99: number;
  /** CPU milliseconds per transaction by process, when /proc is there to read */
  cpu: CpuPerTx | null;
}

export interface CpuPerTx {
  /** the MariaDB server processes on this machine */
  database: number;
  /** the API server (HTTP side only) */
  server: number;
  /** this process: the raw side's mysql2 client, or the HTTP side's load generator */
  client: number;
}

export interface VisitThroughput {
  raw: Run;
  http: Run;
  /** HTTP / raw throughput of each round */
  roundRatios: number[];
  /** the same HTTP side served by another checkout (BENCH_BASELINE), in the same rounds */
  baseline?: { http: Run; roundRatios: number[] };
}

const CONCURRENCY = 64;
const REPS = 64;
const CUSTOMERS_PER_REP = 20;
const WARMUP = 2000;

/** Runs `total` operations, CONCURRENCY at a time; worker w always uses its own connection w. */
async function drive(total: number, work: (i: number, worker: number) => Promise<void>, offset: number): Promise<{ latencies: number[]; ms: number }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      while (next < total) {
        const i = offset + next++;
        const s = performance.now();
        await work(i, worker);
        latencies.push(performance.now() - s);
      }
    }),
  );
  return { latencies, ms: performance.now() - t0 };
}

/** utime + stime of one process in ms, or null off Linux */
function processCpuMs(pid: number | string): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** all MariaDB/MySQL server processes on this machine, or null off Linux */
function databaseCpuMs(): number | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  let total = 0;
  for (const pid of pids) {
    try {
      if (/^(mariadbd|mysqld)$/.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim())) total += processCpuMs(pid) ?? 0;
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

interface CpuReading {
  database: number | null;
  server: number | null;
  client: number;
}
function readCpu(serverPid?: number): CpuReading {
  const self = process.cpuUsage();
  return { database: databaseCpuMs(), server: serverPid ? processCpuMs(serverPid) : 0, client: (self.user + self.system) / 1000 };
}

/** Accumulates one side's rounds: latencies, time and CPU. */
class Side {
  private readonly latencies: number[] = [];
  private ms = 0;
  private cpu: CpuPerTx | null = { database: 0, server: 0, client: 0 }; // totals until summary()
  readonly rounds: number[] = [];

  constructor(readonly label: string) {}

  async round(total: number, offset: number, work: (i: number, worker: number) => Promise<void>, serverPid?: number): Promise<void> {
    const before = readCpu(serverPid);
    const { latencies, ms } = await drive(total, work, offset);
    const after = readCpu(serverPid);
    for (const l of latencies) this.latencies.push(l);
    this.ms += ms;
    this.rounds.push((total / ms) * 1000);
    if (this.cpu && before.database !== null && after.database !== null && before.server !== null && after.server !== null) {
      this.cpu.database += after.database - before.database;
      this.cpu.server += after.server - before.server;
      this.cpu.client += after.client - before.client;
    } else this.cpu = null;
  }

  summary(): Run {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const n = sorted.length;
    const cpu = this.cpu && { database: this.cpu.database / n, server: this.cpu.server / n, client: this.cpu.client / n };
    return { label: this.label, count: n, seconds: this.ms / 1000, throughput: (n / this.ms) * 1000, p50: percentile(sorted, 50), p99: percentile(sorted, 99), cpu };
  }
}

function followUp(): { date: string; time: string; at: Date } {
  const at = new Date(Date.now() + 3 * 86_400_000);
  const local = new Date(at.getTime() + 8 * 3_600_000);
  return { date: local.toISOString().slice(0, 10), time: '15:00', at };
}

async function seed(db: DataSource) {
  const policy = loadPolicy();
  const org = new OrgService(db, policy, systemClock);
  const auth = new AuthService(db, policy, systemClock, org, { wechat: null, wecom: null }, createLogger('silent'));
  const region = await org.createRegion('压测大区');
  const team = await org.createTeam('压测组', region.id);
  const supervisor = await org.createMember({ name: '压测主管', phone: '13600000000', role: 'supervisor', teamId: team.id, regionId: region.id });
  const reps: { id: number; token: string; customers: number[] }[] = [];
  for (let r = 0; r < REPS; r++) {
    const rep = await org.createMember({ name: `压测代表${r}`, phone: `136${String(r + 1).padStart(8, '0')}`, role: 'rep', teamId: team.id, regionId: region.id, managerId: supervisor.id });
    const rows = Array.from({ length: CUSTOMERS_PER_REP }, (_, c) => [`压测医院${r}-${c}`, `yc${r}-${c}`, '公立医院', 'proposal', new Date(), rep.id, rep.id, new Date(), new Date()]);
    await db.query(
      `INSERT INTO customer (name, nameKey, industry, stage, stageChangedAt, ownerId, createdById, createdAt, updatedAt) VALUES ${rows.map(() => '(?,?,?,?,?,?,?,?,?)').join(',')}`,
      rows.flat(),
    );
    const ids: { id: number }[] = await db.query('SELECT id FROM customer WHERE ownerId = ? ORDER BY id', [rep.id]);
    reps.push({ id: rep.id, token: (await auth.issueSession(rep, 'wechat')).token, customers: ids.map((x) => x.id) });
  }
  return { supervisorId: supervisor.id, teamId: team.id, reps };
}

/**
 * `rounds` rounds of `perRound` visits on each side, alternating raw and HTTP, after WARMUP visits
 * on each side. BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the server.
 */
export async function visitThroughput(perRound = 4000, rounds = 3, baselineCheckout = process.env.BENCH_BASELINE): Promise<VisitThroughput> {
  const { db, url, drop } = await createTestDatabase(16);
  let server: Awaited<ReturnType<typeof spawnServer>> | null = null;
  let baselineServer: Awaited<ReturnType<typeof spawnServer>> | null = null;
  let pool: Pool | null = null;
  const clients: KeepAliveClient[] = [];
  const baselineClients: KeepAliveClient[] = [];
  try {
    const { supervisorId, teamId, reps } = await seed(db);
    const next = followUp();
    const visitBody = (customerId: number) => ({
      customerId, objective: '推进方案', painPoint: '科室反映安装调试周期太长, 影响排期', dialogueSummary: '主任'.repeat(140), bottleneck: '集采降价压力',
      valuePoint: '48 小时完成安装调试', agreedAction: '安排演示', nextFollowUpDate: next.date, nextFollowUpTime: next.time, nextFollowUpForm: '上门', alert: false,
    });

    // Raw: the same rows in one transaction, pool of 16.
    const u = new URL(url);
    const rawPool = createPool({ host: u.hostname, port: Number(u.port), user: u.username, database: u.pathname.slice(1), connectionLimit: 16, charset: 'utf8mb4', timezone: 'Z' });
    pool = rawPool;
    const rawVisit = async (i: number) => {
      const rep = reps[i % REPS]!;
      const customerId = rep.customers[Math.floor(i / REPS) % CUSTOMERS_PER_REP]!;
      const body = visitBody(customerId);
      const now = new Date();
      const conn = await rawPool.getConnection();
      try {
        await conn.beginTransaction();
        await conn.query('INSERT INTO idempotency_key (memberId, `key`, route, requestHash, responseStatus, createdAt) VALUES (?,?,?,?,0,?)', [rep.id, randomUUID(), 'POST /visits', 'x'.repeat(64), now]);
        await conn.query('UPDATE customer SET lastFollowUpAt = ?, updatedAt = ? WHERE id = ?', [now, now, customerId]);
        const [visit] = (await conn.query(
          'INSERT INTO visit (customerId, memberId, objective, painPoint, dialogueSummary, bottleneck, valuePoint, agreedAction, nextFollowUpAt, nextFollowUpForm, alert, submittedAt, createdAt) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)',
          [customerId, rep.id, body.objective, body.painPoint, body.dialogueSummary, body.bottleneck, body.valuePoint, body.agreedAction, next.at, body.nextFollowUpForm, 0, now, now],
        )) as unknown as [{ insertId: number }];
        // the supervisor's to-do is a task of kind visit_next_action (modules/tasks), as the server writes it
        const [todo] = (await conn.query('INSERT INTO task (kind, subjectType, subjectId, customerId, requesterId, assigneeId, snapshot, dueAt, escalationTarget, createdAt) VALUES (?,?,?,?,?,?,?,?,?,?)', [
          'visit_next_action', 'visit', visit.insertId, customerId, rep.id, supervisorId, JSON.stringify({ visit: body }), new Date(now.getTime() + 48 * 3_600_000), 'manager', now,
        ])) as unknown as [{ insertId: number }];
        await conn.query('INSERT INTO job (kind, dueAt, payload, subject, status, attempts, createdAt) VALUES (?,?,?,?,?,0,?), (?,?,?,?,?,0,?)', [
          'todo.escalate', new Date(now.getTime() + 48 * 3_600_000), JSON.stringify({ todoId: todo.insertId }), `todo:${todo.insertId}`, 'pending', now,
          'visit.reminder', next.at, JSON.stringify({ visitId: visit.insertId }), `visit:${visit.insertId}`, 'pending', now,
        ]);
        await conn.query('INSERT INTO outbox_message (kind, teamId, payload, attempts, nextAttemptAt, createdAt) VALUES (?,?,?,0,?,?), (?,?,?,0,?,?)', [
          'todo.card', teamId, JSON.stringify({ todoId: todo.insertId }), now, now, 'todo.group_notice', teamId, JSON.stringify({ todoId: todo.insertId }), now, now,
        ]);
        await conn.commit();
      } catch (error) {
        await conn.rollback();
        throw error;
      } finally {
        conn.release();
      }
    };

    // HTTP: the real server in its own process on the same database, an API-only instance (timers
    // and delivery run elsewhere), one keep-alive connection per simulated phone.
    const serverEnv = { DATABASE_URL: url, ANCHOR_DEMO: '0', LOG_LEVEL: 'silent', DATABASE_POOL_SIZE: process.env.BENCH_SERVER_POOL ?? '16', ANCHOR_BACKGROUND: 'off' };
    const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    server = await spawnServer(serverEnv, nodeArgs);
    for (let c = 0; c < CONCURRENCY; c++) clients.push(new KeepAliveClient(new URL(server.url)));
    // BENCH_BASELINE=/path/to/another/checkout: its server on the same database, measured in the same rounds
    if (baselineCheckout) {
      baselineServer = await spawnServer(serverEnv, nodeArgs, baselineCheckout);
      for (let c = 0; c < CONCURRENCY; c++) baselineClients.push(new KeepAliveClient(new URL(baselineServer.url)));
    }
    let failures = 0;
    const visitOver = (over: KeepAliveClient[]) => async (i: number, worker: number) => {
      const rep = reps[i % REPS]!;
      const customerId = rep.customers[Math.floor(i / REPS) % CUSTOMERS_PER_REP]!;
      const status = await over[worker]!.request('POST', '/api/v1/visits', { 'Content-Type': 'application/json', Authorization: `Bearer ${rep.token}`, 'Idempotency-Key': randomUUID() }, JSON.stringify(visitBody(customerId)));
      if (status !== 201) failures++;
    };
    const httpVisit = visitOver(clients);
    const baselineVisit = visitOver(baselineClients);

    const raw = new Side('raw mysql2, same writes');
    const http = new Side('HTTP POST /api/v1/visits');
    const baseline = new Side('HTTP POST /api/v1/visits, baseline checkout');
    let offset = 0;
    await drive(WARMUP, rawVisit, (offset += WARMUP));
    await drive(WARMUP, httpVisit, (offset += WARMUP));
    if (baselineServer) await drive(WARMUP, baselineVisit, (offset += WARMUP));
    for (let r = 0; r < rounds; r++) {
      await raw.round(perRound, (offset += perRound), rawVisit);
      // which HTTP side goes first alternates, so neither always follows the raw side
      const sides: [Side, typeof httpVisit, number | undefined][] = [[http, httpVisit, server.child.pid]];
      if (baselineServer) sides[r % 2 ? 'unshift' : 'push']([baseline, baselineVisit, baselineServer.child.pid]);
      for (const [side, visit, pid] of sides) await side.round(perRound, (offset += perRound), visit, pid);
    }
    if (failures) throw new Error(`${failures} visit submissions failed`);
    const ratios = (side: Side) => side.rounds.map((t, r) => t / raw.rounds[r]!);
    return {
      raw: raw.summary(), http: http.summary(), roundRatios: ratios(http),
      ...(baselineServer ? { baseline: { http: baseline.summary(), roundRatios: ratios(baseline) } } : {}),
    };
  } finally {
    for (const c of clients) c.close();
    for (const c of baselineClients) c.close();
    await baselineServer?.stop();
    await pool?.end();
    await server?.stop();
    await drop();
  }
}
