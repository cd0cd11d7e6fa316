import type { CatalogCode } from '@anchor/shared';
import { errorThrower } from '../../http/errors';
import type { ErrorSpec } from '../module';

/** The org module's errors: login, invites, binding a WeChat / WeCom identity to a member. */
export const ORG_ERRORS = {
  LOGIN_CODE_INVALID: { status: 401, message: '登录凭证无效或已使用，请重新打开小程序登录' },
  /** WeChat or WeCom could not answer (the message names which) */
  LOGIN_UPSTREAM_FAILED: { status: 503, message: '登录服务暂时不可用，请稍后再试' },
  LOGIN_BLOCKED: { status: 403, message: '该微信账号被微信判定为高风险，暂时无法登录' },
  /** the login channel is not configured on this server (the message names the settings) */
  CHANNEL_OFF: { status: 503, message: '未配置该登录方式' },
  INVITE_REQUIRED: { status: 403, message: '首次登录请扫描团队二维码（需要邀请码）' },
  INVITE_INVALID: { status: 400, message: '邀请码无效、已使用或已过期，请向主管索取新的二维码' },
  /** a personal invite for a member whose account already has another WeChat / WeCom identity */
  MEMBER_ALREADY_BOUND: { status: 409, message: '该成员已绑定其他微信' },
  /** a team invite used to join with a phone number a member already has */
  PHONE_ALREADY_REGISTERED: { status: 409, message: '该手机号已登记，请向主管索取个人邀请码' },
  /** two first logins of one identity (or one phone) at once: the other one won */
  ACCOUNT_ALREADY_BOUND: { status: 409, message: '该账号或手机号已绑定，请直接重新登录' },
} as const satisfies Record<CatalogCode<'org'>, ErrorSpec>;

export const orgError = errorThrower(ORG_ERRORS);
