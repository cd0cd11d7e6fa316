import { WechatSubscribeSender } from '../../server/src/channels/senders';
import { TokenCache } from '../../server/src/channels/token-cache';
import type { Delivery } from '../../server/src/outbox/delivery.entity';
import { startHarness, type Harness } from '../support/harness';
import { onSqlite } from '../support/database';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { WechatSimulator } from '../simulators/wechat-sim';

/**
 * The mini-program's access token (co-wechat-api's getToken/saveToken hooks on the channel_token
 * table) is one token for every server instance: fetched once, dropped once WeChat rejects it.
 */
const TEMPLATE = 'tpl-token-sharing';
let a: Harness;
let b: Harness;
let wechat: WechatSimulator;
let org: OrgFixture;
let invite: string;

const tokenFetches = () => wechat.server.count('/cgi-bin/token');
const qr = (h: Harness) => api(h.url, 'GET', `/api/v1/invites/${invite}/qr.png`, { token: org.token(org.supervisor1) });
const reminder = (text: string) =>
  ({ channel: 'wechat_subscribe', body: { touser: 'openid-share', template_id: TEMPLATE, page: 'pages/index/index', data: { thing1: { value: text } } } }) as unknown as Delivery;

beforeAll(async () => {
  wechat = await new WechatSimulator().start();
  const env = { WECHAT_APP_ID: wechat.appId, WECHAT_APP_SECRET: wechat.appSecret, WECHAT_API_BASE: wechat.url };
  a = await startHarness({ env });
  b = await startHarness({ sharedDatabaseUrl: a.dbUrl, env: { ...env, ANCHOR_UPLOAD_DIR: a.env.uploadDir } });
  wechat.now = () => a.clock.now().getTime();
  org = await buildOrg(a);
  invite = (await api(a.url, 'POST', '/api/v1/invites', { token: org.token(org.supervisor1), json: { teamId: org.teamIds.team1 } })).body.code as string;
  wechat.addUser('openid-share').addTemplate(TEMPLATE, ['thing1']);
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await wechat?.stop();
});

// SQLite is one process's embedded database: its refresh is single-flight within the process only.
(onSqlite ? it.skip : it)('two instances asking at once, with no token yet, fetch one token between them', async () => {
  const answers = await Promise.all([qr(a), qr(b), qr(a), qr(b), qr(b), qr(a)]);
  expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
  expect(answers.map((r) => r.headers.get('x-code-kind'))).toEqual(['wxacode', 'wxacode', 'wxacode', 'wxacode', 'wxacode', 'wxacode']);
  expect(tokenFetches()).toBe(1);
});

it('a token one instance fetched serves the other, for codes and subscribe messages alike', async () => {
  const before = tokenFetches();
  expect((await qr(a)).status).toBe(200);
  expect((await qr(b)).status).toBe(200);
  // a third server process: its own sender over the same table
  wechat.grantConsent('openid-share', TEMPLATE, 1);
  const sender = new WechatSubscribeSender(b.env.wechat!, new TokenCache(b.db, b.clock));
  expect(await sender.send(reminder('共享令牌'))).toEqual({ kind: 'sent' });
  expect(wechat.deliveries('openid-share').map((d) => d.data.thing1!.value)).toEqual(['共享令牌']);
  expect(tokenFetches() - before).toBe(onSqlite ? 1 : 0);
});

it('a token WeChat rejects is dropped for every instance: the next call anywhere fetches one new token', async () => {
  expect((await qr(a)).status).toBe(200);
  const before = tokenFetches();
  wechat.expireAllTokens();
  // as before the move: this call answers 503 (no retry inside the request) and drops the token
  const refused = await qr(a);
  expect(refused.status).toBe(503);
  expect(refused.body.error.message).toContain('小程序码');
  expect(tokenFetches() - before).toBe(0);
  expect((await qr(b)).status).toBe(200);
  expect((await qr(a)).status).toBe(200);
  expect(tokenFetches() - before).toBe(1);
  const rows: { token: string | null }[] = await a.db.query('SELECT token FROM channel_token WHERE cacheKey = ?', [`wechat:${wechat.appId}`]);
  expect(rows).toHaveLength(1);
  expect(rows[0]!.token).toMatch(/^[0-9a-f]{64}$/);
});

it('a subscribe send with a rejected token is retried later and the token dropped; a 5xx never carries the URL (token, secret) into the reason', async () => {
  const sender = new WechatSubscribeSender(a.env.wechat!, new TokenCache(a.db, a.clock));
  wechat.grantConsent('openid-share', TEMPLATE, 1);
  expect((await qr(a)).status).toBe(200);
  const before = tokenFetches();
  wechat.expireAllTokens();
  expect(await sender.send(reminder('过期令牌'))).toEqual({ kind: 'retry', reason: '42001 token' });
  expect(await sender.send(reminder('新令牌'))).toEqual({ kind: 'sent' });
  expect(tokenFetches() - before).toBe(1);
  wechat.outage(a.clock.now().getTime() + 60_000);
  try {
    expect(await sender.send(reminder('故障'))).toEqual({ kind: 'retry', reason: 'HTTP 503' });
  } finally {
    wechat.endOutage();
  }
  expect(wechat.deliveries('openid-share').map((d) => d.data.thing1!.value)).toEqual(['共享令牌', '新令牌']);
});

it('credentials WeChat refuses put the channel down, naming the variable, without the secret', async () => {
  const wrong = { ...a.env.wechat!, appSecret: 'not-the-secret' };
  // a fresh cache key: the wrong secret's app has no token yet
  const sender = new WechatSubscribeSender({ ...wrong, appId: wechat.appId }, new TokenCache(a.db, a.clock));
  await a.db.query('UPDATE channel_token SET token = NULL, expiresAt = NULL WHERE cacheKey = ?', [`wechat:${wechat.appId}`]);
  const result = await sender.send(reminder('错误密钥'));
  expect(result).toEqual({ kind: 'channel_down', scope: 'channel', reason: '微信小程序 AppSecret 无效，请检查 WECHAT_APP_SECRET（token: 40125 invalid appsecret）' });
  expect(JSON.stringify(result)).not.toContain('not-the-secret');
});
