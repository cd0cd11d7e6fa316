import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { Context, Middleware, Next } from 'koa';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from './errors';

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
  const refuse = (ctx: Context) => new AppError(405, 'METHOD_NOT_ALLOWED', `不支持该请求方法（${ctx.method.slice(0, 20)}）`);
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
  /** attempts per client IP per minute, over all login routes */
  perIpPerMinute: number;
  /** attempts per phone number per ten minutes */
  perPhonePerTenMinutes: number;
}
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perIpPerMinute: 30, perPhonePerTenMinutes: 10 };

const LOGIN_PATHS = new Set(['/api/v1/auth/wechat/login', '/api/v1/auth/wecom/login', '/api/v1/auth/dev-login']);

/**
 * Login routes are limited per client IP and per phone (a guessed demo phone, a first login's phone):
 * an attempt over the limit answers 429 with Retry-After. In memory: each server counts its own.
 */
export function loginRateLimit(limits: LoginLimits = DEFAULT_LOGIN_LIMITS): Middleware {
  const perIp = new RateLimiterMemory({ keyPrefix: 'login-ip', points: limits.perIpPerMinute, duration: 60 });
  const perPhone = new RateLimiterMemory({ keyPrefix: 'login-phone', points: limits.perPhonePerTenMinutes, duration: 600 });
  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'POST' || !LOGIN_PATHS.has(ctx.path)) return next();
    const phone = (ctx.request as { body?: { phone?: unknown } }).body?.phone;
    try {
      await perIp.consume(ctx.ip || 'unknown');
      if (typeof phone === 'string' && phone.trim()) await perPhone.consume(phone.trim().slice(0, 32));
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const seconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      ctx.set('Retry-After', String(seconds));
      throw new AppError(429, 'LOGIN_RATE_LIMITED', `登录尝试过于频繁，请 ${seconds} 秒后再试`);
    }
    await next();
  };
}
