import type { WecomEnv } from '../../config/env';
import { callErrcodeApi, UpstreamError, type ErrcodeBody, type RetryPolicy } from '../http-client';
import type { TokenCache } from '../token-cache';

/** Token errors after which a fresh token is fetched and the call tried once more. */
const TOKEN_REJECTED = new Set([40014, 42001]);

export class WecomApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeCom API error ${errcode}: ${errmsg}`);
  }
}

/**
 * The WeCom application API: gettoken (cached per corp + agent in the database, shared by all
 * instances) and calls that carry the token, re-fetched once when WeCom says it is invalid.
 */
export class WecomApiClient {
  constructor(
    private readonly env: WecomEnv,
    private readonly tokens: TokenCache,
    private readonly retry: RetryPolicy,
  ) {}

  private get cacheKey(): string {
    return `wecom:${this.env.corpId}:${this.env.agentId}`;
  }

  accessToken(): Promise<string> {
    return this.tokens.get(this.cacheKey, async () => {
      const url = new URL(`${this.env.apiBase.replace(/\/$/, '')}/cgi-bin/gettoken`);
      url.search = new URLSearchParams({ corpid: this.env.corpId, corpsecret: this.env.secret }).toString();
      const body = await callErrcodeApi(url.toString(), { method: 'GET' }, this.retry);
      if (body.errcode) throw new WecomApiError(body.errcode, String(body.errmsg ?? ''));
      if (typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') {
        throw new UpstreamError('gettoken answered without a token', false);
      }
      return { token: body.access_token, expiresInSeconds: body.expires_in };
    });
  }

  /** Calls `path` with the access token; the errcode is left to the caller except token errors. */
  async call(method: 'GET' | 'POST', path: string, params: Record<string, string> = {}, json?: unknown): Promise<ErrcodeBody> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      const url = new URL(`${this.env.apiBase.replace(/\/$/, '')}${path}`);
      url.search = new URLSearchParams({ access_token: token, ...params }).toString();
      const init: RequestInit =
        method === 'POST' ? { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(json ?? {}) } : { method };
      const body = await callErrcodeApi(url.toString(), init, this.retry);
      if (body.errcode && TOKEN_REJECTED.has(body.errcode) && attempt === 0) {
        await this.tokens.invalidate(this.cacheKey, token);
        continue;
      }
      return body;
    }
  }

  /** WeCom mini-program login: the code from wx.qy.login becomes (corpid, userid). */
  async jscode2session(code: string): Promise<{ corpid: string; userid: string }> {
    const body = await this.call('GET', '/cgi-bin/miniprogram/jscode2session', { js_code: code, grant_type: 'authorization_code' });
    if (body.errcode) throw new WecomApiError(body.errcode, String(body.errmsg ?? ''));
    if (typeof body.userid !== 'string' || typeof body.corpid !== 'string') throw new UpstreamError('jscode2session answered without userid', false);
    return { corpid: body.corpid, userid: body.userid };
  }
}
