import type { Context, Next } from 'koa';
import type { ApiErrorBody, ErrorCode, FieldErrors } from '@anchor/shared';
import type { Logger } from '../logger';
import type { ErrorSpec } from '../modules/module';
import { isDatabaseUnavailable } from '../db/guard';
import { HTTP_ERRORS } from './http.errors';

/**
 * The one error the API answers with. Only this file constructs it: modules throw the codes their
 * catalog (`<name>.errors.ts`) declares through `errorThrower(catalog)`, and the middleware below turns
 * it into `{ error: { code, message, fields } }` with the catalog's status.
 */
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

/** What a throw site may add to its catalog entry: a message that names the record, and field messages. */
export interface ErrorDetail {
  message?: string;
  fields?: FieldErrors;
}

/** A catalog of codes this project knows, each with its status and Chinese message. */
export type ErrorCatalog<C extends ErrorCode = ErrorCode> = { readonly [K in C]: ErrorSpec };

/**
 * The typed way to throw a catalog's codes: `const customerError = errorThrower(CUSTOMER_ERRORS)`, then
 * `throw customerError('DUPLICATE_CUSTOMER', { fields })`. Only the catalog's codes type-check.
 */
export function errorThrower<C extends ErrorCode>(catalog: ErrorCatalog<C>) {
  return (code: C, detail: ErrorDetail = {}): AppError => {
    const spec = catalog[code];
    return new AppError(spec.status, code, detail.message ?? spec.message, detail.fields);
  };
}

/** The platform's codes (http/http.errors.ts). */
export const httpError = errorThrower(HTTP_ERRORS);

export const notFound = (what = '记录') => httpError('NOT_FOUND', { message: `${what}不存在` });
export const forbidden = (message = '没有权限执行此操作') => httpError('FORBIDDEN', { message });
export const invalid = (fields: FieldErrors, message?: string) =>
  httpError('VALIDATION_FAILED', { message: message ?? `请检查：${Object.values(fields).join('；')}`, fields });
/** VALIDATION_FAILED as a 400: the request itself is malformed (a broken multipart body), not its values. */
export const malformedRequest = (message: string, fields?: FieldErrors) => new AppError(400, 'VALIDATION_FAILED', message, fields);

interface HttpLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
  code?: string;
  expose?: boolean;
}

/** Said with every 503: the database (or the server's capacity for it) is not available right now. */
export const SERVICE_UNAVAILABLE_MESSAGE = HTTP_ERRORS.SERVICE_UNAVAILABLE.message;
export const serviceUnavailable = () => httpError('SERVICE_UNAVAILABLE');

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
        : { error: { code: 'INTERNAL', message: HTTP_ERRORS.INTERNAL.message } };
      ctx.status = appError?.status ?? HTTP_ERRORS.INTERNAL.status;
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
