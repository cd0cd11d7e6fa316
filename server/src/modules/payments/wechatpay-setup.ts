import type { Env } from '../../config/env';
import type { PlatformKeys } from '../../channels/wechatpay/wechatpay-crypto';
import { loadPlatformKeys, WechatPayClient } from '../../channels/wechatpay/wechatpay.client';

/** The WeChat Pay client and verifying keys from the environment; both null when the channel is off. */
export function readEnvKeys(env: Env): { client: WechatPayClient | null; keys: PlatformKeys | null } {
  if (!env.wechatPay) return { client: null, keys: null };
  return { client: new WechatPayClient(env.wechatPay), keys: loadPlatformKeys(env.wechatPay) };
}
