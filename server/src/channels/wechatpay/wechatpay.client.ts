import { readFileSync } from 'node:fs';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import Pay from 'wechatpay-node-v3';
import type { WechatPayEnv } from '../../config/env';
import type { RetryPolicy } from '../http-client';
import { UpstreamError } from '../http-client';
import type { CertificatesAnswer } from './platform-certificates';
import { KeyRing, loadVerifierKey, nonceString, requestMessage, signSha256WithRsa, verifyResponse, type NotifyHeaders, type PlatformKeys, type WechatPayTransaction } from './wechatpay-crypto';

export const WECHATPAY_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 200, timeoutMs: 8000 };

/** A refusal WeChat Pay answered with `{code, message}` (4xx): not worth retrying as is. */
export class WechatPayApiError extends UpstreamError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`WeChat Pay HTTP ${status} ${code}: ${detail}`, status === 429 || status >= 500);
    this.name = 'WechatPayApiError';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface NativeOrderInput {
  outTradeNo: string;
  description: string;
  amountFen: number;
  notifyUrl: string;
  /** RFC 3339 with offset; must be identical on a retry of the same out_trade_no */
  timeExpire: string;
  attach?: string;
}

/**
 * WeChat Pay v3 merchant API: Native order, query, close. Requests are signed with the merchant key:
 * the string to sign and the Authorization header come from `wechatpay-node-v3` (its `getSignature`
 * and `getAuthorization`), except a POST without body, which it signs wrong (no empty body line) —
 * our `requestMessage` does that one. The package's HTTP layer is not used: its host is hard-coded
 * and it has no timeout or retry; ours has both, like the other channel clients.
 */
export class WechatPayClient {
  private readonly pay: Pay;
  private readonly privateKey: KeyObject;
  /** asked when an answer names a serial the keys do not know (the certificate store downloads once); then verified again */
  onUnknownSerial: ((serial: string) => Promise<void>) | null = null;

  constructor(
    readonly env: WechatPayEnv,
    private readonly retry: RetryPolicy = WECHATPAY_RETRY,
    privateKeyPem: string | undefined = undefined,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
    /** WeChat Pay's verifying keys: a 2xx answer not signed by one of them is not believed */
    private readonly keys: PlatformKeys | null = null,
  ) {
    privateKeyPem ??= readFileSync(env.privateKeyPath, 'utf8');
    this.privateKey = createPrivateKey(privateKeyPem);
    // publicKey is only read to derive serial_no, which we give: any non-empty buffer will do
    this.pay = new Pay({ appid: env.appId, mchid: env.mchId, publicKey: Buffer.from('unused'), privateKey: Buffer.from(privateKeyPem), serial_no: env.serial });
  }

  /** The Authorization header for one request (exact bytes of `body`). */
  authorization(method: 'GET' | 'POST', pathWithQuery: string, body: string, nonce = nonceString(), timestamp = this.nowSeconds()): string {
    const signature =
      method === 'POST' && body === ''
        ? signSha256WithRsa(this.privateKey, requestMessage(method, pathWithQuery, timestamp, nonce, body))
        : this.pay.getSignature(method, nonce, String(timestamp), pathWithQuery, body || undefined);
    return this.pay.getAuthorization(nonce, String(timestamp), signature);
  }

  private async call(method: 'GET' | 'POST', pathWithQuery: string, payload?: unknown, verify = true): Promise<{ status: number; json: Record<string, unknown> | null; text: string; signed: NotifyHeaders }> {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    let lastError: UpstreamError | undefined;
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      if (attempt > 0) await sleep(this.retry.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
      let response: Response;
      let text: string;
      try {
        response = await fetch(`${this.env.apiBase}${pathWithQuery}`, {
          method,
          headers: {
            Authorization: this.authorization(method, pathWithQuery, body),
            Accept: 'application/json',
            'Content-Type': 'application/json',
            'User-Agent': 'anchor-wechatpay/1.0',
          },
          body: method === 'POST' ? body : undefined,
          signal: AbortSignal.timeout(this.retry.timeoutMs),
        });
        text = await response.text();
      } catch (error) {
        lastError = new UpstreamError(`network error: ${(error as Error).message}`, true, undefined, true);
        continue;
      }
      let json: Record<string, unknown> | null = null;
      if (text) {
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          lastError = new UpstreamError(`HTTP ${response.status} with a body that is not JSON`, true, undefined, true);
          continue;
        }
      }
      if (response.status === 429 || response.status >= 500) {
        lastError = new WechatPayApiError(response.status, String(json?.code ?? ''), String(json?.message ?? ''));
        continue;
      }
      if (response.status >= 400) throw new WechatPayApiError(response.status, String(json?.code ?? ''), String(json?.message ?? ''));
      const signed = {
        serial: response.headers.get('wechatpay-serial') ?? undefined, signature: response.headers.get('wechatpay-signature') ?? undefined,
        timestamp: response.headers.get('wechatpay-timestamp') ?? undefined, nonce: response.headers.get('wechatpay-nonce') ?? undefined,
      };
      // an answer that is not WeChat Pay's (a proxy's, a forger's) is treated like a lost one: tried again, then the caller's error
      if (verify && this.keys && !(await this.believed(signed, text))) {
        lastError = new UpstreamError(`HTTP ${response.status} answer without a valid WeChat Pay signature`, true, undefined, true);
        continue;
      }
      return { status: response.status, json, text, signed };
    }
    throw lastError ?? new UpstreamError('no attempt made', true);
  }

  /** WeChat Pay's signature on an answer; a serial not yet known is looked up once (a rotated certificate). */
  private async believed(signed: NotifyHeaders, text: string): Promise<boolean> {
    if (!this.keys) return true;
    if (verifyResponse(signed, text, this.keys, this.nowSeconds(), 300)) return true;
    if (!signed.serial || !this.onUnknownSerial || this.keys.keyFor(signed.serial, this.nowSeconds())) return false;
    await this.onUnknownSerial(signed.serial);
    return verifyResponse(signed, text, this.keys, this.nowSeconds(), 300);
  }

  /**
   * GET /v3/certificates, signed like any request, its answer raw (body and signature headers): the
   * certificate store decrypts and verifies it, since the key that signed it may be one it carries.
   */
  async certificates(): Promise<CertificatesAnswer> {
    const { status, text, signed } = await this.call('GET', '/v3/certificates', undefined, false);
    return { status, body: text, headers: signed };
  }

  /** POST /v3/pay/transactions/native → code_url. The same out_trade_no and body again is the sanctioned retry. */
  async nativeOrder(input: NativeOrderInput): Promise<{ codeUrl: string }> {
    const { json } = await this.call('POST', '/v3/pay/transactions/native', {
      appid: this.env.appId,
      mchid: this.env.mchId,
      description: input.description,
      out_trade_no: input.outTradeNo,
      time_expire: input.timeExpire,
      notify_url: input.notifyUrl,
      ...(input.attach ? { attach: input.attach } : {}),
      amount: { total: input.amountFen, currency: 'CNY' },
    });
    const codeUrl = json?.code_url;
    if (typeof codeUrl !== 'string' || !codeUrl) throw new UpstreamError('native order answered without code_url', true, undefined, true);
    return { codeUrl };
  }

  /** GET /v3/pay/transactions/out-trade-no/{no}?mchid= ; null when WeChat Pay has no such order (404 ORDER_NOT_EXIST). */
  async query(outTradeNo: string): Promise<WechatPayTransaction | null> {
    try {
      const { json } = await this.call('GET', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${encodeURIComponent(this.env.mchId)}`);
      return json as unknown as WechatPayTransaction;
    } catch (error) {
      if (error instanceof WechatPayApiError && error.status === 404) return null;
      throw error;
    }
  }

  /** POST …/close with {mchid}: 204. */
  async close(outTradeNo: string): Promise<void> {
    await this.call('POST', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`, { mchid: this.env.mchId });
  }
}

/** The verifying keys from the environment: platform certificate (the first one, until downloads add more) and/or public key. */
export function loadPlatformKeys(env: WechatPayEnv, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): KeyRing {
  const keys = new KeyRing();
  if (env.platformKeyPath) keys.add(loadVerifierKey(read(env.platformKeyPath), env.platformSerial));
  if (env.publicKeyId && env.publicKeyPath) {
    keys.publicKeys.set(env.publicKeyId, loadVerifierKey(read(env.publicKeyPath), env.publicKeyId).key);
  }
  return keys;
}
