import type { WechatEnv } from '../../config/env';
import { LOGIN_RETRY, UpstreamError, type RetryPolicy } from '../http-client';
import { WechatApi } from './wechat-api';

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

/**
 * WeChat mini-program login: co-wechat-api's code2Session (GET /sns/jscode2session, appid + secret;
 * the code is single use), with quick inline retries on -1 / 5xx / network errors (see WechatApi).
 */
export class WechatLoginClient {
  private readonly api: WechatApi;

  constructor(env: WechatEnv, retry: RetryPolicy = LOGIN_RETRY) {
    // code2Session needs no access token: no token store
    this.api = new WechatApi(env, null, retry);
  }

  async code2Session(code: string): Promise<WechatSession> {
    const answer = await this.api.call((sdk) => sdk.code2Session(code));
    if (!answer.ok) throw new WechatLoginRefused(answer.errcode, answer.errmsg);
    const body = answer.value as { openid?: unknown; unionid?: unknown } | null;
    if (!body || typeof body !== 'object' || typeof body.openid !== 'string' || !body.openid) throw new UpstreamError('code2Session answered without openid', false);
    // session_key stays here: it never reaches the client and we have no use for it yet.
    return { openid: body.openid, ...(typeof body.unionid === 'string' ? { unionid: body.unionid } : {}) };
  }
}
