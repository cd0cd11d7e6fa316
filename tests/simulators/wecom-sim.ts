import { randomBytes } from 'node:crypto';
import { Simulator, type SimRequest } from './sim-server';

/**
 * WeCom server API for login: gettoken (corpid + corpsecret checked, tokens expire), and
 * miniprogram/jscode2session (token checked: 41001 missing, 40014 unknown, 42001 expired;
 * codes single use: 40029).
 */
export class WecomSimulator extends Simulator {
  private readonly tokens = new Map<string, number>();
  private readonly codes = new Map<string, { userid: string; corpid: string; used: boolean }>();
  tokenLifetimeSeconds = 7200;

  constructor(
    readonly corpId = 'ww-sim-corp',
    readonly secret = 'wecom-sim-secret',
  ) {
    super();
  }

  issueCode(userid: string, corpid = this.corpId): string {
    const code = `qycode_${randomBytes(6).toString('hex')}`;
    this.codes.set(code, { userid, corpid, used: false });
    return code;
  }

  /** WeCom may invalidate tokens before their announced expiry. */
  expireAllTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  private checkToken(token: string | null): { errcode: number; errmsg: string } | null {
    if (!token) return { errcode: 41001, errmsg: 'access_token missing' };
    const expires = this.tokens.get(token);
    if (expires === undefined) return { errcode: 40014, errmsg: 'invalid access_token' };
    if (expires <= Date.now()) return { errcode: 42001, errmsg: 'access_token expired' };
    return null;
  }

  protected handle(req: SimRequest) {
    const q = req.query;
    if (req.path === '/cgi-bin/gettoken') {
      if (q.get('corpid') !== this.corpId) return { json: { errcode: 40013, errmsg: 'invalid corpid' } };
      if (q.get('corpsecret') !== this.secret) return { json: { errcode: 40001, errmsg: 'invalid credential' } };
      const token = randomBytes(24).toString('hex');
      this.tokens.set(token, Date.now() + this.tokenLifetimeSeconds * 1000);
      return { json: { errcode: 0, errmsg: 'ok', access_token: token, expires_in: this.tokenLifetimeSeconds } };
    }
    if (req.path === '/cgi-bin/miniprogram/jscode2session') {
      const tokenError = this.checkToken(q.get('access_token'));
      if (tokenError) return { json: tokenError };
      const entry = this.codes.get(q.get('js_code') ?? '');
      if (!entry || entry.used) return { json: { errcode: 40029, errmsg: 'invalid code' } };
      entry.used = true;
      return { json: { corpid: entry.corpid, userid: entry.userid, session_key: randomBytes(16).toString('base64'), errcode: 0, errmsg: 'ok' } };
    }
    return { status: 404, text: 'not found' };
  }
}
