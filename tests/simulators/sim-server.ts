import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  /** request headers, lower-cased names (the WeChat Pay simulator checks Authorization) */
  headers: Record<string, string>;
}
/** `reset`: drop the connection without answering; `truncate`: send the head and half the body, then drop it. */
type Reply = { status?: number; json?: unknown; text?: string; bytes?: Buffer; contentType?: string; reset?: boolean; truncate?: boolean; headers?: Record<string, string> };
export type SimHandler = (req: SimRequest) => Reply | Promise<Reply>;

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
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
        const simReq: SimRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body: Buffer.concat(chunks).toString('utf8'), headers };
        this.requests.push(simReq);
        try {
          const out = await this.handle(simReq);
          if (out.reset) {
            res.socket?.destroy();
            return;
          }
          res.statusCode = out.status ?? 200;
          for (const [name, value] of Object.entries(out.headers ?? {})) res.setHeader(name, value);
          if (out.truncate) {
            const whole = Buffer.from(out.json !== undefined ? JSON.stringify(out.json) : (out.text ?? ''));
            res.setHeader('content-type', out.json !== undefined ? 'application/json' : 'text/plain');
            res.setHeader('content-length', String(whole.length));
            res.write(whole.subarray(0, Math.floor(whole.length / 2)));
            setTimeout(() => res.socket?.destroy(), 20);
            return;
          }
          if (out.bytes) {
            res.setHeader('content-type', out.contentType ?? 'application/octet-stream');
            res.end(out.bytes);
          } else if (out.json !== undefined) {
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


export type SimReply = Awaited<ReturnType<SimHandler>>;

/**
 * A queued fault for the next call on one path:
 * - 'http500': HTTP 500, nothing processed;
 * - 'busy': HTTP 200 `{errcode:-1}`, nothing processed;
 * - 'timeout': no answer for `hangMs` (real time, longer than any client timeout), nothing processed;
 * - 'deliverThenTimeout': processed (delivered, state changed) but the answer is withheld like
 *   'timeout' — the case where a client retry must be detectable as a duplicate;
 * - 'deliverThenReset': processed, then the connection drops before any answer (the client learns
 *   at once that it does not know whether the call worked).
 * - 'json429': HTTP 429 with a JSON body that has no errcode (a rate-limiting gateway), nothing processed;
 * - 'html429': HTTP 429 with a gateway's HTML page, nothing processed;
 * - 'truncated200': HTTP 200 whose body is cut mid-way by a dropped connection, nothing processed;
 * - 'http408' / 'http425': those statuses with a plain-text body, nothing processed;
 * - 'json403': HTTP 403 with a JSON body that has no errcode (a refusing proxy), nothing processed.
 */
export type Fault =
  | 'http500' | 'busy' | 'timeout' | 'deliverThenTimeout' | 'deliverThenReset'
  | 'json429' | 'html429' | 'truncated200' | 'http408' | 'http425' | 'json403';

/**
 * Shared by the WeChat, WeCom and DingTalk simulators: an injectable clock (`now`), per-path fault
 * queues (`failNext`) and outages (`outage`) that answer HTTP 5xx until `now()` passes a time.
 * Subclasses implement `serve` with the protocol itself.
 */
export abstract class FaultySimulator extends Simulator {
  /** The simulator's clock (ms); replace it to move time without waiting. */
  now: () => number = Date.now;
  /** How long (real ms) a 'timeout' fault holds the answer; `stop()` releases held answers. */
  hangMs = 30_000;
  /** Every fault or outage answer given, in order. */
  readonly faultLog: { path: string; fault: Fault | 'outage'; at: number }[] = [];
  private readonly queued = new Map<string, { fault: Fault; when?: (req: SimRequest) => boolean }[]>();
  private outageUntil = -Infinity;
  private outageStatus = 503;
  private readonly held = new Set<() => void>();

  protected abstract serve(req: SimRequest): SimReply | Promise<SimReply>;

  /** The next `times` calls on `path` (e.g. '/robot/send') fail with `fault`; with `when`, only calls it picks. */
  failNext(path: string, fault: Fault, times = 1, when?: (req: SimRequest) => boolean): this {
    const queue = this.queued.get(path) ?? [];
    for (let i = 0; i < times; i++) queue.push({ fault, when });
    this.queued.set(path, queue);
    return this;
  }

  /** Every call answers HTTP `status` (502 or 503) until `now()` reaches `untilMs`; nothing is processed. */
  outage(untilMs: number, status: 502 | 503 = 503): this {
    this.outageUntil = untilMs;
    this.outageStatus = status;
    return this;
  }

  endOutage(): this {
    this.outageUntil = -Infinity;
    return this;
  }

  get inOutage(): boolean {
    return this.now() < this.outageUntil;
  }

  protected override async handle(req: SimRequest): Promise<SimReply> {
    const at = this.now();
    if (at < this.outageUntil) {
      this.faultLog.push({ path: req.path, fault: 'outage', at });
      return { status: this.outageStatus, text: this.outageStatus === 502 ? 'bad gateway' : 'service unavailable' };
    }
    const queue = this.queued.get(req.path) ?? [];
    const index = queue.findIndex((q) => !q.when || q.when(req));
    if (index < 0) return this.serve(req);
    const { fault } = queue.splice(index, 1)[0]!;
    this.faultLog.push({ path: req.path, fault, at });
    if (fault === 'http500') return { status: 500, text: 'internal error' };
    if (fault === 'busy') return { json: { errcode: -1, errmsg: 'system busy' } };
    if (fault === 'json429') return { status: 429, json: { message: 'too many requests' } };
    if (fault === 'html429') return { status: 429, contentType: 'text/html', text: '<html><body><h1>429 Too Many Requests</h1></body></html>' };
    if (fault === 'truncated200') return { truncate: true, json: { errcode: 0, errmsg: 'ok', padding: 'x'.repeat(64) } };
    if (fault === 'http408') return { status: 408, text: 'request timeout' };
    if (fault === 'http425') return { status: 425, text: 'too early' };
    if (fault === 'json403') return { status: 403, json: { message: 'forbidden' } };
    if (fault === 'deliverThenReset') {
      await this.serve(req);
      return { reset: true };
    }
    const late = fault === 'deliverThenTimeout' ? await this.serve(req) : { status: 504, text: 'gateway timeout' };
    return new Promise<SimReply>((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.held.delete(release);
        resolve(late);
      };
      const timer = setTimeout(release, this.hangMs);
      timer.unref();
      this.held.add(release);
    });
  }

  override async stop(): Promise<void> {
    for (const release of [...this.held]) release();
    await super.stop();
  }
}

export const errcode = (code: number, errmsg: string): SimReply => ({ json: { errcode: code, errmsg } });

/** The body as a JSON object, or undefined when it is not one. */
export function jsonObject(body: string): Record<string, any> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, any>) : undefined;
  } catch {
    return undefined;
  }
}
