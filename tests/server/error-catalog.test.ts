import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CODES, ERROR_CODES_BY_CATALOG, type ErrorCatalogName } from '@anchor/shared';
import { errorCatalogs } from '../../server/src/http/error-catalogs';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { todoOfNewVisit } from '../support/visit-fixture';
import { WechatSimulator } from '../simulators/wechat-sim';

const SERVER = path.resolve(__dirname, '../../server/src');
// the platform's catalogs and each module definition's `errors`
const ERROR_CATALOGS = errorCatalogs();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const relative = (file: string) => path.relative(SERVER, file);

/** Each catalog's folder and the name of the function that throws its codes. */
const THROWERS: Record<ErrorCatalogName, { dir: string; thrower: string }> = {
  http: { dir: 'http', thrower: 'httpError' },
  customers: { dir: 'modules/customers', thrower: 'customerError' },
  visits: { dir: 'modules/visits', thrower: 'visitError' },
  attachments: { dir: 'modules/attachments', thrower: 'attachmentError' },
  materials: { dir: 'modules/materials', thrower: 'materialError' },
  tasks: { dir: 'modules/tasks', thrower: 'taskError' },
  checkins: { dir: 'modules/checkins', thrower: 'checkinError' },
  signins: { dir: 'modules/signins', thrower: 'signinError' },
  home: { dir: 'modules/home', thrower: 'homeError' },
  grading: { dir: 'modules/grading', thrower: 'gradingError' },
  contracts: { dir: 'modules/contracts', thrower: 'contractError' },
  dashboards: { dir: 'modules/dashboards', thrower: 'dashboardError' },
  plays: { dir: 'modules/plays', thrower: 'playError' },
  org: { dir: 'modules/org', thrower: 'orgError' },
  rebates: { dir: 'modules/rebates', thrower: 'rebateError' },
  outbox: { dir: 'outbox', thrower: 'outboxError' },
  channels: { dir: 'channels', thrower: 'channelError' },
  receivables: { dir: 'modules/receivables', thrower: 'receivableError' },
  payments: { dir: 'modules/payments', thrower: 'paymentError' },
  campaigns: { dir: 'modules/campaigns', thrower: 'campaignError' },
};

describe('the error catalogs', () => {
  it('each server catalog declares exactly the codes shared/ lists for it, so the app knows every code the server answers', () => {
    for (const name of Object.keys(ERROR_CODES_BY_CATALOG) as ErrorCatalogName[]) {
      expect([name, Object.keys(ERROR_CATALOGS[name]).sort()]).toEqual([name, [...ERROR_CODES_BY_CATALOG[name]].sort()]);
      for (const spec of Object.values(ERROR_CATALOGS[name])) {
        expect(spec.status).toBeGreaterThanOrEqual(400);
        expect(spec.message).toMatch(/[\u4e00-\u9fff]/); // what a person reads is Chinese
      }
    }
    expect(Object.keys(ERROR_CATALOGS).sort()).toEqual(Object.keys(ERROR_CODES_BY_CATALOG).sort());
    // a code belongs to one catalog: its status cannot differ by who throws it
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it('no code is shared by distinct conflicts any more: CONFLICT is gone, each 409 says which conflict it is', () => {
    expect(ERROR_CODES).not.toContain('CONFLICT');
    const conflicts = Object.values(ERROR_CATALOGS).flatMap((c) => Object.entries(c).filter(([, spec]) => spec.status === 409).map(([code]) => code));
    expect(conflicts).toEqual(expect.arrayContaining(['TODO_ALREADY_CONFIRMED', 'FIRST_TOUCH_RECORDED', 'NOT_AWAITING_FIRST_TOUCH', 'PHONE_ALREADY_REGISTERED', 'DELIVERY_NOT_RESENDABLE']));
    for (const file of sourceFiles(SERVER)) expect([relative(file), readFileSync(file, 'utf8').includes("'CONFLICT'")]).toEqual([relative(file), false]);
  });

  it('only http/errors.ts builds an AppError; everything else throws a catalog code', () => {
    const builders = sourceFiles(SERVER).filter((file) => /new AppError\(/.test(readFileSync(file, 'utf8'))).map(relative);
    expect(builders).toEqual([path.join('http', 'errors.ts')]);
  });

  it("every code thrown in a module's folder is in that module's catalog", () => {
    for (const [name, { dir, thrower }] of Object.entries(THROWERS) as [ErrorCatalogName, { dir: string; thrower: string }][]) {
      const thrown = new Set<string>();
      for (const file of sourceFiles(path.join(SERVER, dir))) {
        for (const m of readFileSync(file, 'utf8').matchAll(new RegExp(`\\b${thrower}\\('([A-Z_]+)'`, 'g'))) thrown.add(m[1]!);
      }
      if (name !== 'http' && name !== 'home' && name !== 'grading' && name !== 'dashboards' && name !== 'plays') expect([name, thrown.size]).not.toEqual([name, 0]);
      for (const code of thrown) expect([name, code, code in ERROR_CATALOGS[name]]).toEqual([name, code, true]);
    }
  });
});

describe('the API answers the distinct codes, and OpenAPI lists them', () => {
  let h: Harness;
  let org: OrgFixture;
  let wechat: WechatSimulator;

  beforeAll(async () => {
    wechat = await new WechatSimulator().start();
    h = await startHarness({ env: { WECHAT_APP_ID: wechat.appId, WECHAT_APP_SECRET: wechat.appSecret, WECHAT_API_BASE: wechat.url } });
    org = await buildOrg(h);
  });
  afterAll(async () => {
    await h.close();
    await wechat.stop();
  });

  const firstTouch = (customerId: number) =>
    api(h.url, 'POST', `/api/v1/customers/${customerId}/first-touch`, {
      token: org.token(org.repA),
      json: { method: '微信', verbatim: '先发资料看看, 下周再说', evidenceText: '[聊天记录] 客户: 好的' },
      headers: { 'idempotency-key': randomUUID() },
    });
  const newCustomer = async (name: string, stage?: string) =>
    (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name, industry: '民营医院', ...(stage ? { stage } : {}) } })).body.id as number;

  it('a second first touch is FIRST_TOUCH_RECORDED; a first touch of a customer that is no lead is NOT_AWAITING_FIRST_TOUCH (both 409, same words as before)', async () => {
    const lead = await newCustomer('错误码线索医院');
    expect((await firstTouch(lead)).status).toBe(201);
    const again = await firstTouch(lead);
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({ code: 'FIRST_TOUCH_RECORDED', message: '该客户已有首次触达记录' });

    const proposal = await newCustomer('错误码方案医院', 'proposal');
    const notLead = await firstTouch(proposal);
    expect(notLead.status).toBe(409);
    expect(notLead.body.error).toEqual({ code: 'NOT_AWAITING_FIRST_TOUCH', message: '该客户不是待首次触达的线索' });
  });

  it('asking to talk about a confirmed to-do is TODO_ALREADY_CONFIRMED', async () => {
    const customer = await newCustomer('错误码待办医院', 'proposal');
    const todo = await todoOfNewVisit(h, org.token(org.repA), customer);
    expect((await api(h.url, 'POST', `/api/v1/todos/${todo.id}/confirm`, { token: org.token(org.supervisor1), json: {} })).status).toBe(200);
    const discuss = await api(h.url, 'POST', `/api/v1/todos/${todo.id}/discuss`, { token: org.token(org.supervisor1), json: {} });
    expect(discuss.status).toBe(409);
    expect(discuss.body.error).toEqual({ code: 'TODO_ALREADY_CONFIRMED', message: '该待办已确认，无需再沟通' });
  });

  it('joining a team with a phone a member already has is PHONE_ALREADY_REGISTERED', async () => {
    const invite = await api(h.url, 'POST', '/api/v1/invites', { token: org.token(org.supervisor1), json: { teamId: org.teamIds.team1 } });
    expect(invite.status).toBe(201);
    const res = await api(h.url, 'POST', '/api/v1/auth/wechat/login', {
      json: { code: wechat.issueCode('openid-errors-taken'), inviteCode: invite.body.code, name: '冒名', phone: org.repA.phone },
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({ code: 'PHONE_ALREADY_REGISTERED', message: '该手机号已登记，请向主管索取个人邀请码' });
  });

  it('/api/v1/openapi.json lists each route\'s error answers by status, with their codes', async () => {
    const doc = (await api(h.url, 'GET', '/api/v1/openapi.json')).body;
    const codesOf = (p: string, method: string, status: string): string[] | undefined =>
      doc.paths[p]?.[method]?.responses?.[status]?.content?.['application/json']?.schema?.allOf?.[1]?.properties?.error?.properties?.code?.enum;

    const create = '/api/v1/customers';
    expect(codesOf(create, 'post', '409')).toEqual(['DUPLICATE_CUSTOMER']);
    expect(codesOf(create, 'post', '422')).toEqual(['VALIDATION_FAILED']);
    expect(codesOf(create, 'post', '401')).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(create, 'post', '403')).toEqual(['FORBIDDEN']);
    expect(doc.paths[create].post.responses['409'].description).toContain('客户已存在');
    expect(codesOf('/api/v1/customers/{id}', 'get', '404')).toEqual(['NOT_FOUND']);
    // the route names an action (customers.read) some roles lack; within the action, scope hides rather than refuses
    expect(codesOf('/api/v1/customers/{id}', 'get', '403')).toEqual(['FORBIDDEN']);
    expect(codesOf('/api/v1/me', 'get', '403')).toBeUndefined(); // any member may ask
    expect(codesOf('/api/v1/customers/{id}/first-touch', 'post', '409')).toEqual(['NOT_AWAITING_FIRST_TOUCH', 'FIRST_TOUCH_RECORDED']);
    expect(codesOf('/api/v1/visits', 'post', '422')).toEqual(expect.arrayContaining(['VALIDATION_FAILED', 'ACTION_NOT_CLOSED', 'VISIT_TOO_OLD', 'IDEMPOTENCY_KEY_REUSED']));
    expect(codesOf('/api/v1/todos/{id}/discuss', 'post', '409')).toEqual(['TODO_ALREADY_CONFIRMED']);
    expect(codesOf('/api/v1/admin/deliveries/{id}/resend', 'post', '409')).toEqual(['DELIVERY_TODO_CONFIRMED', 'DELIVERY_NOT_RESENDABLE']);
    expect(codesOf('/api/v1/auth/wechat/login', 'post', '401')).toEqual(['LOGIN_CODE_INVALID']);
    expect(codesOf('/api/v1/auth/wechat/login', 'post', '409')).toEqual(['MEMBER_ALREADY_BOUND', 'PHONE_ALREADY_REGISTERED', 'ACCOUNT_ALREADY_BOUND']);

    // every module code some route may answer is listed on at least one route: none is undocumented
    const listed = new Set<string>();
    for (const methods of Object.values<any>(doc.paths)) {
      for (const op of Object.values<any>(methods)) {
        for (const response of Object.values<any>(op.responses)) for (const code of response.content?.['application/json']?.schema?.allOf?.[1]?.properties?.error?.properties?.code?.enum ?? []) listed.add(code);
      }
    }
    const moduleCodes = (Object.keys(ERROR_CODES_BY_CATALOG) as ErrorCatalogName[]).filter((n) => n !== 'http').flatMap((n) => [...ERROR_CODES_BY_CATALOG[n]]);
    expect(moduleCodes.filter((code) => !listed.has(code))).toEqual([]);
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toEqual(expect.arrayContaining([...ERROR_CODES]));
  });
});
