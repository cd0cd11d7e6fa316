import type { WechatEnv } from '../../config/env';
import { callErrcodeApi, UpstreamError } from '../http-client';
import type { TokenCache } from '../token-cache';

const ONE_ATTEMPT = { attempts: 1, baseDelayMs: 0, timeoutMs: 10_000 };

/** The mini-program's access token (/cgi-bin/token), shared by every server through the token cache. */
export function wechatAccessToken(env: WechatEnv, tokens: TokenCache): Promise<string> {
  return tokens.get(wechatTokenKey(env), async () => {
    const url = `${env.apiBase}/cgi-bin/token?grant_type=client_credential&appid=${encodeURIComponent(env.appId)}&secret=${encodeURIComponent(env.appSecret)}`;
    const body = await callErrcodeApi(url, { method: 'GET' }, ONE_ATTEMPT);
    if (body.errcode || typeof body.access_token !== 'string') throw new UpstreamError(`token: ${body.errcode} ${body.errmsg}`, false, typeof body.errcode === 'number' ? body.errcode : undefined);
    return { token: body.access_token, expiresInSeconds: Number(body.expires_in ?? 7200) };
  });
}

export const wechatTokenKey = (env: WechatEnv) => `wechat:${env.appId}`;
