import type { CatalogCode } from '@anchor/shared';
import { errorThrower } from '../../http/errors';
import type { ErrorSpec } from '../module';

/** The rebate calculator's errors; each message names what is wrong (the handler words the details). */
export const REBATE_ERRORS = {
  /** no rule of the version in force covers the customer's grade/type, the model, the cycle and the amount */
  REBATE_NO_RULE: { status: 422, message: '没有适用的返点规则' },
  /** a table with overlapping or gapped bands, or values outside the policy's lists (rows named in fields) */
  REBATE_TABLE_INVALID: { status: 422, message: '返点规则表有误，未保存' },
  /** the xlsx import: a bad header, not a sheet, or bad rows (commit refuses the whole file) */
  REBATE_IMPORT_INVALID: { status: 422, message: '返点规则表导入失败' },
  /** the rate chosen is outside the rule's range */
  REBATE_RATE_OUT_OF_RANGE: { status: 422, message: '返点比例超出合规范围' },
  /** the request is not in a state that allows this (already decided otherwise, paid …) */
  REBATE_STATE_CONFLICT: { status: 409, message: '返点申请当前状态不允许此操作' },
  /** resubmitted while a document finance named is still not attached */
  REBATE_DOCUMENTS_MISSING: { status: 422, message: '仍缺少单据' },
} as const satisfies Record<CatalogCode<'rebates'>, ErrorSpec>;

export const rebateError = errorThrower(REBATE_ERRORS);
