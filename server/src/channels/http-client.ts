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

/**
 * One JSON call with retries on network errors, 5xx and errcode -1 (system busy), exponential
 * backoff with jitter. Any other errcode is returned to the caller, who knows what it means.
 */
export async function callErrcodeApi(url: string, init: RequestInit, retry: RetryPolicy): Promise<ErrcodeBody> {
  let lastError: UpstreamError | undefined;
  for (let attempt = 0; attempt < retry.attempts; attempt++) {
    if (attempt > 0) await sleep(retry.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(retry.timeoutMs) });
    } catch (error) {
      lastError = new UpstreamError(`network error: ${(error as Error).message}`, true);
      continue;
    }
    if (response.status >= 500) {
      lastError = new UpstreamError(`HTTP ${response.status}`, true);
      continue;
    }
    let body: ErrcodeBody;
    try {
      body = (await response.json()) as ErrcodeBody;
    } catch {
      lastError = new UpstreamError(`HTTP ${response.status} with a body that is not JSON`, response.status >= 500);
      if (lastError.transient) continue;
      throw lastError;
    }
    if (body.errcode === -1) {
      lastError = new UpstreamError('system busy (-1)', true, -1);
      continue;
    }
    return body;
  }
  throw lastError ?? new UpstreamError('no attempt made', true);
}
