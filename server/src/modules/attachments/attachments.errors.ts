import type { CatalogCode } from '@anchor/shared';
import { errorThrower } from '../../http/errors';
import type { ErrorSpec } from '../module';

/** The attachments module's errors (type and size refusals are the platform's 415 / 413, naming the field). */
export const ATTACHMENT_ERRORS = {
  /** the member's daily uploads of a purpose are used up (the message names the quota) */
  QUOTA_EXCEEDED: { status: 429, message: '今天上传的文件已达上限，请明天再传' },
  /** a Range past the end of the file (the message names its size) */
  RANGE_NOT_SATISFIABLE: { status: 416, message: '请求的范围超出文件大小' },
} as const satisfies Record<CatalogCode<'attachments'>, ErrorSpec>;

export const attachmentError = errorThrower(ATTACHMENT_ERRORS);
