import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { Context, Middleware, Next } from 'koa';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { httpError } from './errors';

/**
 * The app and the sandbox load only their own scripts; Taro's H5 build and its components set inline
 * styles, so styles may be inline. Images may be data:/blob: (a picked photo before upload).
 */
export const CONTENT_SECURITY_POLICY: Record<string, string[]> = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'", 'blob:'], // H5 uploads read the picked photo's blob: URL
  mediaSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** helmet's headers (CSP, nosniff, frame-ancestors / X-Frame-Options, Referrer-Policy, …) on every answer. */
export function securityHeaders(): Middleware {
  const apply = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    frameguard: { action: 'deny' },
    // Served over plain http in the demo and behind whatever TLS proxy in production: the proxy decides HSTS.
    strictTransportSecurity: false,
    // Photos are shown by the app on the same origin; nothing else may embed them.
    crossOriginResourcePolicy: { policy: 'same-origin' },
  }) as (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
  return async (ctx: Context, next: Next) => {
    await new Promise<void>((resolve, reject) => apply(ctx.req, ctx.res, (error) => (error ? reject(error) : resolve())));
    await next();
  };
}

const SUPPORTED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * PROPFIND, TRACE, made-up verbs … answer 405 in the JSON error shape; so does a known method on a path
 * that does not take it (the router leaves an empty 405 or 501 for those).
 */
export function methodGuard(): Middleware {
  const refuse = (ctx: Context) => httpError('METHOD_NOT_ALLOWED', { message: `不支持该请求方法（${ctx.method.slice(0, 20)}）` });
  return async (ctx: Context, next: Next) => {
    if (!SUPPORTED_METHODS.has(ctx.method)) {
      ctx.set('Allow', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
      throw refuse(ctx);
    }
    await next();
    if ((ctx.status === 405 || ctx.status === 501) && (ctx.body === undefined || ctx.body === null)) throw refuse(ctx);
  };
}

/** `/` is the app. */
export function rootRedirect(): Middleware {
  return async (ctx: Context, next: Next) => {
    if (ctx.path === '/' && (ctx.method === 'GET' || ctx.method === 'HEAD')) return ctx.redirect('/app/');
    await next();
  };
}

/** Answers holding a session token must not be kept by a browser or proxy cache. */
export function noStoreForTokens(): Middleware {
  return async (ctx: Context, next: Next) => {
    await next();
    const body = ctx.body as { token?: unknown } | null | undefined;
    if (body && typeof body === 'object' && !Buffer.isBuffer(body) && typeof body.token === 'string') {
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Pragma', 'no-cache');
    }
  };
}

export interface LoginLimits {
  /** failed attempts per client IP per minute, over all login routes */
  failuresPerIpPerMinute: number;
  /** failed attempts per phone number per ten minutes */
  failuresPerPhonePerTenMinutes: number;
  /** all attempts per client IP per minute: a flood guard */
  attemptsPerIpPerMinute: number;
}
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { failuresPerIpPerMinute: 30, failuresPerPhonePerTenMinutes: 10, attemptsPerIpPerMinute: 120 };

const LOGIN_PATHS = new Set(['/api/v1/auth/wechat/login', '/api/v1/auth/wecom/login', '/api/v1/auth/dev-login']);

/**
 * Login routes are limited per client IP and per phone (a guessed demo phone, a first login's phone):
 * failures count against both, every attempt against a looser per-IP flood limit, so people logging in
 * again and again succeed while guessing stops. Over a limit: 429 with Retry-After. In memory: each
 * server counts its own.
 */
export function loginRateLimit(limits: LoginLimits = DEFAULT_LOGIN_LIMITS): Middleware {
  const failedIp = new RateLimiterMemory({ keyPrefix: 'login-fail-ip', points: limits.failuresPerIpPerMinute, duration: 60 });
  const failedPhone = new RateLimiterMemory({ keyPrefix: 'login-fail-phone', points: limits.failuresPerPhonePerTenMinutes, duration: 600 });
  const attempts = new RateLimiterMemory({ keyPrefix: 'login-ip', points: limits.attemptsPerIpPerMinute, duration: 60 });
  const refuse = (ctx: Context, msBeforeNext: number) => {
    const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
    ctx.set('Retry-After', String(seconds));
    return httpError('LOGIN_RATE_LIMITED', { message: `登录尝试过于频繁，请 ${seconds} 秒后再试` });
  };
  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'POST' || !LOGIN_PATHS.has(ctx.path)) return next();
    const raw = (ctx.request as { body?: { phone?: unknown } }).body?.phone;
    const phone = typeof raw === 'string' && raw.trim() ? raw.trim().slice(0, 32) : null;
    const ip = ctx.ip || 'unknown';
    for (const [limiter, key, points] of [[failedIp, ip, limits.failuresPerIpPerMinute], [failedPhone, phone, limits.failuresPerPhonePerTenMinutes]] as const) {
      const state = key ? await limiter.get(key) : null;
      if (state && state.consumedPoints >= points) throw refuse(ctx, state.msBeforeNext);
    }
    try {
      await attempts.consume(ip);
    } catch (refusal) {
      if (refusal instanceof RateLimiterRes) throw refuse(ctx, refusal.msBeforeNext);
      throw refusal;
    }
    const countFailure = async () => {
      await failedIp.penalty(ip);
      if (phone) await failedPhone.penalty(phone);
    };
    try {
      await next();
    } catch (error) {
      await countFailure();
      throw error;
    }
    if (ctx.status >= 400) await countFailure();
  };
}
