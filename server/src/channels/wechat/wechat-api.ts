import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import https from 'node:https';
import WechatAPI from 'co-wechat-api';
import type { WechatEnv } from '../../config/env';
import { NOT_SENT_CODES, UpstreamError, type RetryPolicy } from '../http-client';
import type { TokenCache } from '../token-cache';

export const wechatTokenKey = (env: WechatEnv) => `wechat:${env.appId}`;

/** /cgi-bin/token refused or failed: the call that needed the token never went out. */
export class WechatTokenError extends UpstreamError {}

/** What WeChat answered: the result, or its errcode (never -1, which is retried as "busy"). */
export type WechatAnswer<T> = { ok: true; value: T } | { ok: false; errcode: number; errmsg: string };

/** Which token the current call used, so a 40001/42001 invalidates that one and not a newer one. */
interface CallSlot {
  token?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TRANSIENT_STATUS = new Set([408, 425, 429]);

/** The errcode of an answer co-wechat-api threw (`WeChatAPIError` with a numeric `code`). */
function sdkErrcode(error: unknown): number | undefined {
  const e = error as { name?: string; code?: unknown };
  return e?.name === 'WeChatAPIError' && typeof e.code === 'number' ? e.code : undefined;
}

/**
 * co-wechat-api's and httpx's other failures as an UpstreamError. Their messages carry the request
 * URL, which holds the app secret or the access token: they are never passed on.
 */
export function upstreamFromSdk(error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const e = error as { name?: string; message?: string; code?: unknown };
  const message = String(e?.message ?? '');
  if (e?.name === 'WeChatAPIError') {
    const status = /status code: (\d+)$/.exec(message);
    if (status) {
      const code = Number(status[1]);
      // a refusal unless it says "not now"; either way the platform did not act on it
      return new UpstreamError(`HTTP ${code}`, code >= 500 || TRANSIENT_STATUS.has(code));
    }
    if (e.code === -1) return new UpstreamError('system busy (-1)', true, -1);
    // a 2xx whose JSON did not parse (cut or a gateway's page): it may have been acted on
    return new UpstreamError('HTTP 2xx with a body that is not JSON', true, undefined, true);
  }
  if (e?.name === 'RequestTimeoutError' && message.startsWith('ConnectTimeout')) return new UpstreamError('network error: connect timeout', true);
  if (typeof e?.code === 'string' && NOT_SENT_CODES.has(e.code)) return new UpstreamError(`network error (${e.code})`, true);
  return new UpstreamError(`network error: ${e?.name ?? 'Error'}${typeof e?.code === 'string' ? ` (${e.code})` : ''}`, true, undefined, true);
}

/**
 * The WeChat mini-program server API on co-wechat-api 3.11.0 (the design card's library), with what
 * it lacks for a server of several instances wrapped around it rather than replaced:
 *
 * - Token: its getToken/saveToken hooks read and write the shared `channel_token` table through
 *   TokenCache. getToken refreshes under the cache's row lock (single flight across instances) with
 *   the library's own request to its `prefix` + `token`; the library's unlocked refresh
 *   (getAccessToken → saveToken) would let two instances each fetch a token (protocols.md §8.1).
 * - Retries: its request() retries 40001/42001 itself with a freshly fetched token; that retry is off
 *   (retry = 0). The caller owns retries as before: the outbox dispatcher for subscribe messages (one
 *   attempt per pass), 503 for a QR code, and -1 / 5xx / network errors are retried here with backoff
 *   per the RetryPolicy (login), which the library does not do at all. A rejected token is dropped
 *   from the table through saveToken(null) — only if no other instance has replaced it.
 * - Timeouts: httpx's default is 3 s connect + 3 s read; set from the RetryPolicy.
 * - Sockets: it throws on a status outside 200–204 without reading the body (which holds the socket);
 *   its agent here reads such bodies away.
 * - Errors: its errors embed the URL (secret, token); they become UpstreamError without it.
 * - Prefixes: its URL prefixes are instance fields, set from WECHAT_API_BASE (the simulators).
 * - getwxacodeunlimit: its getWXACodeUnlimit cannot send check_path=false, so codes would fail for
 *   pages not yet published; getUnlimitedCode posts the same call through its request() instead.
 */
export class WechatApi {
  readonly sdk: AnchorWechatSdk;
  private readonly calls = new AsyncLocalStorage<CallSlot>();

  constructor(
    readonly env: WechatEnv,
    /** null: the caller makes no token-bearing calls (login) */
    private readonly tokens: TokenCache | null,
    private readonly retry: RetryPolicy,
  ) {
    const key = wechatTokenKey(env);
    this.sdk = new AnchorWechatSdk(
      env.appId,
      env.appSecret,
      async () => {
        if (!this.tokens) throw new WechatTokenError('no token store for this client', false);
        const token = await this.tokens.get(key, () => this.fetchToken());
        const slot = this.calls.getStore();
        if (slot) slot.token = token;
        // The cache has judged the token fresh by the server clock; the library checks it once, now.
        return { accessToken: token, expireTime: Date.now() + 60_000 };
      },
      async (stored) => {
        if (!this.tokens) return;
        const rejected = this.calls.getStore()?.token;
        if (stored === null) {
          if (rejected) await this.tokens.invalidate(key, rejected);
          return;
        }
        await this.tokens.put(key, stored.accessToken, Math.max(0, Math.floor((stored.expireTime - Date.now()) / 1000)));
      },
    );
    const base = env.apiBase.replace(/\/$/, '');
    this.sdk.prefix = `${base}/cgi-bin/`;
    this.sdk.snsPrefix = `${base}/sns/`;
    this.sdk.wxaPrefix = `${base}/wxa/`;
    this.sdk.payPrefix = `${base}/pay/`;
    this.sdk.merchantPrefix = `${base}/merchant/`;
    this.sdk.customservicePrefix = `${base}/customservice/`;
    this.sdk.setOpts({ timeout: retry.timeoutMs, agent: drainingAgent(base) });
  }

  /** /cgi-bin/token, one attempt, under the cache's lock (never stored through saveToken: the cache stores it). */
  private async fetchToken(): Promise<{ token: string; expiresInSeconds: number }> {
    let body: unknown;
    try {
      body = await this.sdk.request(`${this.sdk.prefix}token?grant_type=client_credential&appid=${encodeURIComponent(this.env.appId)}&secret=${encodeURIComponent(this.env.appSecret)}`);
    } catch (error) {
      const errcode = sdkErrcode(error);
      if (errcode !== undefined && errcode !== -1) throw new WechatTokenError(`token: ${errcode} ${(error as Error).message}`, false, errcode);
      const upstream = upstreamFromSdk(error);
      throw new WechatTokenError(`token: ${upstream.message}`, upstream.transient, upstream.errcode);
    }
    const b = body as { access_token?: unknown; expires_in?: unknown } | null;
    if (!b || typeof b !== 'object' || typeof b.access_token !== 'string') throw new WechatTokenError('token: answered without access_token', false);
    return { token: b.access_token, expiresInSeconds: Number(b.expires_in ?? 7200) };
  }

  /**
   * One SDK call (answering JSON, or `bytes`: an image) with this client's retries on -1,
   * 408/425/429/5xx, unparsable bodies and network errors. An errcode answer is returned; a token that
   * WeChat rejected (40001/42001) is dropped from the shared table first. A failed token fetch throws
   * WechatTokenError (never retried here); anything else UpstreamError.
   */
  async call<T>(run: (sdk: AnchorWechatSdk) => Promise<T>, answers: 'json' | 'bytes' = 'json'): Promise<WechatAnswer<T>> {
    let lastError: UpstreamError | undefined;
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      if (attempt > 0) await sleep(this.retry.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
      try {
        return await this.calls.run({}, async () => {
          try {
            const value = await run(this.sdk);
            // the library hands back a Buffer or a string when the answer was not JSON (a gateway's page)
            if (answers === 'json' && (value === null || typeof value !== 'object' || Buffer.isBuffer(value))) {
              throw new UpstreamError('HTTP 2xx with a body that is not JSON', true, undefined, true);
            }
            return { ok: true as const, value };
          } catch (error) {
            const errcode = sdkErrcode(error);
            if (errcode === undefined || errcode === -1) throw error;
            if (errcode === 40001 || errcode === 42001) await this.sdk.saveToken(null);
            return { ok: false as const, errcode, errmsg: (error as Error).message };
          }
        });
      } catch (error) {
        if (error instanceof WechatTokenError) throw error;
        lastError = upstreamFromSdk(error);
        if (!lastError.transient) throw lastError;
      }
    }
    throw lastError ?? new UpstreamError('no attempt made', true);
  }
}

/**
 * A keep-alive agent that reads away the body of an answer outside 200–204: co-wechat-api throws on
 * the status without reading it, and Node asks that every response be consumed (an unread one holds
 * its socket and bytes until the server closes the connection).
 */
function drainingAgent(base: string): http.Agent {
  const agent = base.startsWith('https:') ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const internal = agent as unknown as { addRequest(req: http.ClientRequest, options: unknown): void };
  const addRequest = internal.addRequest.bind(agent);
  internal.addRequest = (req, options) => {
    req.once('response', (res: http.IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 204) res.resume();
    });
    addRequest(req, options);
  };
  return agent;
}

/** co-wechat-api with its 40001/42001 self-retry off and the one call it cannot make as we need it. */
export class AnchorWechatSdk extends WechatAPI {
  override request(url: string, opts?: WechatAPI.RequestOptions): Promise<unknown> {
    return super.request(url, opts, 0);
  }

  /** wxacode.getUnlimited with check_path=false (codes work before the page is published). */
  async getUnlimitedCode(scene: string, page: string, width = 430): Promise<unknown> {
    const { accessToken } = await this.ensureAccessToken();
    return this.request(`${this.wxaPrefix}getwxacodeunlimit?access_token=${encodeURIComponent(accessToken)}`, {
      method: 'POST',
      data: JSON.stringify({ scene, page, check_path: false, width }),
      headers: { 'Content-Type': 'application/json' },
    });
  }
}
