import type { CatalogCode } from '@anchor/shared';
import { errorThrower } from '../../http/errors';
import type { ErrorSpec } from '../module';

/** The material center's errors (type and size refusals of the file are the attachments module's 415 / 413). */
export const MATERIAL_ERRORS = {
  /** a tag id that does not exist or was retired (the message names 标签) */
  MATERIAL_TAG_UNKNOWN: { status: 400, message: '标签不存在或已停用' },
  /** a tag name already used */
  MATERIAL_TAG_TAKEN: { status: 409, message: '标签名已存在' },
  /** the file is not what the kind says (a PDF as 视频), or a script without its text */
  MATERIAL_FILE_MISMATCH: { status: 422, message: '文件与素材类型不符' },
  /** a share link its rep revoked */
  SHARE_REVOKED: { status: 410, message: '该分享链接已被撤回' },
} as const satisfies Record<CatalogCode<'materials'>, ErrorSpec>;

export const materialError = errorThrower(MATERIAL_ERRORS);
