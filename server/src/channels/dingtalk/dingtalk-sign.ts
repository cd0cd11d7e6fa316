import { createHmac, timingSafeEqual } from 'node:crypto';

/** DingTalk refuses a robot sign more than an hour off its clock; we hold callbacks to the same window. */
/** A DingTalk callback's timestamp is accepted this far either side of now. */
export const SIGN_WINDOW_MS = 3_600_000;

/** base64(HmacSHA256(key, message)), UTF-8 throughout. */
function hmacBase64(key: string, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('base64');
}

/** The signing chain DingTalk uses everywhere: HMAC-SHA256, base64, then URL-encode. */
export function hmacBase64UrlEncoded(key: string, message: string): string {
  // base64 has only + / = to escape, where encodeURIComponent and Python's quote_plus agree.
  return encodeURIComponent(hmacBase64(key, message));
}

/** Custom robot 加签: the `sign` query parameter for `timestampMs` (already URL-encoded). */
export function robotSign(timestampMs: string, secret: string): string {
  return hmacBase64UrlEncoded(secret, `${timestampMs}\n${secret}`);
}

/** The signed webhook URL, e.g. base = https://oapi.dingtalk.com/robot/send. Sign within the hour you send. */
export function robotSendUrl(base: string, accessToken: string, secret: string, nowMs: number): string {
  const timestamp = String(Math.floor(nowMs));
  const url = new URL(base);
  url.searchParams.set('access_token', accessToken);
  url.searchParams.set('timestamp', timestamp);
  // Appended by hand: robotSign is already encoded and searchParams would encode its % again.
  return `${url.toString()}&sign=${robotSign(timestamp, secret)}`;
}

export type CallbackSignFailure = 'missing' | 'malformed' | 'stale' | 'bad-sign';
export type CallbackSignResult = { ok: true } | { ok: false; reason: CallbackSignFailure };

/** Header values as Koa's ctx.headers gives them; a repeated header is refused. */
type HeaderValue = string | string[] | undefined;
export interface CallbackSignHeaders {
  timestamp?: HeaderValue;
  sign?: HeaderValue;
}

/**
 * Robot HTTP callback (企业内部应用机器人): header `sign` must be base64(HmacSHA256(appSecret,
 * timestamp + "\n" + appSecret)), plain base64 and not URL-encoded, and the millisecond `timestamp`
 * within an hour of `now` either way. The sign does not cover the body, so a captured request can be
 * replayed inside that hour: deduplicate by msgId.
 */
export function checkCallbackSign(headers: CallbackSignHeaders, appSecret: string, now: Date): CallbackSignResult {
  // An empty secret would make every sign computable by anyone: a configuration error, not a refusal.
  if (!appSecret) throw new Error('DingTalk appSecret is empty');
  const { timestamp, sign } = headers;
  if (typeof timestamp !== 'string' || typeof sign !== 'string' || !timestamp || !sign) return { ok: false, reason: 'missing' };
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: 'malformed' };
  // Written so that NaN (an invalid `now`) is refused too.
  if (!(Math.abs(now.getTime() - Number(timestamp)) <= SIGN_WINDOW_MS)) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(hmacBase64(appSecret, `${timestamp}\n${appSecret}`), 'utf8');
  const given = Buffer.from(sign, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-sign' };
  return { ok: true };
}

export function verifyCallbackSign(headers: CallbackSignHeaders, appSecret: string, now: Date): boolean {
  return checkCallbackSign(headers, appSecret, now).ok;
}
