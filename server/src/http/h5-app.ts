import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Middleware } from 'koa';
import serve from 'koa-static';

export const H5_DIST = path.resolve(__dirname, '../../../miniprogram/dist/h5');

/** The mini-program's H5 build at /app/: the same app on a phone browser and on the big screen. */
export function h5App(dist = H5_DIST): Middleware {
  const files = serve(dist, { index: 'index.html', maxage: 0, gzip: false, brotli: false });
  return async (ctx, next) => {
    if (ctx.path === '/app') return ctx.redirect('/app/');
    if (!ctx.path.startsWith('/app/')) return next();
    if (!existsSync(path.join(dist, 'index.html'))) {
      ctx.status = 503;
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = '<!doctype html><meta charset="utf-8"><p>H5 应用尚未构建: 请运行 <code>npm run build:h5</code> (或 <code>npm start</code>, 它会先构建)。</p>';
      return;
    }
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
