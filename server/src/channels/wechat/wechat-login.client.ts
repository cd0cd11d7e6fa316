import type { WechatEnv } from '../../config/env';
import { callErrcodeApi, LOGIN_RETRY, UpstreamError, type RetryPolicy } from '../http-client';

export interface WechatSession {
  openid: string;
  unionid?: string;
}

/** Errors code2Session may answer that are the user's, not ours: each gets its own API error. */
export class WechatLoginRefused extends Error {
  constructor(readonly errcode: number, errmsg: string) {
    super(`code2Session refused: ${errcode} ${errmsg}`);
  }
}

/** WeChat mini-program login: GET /sns/jscode2session (appid + secret; the code is single use). */
export class WechatLoginClient {
  constructor(
    private readonly env: WechatEnv,
    private readonly retry: RetryPolicy = LOGIN_RETRY,
  ) {}

  async code2Session(code: string): Promise<WechatSession> {
    const url = new URL(`${this.env.apiBase.replace(/\/$/, '')}/sns/jscode2session`);
    url.search = new URLSearchParams({
      appid: this.env.appId,
      secret: this.env.appSecret,
      js_code: code,
      grant_type: 'authorization_code',
    }).toString();
    const body = await callErrcodeApi(url.toString(), { method: 'GET' }, this.retry);
    if (body.errcode) throw new WechatLoginRefused(body.errcode, String(body.errmsg ?? ''));
    if (typeof body.openid !== 'string' || !body.openid) throw new UpstreamError('code2Session answered without openid', false);
    // session_key stays here: it never reaches the client and we have no use for it yet.
    return { openid: body.openid, ...(typeof body.unionid === 'string' ? { unionid: body.unionid } : {}) };
  }
}
