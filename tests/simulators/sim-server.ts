import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
}
export type SimHandler = (req: SimRequest) => { status?: number; json?: unknown; text?: string } | Promise<{ status?: number; json?: unknown; text?: string }>;

/** A loopback HTTP server on a random port that records every request it answers. */
export class SimServer {
  readonly requests: SimRequest[] = [];
  private server?: Server;
  url = '';

  constructor(private readonly handle: SimHandler) {}

  async start(): Promise<this> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const url = new URL(req.url ?? '/', 'http://sim');
        const simReq: SimRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body: Buffer.concat(chunks).toString('utf8') };
        this.requests.push(simReq);
        try {
          const out = await this.handle(simReq);
          res.statusCode = out.status ?? 200;
          if (out.json !== undefined) {
            res.setHeader('content-type', 'application/json');
            res.end(JSON.stringify(out.json));
          } else res.end(out.text ?? '');
        } catch (error) {
          res.statusCode = 500;
          res.end(String(error));
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  count(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** Shared lifecycle of the protocol simulators: one loopback server each. */
export abstract class Simulator {
  readonly server = new SimServer((req) => this.handle(req));

  protected abstract handle(req: SimRequest): ReturnType<SimHandler>;

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }
  stop(): Promise<void> {
    return this.server.stop();
  }
  get url(): string {
    return this.server.url;
  }
}
