import type { Clock } from '../../clock';
import type { Env } from '../../config/env';
import type { Policy } from '../../config/policy';
import type { Logger } from '../../logger';
import type { PlatformKeys } from '../../channels/wechatpay/wechatpay-crypto';
import { PlatformCertificateStore } from '../../channels/wechatpay/platform-certificates';
import { loadPlatformKeys, WechatPayClient } from '../../channels/wechatpay/wechatpay.client';

export interface WechatPaySetup {
  client: WechatPayClient | null;
  keys: PlatformKeys | null;
  /** platform-certificate mode: the downloaded certificates (the file's one to start with); null in public-key-only mode */
  certificates: PlatformCertificateStore | null;
}

/** The WeChat Pay client, verifying keys and certificate store from the environment; all null when the channel is off. */
export function readEnvKeys(env: Env, clock: Clock, policy: Policy, logger?: Logger): WechatPaySetup {
  if (!env.wechatPay) return { client: null, keys: null, certificates: null };
  // request timestamps from the server's clock (WeChat Pay refuses a skewed one)
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
  const keys = loadPlatformKeys(env.wechatPay);
  const client = new WechatPayClient(env.wechatPay, undefined, undefined, nowSeconds, keys);
  if (!env.wechatPay.platformKeyPath) return { client, keys, certificates: null };
  const certificates = new PlatformCertificateStore(keys, () => client.certificates(), {
    apiV3Key: env.wechatPay.apiV3Key,
    nowSeconds,
    refreshSeconds: policy.payments.certificateRefreshMinutes * 60,
    fetchGapSeconds: policy.payments.certificateFetchGapSeconds,
    maxSkewSeconds: policy.payments.notifySkewSeconds,
    logger,
  });
  client.onUnknownSerial = (serial) => certificates.ensure(serial);
  return { client, keys, certificates };
}
