// 1 000 chat messages for 40 WeCom members queued through the real outbox while WeCom is down for two
// minutes, two real server processes on one MariaDB, the WeCom simulator as a loopback server on real
// time. Measured from the end of the outage until the last message arrived, against the least time the
// platform's limits allow (30 a minute and 1 000 an hour per member); and what each member saw:
// duplicates, losses (never shown, including messages WeCom accepted and dropped over a limit) and
// order inversions.
import { createConnection } from 'mysql2/promise';
import { loadPolicy } from '../server/src/config/policy';
import { systemClock } from '../server/src/clock';
import { OrgService } from '../server/src/modules/org/org.service';
import { createTestDatabase } from '../tests/support/database';
import { spawnServer, type SpawnedServer } from '../tests/support/spawn-server';
import { WecomSimulator } from '../tests/simulators/wecom-sim';

export interface DeliveryRun {
  messages: number;
  members: number;
  outageSeconds: number;
  /** from the end of the outage until the last message was shown to its member */
  drainSeconds: number;
  /** every delivery sent or failed before giving up */
  finished: boolean;
  /** the least the per-member limits allow for the busiest member's share */
  minimumSeconds: number;
  delivered: number;
  duplicates: number;
  losses: number;
  /** WeCom accepted with errcode 0 and dropped (over a member's limit): counted in losses */
  droppedByLimit: number;
  inversions: number;
  /** deliveries marked failed by the servers */
  failed: number;
  /** per-member share: 5 busy members get 120 each, the other 35 get 11 or 12 */
  busiest: number;
}

const MEMBERS = 40;
const OUTAGE_MS = Number(process.env.BENCH_OUTAGE_SECONDS ?? 120) * 1000;
const GIVE_UP_MS = 15 * 60_000;
const PER_MINUTE = 30;
const PER_HOUR = 1000;

/** 1 000 messages: 5 members × 120 and 35 members × 11–12, interleaved round-robin in the queue. */
function shares(): number[] {
  return Array.from({ length: MEMBERS }, (_, i) => (i < 5 ? 120 : i < 20 ? 12 : 11));
}

export async function deliveryRecovery(): Promise<DeliveryRun> {
  const { db, url, drop } = await createTestDatabase();
  const sim = await new WecomSimulator().start();
  const servers: SpawnedServer[] = [];
  const base = new URL(url);
  const conn = await createConnection({
    host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password), database: base.pathname.slice(1),
  });
  try {
    const org = new OrgService(db, loadPolicy(), systemClock);
    const region = await org.createRegion('投递压测大区');
    const team = await org.createTeam('投递压测组', region.id);
    const counts = shares();
    const members: { id: number; userId: string }[] = [];
    for (let i = 0; i < MEMBERS; i++) {
      const m = await org.createMember({ name: `投递压测${i}`, phone: `1370000${String(i).padStart(4, '0')}`, role: 'rep', teamId: team.id, regionId: region.id });
      const userId = `bench.${String(i).padStart(2, '0')}`;
      await conn.query('UPDATE member SET wecomUserId = ? WHERE id = ?', [userId, m.id]);
      members.push({ id: m.id, userId });
    }
    // queue order: round-robin over the members, each member's own messages numbered 1, 2, …
    const order: { member: number; seq: number }[] = [];
    for (let r = 0; r < Math.max(...counts); r++) for (let i = 0; i < MEMBERS; i++) if (r < counts[i]!) order.push({ member: i, seq: r + 1 });
    const now = new Date();
    const customers: number[] = [];
    for (const { member, seq } of order) {
      const name = `投递压测医院 ${members[member]!.userId} #${String(seq).padStart(3, '0')}`;
      const [res] = (await conn.query(
        'INSERT INTO customer (name, nameKey, industry, stage, stageChangedAt, ownerId, createdById, createdAt, updatedAt) VALUES (?,?,?,?,?,?,?,?,?)',
        [name, `tdycyy${member}x${seq}`, '公立医院', 'visit', now, members[member]!.id, members[member]!.id, now, now],
      )) as unknown as [{ insertId: number }];
      customers.push(res.insertId);
    }

    const env = {
      DATABASE_URL: url, ANCHOR_DEMO: '0', PUBLIC_URL: 'http://anchor.bench',
      WECOM_CORP_ID: sim.corpId, WECOM_AGENT_ID: String(sim.agentId), WECOM_SECRET: sim.secret, WECOM_API_BASE: sim.url,
    };
    servers.push(...(await Promise.all([spawnServer(env), spawnServer(env)])));

    // WeCom goes down, and the messages are written as the domain writes them (outbox rows).
    const outageEnd = Date.now() + OUTAGE_MS;
    sim.outage(outageEnd, 503);
    const rows = order.map(({ member }, k) => [
      'customer.visit_waiting', team.id, JSON.stringify({ customerId: customers[k], ownerId: members[member]!.id, changedById: members[member]!.id }), 0, new Date(), new Date(),
    ]);
    for (let k = 0; k < rows.length; k += 250) {
      await conn.query('INSERT INTO outbox_message (kind, teamId, payload, attempts, nextAttemptAt, createdAt) VALUES ?', [rows.slice(k, k + 250)]);
    }

    const total = order.length;
    const started = Date.now();
    let finished = false;
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      const [[{ done }]] = (await conn.query("SELECT COUNT(*) AS done FROM delivery WHERE status <> 'pending'")) as unknown as [[{ done: number }]];
      const [[{ queued }]] = (await conn.query('SELECT COUNT(*) AS queued FROM delivery')) as unknown as [[{ queued: number }]];
      finished = Number(queued) === total && Number(done) === total;
      if (finished || Date.now() - started > OUTAGE_MS + GIVE_UP_MS) break;
    }
    // what each member saw
    let duplicates = 0;
    let losses = 0;
    let inversions = 0;
    let delivered = 0;
    let lastAt = 0;
    for (const [i, m] of members.entries()) {
      const seen = sim.deliveredMessages(m.userId).map((msg) => ({ seq: Number(/#(\d{3})/.exec(msg.body.text.content as string)![1]), at: msg.at }));
      delivered += seen.length;
      const distinct = new Set(seen.map((s) => s.seq));
      duplicates += seen.length - distinct.size;
      losses += counts[i]! - distinct.size;
      let highest = 0;
      for (const s of seen) {
        if (s.seq < highest) inversions++;
        highest = Math.max(highest, s.seq);
        lastAt = Math.max(lastAt, s.at);
      }
    }
    const [[{ failed }]] = (await conn.query("SELECT COUNT(*) AS failed FROM delivery WHERE status = 'failed'")) as unknown as [[{ failed: number }]];
    const busiest = Math.max(...counts);
    // windows of a minute (and an hour) per member: the busiest member's last minute starts this late
    const minimumSeconds = Math.max((Math.ceil(busiest / PER_MINUTE) - 1) * 60, (Math.ceil(busiest / PER_HOUR) - 1) * 3600);
    return {
      messages: total,
      members: MEMBERS,
      outageSeconds: OUTAGE_MS / 1000,
      drainSeconds: Math.max(0, (lastAt - outageEnd) / 1000),
      finished,
      minimumSeconds,
      delivered,
      duplicates,
      losses,
      droppedByLimit: sim.droppedMessages().filter((m) => m.dropped === 'member rate limit').length,
      inversions,
      failed: Number(failed),
      busiest,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await conn.end();
    await sim.stop();
    await drop();
  }
}
