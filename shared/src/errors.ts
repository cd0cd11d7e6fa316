/**
 * Error codes the API returns; clients switch on the code, people read the message.
 *
 * The server owns each code's HTTP status and Chinese message, in one catalog per module
 * (server/src/modules/<name>/<name>.errors.ts, plus http/, outbox/ and channels/). shared/ cannot import
 * the server, and the app needs only the codes (to type ApiError.code and switch on it), not the server's
 * wording: so the code lists live here, one per catalog, and each server catalog is typed against its
 * list (a missing or extra code is a compile error; tests/server/error-catalog.test.ts checks it again).
 */
export const ERROR_CODES_BY_CATALOG = {
  /** the platform: request parsing, auth, idempotency, limits (server/src/http/http.errors.ts) */
  http: [
    'VALIDATION_FAILED',
    'INVALID_JSON',
    'PAYLOAD_TOO_LARGE',
    'UNSUPPORTED_MEDIA_TYPE',
    'UNAUTHENTICATED',
    'FORBIDDEN',
    'NOT_FOUND',
    'METHOD_NOT_ALLOWED',
    'IDEMPOTENCY_KEY_REQUIRED',
    'IDEMPOTENCY_KEY_REUSED',
    'LOGIN_RATE_LIMITED',
    'SERVICE_UNAVAILABLE',
    'INTERNAL',
  ],
  customers: ['DUPLICATE_CUSTOMER', 'IMPORT_INVALID', 'CUSTOMER_CLOSED', 'CUSTOMER_NOT_CLOSED'],
  visits: ['VISIT_TOO_OLD', 'ACTION_NOT_CLOSED', 'NOT_AWAITING_FIRST_TOUCH', 'FIRST_TOUCH_RECORDED', 'AGREED_ACTION_DONE', 'NO_AGREED_ACTION', 'FOLLOW_UP_ACTION_DONE'],
  attachments: ['QUOTA_EXCEEDED', 'RANGE_NOT_SATISFIABLE'],
  materials: ['MATERIAL_TAG_UNKNOWN', 'MATERIAL_TAG_TAKEN', 'MATERIAL_FILE_MISMATCH', 'SHARE_REVOKED'],
  signins: ['NO_LOCATION_PROPOSAL', 'SIGNIN_NOT_LINKABLE'],
  tasks: ['TODO_ALREADY_CONFIRMED', 'TASK_ACTION_NOT_ALLOWED', 'TASK_ALREADY_SETTLED', 'TASK_POOL_NOT_FOUND', 'TASK_POOL_NOT_CHOSEN'],
  /** the home screen only reads: it refuses with the platform's codes */
  home: [],
  /** grading: the input sheet's refusal (out of scope is the platform's NOT_FOUND) */
  grading: ['GRADING_IMPORT_INVALID'],
  /** the dashboards only read: a team or rep outside the caller's reach is NOT_FOUND, a bad filter VALIDATION_FAILED */
  dashboards: [],
  /** the winning plays only read and hide: a play or region outside the caller's reach is NOT_FOUND; suggestions never fail on data */
  plays: [],
  org: [
    'LOGIN_CODE_INVALID',
    'LOGIN_UPSTREAM_FAILED',
    'LOGIN_BLOCKED',
    'CHANNEL_OFF',
    'INVITE_REQUIRED',
    'INVITE_INVALID',
    'MEMBER_ALREADY_BOUND',
    'PHONE_ALREADY_REGISTERED',
    'ACCOUNT_ALREADY_BOUND',
  ],
  contracts: ['CONTRACT_NOT_EDITABLE', 'CONTRACT_NOT_SUBMITTABLE', 'CONTRACT_CUSTOMER_CLOSED', 'CONTRACT_NO_SUPPORT', 'CONTRACT_SUPPORT_ANSWERED'],
  /** rebates: no rule for a key, a table refused, a request in another state or missing documents */
  rebates: ['REBATE_NO_RULE', 'REBATE_TABLE_INVALID', 'REBATE_IMPORT_INVALID', 'REBATE_RATE_OUT_OF_RANGE', 'REBATE_STATE_CONFLICT', 'REBATE_DOCUMENTS_MISSING'],
  checkins: ['CHECKIN_DONE', 'CHECKIN_NOT_OPEN', 'CHECKIN_INCOMPLETE', 'CHECKIN_NO_VISIT'],
  outbox: ['DELIVERY_TODO_CONFIRMED', 'DELIVERY_NOT_RESENDABLE'],
  channels: ['WECHAT_UPSTREAM_FAILED'],
  receivables: ['RECEIVABLE_PAID', 'PAYMENT_EXCEEDS_REMAINING', 'PAYMENT_REFERENCE_USED', 'PAYMENT_DATE_INVALID'],
  payments: ['WECHATPAY_OFF', 'WECHATPAY_UPSTREAM_FAILED', 'PAY_ORDER_NOT_OPEN'],
  /** campaigns: a plan refused (no targets, out of reach, bad steps), a state that does not allow the action, an exception already open or settled */
  campaigns: ['CAMPAIGN_INVALID', 'CAMPAIGN_STATE_CONFLICT', 'CAMPAIGN_EXCEPTION_OPEN', 'CAMPAIGN_EXCEPTION_SETTLED', 'CAMPAIGN_IMPORT_INVALID'],
} as const;

export type ErrorCatalogName = keyof typeof ERROR_CODES_BY_CATALOG;
/** The codes one catalog declares, e.g. CatalogCode<'customers'>. */
export type CatalogCode<N extends ErrorCatalogName> = (typeof ERROR_CODES_BY_CATALOG)[N][number];
export type ErrorCode = CatalogCode<ErrorCatalogName>;

export const ERROR_CODES: readonly ErrorCode[] = Object.values(ERROR_CODES_BY_CATALOG).flat();

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string; fields?: Record<string, string> };
}
