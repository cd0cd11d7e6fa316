import type { Harness } from '../support/harness';
import { startHarness } from '../support/harness';
import { sqlTime } from '../support/database';
import { WecomSimulator } from '../simulators/wecom-sim';
import { DingtalkSimulator } from '../simulators/dingtalk-sim';

// Limits the platforms do not show: WeCom takes 30 app messages per member per sliding minute and
// 1 000 per hour, and past either answers errcode 0 and drops the message; a group robot takes 20 per
// sliding minute (DingTalk then throttles it for 10 minutes). A drained backlog must stay inside every
// window, counted as the platform counts (sliding, not a fixed minute that lets 2× through at its
// edge), whichever server sends.
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DING_TOKEN = 'r'.repeat(64);
const DING_SECRET = 'SECrate-windows';

let h: Harness;
let h2: Harness;
/** WeCom whose next message/send takes `slowNextMs` of (test) clock time to reach it: a slow network. */
class SlowWecom extends WecomSimulator {
  slowNextMs = 0;
  protected override serve(req: Parameters<WecomSimulator['serve']>[0]) {
    if (req.path === '/cgi-bin/message/send' && this.slowNextMs) {
      advance(this.slowNextMs);
      this.slowNextMs = 0;
    }
    return super.serve(req);
  }
}
let wecom: SlowWecom;
let ding: DingtalkSimulator;
let nextOutboxId = 1_000_000;

beforeAll(async () => {
  wecom = await new SlowWecom().start();
  ding = await new DingtalkSimulator().start();
  const env = { WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: wecom.secret, WECOM_API_BASE: wecom.url, DINGTALK_APP_KEY: 'ding-app', DINGTALK_APP_SECRET: 'ding-app-secret', DINGTALK_API_BASE: ding.url };
  h = await startHarness({ env });
  // a second server on the same database, with its own dispatcher
  h2 = await startHarness({ env, sharedDatabaseUrl: h.dbUrl });
  wecom.now = () => h.clock.now().getTime();
  ding.now = () => h.clock.now().getTime();
  ding.addRobot(DING_TOKEN, DING_SECRET);
}, 60_000);
afterAll(async () => {
  await h2?.close();
  await h?.close();
  await wecom.stop();
  await ding.stop();
});

const advance = (ms: number) => {
  h.clock.advance(ms);
  h2.clock.set(h.clock.now());
};

/** `n` text messages for one WeCom member, queued as the outbox queues them (one delivery each). */
async function queueTexts(userId: string, n: number, label: string): Promise<void> {
  for (let from = 0; from < n; from += 200) {
    const rows = Array.from({ length: Math.min(200, n - from) }, (_, i) => {
      const body = { touser: userId, agentid: 1000002, msgtype: 'text', text: { content: `${label} 第${from + i + 1}条` } };
      return [nextOutboxId++, 'wecom_app', `wecom_app:${userId}`, JSON.stringify(body), sqlTime(h.clock.now()), sqlTime(h.clock.now())];
    });
    await h.db.query(
      `INSERT INTO delivery (outboxId, channel, target, body, status, attempts, nextAttemptAt, createdAt) VALUES ${rows.map(() => "(?, ?, ?, ?, 'pending', 0, ?, ?)").join(', ')}`,
      rows.flat(),
    );
  }
}

/** The most messages found in any sliding window of `ms` (a message counts for exactly `ms`, as the platforms count). */
function mostInAnyWindow(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= ms) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

const statuses = async (target: string) =>
  Object.fromEntries(((await h.db.query('SELECT status, COUNT(*) AS n FROM delivery WHERE target = ? GROUP BY status', [target])) as { status: string; n: number }[]).map((r) => [r.status, Number(r.n)]));

it('1 100 messages queued for one member: at most 1 000 in any hour, the rest the next hour, none dropped by WeCom', async () => {
  const user = 'rate.hour';
  await queueTexts(user, 1100, '小时');
  const start = h.clock.now().getTime();
  for (let minute = 0; minute <= 75; minute++) {
    // both servers work the backlog, as after an outage with two servers running
    await Promise.all([h.services.outbox.runOnce(), h2.services.outbox.runOnce()]);
    advance(MINUTE);
  }
  const delivered = wecom.deliveredMessages(user);
  expect(wecom.droppedMessages(user).map((m) => m.dropped)).toEqual([]);
  expect(delivered).toHaveLength(1100);
  expect(await statuses(`wecom_app:${user}`)).toEqual({ sent: 1100 });
  const times = delivered.map((m) => m.at);
  expect(mostInAnyWindow(times, HOUR)).toBeLessThanOrEqual(1000);
  expect(mostInAnyWindow(times, MINUTE)).toBeLessThanOrEqual(30);
  // full speed inside the limits: the first thousand within the first hour, the rest once it has passed
  expect(times.filter((t) => t < start + HOUR)).toHaveLength(1000);
  expect(Math.max(...times)).toBeLessThan(start + HOUR + 5 * MINUTE);
  // and in the order they were queued
  expect(delivered.map((m) => Number(/第(\d+)条/.exec(m.body.text.content)![1]))).toEqual(Array.from({ length: 1100 }, (_, i) => i + 1));
}, 240_000);

it('two servers on one database never send a member more than 30 in a sliding minute (no 2× at a minute edge)', async () => {
  const user = 'rate.minute';
  await queueTexts(user, 1, '分钟');
  const start = h.clock.now().getTime();
  await h.services.outbox.runOnce(); // one message at 0 s
  advance(50_000);
  await queueTexts(user, 70, '分钟');
  // 50 s and 60 s after the first: a fixed minute would restart at 60 s and let 30 more through
  for (let step = 0; step < 20; step++) {
    await Promise.all([h.services.outbox.runOnce(), h2.services.outbox.runOnce()]);
    advance(10_000);
  }
  const delivered = wecom.deliveredMessages(user);
  expect(wecom.droppedMessages(user).map((m) => m.dropped)).toEqual([]);
  expect(delivered).toHaveLength(71);
  expect(mostInAnyWindow(delivered.map((m) => m.at), MINUTE)).toBeLessThanOrEqual(30);
  // no slower than the window allows: 30 in the first minute, 30 more as soon as the first ones leave it
  expect(delivered.filter((m) => m.at < start + MINUTE)).toHaveLength(30);
  expect(delivered.filter((m) => m.at < start + 2 * MINUTE)).toHaveLength(60);
}, 120_000);

it('a message that took a while to reach WeCom counts from when WeCom had it, so the next minute does not start early', async () => {
  const user = 'rate.latency';
  await queueTexts(user, 31, '延迟');
  const start = h.clock.now().getTime();
  wecom.slowNextMs = 2_000; // the first request is 2 s on the way
  await h.services.outbox.runOnce();
  expect(wecom.deliveredMessages(user)).toHaveLength(30);
  advance(start + MINUTE - h.clock.now().getTime()); // a minute after the first send began
  for (let step = 0; step < 4; step++) {
    await h.services.outbox.runOnce();
    advance(1_000);
  }
  expect(wecom.droppedMessages(user).map((m) => m.dropped)).toEqual([]);
  expect(wecom.deliveredMessages(user)).toHaveLength(31);
}, 60_000);

it('a DingTalk robot is sent at most 20 in a sliding minute, so it is never throttled for 10 minutes', async () => {
  const org = h.services.org;
  const region = await org.createRegion('限速测试区');
  const teamId = (await org.createTeam('限速测试组', region.id)).id;
  const admin = await org.createMember({ name: '限速管理员', phone: '13900009001', role: 'admin', teamId: null, regionId: null, managerId: null });
  await h.services.teamChannels.update(admin, teamId, { dingtalkRobotToken: DING_TOKEN, dingtalkRobotSecret: DING_SECRET });
  const target = `dingtalk_robot:team:${teamId}`;
  const queue = async (n: number) => {
    const rows = Array.from({ length: n }, (_, i) => [nextOutboxId++, 'dingtalk_robot', target, JSON.stringify({ msgtype: 'text', text: { content: `群消息 ${i}` } }), sqlTime(h.clock.now()), sqlTime(h.clock.now())]);
    await h.db.query(`INSERT INTO delivery (outboxId, channel, target, body, status, attempts, nextAttemptAt, createdAt) VALUES ${rows.map(() => "(?, ?, ?, ?, 'pending', 0, ?, ?)").join(', ')}`, rows.flat());
  };
  await queue(1);
  await h.services.outbox.runOnce();
  advance(50_000);
  await queue(45);
  for (let step = 0; step < 20; step++) {
    await Promise.all([h.services.outbox.runOnce(), h2.services.outbox.runOnce()]);
    advance(10_000);
  }
  expect(ding.counters.throttled).toBe(0);
  const sent = ding.messages(DING_TOKEN);
  expect(sent).toHaveLength(46);
  expect(mostInAnyWindow(sent.map((m) => m.at), MINUTE)).toBeLessThanOrEqual(20);
  expect(await statuses(target)).toEqual({ sent: 46 });
}, 120_000);
