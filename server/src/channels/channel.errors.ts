import type { CatalogCode } from '@anchor/shared';
import { errorThrower } from '../http/errors';
import type { ErrorSpec } from '../modules/module';

/** The channels' errors: an external system the answer depends on did not give it. */
export const CHANNEL_ERRORS = {
  /** WeChat's API (access token, mini-program code) failed or refused (the message says which) */
  WECHAT_UPSTREAM_FAILED: { status: 503, message: '微信接口暂时不可用，请稍后再试' },
} as const satisfies Record<CatalogCode<'channels'>, ErrorSpec>;

export const channelError = errorThrower(CHANNEL_ERRORS);
