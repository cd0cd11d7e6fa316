import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does to the requests a fault matches (by method). */
export type S3Fault =
  /** answers with an S3 error document instead of forwarding (429 or 503 SlowDown), `times` times or for good */
  | { method: string; status: number; code: string; times?: number }
  /** forwards, then sends the store's headers and only half of its body, and cuts the connection */
  | { method: string; cutHalfway: true; times?: number };

export interface S3FaultProxy {
  /** http://127.0.0.1:port: the endpoint the server under test is given instead of the store's */
  endpoint: string;
  /** every request that reached the proxy, faulted or not */
  requests: { method: string; path: string; faulted: boolean }[];
  fail(fault: S3Fault): void;
  /** forwards everything again */
  heal(): void;
  close(): Promise<void>;
}

const errorDocument = (code: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>Please reduce your request rate.</Message><RequestId>fault-proxy</RequestId></Error>`;

/**
 * A small HTTP proxy in front of a real S3-compatible server (s3rver) that injects the faults object
 * storage shows in the field: throttling (429, 503 SlowDown) and a body cut off half-way. Requests are
 * forwarded byte for byte (the Host header included), so the SDK's signatures still verify upstream.
 */
export async function startS3FaultProxy(upstream: string): Promise<S3FaultProxy> {
  const target = new URL(upstream);
  let faults: S3Fault[] = [];
  const requests: S3FaultProxy['requests'] = [];

  const take = (method: string): S3Fault | undefined => {
    const fault = faults.find((f) => f.method === method);
    if (fault && fault.times !== undefined && --fault.times <= 0) faults = faults.filter((f) => f !== fault);
    return fault;
  };

  const server = http.createServer((req, res) => {
    const fault = take(req.method ?? 'GET');
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', faulted: Boolean(fault) });
    if (fault && 'status' in fault) {
      req.resume(); // read and drop the upload, as a throttling store does
      req.on('end', () => {
        const body = errorDocument(fault.code);
        res.writeHead(fault.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'retry-after': '1' });
        res.end(body);
      });
      return;
    }
    const forward = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (!fault) {
          answer.pipe(res);
          return;
        }
        const half = Math.floor(Number(answer.headers['content-length'] ?? 0) / 2);
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          if (sent >= half) return;
          const part = chunk.subarray(0, half - sent);
          sent += part.length;
          res.write(part);
          if (sent >= half) {
            answer.destroy();
            // let the half reach the client, then drop the connection without finishing the body
            setTimeout(() => res.socket?.destroy(), 50);
          }
        });
      },
    );
    forward.on('error', () => res.socket?.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    fail: (fault) => faults.push({ ...fault }),
    heal: () => {
      faults = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
