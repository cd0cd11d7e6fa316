import type { Context } from 'koa';
import { attachmentError } from './attachments.errors';
import type { Download } from './attachment.service';

/**
 * Answers a download the same way for every module: streamed, with `Accept-Ranges: bytes` so a video
 * can seek (206 with Content-Range), 416 for a range past the end, or a 302 to a short-lived presigned
 * URL for a large object in object storage. The scope check has been made before this is called.
 */
export function answerDownload(ctx: Context, download: Download): void {
  ctx.set('X-Content-Type-Options', 'nosniff');
  if (download.kind === 'redirect') {
    // the URL stops working within minutes: neither it nor this answer may be cached
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(download.url);
    return;
  }
  ctx.set('Accept-Ranges', 'bytes');
  if (download.kind === 'unsatisfiable') {
    ctx.set('Content-Range', `bytes */${download.size}`);
    throw attachmentError('RANGE_NOT_SATISFIABLE', { message: `请求的范围超出文件大小（${download.size} 字节）`, fields: { range: `起始位置须小于 ${download.size}` } });
  }
  ctx.set('Cache-Control', 'private, max-age=86400');
  ctx.set('Content-Type', download.contentType);
  if (download.range) {
    ctx.status = 206;
    ctx.set('Content-Range', `bytes ${download.range.start}-${download.range.end}/${download.size}`);
    ctx.body = download.body;
    ctx.length = download.range.end - download.range.start + 1;
  } else {
    ctx.body = download.body;
    ctx.length = download.size;
  }
}
