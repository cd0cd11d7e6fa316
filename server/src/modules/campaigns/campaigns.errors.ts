import type { CatalogCode } from '@anchor/shared';
import { errorThrower } from '../../http/errors';
import type { ErrorSpec } from '../module';

/** The campaign module's errors; each message names what is wrong (the service words the details and fields). */
export const CAMPAIGN_ERRORS = {
  /** a plan refused: no targets, targets out of the creator's reach, steps with negative, out-of-order or circular offsets, unknown objective/material/stage */
  CAMPAIGN_INVALID: { status: 422, message: '专项任务设置有误，未保存' },
  /** launched twice, closed twice, an exception on a closed campaign … */
  CAMPAIGN_STATE_CONFLICT: { status: 409, message: '专项任务当前状态不允许此操作' },
  /** the target already has an exception waiting for the owner */
  CAMPAIGN_EXCEPTION_OPEN: { status: 409, message: '该目标客户已有待处理的异常上报' },
  /** the exception was already answered, reassigned or dropped */
  CAMPAIGN_EXCEPTION_SETTLED: { status: 409, message: '该异常已处理' },
  /** the xlsx list of customers could not be read */
  CAMPAIGN_IMPORT_INVALID: { status: 422, message: '目标客户名单无法读取' },
} as const satisfies Record<CatalogCode<'campaigns'>, ErrorSpec>;

export const campaignError = errorThrower(CAMPAIGN_ERRORS);
