import type { CatalogCode } from '@anchor/shared';
import { errorThrower } from '../../http/errors';
import type { ErrorSpec } from '../module';

/** The customers module's errors (the platform's — NOT_FOUND, VALIDATION_FAILED … — are in http/http.errors.ts). */
export const CUSTOMER_ERRORS = {
  /**
   * The same words whoever owns the existing customer, in the caller's scope or not: a refusal must not
   * tell a rep that another team works a hospital, nor who does.
   */
  DUPLICATE_CUSTOMER: { status: 409, message: '客户已存在，请联系主管分配' },
  /** an Excel import refused as a whole (bad header, bad rows, too many rows) */
  IMPORT_INVALID: { status: 422, message: '导入失败，请检查表格' },
  /** closing a customer already closed as lost, or moving the stage of one: reopen it first */
  CUSTOMER_CLOSED: { status: 409, message: '客户已关闭（丢单），请主管先重新打开' },
  /** reopening a customer that is not closed */
  CUSTOMER_NOT_CLOSED: { status: 409, message: '客户未关闭，无需重新打开' },
} as const satisfies Record<CatalogCode<'customers'>, ErrorSpec>;

export const customerError = errorThrower(CUSTOMER_ERRORS);
