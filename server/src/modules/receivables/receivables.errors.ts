import type { CatalogCode } from '@anchor/shared';
import { errorThrower } from '../../http/errors';
import type { ErrorSpec } from '../module';

export const RECEIVABLE_ERRORS = {
  /** nothing is owed any more */
  RECEIVABLE_PAID: { status: 409, message: '该期回款已结清' },
  /** a manual record larger than what is still owed (金额 names the field) */
  PAYMENT_EXCEEDS_REMAINING: { status: 422, message: '金额超过该期未回款金额' },
  /** the same method and reference recorded before */
  PAYMENT_REFERENCE_USED: { status: 409, message: '该流水号已登记过' },
  /** a payment day in the future */
  PAYMENT_DATE_INVALID: { status: 422, message: '到账日期不能晚于今天' },
} as const satisfies Record<CatalogCode<'receivables'>, ErrorSpec>;

export const receivableError = errorThrower(RECEIVABLE_ERRORS);
