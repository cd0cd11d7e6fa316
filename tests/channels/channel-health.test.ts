import { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { spawnServer } from '../support/spawn-server';
import { databaseEnv } from '../support/database';
import { todoOfNewVisit as newTodo } from '../support/visit-fixture';
import { WecomSimulator } from '../simulators/wecom-sim';
import { DingtalkSimulator } from '../simulators/dingtalk-sim';

// Refused credentials are a condition of the channel (or of one team's robot), not of each message:
// admins and /healthz see it with its reason, the messages wait without burning attempts, one probe a
// minute (across servers) finds out when the credentials work again, and then everything goes, in order.
const DING_TOKEN = 'e'.repeat(64);
const DING_SECRET = 'SECright0123456789';
const RIGHT_SECRET = 'wecom-sim-secret';

let h: Harness;
let h2: Harness;
let org: OrgFixture;
let wecom: WecomSimulator;
let ding: DingtalkSimulator;
let customer: number;

beforeAll(async () => {
  wecom = await new WecomSimulator('ww-sim-corp', RIGHT_SECRET).start();
  ding = await new DingtalkSimulator().start();
  // The server is configured with a secret WeCom does not accept (rotated in the WeCom admin console).
  const env = {
    WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: 'rotated-away', WECOM_API_BASE: wecom.url,
    DINGTALK_API_BASE: ding.url,
  };
  h = await startHarness({ env });
  // a second server on the same database, with the same clock time
  h2 = await startHarness({ env, sharedDatabaseUrl: h.dbUrl, now: h.clock.now() });
  wecom.now = () => h.clock.now().getTime();
  ding.now = () => h.clock.now().getTime();
  org = await buildOrg(h);
  await h.db.getRepository(Member).update({ id: org.supervisor1.id }, { wecomUserId: 'chen.s1' });
  customer = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '凭据测试医院', industry: '公立医院', stage: 'proposal' } })).body.id;
});
afterAll(async () => {
  await h2?.close();
  await h?.close();
  await wecom?.stop();
  await ding?.stop();
});

const advance = (ms: number) => {
  h.clock.advance(ms);
  h2.clock.advance(ms);
};
const todoOfNewVisit = () => newTodo(h, org.token(org.repA), customer);
const cardRows = async (): Promise<{ status: string; attempts: number; lastError: string | null }[]> =>
  h.db.query("SELECT status, attempts, lastError FROM delivery WHERE channel = 'wecom_app' AND target = 'wecom_app:chen.s1' ORDER BY id");
const health = async (who = org.admin) => api(h.url, 'GET', '/api/v1/admin/channel-health', { token: org.token(who) });

describe('WeCom refusing the app’s credentials (gettoken 40001)', () => {
  const todos: number[] = [];

  it('marks the channel unhealthy with the reason and since when; the cards wait, attempts untouched', async () => {
    const downAt = h.clock.now().toISOString();
    todos.push((await todoOfNewVisit()).id);
    await h.services.outbox.runOnce();
    expect(wecom.server.count('/cgi-bin/gettoken')).toBe(1);
    expect(wecom.deliveredCards('chen.s1')).toHaveLength(0);
    expect(await cardRows()).toEqual([{ status: 'pending', attempts: 0, lastError: expect.stringContaining('40001') }]);

    const res = await health();
    expect(res.status).toBe(200);
    const app = res.body.find((c: any) => c.channel === 'wecom_app');
    expect(app).toEqual({ channel: 'wecom_app', healthy: false, reason: expect.stringContaining('WECOM_SECRET'), since: downAt, pendingCount: 1 });
    expect(app.reason).toContain('40001');
    // the robots are other credentials: still healthy
    expect(res.body.find((c: any) => c.channel === 'dingtalk_robot')).toMatchObject({ healthy: true, reason: null, since: null });

    // /healthz: the server itself is fine (200), the body says which channel is not
    const hz = await api(h2.url, 'GET', '/healthz');
    expect(hz.status).toBe(200);
    expect(hz.body).toMatchObject({ status: 'degraded', database: 'up', channels: { wecom_app: { healthy: false, since: downAt, reason: expect.stringContaining('40001') } } });
  });

  it('while down, more cards queue behind; two servers call gettoken at most once a minute; nothing fails', async () => {
    todos.push((await todoOfNewVisit()).id, (await todoOfNewVisit()).id);
    const start = h.clock.now().getTime();
    const calls = () => wecom.server.count('/cgi-bin/gettoken');
    const before = calls();
    // ten simulated minutes of passes every 5 s on both servers
    for (let t = 0; t < 10 * 60_000; t += 5_000) {
      await Promise.all([h.services.outbox.runOnce(), h2.services.outbox.runOnce()]);
      advance(5_000);
    }
    expect(h.clock.now().getTime() - start).toBe(10 * 60_000);
    expect(calls() - before).toBeLessThanOrEqual(10);
    expect(calls() - before).toBeGreaterThanOrEqual(9);
    // the first card carries the reason; the ones behind it were never tried
    expect(await cardRows()).toEqual([
      { status: 'pending', attempts: 0, lastError: expect.stringContaining('40001') },
      { status: 'pending', attempts: 0, lastError: null },
      { status: 'pending', attempts: 0, lastError: null },
    ]);
    expect((await health()).body.find((c: any) => c.channel === 'wecom_app')).toMatchObject({ healthy: false, pendingCount: 3 });
  });

  it('once the credentials work again, the next probe (within a minute) sends everything, in order, once', async () => {
    Object.assign(wecom, { secret: 'rotated-away' }); // the admin put the old secret back in WeCom
    for (let t = 0; t <= 60_000; t += 5_000) {
      await Promise.all([h.services.outbox.runOnce(), h2.services.outbox.runOnce()]);
      advance(5_000);
    }
    const cards = wecom.deliveredCards('chen.s1').map((c) => c.taskId);
    expect(cards).toEqual(todos.map((id) => `anchor_todo_${id}`));
    expect((await cardRows()).map((r) => [r.status, r.attempts])).toEqual(todos.map(() => ['sent', 1]));
    expect((await health()).body.find((c: any) => c.channel === 'wecom_app')).toEqual({ channel: 'wecom_app', healthy: true, reason: null, since: null, pendingCount: 0 });
    expect((await api(h.url, 'GET', '/healthz')).body).toMatchObject({ status: 'ok', channels: { wecom_app: { healthy: true } } });
  });

  it('only admins see the channel health', async () => {
    for (const who of [org.finance, org.marketing, org.directorEast, org.supervisor1, org.repA]) {
      const res = await health(who);
      expect(res.status).toBe(403);
      expect(JSON.stringify(res.body)).not.toContain('wecom_app');
    }
    expect((await api(h.url, 'GET', '/api/v1/admin/channel-health')).status).toBe(401);
  });
});

describe('a team robot whose secret DingTalk refuses (310000)', () => {
  it('holds only that robot’s posts, shows the team and reason, and sends them in order once an admin fixes the secret', async () => {
    ding.addRobot(DING_TOKEN, DING_SECRET);
    const put = (secret: string) =>
      api(h.url, 'PUT', `/api/v1/teams/${org.teamIds.team1}/channels`, { token: org.token(org.admin), json: { dingtalkRobotToken: DING_TOKEN, dingtalkRobotSecret: secret } });
    expect((await put('SECwrong0000000000')).status).toBe(200);
    const todos = [(await todoOfNewVisit()).id, (await todoOfNewVisit()).id];
    const robotRows = async (): Promise<{ status: string; attempts: number }[]> =>
      h.db.query(`SELECT status, attempts FROM delivery WHERE target = 'dingtalk_robot:team:${org.teamIds.team1}' ORDER BY id`);
    for (let t = 0; t < 3 * 60_000; t += 5_000) {
      await h.services.outbox.runOnce();
      advance(5_000);
    }
    expect(ding.messages(DING_TOKEN)).toHaveLength(0);
    expect(await robotRows()).toEqual([{ status: 'pending', attempts: 0 }, { status: 'pending', attempts: 0 }]);
    // one probe a minute: the first try and three probes at most
    expect(ding.server.count('/robot/send')).toBeLessThanOrEqual(4);
    const entry = (await health()).body.find((c: any) => c.channel === 'dingtalk_robot');
    expect(entry).toMatchObject({ healthy: false, pendingCount: 2 });
    expect(entry.reason).toContain('上海一组');
    expect(entry.reason).toContain('310000');
    // the supervisor's WeCom cards were not held up by the robot
    expect(wecom.deliveredCards('chen.s1').map((c) => c.taskId)).toEqual(expect.arrayContaining(todos.map((id) => `anchor_todo_${id}`)));

    expect((await put(DING_SECRET)).status).toBe(200);
    // the admin's fix is tried at the next pass, without waiting for the minute's probe
    await h.services.outbox.runOnce();
    expect(ding.messages(DING_TOKEN).map((m) => Number(/todo=(\d+)$/.exec(m.body.actionCard.singleURL)![1]))).toEqual(todos);
    expect(await robotRows()).toEqual([{ status: 'sent', attempts: 1 }, { status: 'sent', attempts: 1 }]);
    expect((await health()).body.find((c: any) => c.channel === 'dingtalk_robot')).toMatchObject({ healthy: true, reason: null, pendingCount: 0 });
  });
});

describe('start-up', () => {
  it('a server whose WeCom credentials are refused says so in its console banner', async () => {
    const bad = await new WecomSimulator('ww-sim-corp', 'the-real-secret').start();
    const server = await spawnServer({
      ...databaseEnv(h.dbUrl), ANCHOR_BACKGROUND: 'off', ANCHOR_DEMO: '0',
      WECOM_CORP_ID: 'ww-wrong-corp', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 'whatever', WECOM_API_BASE: bad.url,
    });
    try {
      // the banner is printed after the probe
      const deadline = Date.now() + 10_000;
      while (!/channel down wecom_app/.test(server.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(server.output()).toMatch(/channel down wecom_app since \S+: 企业微信 CorpID 无效，请检查 WECOM_CORP_ID（40013 invalid corpid）/);
      const hz = await api(server.url, 'GET', '/healthz');
      expect(hz.status).toBe(200);
      expect(hz.body.channels.wecom_app).toMatchObject({ healthy: false, reason: expect.stringContaining('40013') });
    } finally {
      await server.stop();
      await bad.stop();
      // the other servers of this database see it too (shared table); put it right for any later test
      await h.services.channelHealth.record('wecom_app', null);
    }
  });
});
