import { Member } from '../../server/src/modules/org/member.entity';
import { DAY_MS } from '../../server/src/clock';
import { SESSION_CACHE_MS } from '../../server/src/modules/org/auth.service';
import { startHarness, type Harness } from '../support/harness';
import { sqlTime } from '../support/database';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { WechatSimulator } from '../simulators/wechat-sim';
import { WecomSimulator } from '../simulators/wecom-sim';

let h: Harness;
let org: OrgFixture;
let wechat: WechatSimulator;
let wecom: WecomSimulator;

beforeAll(async () => {
  wechat = await new WechatSimulator().start();
  wecom = await new WecomSimulator().start();
  h = await startHarness({
    env: {
      WECHAT_APP_ID: wechat.appId,
      WECHAT_APP_SECRET: wechat.appSecret,
      WECHAT_API_BASE: wechat.url,
      WECOM_CORP_ID: wecom.corpId,
      WECOM_AGENT_ID: '1000002',
      WECOM_SECRET: wecom.secret,
      WECOM_API_BASE: wecom.url,
    },
  });
  org = await buildOrg(h);
});
afterAll(async () => {
  await h.close();
  await wechat.stop();
  await wecom.stop();
});

const wechatLogin = (json: unknown) => api(h.url, 'POST', '/api/v1/auth/wechat/login', { json });
const wecomLogin = (json: unknown) => api(h.url, 'POST', '/api/v1/auth/wecom/login', { json });
const invite = async (by = org.supervisor1, json: unknown = { teamId: org.teamIds.team1 }) => {
  const res = await api(h.url, 'POST', '/api/v1/invites', { token: org.token(by), json });
  expect(res.status).toBe(201);
  return res.body.code as string;
};
const me = (token: string) => api(h.url, 'GET', '/api/v1/auth/me', { token });

describe('WeChat login (code2Session)', () => {
  it('binds a first login to the member of a personal invite, then logs in by openid alone', async () => {
    const code = await invite(org.supervisor1, { memberId: org.repA.id });
    const first = await wechatLogin({ code: wechat.issueCode('openid-repA'), inviteCode: code });
    expect(first.status).toBe(200);
    expect(first.body.member).toMatchObject({ id: org.repA.id, role: 'rep' });
    expect((await me(first.body.token)).body.id).toBe(org.repA.id);
    const again = await wechatLogin({ code: wechat.issueCode('openid-repA') });
    expect(again.status).toBe(200);
    expect(again.body.member.id).toBe(org.repA.id);
    expect(again.body.token).not.toBe(first.body.token);
    // session_key never leaves the server
    expect(JSON.stringify(first.body)).not.toContain('session_key');
  });

  it('refuses a personal invite used twice', async () => {
    const code = await invite(org.supervisor1, { memberId: org.repB.id });
    expect((await wechatLogin({ code: wechat.issueCode('openid-repB'), inviteCode: code })).status).toBe(200);
    const reuse = await wechatLogin({ code: wechat.issueCode('openid-stranger'), inviteCode: code });
    expect(reuse.status).toBe(400);
    expect(reuse.body.error.code).toBe('INVITE_INVALID');
    expect(await h.db.getRepository(Member).countBy({ wechatOpenId: 'openid-stranger' })).toBe(0);
  });

  it('a team invite makes a new rep of that team, reporting to its supervisor; name and phone are required', async () => {
    const code = await invite();
    const missing = await wechatLogin({ code: wechat.issueCode('openid-newbie'), inviteCode: code });
    expect(missing.status).toBe(422);
    expect(missing.body.error.fields).toEqual({ name: '请填写姓名', phone: '请填写手机号' });
    const joined = await wechatLogin({ code: wechat.issueCode('openid-newbie'), inviteCode: code, name: '新人小周', phone: '13700001111' });
    expect(joined.status).toBe(200);
    expect(joined.body.member).toMatchObject({ name: '新人小周', role: 'rep', teamId: org.teamIds.team1, managerId: org.supervisor1.id });
    const taken = await wechatLogin({ code: wechat.issueCode('openid-other'), inviteCode: code, name: '冒名', phone: org.repA.phone });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toContain('手机号已登记');
  });

  it('without an invite an unknown WeChat user is told to scan the team QR code', async () => {
    const res = await wechatLogin({ code: wechat.issueCode('openid-nobody') });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'INVITE_REQUIRED', message: expect.stringContaining('二维码') });
  });

  it('refuses expired and revoked invites', async () => {
    const expired = await invite();
    h.clock.advance(8 * DAY_MS);
    const late = await wechatLogin({ code: wechat.issueCode('openid-late'), inviteCode: expired, name: '迟到', phone: '13700002222' });
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe('INVITE_INVALID');
    h.clock.advance(-8 * DAY_MS);
    const revoked = await invite();
    expect((await api(h.url, 'DELETE', `/api/v1/invites/${revoked}`, { token: org.token(org.supervisor1) })).status).toBe(200);
    const res = await wechatLogin({ code: wechat.issueCode('openid-revoked'), inviteCode: revoked, name: '撤销', phone: '13700003333' });
    expect(res.body.error.code).toBe('INVITE_INVALID');
  });

  it('a supervisor cannot invite into another team; a rep cannot invite at all', async () => {
    const other = await api(h.url, 'POST', '/api/v1/invites', { token: org.token(org.supervisor1), json: { teamId: org.teamIds.team2 } });
    expect(other.status).toBe(404);
    const rep = await api(h.url, 'POST', '/api/v1/invites', { token: org.token(org.repA), json: { teamId: org.teamIds.team1 } });
    expect(rep.status).toBe(403);
  });

  it.each([
    ['an unknown code', () => 'not-a-real-code', 401, 'LOGIN_CODE_INVALID'],
    ['a code already used', () => wechat.spendCode(wechat.issueCode('openid-used')), 401, 'LOGIN_CODE_INVALID'],
  ])('%s is refused', async (_t, makeCode, status, code) => {
    const res = await wechatLogin({ code: makeCode() });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(/登录凭证/);
  });

  it('a high-risk user (40226) is refused with its own message', async () => {
    wechat.blocked.add('openid-risky');
    const res = await wechatLogin({ code: wechat.issueCode('openid-risky') });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('LOGIN_BLOCKED');
  });

  it('45011 (over 100 calls per user per minute) → 429', async () => {
    wechat.perUserPerMinute = 2;
    try {
      await wechatLogin({ code: wechat.issueCode('openid-hasty') });
      await wechatLogin({ code: wechat.issueCode('openid-hasty') });
      const res = await wechatLogin({ code: wechat.issueCode('openid-hasty') });
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe('LOGIN_RATE_LIMITED');
    } finally {
      wechat.perUserPerMinute = 100;
    }
  });

  it('retries when WeChat is busy (-1) or answers 500, and succeeds', async () => {
    const code = await invite(org.supervisor2, { memberId: org.repC.id });
    wechat.faults.push('busy', 'http500');
    const before = wechat.server.count('/sns/jscode2session');
    const res = await wechatLogin({ code: wechat.issueCode('openid-repC'), inviteCode: code });
    expect(res.status).toBe(200);
    expect(wechat.server.count('/sns/jscode2session') - before).toBe(3);
  });

  it('gives up with 503 when WeChat keeps failing, and binds nobody', async () => {
    wechat.faults.push('http500', 'http500', 'http500');
    const res = await wechatLogin({ code: wechat.issueCode('openid-unlucky') });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('LOGIN_UPSTREAM_FAILED');
  });

  it('bad request bodies are refused before WeChat is called', async () => {
    const before = wechat.server.requests.length;
    const res = await wechatLogin({ code: '', phone: '123' });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.code).toContain('登录凭证');
    expect(res.body.error.fields.phone).toContain('手机号');
    expect(wechat.server.requests.length).toBe(before);
  });
});

describe('WeCom login (miniprogram/jscode2session)', () => {
  it('binds through an invite, then logs in by userid; the access token is fetched once and cached', async () => {
    const code = await invite(org.directorEast, { memberId: org.supervisor2.id });
    const tokensBefore = wecom.server.count('/cgi-bin/gettoken');
    const first = await wecomLogin({ code: wecom.issueCode('zhang.s2'), inviteCode: code });
    expect(first.status).toBe(200);
    expect(first.body.member.id).toBe(org.supervisor2.id);
    const again = await wecomLogin({ code: wecom.issueCode('zhang.s2') });
    expect(again.body.member.id).toBe(org.supervisor2.id);
    expect(wecom.server.count('/cgi-bin/gettoken') - tokensBefore).toBe(1);
    const cached = await h.db.query('SELECT cacheKey, token FROM channel_token');
    expect(cached).toEqual([{ cacheKey: `wecom:${wecom.corpId}:1000002`, token: expect.any(String) }]);
  });

  it('a token WeCom expired early (42001) is re-fetched once and the login succeeds', async () => {
    await wecomLogin({ code: wecom.issueCode('zhang.s2') });
    wecom.expireAllTokens();
    const tokensBefore = wecom.server.count('/cgi-bin/gettoken');
    const res = await wecomLogin({ code: wecom.issueCode('zhang.s2') });
    expect(res.status).toBe(200);
    expect(wecom.server.count('/cgi-bin/gettoken') - tokensBefore).toBe(1);
  });

  it('a used code (40029) → 401; an account of another corp → 403', async () => {
    const code = wecom.issueCode('zhang.s2');
    expect((await wecomLogin({ code })).status).toBe(200);
    const reused = await wecomLogin({ code });
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('LOGIN_CODE_INVALID');
    const foreign = await wecomLogin({ code: wecom.issueCode('zhang.s2', 'ww-other-corp') });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.message).toContain('企业');
  });
});

describe('sessions', () => {
  it('expire after the configured days', async () => {
    const { token } = await h.services.auth.issueSession(org.repE, 'wechat');
    expect((await me(token)).status).toBe(200);
    h.clock.advance(h.policy.limits.sessionTtlDays * DAY_MS + 1000);
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ code: 'UNAUTHENTICATED', message: '请先登录' });
    h.clock.advance(-(h.policy.limits.sessionTtlDays * DAY_MS + 1000));
  });

  it('logout revokes the session; an admin can revoke all of a member', async () => {
    const a = await h.services.auth.issueSession(org.repE, 'wechat');
    expect((await api(h.url, 'POST', '/api/v1/auth/logout', { token: a.token })).status).toBe(200);
    expect((await me(a.token)).status).toBe(401);
    const b = await h.services.auth.issueSession(org.repE, 'wechat');
    const c = await h.services.auth.issueSession(org.repE, 'wechat');
    expect((await me(b.token)).status).toBe(200); // checked once, so this server remembers it
    expect((await api(h.url, 'DELETE', `/api/v1/members/${org.repE.id}/sessions`, { token: org.token(org.supervisor3) })).status).toBe(403);
    const revoked = await api(h.url, 'DELETE', `/api/v1/members/${org.repE.id}/sessions`, { token: org.token(org.admin) });
    expect(revoked.body.revoked).toBeGreaterThanOrEqual(2);
    expect((await me(b.token)).status).toBe(401);
    expect((await me(c.token)).status).toBe(401);
  });

  it('a session revoked on another server stops working here within the cache time', async () => {
    const a = await h.services.auth.issueSession(org.repE, 'wechat');
    const b = await h.services.auth.issueSession(org.repE, 'wechat');
    expect((await me(a.token)).status).toBe(200);
    expect((await me(b.token)).status).toBe(200);
    // what another instance's logout and an admin's deactivation write
    await h.db.query('UPDATE session SET revokedAt = ? WHERE memberId = ? AND revokedAt IS NULL AND createdAt >= ?', [sqlTime(h.clock.now()), org.repE.id, sqlTime(new Date(h.clock.now().getTime() - 60_000))]);
    h.clock.advance(SESSION_CACHE_MS - 1000);
    expect((await me(a.token)).status).toBe(200);
    h.clock.advance(1001);
    expect((await me(a.token)).status).toBe(401);
    expect((await me(b.token)).status).toBe(401);
    h.clock.advance(-SESSION_CACHE_MS - 1);
  });

  it('a remembered session still ends exactly at its expiry', async () => {
    const { token, expiresAt } = await h.services.auth.issueSession(org.repE, 'wechat');
    h.clock.advance(expiresAt.getTime() - h.clock.now().getTime() - 2000);
    expect((await me(token)).status).toBe(200);
    h.clock.advance(2001);
    expect((await me(token)).status).toBe(401);
    h.clock.advance(-(h.policy.limits.sessionTtlDays * DAY_MS + 1));
  });

  it('tokens are opaque: only their hash is stored', async () => {
    const { token } = await h.services.auth.issueSession(org.repE, 'wechat');
    const rows: { tokenHash: string }[] = await h.db.query('SELECT tokenHash FROM session');
    expect(rows.some((r) => r.tokenHash === token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.tokenHash))).toBe(true);
  });

  it('dev-login does not exist outside demo mode', async () => {
    const res = await api(h.url, 'POST', '/api/v1/auth/dev-login', { json: { phone: org.repA.phone } });
    expect(res.status).toBe(404);
  });
});

describe('a channel without credentials is off', () => {
  it('WeChat login answers 503 CHANNEL_OFF', async () => {
    const bare = await startHarness();
    try {
      const res = await api(bare.url, 'POST', '/api/v1/auth/wechat/login', { json: { code: 'x' } });
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: 'CHANNEL_OFF', message: expect.stringContaining('WECHAT_APP_ID') });
    } finally {
      await bare.close();
    }
  });
});
