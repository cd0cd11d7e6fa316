import type { CatalogCode } from '@anchor/shared';
import { errorThrower } from '../../http/errors';
import type { ErrorSpec } from '../module';

export const PAYMENT_ERRORS = {
  /** the WECHATPAY_* variables are not set on this server */
  WECHATPAY_OFF: { status: 503, message: '微信支付未开通，请联系管理员配置商户号' },
  /** WeChat Pay refused or could not be reached */
  WECHATPAY_UPSTREAM_FAILED: { status: 502, message: '微信支付暂时无法下单，请稍后重试' },
  /** closing an order that is no longer open, or paying a receivable with nothing left to pay */
  PAY_ORDER_NOT_OPEN: { status: 409, message: '该订单已支付或已关闭' },
} as const satisfies Record<CatalogCode<'payments'>, ErrorSpec>;

export const paymentError = errorThrower(PAYMENT_ERRORS);
