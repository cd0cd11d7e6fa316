import { randomUUID } from 'node:crypto';
import { loadPolicy, type Policy } from '../../server/src/config/policy';
import { createTestDatabase, describeMariaDbOnly, serverUrl } from '../support/database';
import { FaultProxy } from '../support/fault-proxy';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { completeVisit } from '../support/visit-fixture';

describeMariaDbOnly("a fault proxy in front of MariaDB freezes, refuses and cuts its connections; the pool bounds are MySQL-only", 'an unavailable database', () => {
  // The server reaches its database through a TCP proxy this test controls (the shared test MariaDB is
  // never frozen). With the database frozen, refused or cut, every request must answer 503 with
  // Retry-After and «服务暂时不可用，请稍后重试» within the policy's timeout — never 500, never hang — and
  // the same server must work again as soon as the database does.
  const TIMEOUT_S = 2;
  // generous: the bound is on the server's waiting, measured from the client on a shared 2-core machine
  const MARGIN_MS = 8_000;
  const FROZEN_MS = 30_000; // as long as the freeze
  const HUNG_MS = 20_000; // a request still unanswered after this is reported as hung
  const UNAVAILABLE = '服务暂时不可用，请稍后重试';

  let base: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: FaultProxy;
  let h: Harness;
  let org: OrgFixture;
  let customer: number;

  jest.setTimeout(120_000);

  beforeAll(async () => {
    base = await createTestDatabase(2);
    const target = new URL(serverUrl());
    proxy = await new FaultProxy({ host: target.hostname, port: Number(target.port || 3306) }).start();
    const policy: Policy = { ...loadPolicy(), database: { queryTimeoutSeconds: TIMEOUT_S, acquireTimeoutSeconds: TIMEOUT_S, queueLimit: 20, retryAfterSeconds: 7 } };
    h = await startHarness({ sharedDatabaseUrl: proxy.urlFor(base.url), policy });
    org = await buildOrg(h);
    customer = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '数据库故障测试医院', industry: '公立医院', stage: 'proposal' } })).body.id;
  });
  afterAll(async () => {
    await proxy?.setMode('pass');
    await h?.close();
    await proxy?.stop();
    await base?.drop();
  });
  afterEach(async () => {
    await proxy.setMode('pass');
  });

  interface Timed {
    what: string;
    status: number | 'hung';
    ms: number;
    retryAfter: string | null;
    body: any;
  }

  /** One request, timed; unanswered after HUNG_MS it counts as hung rather than failing the run. */
  async function timed(what: string, method: string, path: string, options: { token?: string; json?: unknown; key?: string } = {}): Promise<Timed> {
    const started = Date.now();
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    if (options.key) headers['idempotency-key'] = options.key;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), HUNG_MS);
    try {
      const res = await fetch(`${h.url}${path}`, { method, headers, body: options.json === undefined ? undefined : JSON.stringify(options.json), signal: abort.signal });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { what, status: res.status, ms: Date.now() - started, retryAfter: res.headers.get('retry-after'), body };
    } catch {
      return { what, status: 'hung', ms: Date.now() - started, retryAfter: null, body: null };
    } finally {
      clearTimeout(timer);
    }
  }

  const rep = () => org.token(org.repA);
  const visits = async () => Number((await base.db.query('SELECT COUNT(*) AS n FROM visit WHERE customerId = ?', [customer]))[0].n);
  const todos = async () => Number((await base.db.query('SELECT COUNT(*) AS n FROM todo WHERE customerId = ?', [customer]))[0].n);
  const keys = async (key: string) => Number((await base.db.query('SELECT COUNT(*) AS n FROM idempotency_key WHERE `key` = ?', [key]))[0].n);

  /** What a user of the API sees when the database is away: 503, Retry-After, the message — in time. */
  function expectUnavailable(results: Timed[]) {
    const summary = results.map((r) => `${r.what}: ${r.status} in ${r.ms} ms`);
    expect({ summary, bad: results.filter((r) => r.status !== 503) }).toEqual({ summary, bad: [] });
    for (const r of results) {
      expect(r.ms).toBeLessThan(TIMEOUT_S * 1000 + MARGIN_MS);
      expect(r.retryAfter).toBe('7');
      if (r.what === 'healthz') expect(r.body).toMatchObject({ status: 'degraded', database: 'down' });
      else expect(r.body).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: UNAVAILABLE } });
    }
  }

  function someRequests(tag: string, count: number): Promise<Timed>[] {
    const out: Promise<Timed>[] = [];
    for (let i = 0; i < count; i++) {
      if (i % 3 === 0) out.push(timed(`${tag} list ${i}`, 'GET', '/api/v1/customers', { token: rep() }));
      else if (i % 3 === 1) out.push(timed(`${tag} visit ${i}`, 'POST', '/api/v1/visits', { token: rep(), json: completeVisit(customer), key: randomUUID() }));
      else out.push(timed(`${tag} customer ${i}`, 'GET', `/api/v1/customers/${customer}`, { token: rep() }));
    }
    return out;
  }

  it('frozen for 30 s: every request answers 503 with Retry-After within the timeout, healthz says down, and the same server recovers', async () => {
    const visitsBefore = await visits();
    expect((await timed('warm', 'GET', '/api/v1/customers', { token: rep() })).status).toBe(200);
    await proxy.setMode('freeze');
    const frozenAt = Date.now();
    const pending: Promise<Timed>[] = [timed('healthz', 'GET', '/healthz')];
    // a burst well over the pool (8) plus its queue (20): the overflow is refused at once
    pending.push(...someRequests('burst', 80));
    // then a steady trickle for the rest of the freeze (the pool's frozen connections are gone by then)
    let wave = 0;
    while (Date.now() - frozenAt < FROZEN_MS) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      pending.push(...someRequests(`wave ${++wave}`, 3));
    }
    const frozenKey = randomUUID();
    pending.push(timed('the visit to retry', 'POST', '/api/v1/visits', { token: rep(), json: completeVisit(customer), key: frozenKey }));
    const results = await Promise.all(pending);
    const fast = results.filter((r) => r.ms < TIMEOUT_S * 1000).length;
    console.log(`frozen ${Date.now() - frozenAt} ms: ${results.length} requests, the slowest answered in ${Math.max(...results.map((r) => r.ms))} ms, ${fast} before the ${TIMEOUT_S} s timeout`);
    expectUnavailable(results);
    // the bounded queue answered the overflow of the burst before any timeout could pass (every other
    // 503 here comes from a timeout, so it cannot be faster than that)
    expect(results.filter((r) => r.what.startsWith('burst') && r.ms < TIMEOUT_S * 1000).length).toBeGreaterThan(0);
    expect(await visits()).toBe(visitsBefore);

    await proxy.setMode('pass');
    // no restart: the next requests work
    const health = await timed('healthz', 'GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ database: 'up' });
    expect((await timed('list', 'GET', '/api/v1/customers', { token: rep() })).status).toBe(200);
    // the visit refused while frozen goes through on retry with its key, once
    const retried = await timed('retry', 'POST', '/api/v1/visits', { token: rep(), json: completeVisit(customer), key: frozenKey });
    expect(retried.status).toBe(201);
    expect(await visits()).toBe(visitsBefore + 1);
    expect(await keys(frozenKey)).toBe(1);
  });

  it('refused (database down): 503 at once, then back to normal without a restart', async () => {
    await proxy.setMode('refuse');
    const results = await Promise.all([timed('healthz', 'GET', '/healthz'), ...someRequests('refused', 9)]);
    expectUnavailable(results);
    await proxy.setMode('pass');
    expect((await timed('list', 'GET', '/api/v1/customers', { token: rep() })).status).toBe(200);
    expect((await timed('visit', 'POST', '/api/v1/visits', { token: rep(), json: completeVisit(customer), key: randomUUID() })).status).toBe(201);
  });

  it('a connection cut in the middle of a visit transaction: 503, nothing half-written, and the retry stores it once', async () => {
    const visitsBefore = await visits();
    const todosBefore = await todos();
    const key = randomUUID();
    // the visit row is already inserted in the open transaction when the batch with its key and COMMIT is cut
    proxy.cutOnClientBytes('INSERT INTO idempotency_key');
    const cut = await timed('cut visit', 'POST', '/api/v1/visits', { token: rep(), json: completeVisit(customer), key });
    expectUnavailable([cut]);
    expect(await visits()).toBe(visitsBefore);
    expect(await todos()).toBe(todosBefore);
    expect(await keys(key)).toBe(0);

    const retried = await timed('retry', 'POST', '/api/v1/visits', { token: rep(), json: completeVisit(customer), key });
    expect(retried.status).toBe(201);
    const again = await timed('replay', 'POST', '/api/v1/visits', { token: rep(), json: completeVisit(customer), key });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(retried.body.id);
    expect(await visits()).toBe(visitsBefore + 1);
    expect(await todos()).toBe(todosBefore + 1);
  });
});
