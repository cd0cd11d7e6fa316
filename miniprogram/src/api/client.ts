import Taro from '@tarojs/taro'
import type { ErrorCode } from '@anchor/shared'
import { restartAt } from '../utils/nav'
import { clearSession, getToken, onSessionExpired } from './session'
import { rememberCurrentPage } from '../utils/return-to'

/** Where the API lives. H5 is served by the server itself (same origin); weapp needs a full URL. */
export const API_BASE: string =
  process.env.TARO_ENV === 'h5' ? '' : process.env.TARO_APP_API_BASE || 'http://localhost:3000'

export type FieldMessages = Record<string, string>

/** A code the server's catalogs declare (shared/src/errors.ts), or one the client makes up: no network, or an answer without a body. */
export type ApiErrorCode = ErrorCode | 'NETWORK' | `HTTP_${number}`

export class ApiError extends Error {
  readonly code: ApiErrorCode
  readonly fields: FieldMessages
  readonly status: number
  /** the server's Retry-After, in seconds, when it sent one (a 503 or 429) */
  readonly retryAfter: number | undefined

  constructor(code: ApiErrorCode, message: string, status: number, fields: FieldMessages = {}, retryAfter?: number) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.status = status
    this.fields = fields
    this.retryAfter = retryAfter
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError
}

/** Said when the server (its database) cannot answer right now: a 503, or a gateway's 502/504. */
export const SERVICE_UNAVAILABLE_MESSAGE = '服务暂时不可用，请稍后重试'

/** The server is there but cannot answer now: the same request may well succeed later. */
export function isServiceUnavailable(error: unknown): error is ApiError {
  return isApiError(error) && (error.status === 502 || error.status === 503 || error.status === 504)
}

/** Retry-After as seconds (a number of seconds or an HTTP date), from headers in any letter case. */
function retryAfterOf(header: unknown): number | undefined {
  if (!header || typeof header !== 'object') return undefined
  const key = Object.keys(header).find((k) => k.toLowerCase() === 'retry-after')
  const value = key ? String((header as Record<string, unknown>)[key]).trim() : ''
  if (!value) return undefined
  if (/^\d+$/.test(value)) return Number(value)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.round((at - Date.now()) / 1000))
}

/** A message a rep can read, whatever went wrong. */
export function errorMessage(error: unknown): string {
  if (isApiError(error)) return error.message
  return '出错了，请稍后重试'
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
type Query = Record<string, string | number | boolean | undefined | null>

export interface RequestOptions {
  method?: Method
  query?: Query
  body?: unknown
  headers?: Record<string, string>
  /** Default true: a 401 says 登录已过期, clears the session and returns to the login page. */
  redirectOn401?: boolean
}

function toQueryString(query?: Query): string {
  if (!query) return ''
  const parts: string[] = []
  for (const key of Object.keys(query)) {
    const value = query[key]
    if (value === undefined || value === null || value === '') continue
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
  }
  return parts.length ? `?${parts.join('&')}` : ''
}

interface ErrorBody {
  error?: { code?: ErrorCode; message?: string; fields?: FieldMessages | null }
}

/** Said before the login page whenever a session ends on its own (expired, revoked, signed out elsewhere). */
export const SESSION_EXPIRED_MESSAGE = '登录已过期，请重新登录'

function statusMessage(status: number): string {
  if (status === 401) return SESSION_EXPIRED_MESSAGE
  if (status === 403) return '没有权限执行此操作'
  if (status === 404) return '内容不存在或已被删除'
  if (status === 429) return '操作太频繁，请稍后再试'
  if (status === 502 || status === 503 || status === 504) return SERVICE_UNAVAILABLE_MESSAGE
  if (status >= 500) return '服务器开小差了，请稍后重试'
  return `请求失败（${status}）`
}

let redirecting = false
/**
 * The session is gone (the server answered 401, or its stored expiry passed): say so first, so the
 * login page is not a surprise, then open it. Several requests failing at once say it once.
 */
export function sessionExpired(): void {
  toLogin(true)
}

/** To the login page, which comes back to this page afterwards; `tell` says 登录已过期 first (there was a session). */
function toLogin(tell: boolean): void {
  if (redirecting) return
  redirecting = true
  rememberCurrentPage()
  clearSession()
  const told = tell
    ? Promise.resolve()
        .then(() => Taro.showModal({ title: '提示', content: SESSION_EXPIRED_MESSAGE, showCancel: false, confirmText: '重新登录', confirmColor: '#fa2c19' }))
        .catch(() => Taro.showToast({ title: SESSION_EXPIRED_MESSAGE, icon: 'none', duration: 2500 }))
        .catch(() => undefined)
    : Promise.resolve()
  void told
    .then(() => restartAt('login'))
    .catch(() => undefined)
    .finally(() => {
      redirecting = false
    })
}
onSessionExpired(sessionExpired)

/** JSON request to `/api/v1${path}`; resolves with the body on 2xx, throws ApiError otherwise. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', query, body, headers = {}, redirectOn401 = true } = options
  const token = getToken()
  const header: Record<string, string> = { 'Content-Type': 'application/json', ...headers }
  if (token) header.Authorization = `Bearer ${token}`

  let res: Awaited<ReturnType<typeof Taro.request>>
  try {
    res = await Taro.request({
      url: `${API_BASE}/api/v1${path}${toQueryString(query)}`,
      method,
      header,
      data: body === undefined ? undefined : (body as Record<string, unknown>),
      dataType: 'json',
      timeout: 15000,
    })
  } catch {
    throw new ApiError('NETWORK', '网络连接失败，请检查网络后重试', 0)
  }

  const status = res.statusCode
  let data: unknown = res.data
  if (typeof data === 'string' && data) {
    try {
      data = JSON.parse(data)
    } catch {
      // not JSON: keep the text
    }
  }
  if (status >= 200 && status < 300) return data as T

  const err = (data as ErrorBody | null)?.error
  const error = new ApiError(err?.code || `HTTP_${status}`, err?.message || statusMessage(status), status, err?.fields ?? {}, retryAfterOf(res.header))
  // Without a session too (a chat link opened before login): to login, which comes back to this page.
  if (status === 401 && redirectOn401 && (token || !path.startsWith('/auth/'))) toLogin(!!token)
  throw error
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>(path, { query }),
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
    request<T>(path, { method: 'POST', body: body ?? {}, headers }),
  put: <T>(path: string, body: unknown) => request<T>(path, { method: 'PUT', body }),
}

/** Multipart upload of one local file (a chooseImage temp path; a blob: URL on H5) to `/api/v1${path}`. */
export async function uploadFile<T>(path: string, filePath: string, field = 'file'): Promise<T> {
  const token = getToken()
  let res: Awaited<ReturnType<typeof Taro.uploadFile>>
  try {
    res = await Taro.uploadFile({
      url: `${API_BASE}/api/v1${path}`,
      filePath,
      name: field,
      header: token ? { Authorization: `Bearer ${token}` } : {},
      timeout: 60000,
    })
  } catch {
    throw new ApiError('NETWORK', '上传失败，请检查网络后重试', 0)
  }
  let data: unknown = res.data
  if (typeof data === 'string' && data) {
    try {
      data = JSON.parse(data)
    } catch {
      // not JSON: keep the text
    }
  }
  if (res.statusCode >= 200 && res.statusCode < 300) return data as T
  const err = (data as ErrorBody | null)?.error
  const error = new ApiError(err?.code || `HTTP_${res.statusCode}`, err?.message || statusMessage(res.statusCode), res.statusCode, err?.fields ?? {}, retryAfterOf((res as { header?: unknown }).header))
  if (res.statusCode === 401 && token) sessionExpired()
  throw error
}
