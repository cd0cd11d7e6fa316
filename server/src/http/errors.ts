import type { Context, Next } from 'koa';
import type { ApiErrorBody, ErrorCode, FieldErrors } from '@anchor/shared';
import type { Logger } from '../logger';
import { isDatabaseUnavailable } from '../db/guard';

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldErrors,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what = '记录') => new AppError(404, 'NOT_FOUND', `${what}不存在`);
export const forbidden = (message = '没有权限执行此操作') => new AppError(403, 'FORBIDDEN', message);
export const invalid = (fields: FieldErrors, message?: string) =>
  new AppError(422, 'VALIDATION_FAILED', message ?? `请检查：${Object.values(fields).join('；')}`, fields);

interface HttpLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
  code?: string;
  expose?: boolean;
}

/** Said with every 503: the database (or the server's capacity for it) is not available right now. */
export const SERVICE_UNAVAILABLE_MESSAGE = '服务暂时不可用，请稍后重试';
export const serviceUnavailable = () => new AppError(503, 'SERVICE_UNAVAILABLE', SERVICE_UNAVAILABLE_MESSAGE);

/** Maps what lower layers throw (body parser, multer, koa, the database driver) onto the one error shape. */
function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  // refused, lost, frozen (query or pool timeout) or a full pool queue: try again later, not a bug
  if (isDatabaseUnavailable(error)) return serviceUnavailable();
  const e = (error ?? {}) as HttpLikeError;
  const status = e.status ?? e.statusCode;
  if (e.type === 'entity.parse.failed') return new AppError(400, 'INVALID_JSON', '请求体不是合法的 JSON');
  if (e.type === 'entity.too.large' || status === 413 || e.code === 'LIMIT_FILE_SIZE') {
    return new AppError(413, 'PAYLOAD_TOO_LARGE', '上传内容过大');
  }
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported' || status === 415) {
    return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', '不支持的内容类型或编码');
  }
  if (typeof e.code === 'string' && e.code.startsWith('LIMIT_')) {
    return new AppError(400, 'VALIDATION_FAILED', '上传的文件或字段不符合要求（每次只能上传一个文件，字段名为 file）');
  }
  if (e.type === 'request.aborted') return new AppError(400, 'VALIDATION_FAILED', '请求被中断');
  if (status && status >= 400 && status < 500 && e.expose !== false) {
    if (status === 404) return new AppError(404, 'NOT_FOUND', '接口不存在');
    if (status === 405) return new AppError(405, 'METHOD_NOT_ALLOWED', '不支持该请求方法');
    return new AppError(status, 'VALIDATION_FAILED', '请求不正确');
  }
  return null;
}

export function errorMiddleware(logger: Logger, options: { retryAfterSeconds?: number } = {}) {
  const retryAfter = String(options.retryAfterSeconds ?? 5);
  return async function handleErrors(ctx: Context, next: Next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AppError(404, 'NOT_FOUND', '接口不存在');
    } catch (error) {
      const appError = toAppError(error);
      const body: ApiErrorBody = appError
        ? { error: { code: appError.code, message: appError.message, ...(appError.fields ? { fields: appError.fields } : {}) } }
        : { error: { code: 'INTERNAL', message: '服务器内部错误，请稍后重试' } };
      ctx.status = appError?.status ?? 500;
      ctx.body = body;
      if (ctx.status === 503) ctx.set('Retry-After', retryAfter);
      if (appError?.code === 'SERVICE_UNAVAILABLE' && error !== appError) {
        logger.warn({ err: error, requestId: ctx.state.requestId }, 'database unavailable: answered 503');
      }
      ctx.state.errorCode = body.error.code;
      if (!appError) logger.error({ err: error, requestId: ctx.state.requestId }, 'unhandled error');
    }
  };
}
