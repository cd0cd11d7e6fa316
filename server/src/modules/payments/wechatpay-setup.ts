import type { Clock } from '../../clock';
import type { Env } from '../../config/env';
import type { PlatformKeys } from '../../channels/wechatpay/wechatpay-crypto';
import { loadPlatformKeys, WechatPayClient } from '../../channels/wechatpay/wechatpay.client';

/** The WeChat Pay client and verifying keys from the environment; both null when the channel is off. */
export function readEnvKeys(env: Env, clock: Clock): { client: WechatPayClient | null; keys: PlatformKeys | null } {
  if (!env.wechatPay) return { client: null, keys: null };
  // request timestamps from the server's clock (WeChat Pay refuses a skewed one)
  const keys = loadPlatformKeys(env.wechatPay);
  return { client: new WechatPayClient(env.wechatPay, undefined, undefined, () => Math.floor(clock.now().getTime() / 1000), keys), keys };
}
