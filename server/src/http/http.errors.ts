import type { CatalogCode } from '@anchor/shared';
import type { ErrorSpec } from '../modules/module';

/**
 * The platform's errors: what any route may answer before (or around) its module's code runs. Plain
 * data, so http/errors.ts can read it without an import cycle; throw them with `httpError(code)` or the
 * helpers there (notFound, forbidden, invalid).
 */
export const HTTP_ERRORS = {
  VALIDATION_FAILED: { status: 422, message: '请检查填写的内容' },
  INVALID_JSON: { status: 400, message: '请求体不是合法的 JSON' },
  PAYLOAD_TOO_LARGE: { status: 413, message: '上传内容过大' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: '不支持的内容类型或编码' },
  UNAUTHENTICATED: { status: 401, message: '请先登录' },
  FORBIDDEN: { status: 403, message: '没有权限执行此操作' },
  NOT_FOUND: { status: 404, message: '记录不存在' },
  METHOD_NOT_ALLOWED: { status: 405, message: '不支持该请求方法' },
  IDEMPOTENCY_KEY_REQUIRED: { status: 400, message: '缺少 Idempotency-Key 请求头（每次新建须带唯一的幂等键）' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, message: '该 Idempotency-Key 已用于另一个请求，请为新的提交生成新的键' },
  LOGIN_RATE_LIMITED: { status: 429, message: '登录尝试过于频繁，请稍后再试' },
  SERVICE_UNAVAILABLE: { status: 503, message: '服务暂时不可用，请稍后重试' },
  INTERNAL: { status: 500, message: '服务器内部错误，请稍后重试' },
} as const satisfies Record<CatalogCode<'http'>, ErrorSpec>;
