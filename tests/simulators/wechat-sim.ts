import { randomBytes } from 'node:crypto';
import { Simulator, type SimRequest } from './sim-server';

/**
 * WeChat mini-program backend, as documented for /sns/jscode2session: appid+secret checked,
 * each code valid once for 5 minutes (40029 unknown, 40163 used), 45011 past 100 calls per user
 * per minute, 40226 for a high-risk user, -1 when busy.
 */
export class WechatSimulator extends Simulator {
  private readonly codes = new Map<string, { openid: string; issuedAt: number; used: boolean }>();
  private readonly callsPerUser = new Map<string, number[]>();
  readonly blocked = new Set<string>();
  /** Queued faults for the next calls: 'busy' → errcode -1, 'http500' → HTTP 500. */
  readonly faults: ('busy' | 'http500')[] = [];
  perUserPerMinute = 100;

  constructor(
    readonly appId = 'wx-sim-app',
    readonly appSecret = 'wx-sim-secret',
  ) {
    super();
  }

  /** What wx.login would hand the mini-program for this user. */
  issueCode(openid: string): string {
    const code = `wxcode_${randomBytes(6).toString('hex')}`;
    this.codes.set(code, { openid, issuedAt: Date.now(), used: false });
    return code;
  }

  /** Marks a code as already exchanged, as if another request had used it first. */
  spendCode(code: string): string {
    const entry = this.codes.get(code);
    if (entry) entry.used = true;
    return code;
  }

  protected handle(req: SimRequest) {
    if (req.path !== '/sns/jscode2session' || req.method !== 'GET') return { status: 404, text: 'not found' };
    const fault = this.faults.shift();
    if (fault === 'http500') return { status: 500, text: 'internal error' };
    if (fault === 'busy') return { json: { errcode: -1, errmsg: 'system error' } };
    const q = req.query;
    if (q.get('appid') !== this.appId) return { json: { errcode: 40013, errmsg: 'invalid appid' } };
    if (q.get('secret') !== this.appSecret) return { json: { errcode: 40125, errmsg: 'invalid appsecret' } };
    if (q.get('grant_type') !== 'authorization_code') return { json: { errcode: 40002, errmsg: 'invalid grant_type' } };
    const entry = this.codes.get(q.get('js_code') ?? '');
    if (!entry || Date.now() - entry.issuedAt > 5 * 60_000) return { json: { errcode: 40029, errmsg: 'invalid code' } };
    const now = Date.now();
    const calls = (this.callsPerUser.get(entry.openid) ?? []).filter((t) => now - t < 60_000);
    calls.push(now);
    this.callsPerUser.set(entry.openid, calls);
    if (calls.length > this.perUserPerMinute) return { json: { errcode: 45011, errmsg: 'api minute-quota reach limit' } };
    if (entry.used) return { json: { errcode: 40163, errmsg: 'code been used' } };
    entry.used = true;
    if (this.blocked.has(entry.openid)) return { json: { errcode: 40226, errmsg: 'high risk user' } };
    return { json: { openid: entry.openid, session_key: randomBytes(16).toString('base64') } };
  }
}
