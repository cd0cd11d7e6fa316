import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * What a request Node's HTTP parser cannot read gets (bytes past a declared Content-Length, a broken
 * request line, headers too large, a request never finished in time): the same JSON error in Chinese as
 * every other refusal, rather than Node's bare `400 Bad Request`. The connection is closed after it.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    // the peer is gone, or an answer has already started on this connection: nothing more can be said
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, reason, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', '请求头过大']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', '请求超时：请求未在规定时间内发送完整，请重试']
          : [400, 'Bad Request', '请求格式不正确：无法解析该 HTTP 请求（请求体须与 Content-Length 一致）'];
    const body = JSON.stringify({ error: { code: 'VALIDATION_FAILED', message } });
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}
