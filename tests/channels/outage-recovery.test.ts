import { startHarness, type Harness } from '../support/harness';
import { sqlTime } from '../support/database';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { WecomSimulator } from '../simulators/wecom-sim';

// After an outage every target has backed off on its own schedule (up to 10 minutes). Recovery must
// not wait for each of those: a probe finds the platform back, and its first success makes every
// target that was backing off due at once — but not one paused by a rate-limit answer.
let h: Harness;
let org: OrgFixture;
let wecom: WecomSimulator;

const USERS = Array.from({ length: 12 }, (_, i) => `user.${String(i).padStart(2, '0')}`);
const PER_USER = 3;

beforeAll(async () => {
  wecom = await new WecomSimulator().start();
  h = await startHarness({ env: { WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: wecom.secret, WECOM_API_BASE: wecom.url } });
  wecom.now = () => h.clock.now().getTime();
  org = await buildOrg(h);
});
afterAll(async () => {
  await h?.close();
  await wecom?.stop();
});

/** Texts queued for a WeCom member, as the outbox writes them. */
async function queue(user: string, n: number, outboxBase: number, extra: { nextAttemptAt?: Date; lastError?: string } = {}): Promise<void> {
  for (let i = 0; i < n; i++) {
    const body = { touser: user, msgtype: 'text', agentid: 1000002, text: { content: `${user} 第 ${i + 1} 条` } };
    await h.db.query(
      "INSERT INTO delivery (outboxId, channel, target, body, status, attempts, nextAttemptAt, lastError, createdAt) VALUES (?, 'wecom_app', ?, ?, 'pending', 0, ?, ?, ?)",
      [outboxBase + i, `wecom_app:${user}`, JSON.stringify(body), sqlTime(i === 0 && extra.nextAttemptAt ? extra.nextAttemptAt : h.clock.now()), i === 0 ? (extra.lastError ?? null) : null, sqlTime(h.clock.now())],
    );
  }
}

it('after a 10-minute outage, every one of 12 backed-off targets sends again within 30 s of recovery, in order, once', async () => {
  const t0 = h.clock.now().getTime();
  const recovery = t0 + 10 * 60_000;
  wecom.outage(recovery, 503);
  for (const [u, user] of USERS.entries()) await queue(user, PER_USER, 10_000 + u * 100);
  // a target WeCom told to slow down (45009) stays paused: recovery is not a reason to hammer it
  const pausedUntil = new Date(recovery + 5 * 60_000);
  await queue('user.paused', 1, 50_000, { nextAttemptAt: pausedUntil, lastError: '45009 api freq out of limit' });
  await h.db.query('INSERT INTO channel_target (target, sentInWindow, blockedUntil) VALUES (?, 0, ?)', ['wecom_app:user.paused', sqlTime(pausedUntil)]);

  // the outage, with a pass every 5 s as a server does
  while (h.clock.now().getTime() < recovery) {
    await h.services.outbox.runOnce();
    h.clock.advance(5_000);
  }
  expect(USERS.flatMap((u) => wecom.deliveredMessages(u))).toHaveLength(0);
  const attempts = (await h.db.query("SELECT MIN(attempts) AS lo FROM delivery WHERE target LIKE 'wecom_app:user.%' AND target <> 'wecom_app:user.paused' AND status = 'pending' AND attempts > 0")) as { lo: number }[];
  expect(Number(attempts[0]!.lo)).toBeGreaterThanOrEqual(4); // they really were backing off, minutes apart
  // admins see the outage meanwhile
  const during = (await api(h.url, 'GET', '/api/v1/admin/channel-health', { token: org.token(org.admin) })).body.find((c: any) => c.channel === 'wecom_app');
  expect(during).toMatchObject({ healthy: false, since: new Date(t0).toISOString(), pendingCount: USERS.length * PER_USER + 1 });
  expect(during.reason).toContain('503');

  const firstAt = new Map<string, number>();
  while (h.clock.now().getTime() < recovery + 6 * 60_000) {
    await h.services.outbox.runOnce();
    for (const user of USERS) {
      const got = wecom.deliveredMessages(user);
      if (got.length && !firstAt.has(user)) firstAt.set(user, h.clock.now().getTime());
    }
    h.clock.advance(5_000);
  }
  const late = USERS.filter((u) => !firstAt.has(u) || firstAt.get(u)! - recovery > 30_000).map((u) => [u, firstAt.has(u) ? (firstAt.get(u)! - recovery) / 1000 : 'never']);
  expect(late).toEqual([]);
  // each target's messages arrived whole, in order, once, and all within those 30 s (full rate)
  for (const user of USERS) {
    const got = wecom.deliveredMessages(user);
    expect(got.map((m) => m.body.text.content)).toEqual(Array.from({ length: PER_USER }, (_, i) => `${user} 第 ${i + 1} 条`));
    expect(Math.max(...got.map((m) => m.at)) - recovery).toBeLessThanOrEqual(30_000);
  }
  expect(wecom.droppedMessages()).toHaveLength(0);
  // the paused target waited for its own time
  const paused = wecom.deliveredMessages('user.paused');
  expect(paused).toHaveLength(1);
  expect(paused[0]!.at).toBeGreaterThanOrEqual(pausedUntil.getTime());
  const after = (await api(h.url, 'GET', '/api/v1/admin/channel-health', { token: org.token(org.admin) })).body.find((c: any) => c.channel === 'wecom_app');
  expect(after).toEqual({ channel: 'wecom_app', healthy: true, reason: null, since: null, pendingCount: 0 });
});

it('one message that keeps failing is not an outage: it does not make the others retry early', async () => {
  // a single failure between successes resets the count; no resume is triggered by the next success
  const t = h.clock.now().getTime();
  await queue('user.flaky', 1, 60_000);
  wecom.failNext('/cgi-bin/message/send', 'http500', 1);
  await h.services.outbox.runOnce();
  const [row] = (await h.db.query("SELECT attempts, nextAttemptAt FROM delivery WHERE target = 'wecom_app:user.flaky'")) as { attempts: number; nextAttemptAt: Date }[];
  expect(row!.attempts).toBe(1);
  await queue('user.healthy', 1, 61_000);
  await h.services.outbox.runOnce(); // a success on the platform
  expect(wecom.deliveredMessages('user.healthy')).toHaveLength(1);
  const [again] = (await h.db.query("SELECT attempts, nextAttemptAt FROM delivery WHERE target = 'wecom_app:user.flaky'")) as { attempts: number; nextAttemptAt: Date }[];
  expect(new Date(again!.nextAttemptAt).getTime()).toBe(new Date(row!.nextAttemptAt).getTime());
  expect(new Date(again!.nextAttemptAt).getTime()).toBeGreaterThan(t);
  const entry = (await api(h.url, 'GET', '/api/v1/admin/channel-health', { token: org.token(org.admin) })).body.find((c: any) => c.channel === 'wecom_app');
  expect(entry.healthy).toBe(true);
});
