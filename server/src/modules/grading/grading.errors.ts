import type { CatalogCode } from '@anchor/shared';
import { errorThrower } from '../../http/errors';
import type { ErrorSpec } from '../module';

/** The grading module's errors (out of scope is the platform's NOT_FOUND). */
export const GRADING_ERRORS = {
  /** a grading input sheet refused as a whole (bad header, bad rows, too many rows) */
  GRADING_IMPORT_INVALID: { status: 422, message: '分级数据导入失败，请检查表格' },
} as const satisfies Record<CatalogCode<'grading'>, ErrorSpec>;

export const gradingError = errorThrower(GRADING_ERRORS);
