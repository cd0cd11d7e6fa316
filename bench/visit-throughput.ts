// Visit submission over HTTP (auth, validation, the whole transaction) against raw mysql2 doing the
// same writes in one transaction: same MariaDB, same concurrency, one run.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createPool } from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import { loadPolicy } from '../server/src/config/policy';
import { systemClock } from '../server/src/clock';
import { AuthService } from '../server/src/modules/org/auth.service';
import { OrgService } from '../server/src/modules/org/org.service';
import { createLogger } from '../server/src/logger';
import { createTestDatabase } from '../tests/support/database';
import { spawnServer } from '../tests/support/spawn-server';
import { percentile } from './stats';

export interface Run {
  label: string;
  count: number;
  seconds: number;
  throughput: number;
  p50: number;
  p99: number;
}

const CONCURRENCY = 64;
const REPS = 64;
const CUSTOMERS_PER_REP = 20;

function summarize(label: string, latencies: number[], ms: number): Run {
  latencies.sort((a, b) => a - b);
  return { label, count: latencies.length, seconds: ms / 1000, throughput: (latencies.length / ms) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** Runs `total` operations 64 at a time after an unmeasured warm-up (JIT, pool connections). */
async function drive(total: number, work: (i: number) => Promise<void>, warmup = 400): Promise<{ latencies: number[]; ms: number }> {
  let offset = total;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (offset < total + warmup) await work(offset++);
  }));
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const i = next++;
        const s = performance.now();
        await work(i);
        latencies.push(performance.now() - s);
      }
    }),
  );
  return { latencies, ms: performance.now() - t0 };
}

// node:http with keep-alive: the load generator shares the two cores with the server and MariaDB,
// so it should cost as little as it can.
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function post(url: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
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
    reps.push({ id: rep.id, token: (await auth.issueSession(rep, 'dev')).token, customers: ids.map((x) => x.id) });
  }
  return { supervisorId: supervisor.id, teamId: team.id, reps };
}

export async function visitThroughput(total = 6000): Promise<{ http: Run; raw: Run }> {
  const { db, url, drop } = await createTestDatabase(16);
  try {
    const { supervisorId, teamId, reps } = await seed(db);
    const next = followUp();
    const visitBody = (customerId: number) => ({
      customerId, objective: '推进方案', painPoint: '科室反映安装调试周期太长, 影响排期', dialogueSummary: '主任'.repeat(140), bottleneck: '集采降价压力',
      valuePoint: '48 小时完成安装调试', agreedAction: '安排演示', nextFollowUpDate: next.date, nextFollowUpTime: next.time, nextFollowUpForm: '上门', alert: false,
    });

    // Raw: the same rows in one transaction, customer row first (lock order), pool of 16.
    const u = new URL(url);
    const pool = createPool({ host: u.hostname, port: Number(u.port), user: u.username, database: u.pathname.slice(1), connectionLimit: 16, charset: 'utf8mb4', timezone: 'Z' });
    const raw = await drive(total, async (i) => {
      const rep = reps[i % REPS]!;
      const customerId = rep.customers[Math.floor(i / REPS) % CUSTOMERS_PER_REP]!;
      const body = visitBody(customerId);
      const now = new Date();
      const conn = await pool.getConnection();
      try {
        await conn.beginTransaction();
        await conn.query('INSERT INTO idempotency_key (memberId, `key`, route, requestHash, responseStatus, createdAt) VALUES (?,?,?,?,0,?)', [rep.id, randomUUID(), 'POST /visits', 'x'.repeat(64), now]);
        await conn.query('UPDATE customer SET lastFollowUpAt = ?, updatedAt = ? WHERE id = ?', [now, now, customerId]);
        const [visit] = (await conn.query(
          'INSERT INTO visit (customerId, memberId, objective, painPoint, dialogueSummary, bottleneck, valuePoint, agreedAction, nextFollowUpAt, nextFollowUpForm, alert, submittedAt, createdAt) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)',
          [customerId, rep.id, body.objective, body.painPoint, body.dialogueSummary, body.bottleneck, body.valuePoint, body.agreedAction, next.at, body.nextFollowUpForm, 0, now, now],
        )) as unknown as [{ insertId: number }];
        const [todo] = (await conn.query('INSERT INTO todo (kind, customerId, visitId, assigneeId, repId, snapshot, dueAt, createdAt) VALUES (?,?,?,?,?,?,?,?)', [
          'visit_next_action', customerId, visit.insertId, supervisorId, rep.id, JSON.stringify({ visit: body }), new Date(now.getTime() + 48 * 3_600_000), now,
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
    });
    await pool.end();

    // HTTP: the real server in its own process on the same database.
    // BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the server side.
    // An API-only instance: the request path is what is measured; timers and delivery run elsewhere.
    const server = await spawnServer({ DATABASE_URL: url, ANCHOR_DEMO: '0', LOG_LEVEL: 'silent', DATABASE_POOL_SIZE: process.env.BENCH_SERVER_POOL ?? '16', ANCHOR_BACKGROUND: 'off' }, (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean));
    let failures = 0;
    try {
      const http = await drive(total, async (i) => {
        const rep = reps[i % REPS]!;
        const customerId = rep.customers[Math.floor(i / REPS) % CUSTOMERS_PER_REP]!;
        const status = await post(`${server.url}/api/v1/visits`, rep.token, JSON.stringify(visitBody(customerId)));
        if (status !== 201) failures++;
      });
      if (failures) throw new Error(`${failures} visit submissions failed`);
      return { http: summarize('HTTP POST /api/v1/visits', http.latencies, http.ms), raw: summarize('raw mysql2, same writes', raw.latencies, raw.ms) };
    } finally {
      await server.stop();
    }
  } finally {
    await drop();
  }
}
