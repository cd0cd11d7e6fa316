/** What every Tencent-style API answers: HTTP 200 with an errcode in the body. */
export interface ErrcodeBody {
  errcode?: number;
  errmsg?: string;
  [key: string]: unknown;
}

export class UpstreamError extends Error {
  constructor(
    message: string,
    /** network/5xx/busy: worth another try later */
    readonly transient: boolean,
    readonly errcode?: number,
    /** the request went out and its answer was lost: the platform may have acted on it */
    readonly maybeDelivered = false,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  timeoutMs: number;
}

export const LOGIN_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 150, timeoutMs: 5000 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Errors raised before a request could be written: the platform surely never saw it. */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
function neverSent(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string; errors?: { code?: string }[] } })?.cause;
  const codes = [cause?.code, ...(cause?.errors ?? []).map((e) => e.code)];
  return codes.length > 0 && codes.some((c) => c !== undefined && NOT_SENT_CODES.has(c)) && codes.every((c) => c === undefined || NOT_SENT_CODES.has(c));
}
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string } })?.cause;
  return `${(error as Error).message}${cause?.code ? ` (${cause.code})` : ''}`;
}

/** Statuses that say "not now": a later try may well work. */
const TRANSIENT_STATUS = new Set([408, 425, 429]);
const isTransientStatus = (status: number) => status >= 500 || TRANSIENT_STATUS.has(status);

/**
 * One JSON call with retries on network errors, 408/425/429/5xx, unreadable or unparsable bodies and
 * errcode -1 (system busy), exponential backoff with jitter. Only a 2xx with a JSON body is an answer:
 * any other errcode is returned to the caller, who knows what it means; any other status is a refusal.
 */
export async function callErrcodeApi(url: string, init: RequestInit, retry: RetryPolicy): Promise<ErrcodeBody> {
  let lastError: UpstreamError | undefined;
  for (let attempt = 0; attempt < retry.attempts; attempt++) {
    if (attempt > 0) await sleep(retry.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(retry.timeoutMs) });
      // read the whole body inside the try: a connection cut mid-body is a network error too
      text = await response.text();
    } catch (error) {
      lastError = new UpstreamError(`network error: ${describe(error)}`, true, undefined, !neverSent(error));
      continue;
    }
    if (isTransientStatus(response.status)) {
      lastError = new UpstreamError(`HTTP ${response.status}`, true);
      continue;
    }
    let body: ErrcodeBody;
    try {
      body = JSON.parse(text) as ErrcodeBody;
    } catch {
      // a gateway's HTML page or a cut body: whatever its status, the platform did not answer (a 2xx
      // cut mid-body may still have been acted on)
      const ok = response.status >= 200 && response.status < 300;
      lastError = new UpstreamError(`HTTP ${response.status} with a body that is not JSON`, true, undefined, ok);
      continue;
    }
    if (response.status < 200 || response.status >= 300) {
      // never "sent": a refusal, whether or not its body carries an errcode
      throw new UpstreamError(`HTTP ${response.status}${typeof body?.errcode === 'number' ? ` errcode ${body.errcode}` : ''}`, false, body?.errcode);
    }
    if (body === null || typeof body !== 'object') {
      lastError = new UpstreamError(`HTTP ${response.status} with a JSON body that is not an object`, true, undefined, true);
      continue;
    }
    if (body.errcode === -1) {
      lastError = new UpstreamError('system busy (-1)', true, -1);
      continue;
    }
    return body;
  }
  throw lastError ?? new UpstreamError('no attempt made', true);
}
