import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Middleware } from 'koa';
import serve from 'koa-static';
import { CONTENT_SECURITY_POLICY } from './hardening';

export const H5_DIST = path.resolve(__dirname, '../../../miniprogram/dist/h5');

/** Writes helmet's directives (camelCase keys) as a Content-Security-Policy header value. */
function cspHeader(directives: Record<string, string[]>): string {
  return Object.entries(directives)
    .map(([name, values]) => `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${values.join(' ')}`)
    .join('; ');
}

/**
 * The CSP for the built app: Taro's H5 page carries one small inline script (it sets the root font size
 * before the app loads), allowed by its hash, read from the build itself so a rebuild cannot drift.
 */
function appPolicy(dist: string): () => string {
  let cached: { mtimeMs: number; header: string } | null = null;
  return () => {
    const file = path.join(dist, 'index.html');
    const { mtimeMs } = statSync(file);
    if (cached?.mtimeMs !== mtimeMs) {
      const html = readFileSync(file, 'utf8');
      const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);
      cached = { mtimeMs, header: cspHeader({ ...CONTENT_SECURITY_POLICY, scriptSrc: [...CONTENT_SECURITY_POLICY.scriptSrc!, ...hashes] }) };
    }
    return cached.header;
  };
}

/** The mini-program's H5 build at /app/: the same app on a phone browser and on the big screen. */
export function h5App(dist = H5_DIST): Middleware {
  const files = serve(dist, { index: 'index.html', maxage: 0, gzip: false, brotli: false });
  const policy = appPolicy(dist);
  return async (ctx, next) => {
    if (ctx.path === '/app') return ctx.redirect('/app/');
    if (!ctx.path.startsWith('/app/')) return next();
    if (!existsSync(path.join(dist, 'index.html'))) {
      ctx.status = 503;
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = '<!doctype html><meta charset="utf-8"><p>H5 应用尚未构建：请运行 <code>npm run build:h5</code>（或 <code>npm start</code>，它会先构建）。</p>';
      return;
    }
    ctx.set('Content-Security-Policy', policy());
    const original = ctx.path;
    ctx.path = ctx.path.slice('/app'.length);
    try {
      await files(ctx, async () => undefined);
    } finally {
      ctx.path = original;
    }
    if (ctx.body === undefined || ctx.body === null) await next();
  };
}
