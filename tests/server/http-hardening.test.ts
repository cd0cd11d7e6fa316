import { request as httpRequest } from 'node:http';
import { loadPolicy } from '../../server/src/config/policy';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { completeVisit, submitVisit } from '../support/visit-fixture';
import { api } from '../support/http';
import { isoDate, validate } from '@anchor/shared';
import { z } from 'zod';

/** Hostile-but-ordinary requests: ids past INT, impossible dates, odd methods, headers, limits, small refusals. */
let h: Harness;
let org: OrgFixture;
let customerId: number;

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
  const created = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '加固测试医院', industry: '公立医院' } });
  expect(created.status).toBe(201);
  customerId = created.body.id;
});
afterAll(async () => {
  await h.close();
});

const TOO_BIG = 2 ** 31; // one past what a MySQL INT column holds
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 1)]);

/** node:http, because fetch refuses TRACE and friends before they reach the server. */
function rawRequest(method: string, url: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ids are bounded to what an INT column holds', () => {
  // every row has three cells: jest hands a shorter row's missing argument over as `done`
  const pathRoutes: [string, string, unknown][] = [
    ['GET', '/api/v1/customers/:id', undefined],
    ['PATCH', '/api/v1/customers/:id', { notes: '改一下' }],
    ['POST', '/api/v1/customers/:id/reassign', { ownerId: 1 }],
    ['GET', '/api/v1/customers/:id/stage-history', undefined],
    ['GET', '/api/v1/customers/:id/timeline', undefined],
    ['GET', '/api/v1/customers/:id/qr.png', undefined],
    ['POST', '/api/v1/customers/:id/first-touch', { method: '电话', verbatim: '客户说下周再谈', evidenceText: '微信聊天：下周再谈' }],
    ['GET', '/api/v1/visits/:id', undefined],
    ['GET', '/api/v1/photos/:id', undefined],
    ['GET', '/api/v1/todos/:id', undefined],
    ['POST', '/api/v1/todos/:id/confirm', {}],
    ['POST', '/api/v1/todos/:id/discuss', undefined],
    ['DELETE', '/api/v1/members/:id/sessions', undefined],
    ['GET', '/api/v1/teams/:id/channels', undefined],
    ['PUT', '/api/v1/teams/:id/channels', { wecomRobotKey: null }],
  ];
  it.each(pathRoutes)('%s %s with an id past 2^31−1, a huge number or a non-number answers 404 as a missing record', async (method, path, json) => {
    for (const id of [String(TOO_BIG), '99999999999999999999', '0', '-1', '1.5', 'abc']) {
      const res = await api(h.url, method, path.replace(':id', id), { token: org.token(org.admin), json, headers: { 'idempotency-key': `ids-${id}-${path.length}` } });
      expect({ id, status: res.status }).toEqual({ id, status: 404 });
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
  });

  it('body ids past 2^31−1 answer 422 naming the field, on every body that takes one', async () => {
    const rep = org.token(org.repA);
    const cases: [string, string, unknown, string, string][] = [
      ['POST', '/api/v1/customers', { name: '越界负责人医院', industry: '公立医院', ownerId: TOO_BIG }, 'ownerId', '负责人'],
      ['POST', `/api/v1/customers/${customerId}/reassign`, { ownerId: TOO_BIG }, 'ownerId', '新负责人'],
      ['POST', '/api/v1/visits', completeVisit(TOO_BIG), 'customerId', '客户'],
      ['POST', '/api/v1/visits', { ...completeVisit(customerId), photoIds: [TOO_BIG] }, 'photoIds.0', '照片'],
      ['POST', `/api/v1/customers/${customerId}/first-touch`, { method: '电话', verbatim: '客户说下周再谈', evidencePhotoId: TOO_BIG }, 'evidencePhotoId', '截图'],
      ['POST', '/api/v1/invites', { teamId: TOO_BIG }, 'teamId', '团队'],
      ['POST', '/api/v1/invites', { teamId: org.teamIds.team1, memberId: TOO_BIG }, 'memberId', '成员'],
      ['POST', '/api/v1/customers', { name: '零负责人医院', industry: '公立医院', ownerId: 0 }, 'ownerId', '负责人'],
    ];
    for (const [method, path, json, field, label] of cases) {
      const token = path.includes('reassign') || path.includes('invites') ? org.token(org.supervisor1) : rep;
      const res = await api(h.url, method, path, { token, json, headers: { 'idempotency-key': `body-id-${field}-${path.length}` } });
      expect({ path, field, status: res.status }).toEqual({ path, field, status: 422 });
      expect(res.body.error.fields[field]).toContain(label);
    }
  });

  it('query ids past 2^31−1 answer 422 naming the field', async () => {
    const res = await api(h.url, 'GET', `/api/v1/customers?ownerId=${TOO_BIG}`, { token: org.token(org.supervisor1) });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.ownerId).toContain('负责人');
    const exported = await api(h.url, 'GET', `/api/v1/customers/export.xlsx?ownerId=${TOO_BIG}`, { token: org.token(org.supervisor1) });
    expect(exported.status).toBe(422);
  });

  it('the OpenAPI schema states the bound', async () => {
    const spec = (await api(h.url, 'GET', '/api/v1/openapi.json')).body;
    const param = spec.paths['/api/v1/customers/{id}'].get.parameters.find((p: any) => p.name === 'id');
    expect(param.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 2147483647 });
    const code = spec.paths['/api/v1/invites/{code}'].delete.parameters.find((p: any) => p.name === 'code');
    expect(code.schema.type).toBe('string');
    const visit = spec.paths['/api/v1/visits'].post.requestBody.content['application/json'].schema;
    expect(visit.properties.customerId).toMatchObject({ minimum: 1, maximum: 2147483647 });
    const owner = spec.paths['/api/v1/customers'].get.parameters.find((p: any) => p.name === 'ownerId');
    expect(owner.schema).toMatchObject({ maximum: 2147483647 });
  });
});

describe('impossible dates are refused, not rolled over', () => {
  it.each(['2026-13-01', '2026-02-30', '2026-00-10', '2026-12-32'])('next follow-up %s answers 422 naming the field', async (date) => {
    const res = await submitVisit(h, org.token(org.repA), { ...completeVisit(customerId), nextFollowUpDate: date });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.nextFollowUpDate).toContain('下次跟进');
    const stored: unknown[] = await h.db.query('SELECT id FROM visit WHERE customerId = ? AND submittedAt IS NOT NULL', [customerId]);
    expect(stored).toHaveLength(0);
  });
});

describe('the shared isoDate helper', () => {
  const schema = z.object({ day: isoDate('签约日期') });
  it.each(['2026-13-01', '2026-02-30', '2025-02-29', '2026-00-01', '2026-1-01', '0000-01-01'])('refuses %s naming the field', (day) => {
    const result = validate(schema, { day });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.fields.day).toContain('签约日期');
  });
  it.each(['2026-02-28', '2028-02-29', '2026-12-31'])('accepts %s unchanged', (day) => {
    expect(validate(schema, { day })).toEqual({ ok: true, data: { day } });
  });
});

describe('methods', () => {
  it.each(['PROPFIND', 'TRACE', 'MKCOL', 'LOCK'])('%s answers 405 with the JSON error shape in Chinese', async (method) => {
    for (const path of ['/api/v1/customers', '/healthz', '/app/']) {
      const res = await rawRequest(method, `${h.url}${path}`);
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 405 });
      expect(String(res.headers['content-type'])).toContain('application/json');
      const body = JSON.parse(res.body);
      expect(body.error.code).toBe('METHOD_NOT_ALLOWED');
      expect(body.error.message).toMatch(/不支持该请求方法/);
    }
  });

  it('a known method on a path that does not take it answers 405 in the JSON shape', async () => {
    const res = await api(h.url, 'PUT', '/api/v1/customers', { token: org.token(org.repA), json: {} });
    expect(res.status).toBe(405);
    expect(res.body.error).toMatchObject({ code: 'METHOD_NOT_ALLOWED', message: expect.stringContaining('不支持') });
  });
});

describe('headers', () => {
  it('every answer carries the security headers; the app and sandbox pages a content security policy', async () => {
    for (const path of ['/healthz', '/api/v1/customers', '/app/']) {
      const res = await fetch(`${h.url}${path}`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
    }
  });

  it('/ redirects to /app/', async () => {
    const res = await fetch(`${h.url}/`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/app/');
  });
});

describe('small refusals', () => {
  it('revoking the sessions of a member who does not exist answers 404; of one who does, 200', async () => {
    const missing = await api(h.url, 'DELETE', '/api/v1/members/2147483000/sessions', { token: org.token(org.admin) });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('成员不存在');
    const { token } = await h.services.auth.issueSession(org.repE, 'wechat');
    const revoked = await api(h.url, 'DELETE', `/api/v1/members/${org.repE.id}/sessions`, { token: org.token(org.admin) });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked).toBeGreaterThanOrEqual(1);
    expect((await api(h.url, 'GET', '/api/v1/auth/me', { token })).status).toBe(401);
  });

  it('text with a lone surrogate is refused naming the field, not stored as「?」', async () => {
    const res = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '坏字符\ud800医院', industry: '公立医院' } });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.name).toContain('客户名称');
    expect(res.body.error.fields.name).toContain('无法识别的字符');
    const patch = await api(h.url, 'PATCH', `/api/v1/customers/${customerId}`, { token: org.token(org.repA), json: { notes: '尾巴\udc00' } });
    expect(patch.status).toBe(422);
    expect(Object.values(patch.body.error.fields).join()).toContain('备注');
    const visit = await submitVisit(h, org.token(org.repA), { ...completeVisit(customerId), painPoint: '\udbff设备太慢' });
    expect(visit.status).toBe(422);
    expect(visit.body.error.fields.painPoint).toBeDefined();
    const stored: { n: number }[] = await h.db.query("SELECT COUNT(*) AS n FROM customer WHERE name LIKE '坏字符%' OR notes LIKE '尾巴%'");
    expect(Number(stored[0]!.n)).toBe(0);
    // a well-formed pair (an emoji) is fine
    const emoji = await api(h.url, 'PATCH', `/api/v1/customers/${customerId}`, { token: org.token(org.repA), json: { notes: '主任喜欢 👍' } });
    expect(emoji.status).toBe(200);
  });
});

describe('limits', () => {
  let limited: Harness;
  let limitedOrg: OrgFixture;
  beforeAll(async () => {
    const policy = loadPolicy();
    limited = await startHarness({ policy: { ...policy, uploads: { ...policy.uploads, photoDailyQuota: 3 } } });
    limitedOrg = await buildOrg(limited);
  });
  afterAll(async () => {
    await limited.close();
  });

  it('photo uploads stop at the daily quota with a Chinese reason, and start again the next day', async () => {
    const upload = () => {
      const form = new FormData();
      form.append('file', new Blob([JPEG], { type: 'image/jpeg' }), 'p.jpg');
      return api(limited.url, 'POST', '/api/v1/photos', { token: limitedOrg.token(limitedOrg.repA), form });
    };
    for (let i = 0; i < 3; i++) expect((await upload()).status).toBe(201);
    const refused = await upload();
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', message: expect.stringContaining('3 张') });
    // another member's quota is their own
    const form = new FormData();
    form.append('file', new Blob([JPEG], { type: 'image/jpeg' }), 'p.jpg');
    expect((await api(limited.url, 'POST', '/api/v1/photos', { token: limitedOrg.token(limitedOrg.repB), form })).status).toBe(201);
    limited.clock.advance(24 * 3_600_000);
    expect((await upload()).status).toBe(201);
  });

  it('failed login attempts are limited per phone: the 11th in ten minutes answers 429 with Retry-After', async () => {
    const attempt = (phone: string) => api(limited.url, 'POST', '/api/v1/auth/wechat/login', { json: { code: 'x', inviteCode: 'DEMO-TEAM-1', name: '试', phone } });
    for (let i = 0; i < 10; i++) expect((await attempt('13912340000')).status).not.toBe(429);
    const refused = await attempt('13912340000');
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'LOGIN_RATE_LIMITED', message: expect.stringMatching(/登录尝试过于频繁/) });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // another phone from the same address still gets through (until the per-address limit)
    expect((await attempt('13912340001')).status).not.toBe(429);
  });

  it('failed login attempts are limited per client address across phones', async () => {
    let last = 0;
    for (let i = 0; i < 40 && last !== 429; i++) {
      last = (await api(limited.url, 'POST', '/api/v1/auth/dev-login', { json: { phone: `1391235${String(i).padStart(4, '0')}` } })).status;
    }
    expect(last).toBe(429);
  });
});
