import multer from '@koa/multer';
import type { Context, Middleware, Next } from 'koa';
import { AppError, httpError, malformedRequest } from './errors';

/** What one upload route takes: one file in the form field `file`, at most `maxBytes`. */
export interface FileUploadOptions {
  /** how the message names the file: 「照片」, 「Excel 文件」 */
  what: string;
  maxBytes: number;
}

export const UPLOAD_FIELD = 'file';

interface UploadedFile {
  fieldname: string;
  originalname: string;
  size: number;
  buffer: Buffer;
}

const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/** Control characters, NUL included: no real file name holds one, and they break logs and headers. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

const malformed = (detail: string) => malformedRequest(`上传内容格式不正确：${detail}`, { [UPLOAD_FIELD]: detail });

/**
 * What multer and busboy throw, in words the user can act on. Everything they throw comes from the
 * request's bytes (memory storage cannot fail), so whatever is not recognised is still a 400.
 */
function uploadError(error: unknown, options: FileUploadOptions): AppError {
  if (error instanceof AppError) return error;
  const e = (error ?? {}) as { code?: string; message?: string; field?: string };
  const message = e.message ?? '';
  switch (e.code) {
    case 'LIMIT_FILE_SIZE':
      return httpError('PAYLOAD_TOO_LARGE', { message: `${options.what}不能超过 ${megabytes(options.maxBytes)}`, fields: { [UPLOAD_FIELD]: `${options.what}不能超过 ${megabytes(options.maxBytes)}` } });
    case 'LIMIT_UNEXPECTED_FILE':
      return malformed(`${options.what}须放在表单字段「${UPLOAD_FIELD}」中（收到的是「${String(e.field ?? '').slice(0, 50)}」）`);
    case 'LIMIT_FILE_COUNT':
      return malformed(`每次只能上传一个${options.what}`);
    case 'LIMIT_PART_COUNT':
    case 'LIMIT_FIELD_COUNT':
      return malformed('表单字段过多');
    case 'LIMIT_FIELD_KEY':
    case 'LIMIT_FIELD_VALUE':
      return malformed('表单字段名或字段值过长');
    case 'MISSING_FIELD_NAME':
    case 'INVALID_FIELD_NAME':
    case 'LIMIT_FIELD_NESTING':
    case 'LIMIT_FIELD_ARRAY_INDEX':
      return malformed('表单字段名不正确');
    default:
      break;
  }
  if (/boundary/i.test(message)) return malformed('缺少分隔符（Content-Type 须为 multipart/form-data; boundary=…）');
  if (/unsupported content type/i.test(message)) return malformed('Content-Type 须为 multipart/form-data');
  if (/unexpected end/i.test(message)) return malformed('内容不完整（上传被截断，请重新上传）');
  if (/part header/i.test(message)) return malformed('分段头（Content-Disposition）不正确');
  if (/aborted|closed|destroyed/i.test(message)) return malformed('请求被中断，请重新上传');
  return malformed('无法解析 multipart/form-data 请求体');
}

/**
 * The one way a route takes a file: multipart/form-data with one file in `file`. Malformed
 * multipart, a wrong field name, a file name with control characters or an empty file answer 400
 * in Chinese, never 500; a request with no file at all reaches the handler, which says it is required.
 */
export function fileUpload(options: FileUploadOptions): Middleware {
  const parse = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: Math.floor(options.maxBytes), files: 1, fields: 10, parts: 12, fieldNameSize: 100, fieldSize: 64 * 1024, headerPairs: 20 },
  }).single(UPLOAD_FIELD) as unknown as Middleware;
  return async function takeFile(ctx: Context, next: Next) {
    try {
      await parse(ctx, async () => undefined);
    } catch (error) {
      throw uploadError(error, options);
    }
    const file = (ctx.request as unknown as { file?: UploadedFile }).file;
    if (file) {
      if (CONTROL_CHARACTERS.test(file.originalname)) throw malformed('文件名含有控制字符，请重命名后再上传');
      if (file.size === 0 || file.buffer.length === 0) throw malformedRequest(`上传的${options.what}是空的（0 字节）`, { [UPLOAD_FIELD]: `${options.what}是空的` });
    }
    await next();
  };
}

/** The file `fileUpload` took, or a 422 saying the field is required. */
export function uploadedFile(ctx: Context, what: string): Buffer {
  const file = (ctx.request as unknown as { file?: UploadedFile }).file;
  if (!file?.buffer?.length) throw httpError('VALIDATION_FAILED', { message: `请上传${what}（表单字段名 ${UPLOAD_FIELD}）`, fields: { [UPLOAD_FIELD]: `请上传${what}` } });
  return file.buffer;
}
