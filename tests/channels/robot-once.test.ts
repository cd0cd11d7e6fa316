import { createServer, type AddressInfo } from 'node:net';
import { WecomRobotSender, type TargetSecrets } from '../../server/src/channels/senders';
import type { Delivery } from '../../server/src/outbox/delivery.entity';
import type { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { spawnServer } from '../support/spawn-server';
import { databaseEnv, sqlTime } from '../support/database';
import { api } from '../support/http';
import { WecomSimulator } from '../simulators/wecom-sim';
import { DingtalkSimulator } from '../simulators/dingtalk-sim';

// A group robot (WeCom webhook, DingTalk custom robot) has no read-back and no idempotency key: a post
// whose answer was lost may already be in the group, and posting it again would show it twice. Such a
// post is left to admins (可能已送达) instead; a failure that surely did not deliver is retried.
const WEBHOOK = '/cgi-bin/webhook/send';
const ROBOT_KEY = 'robot-once-key';
const DING_TOKEN = 'o'.repeat(64);
const DING_SECRET = 'SECrobot-once';

let h: Harness;
let h2: Harness;
let wecom: WecomSimulator;
let ding: DingtalkSimulator;
let admin: Member;
let adminToken: string;
let teamId: number;
let nextOutboxId = 2_000_000;

beforeAll(async () => {
  wecom = await new WecomSimulator().start();
  ding = await new DingtalkSimulator().start();
  const env = { WECOM_API_BASE: wecom.url, DINGTALK_API_BASE: ding.url };
  h = await startHarness({ env });
  h2 = await startHarness({ env, sharedDatabaseUrl: h.dbUrl });
  wecom.now = () => h.clock.now().getTime();
  ding.now = () => h.clock.now().getTime();
  wecom.addRobot(ROBOT_KEY);
  ding.addRobot(DING_TOKEN, DING_SECRET);
  const org = h.services.org;
  const region = await org.createRegion('机器人测试区');
  teamId = (await org.createTeam('机器人测试组', region.id)).id;
  admin = await org.createMember({ name: '机器人管理员', phone: '13900009101', role: 'admin', teamId: null, regionId: null, managerId: null });
  adminToken = (await h.services.auth.issueSession(admin, 'wechat')).token;
  await h.services.teamChannels.update(admin, teamId, { wecomRobotKey: ROBOT_KEY, dingtalkRobotToken: DING_TOKEN, dingtalkRobotSecret: DING_SECRET });
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

/** A group post queued as the outbox queues it; returns its delivery id. */
async function queuePost(channel: 'wecom_robot' | 'dingtalk_robot', text: string): Promise<number> {
  const outboxId = nextOutboxId++;
  await h.db.query("INSERT INTO delivery (outboxId, channel, target, body, status, attempts, nextAttemptAt, createdAt) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)", [
    outboxId, channel, `${channel}:team:${teamId}`, JSON.stringify({ msgtype: 'text', text: { content: text } }), sqlTime(h.clock.now()), sqlTime(h.clock.now()),
  ]);
  const [row] = (await h.db.query('SELECT id FROM delivery WHERE outboxId = ?', [outboxId])) as { id: number }[];
  return Number(row!.id);
}
const wecomPosts = (text: string) => wecom.robotMessages(ROBOT_KEY).filter((m) => m.body.text?.content === text).length;
const dingPosts = (text: string) => ding.messages(DING_TOKEN).filter((m) => m.body.text?.content === text).length;
const deliveryOf = async (id: number) => {
  const [row] = (await h.db.query('SELECT status, attempts, lastError FROM delivery WHERE id = ?', [id])) as { status: string; attempts: number; lastError: string | null }[];
  return { ...row!, attempts: Number(row!.attempts) };
};
/** Several passes over twenty simulated minutes: long past any backoff. */
async function passes(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await h.services.outbox.runOnce();
    advance(4 * 60_000);
  }
}

it('a WeCom robot post delivered whose connection then dropped is in the group once, shown to admins as 可能已送达, and later posts go on', async () => {
  const lost = await queuePost('wecom_robot', '群通知：回应丢失的一条');
  const after = await queuePost('wecom_robot', '群通知：之后的一条');
  wecom.failNext(WEBHOOK, 'deliverThenReset', 1, (req) => req.body.includes('回应丢失的一条'));
  await passes();
  expect(wecom.faultLog.some((f) => f.fault === 'deliverThenReset')).toBe(true);
  expect(wecomPosts('群通知：回应丢失的一条')).toBe(1);
  expect(wecomPosts('群通知：之后的一条')).toBe(1);
  expect(await deliveryOf(lost)).toMatchObject({ status: 'unknown', attempts: 1, lastError: expect.stringContaining('可能已送达') });
  expect((await deliveryOf(after)).status).toBe('sent');
  const listed = await api(h.url, 'GET', '/api/v1/admin/deliveries?status=unknown', { token: adminToken });
  expect(listed.status).toBe(200);
  expect(listed.body.items.find((d: any) => d.id === lost)).toMatchObject({ status: 'unknown', note: expect.stringContaining('可能已送达') });
});

it('a DingTalk robot post that timed out is not posted again (it arrived once)', async () => {
  ding.hangMs = 30_000; // longer than the sender's 10 s timeout
  const id = await queuePost('dingtalk_robot', '钉钉群通知：超时的一条');
  ding.failNext('/robot/send', 'deliverThenTimeout', 1);
  await passes();
  expect(dingPosts('钉钉群通知：超时的一条')).toBe(1);
  expect(await deliveryOf(id)).toMatchObject({ status: 'unknown', attempts: 1, lastError: expect.stringContaining('可能已送达') });
}, 60_000);

it('a post another server began and never finished is not posted again when its lease runs out', async () => {
  wecom.hangMs = 3_000; // the stalled server gets its answer only after the other has looked
  const id = await queuePost('wecom_robot', '群通知：服务器中途停住的一条');
  wecom.failNext(WEBHOOK, 'deliverThenTimeout', 1);
  const before = wecom.server.count(WEBHOOK);
  const stalled = h2.services.outbox.runOnce();
  while (wecom.server.count(WEBHOOK) === before) await new Promise((r) => setTimeout(r, 20));
  advance(2 * 60_000); // past the 60 s lease: as if the first server had died mid-send
  await h.services.outbox.runOnce();
  expect(wecom.server.count(WEBHOOK)).toBe(before + 1);
  expect(await deliveryOf(id)).toMatchObject({ status: 'unknown', lastError: expect.stringContaining('可能已送达') });
  await stalled;
  await passes();
  expect(wecomPosts('群通知：服务器中途停住的一条')).toBe(1);
}, 60_000);

it('failures that surely did not deliver (429, 500, errcode -1) are retried and the post arrives once', async () => {
  const id = await queuePost('dingtalk_robot', '钉钉群通知：先被拒绝的一条');
  ding.failNext('/robot/send', 'json429', 1).failNext('/robot/send', 'http500', 1).failNext('/robot/send', 'busy', 1);
  for (let i = 0; i < 10 && (await deliveryOf(id)).status === 'pending'; i++) {
    await h.services.outbox.runOnce();
    advance(5 * 60_000);
  }
  expect(await deliveryOf(id)).toMatchObject({ status: 'sent', attempts: 4 });
  expect(dingPosts('钉钉群通知：先被拒绝的一条')).toBe(1);
}, 60_000);

it('an admin re-sends an unknown post (a 2xx cut mid-body) and it is posted once more; only admins, only unknown or failed ones', async () => {
  const id = await queuePost('wecom_robot', '群通知：回应被截断的一条');
  wecom.failNext(WEBHOOK, 'truncated200', 1);
  await passes();
  expect(await deliveryOf(id)).toMatchObject({ status: 'unknown', attempts: 1 });
  expect(wecomPosts('群通知：回应被截断的一条')).toBe(0); // this simulator's cut answer carried nothing; the server cannot know that
  const rep = await h.services.org.createMember({ name: '机器人测试代表', phone: '13900009102', role: 'rep', teamId, regionId: null, managerId: null });
  const repToken = (await h.services.auth.issueSession(rep, 'wechat')).token;
  expect((await api(h.url, 'POST', `/api/v1/admin/deliveries/${id}/resend`, { token: repToken, json: {} })).status).toBe(403);
  expect((await deliveryOf(id)).status).toBe('unknown');
  const resent = await api(h.url, 'POST', `/api/v1/admin/deliveries/${id}/resend`, { token: adminToken, json: {} });
  expect(resent.status).toBe(200);
  await passes();
  expect(await deliveryOf(id)).toMatchObject({ status: 'sent', attempts: 1 }); // a re-send starts its count afresh (dead-lettering counts from it)
  expect(wecomPosts('群通知：回应被截断的一条')).toBe(1);
  const again = await api(h.url, 'POST', `/api/v1/admin/deliveries/${id}/resend`, { token: adminToken, json: {} });
  expect(again.status).toBe(409);
  expect(again.body.error.message).toContain('已发送');
  expect((await api(h.url, 'POST', '/api/v1/admin/deliveries/999999/resend', { token: adminToken, json: {} })).status).toBe(404);
});

it('a DingTalk post of unknown outcome counts in the robot\'s minute, so the posts after it never trip the 10-minute throttle', async () => {
  advance(5 * 60_000);
  const throttledBefore = ding.counters.throttled;
  const start = h.clock.now().getTime();
  const first = await queuePost('dingtalk_robot', '钉钉限速 0');
  for (let i = 1; i <= 20; i++) await queuePost('dingtalk_robot', `钉钉限速 ${i}`);
  ding.failNext('/robot/send', 'deliverThenReset', 1);
  for (let step = 0; step < 10; step++) {
    await h.services.outbox.runOnce();
    advance(10_000);
  }
  expect(ding.counters.throttled).toBe(throttledBefore);
  expect((await deliveryOf(first)).status).toBe('unknown');
  const posts = ding.messages(DING_TOKEN).filter((m) => m.at >= start && String(m.body.text?.content).startsWith('钉钉限速'));
  expect(posts.map((m) => m.body.text.content)).toEqual(Array.from({ length: 21 }, (_, i) => `钉钉限速 ${i}`));
  // 20 in the first minute (the unknown one among them), the last once it had left the window
  expect(posts.filter((m) => m.at < start + 60_000)).toHaveLength(20);
}, 60_000);

it('a server killed (SIGKILL) mid-post: the server that takes over does not post it again', async () => {
  const server = await spawnServer({ ...databaseEnv(h.dbUrl), WECOM_API_BASE: wecom.url, DINGTALK_API_BASE: ding.url });
  try {
    wecom.hangMs = 60_000; // the killed server never hears back
    wecom.failNext(WEBHOOK, 'deliverThenTimeout', 1);
    const before = wecom.server.count(WEBHOOK);
    // queued now by the real clock, which the spawned server runs on
    const outboxId = nextOutboxId++;
    await h.db.query("INSERT INTO delivery (outboxId, channel, target, body, status, attempts, nextAttemptAt, createdAt) VALUES (?, 'wecom_robot', ?, ?, 'pending', 0, ?, ?)", [
      outboxId, `wecom_robot:team:${teamId}`, JSON.stringify({ msgtype: 'text', text: { content: '群通知：服务器被杀的一条' } }), sqlTime(new Date()), sqlTime(new Date()),
    ]);
    const [{ id }] = (await h.db.query('SELECT id FROM delivery WHERE outboxId = ?', [outboxId])) as [{ id: number }];
    for (let waited = 0; wecom.server.count(WEBHOOK) === before; waited += 50) {
      if (waited > 30_000) throw new Error(`the spawned server never posted:\n${server.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    server.child.kill('SIGKILL');
    await server.stop();
    expect(wecomPosts('群通知：服务器被杀的一条')).toBe(1);
    // this server takes over once the dead one's lease has run out
    h.clock.set(new Date(Date.now() + 2 * 60_000));
    h2.clock.set(h.clock.now());
    await h.services.outbox.runOnce();
    expect(wecom.server.count(WEBHOOK)).toBe(before + 1);
    expect(wecomPosts('群通知：服务器被杀的一条')).toBe(1);
    expect(await deliveryOf(Number(id))).toMatchObject({ status: 'unknown', lastError: expect.stringContaining('可能已送达') });
  } finally {
    await server.stop();
  }
}, 120_000);

describe('what the robot sender reports', () => {
  const delivery = { channel: 'wecom_robot', body: { msgtype: 'text', text: { content: '分类' } } } as unknown as Delivery;
  const secrets = async (): Promise<TargetSecrets> => ({ wecomRobotKey: ROBOT_KEY, dingtalkRobotToken: null, dingtalkRobotSecret: null });

  it('a refused connection surely did not deliver: retry, not maybe delivered', async () => {
    // a port nothing listens on
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const result = await new WecomRobotSender(() => `http://127.0.0.1:${port}`).send(delivery, secrets);
    expect(result).toEqual({ kind: 'retry', reason: expect.stringContaining('ECONNREFUSED') });
  });

  it('a reset after the request went out may have delivered', async () => {
    wecom.failNext(WEBHOOK, 'deliverThenReset', 1);
    expect(await new WecomRobotSender(() => wecom.url).send(delivery, secrets)).toMatchObject({ kind: 'retry', maybeDelivered: true });
  });

  it('a 5xx answer surely did not', async () => {
    wecom.failNext(WEBHOOK, 'http500', 1);
    expect(await new WecomRobotSender(() => wecom.url).send(delivery, secrets)).toEqual({ kind: 'retry', reason: 'HTTP 500' });
  });
});
