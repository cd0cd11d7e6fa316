/** Error codes the API returns; clients switch on the code, people read the message. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'DUPLICATE_CUSTOMER',
  'IMPORT_INVALID',
  'LOGIN_CODE_INVALID',
  'LOGIN_RATE_LIMITED',
  'LOGIN_UPSTREAM_FAILED',
  'LOGIN_BLOCKED',
  'INVITE_REQUIRED',
  'INVITE_INVALID',
  'CHANNEL_OFF',
  'ACTION_NOT_CLOSED',
  'VISIT_TOO_OLD',
  'IDEMPOTENCY_KEY_REQUIRED',
  'IDEMPOTENCY_KEY_REUSED',
  'INTERNAL',
  'METHOD_NOT_ALLOWED',
  'QUOTA_EXCEEDED',
  'SERVICE_UNAVAILABLE',
  'RANGE_NOT_SATISFIABLE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string; fields?: Record<string, string> };
}
