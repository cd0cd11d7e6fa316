import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { spawnServer } from '../support/spawn-server';
import { onSqlite } from '../support/database';

describe('on the test database (MariaDB, or SQLite on the SQLite pass)', () => {
  let h: Harness;
  let org: OrgFixture;
  beforeAll(async () => {
    h = await startHarness();
    org = await buildOrg(h);
  });
  afterAll(() => h.close());

  it('GET /healthz answers 200 with the database status', async () => {
    const res = await api(h.url, 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'up', driver: onSqlite ? 'better-sqlite3' : 'mysql' });
  });

  it('the schema is utf8mb4 end to end: emoji and rare characters survive a round trip', async () => {
    const name = '𠀀测试医院😀';
    const created = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name, industry: '公立医院' } });
    expect(created.status).toBe(201);
    const read = await api(h.url, 'GET', `/api/v1/customers/${created.body.id}`, { token: org.token(org.repA) });
    expect(read.body.name).toBe(name);
  });

  it('the OpenAPI document comes from the validating schemas: Chinese field titles and option lists', async () => {
    const res = await api(h.url, 'GET', '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const create = res.body.paths['/api/v1/customers'].post.requestBody.content['application/json'].schema;
    expect(create.properties.name.title).toBe('客户名称');
    expect(create.properties.industry.enum).toEqual(h.policy.options.industries);
    expect(create.properties.stage.enum).toEqual(['lead', 'visit', 'proposal', 'quote', 'signed', 'delivered']);
    expect(create.required).toEqual(expect.arrayContaining(['name', 'industry']));
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/v1/customers/{id}', '/api/v1/customers/import/preview', '/api/v1/auth/wechat/login']));
  });

  it('unknown routes answer the one error shape, in Chinese', async () => {
    const res = await api(h.url, 'GET', '/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: '接口不存在' } });
  });

  it('GET /api/v1/options gives the configured lists to a signed-in member only', async () => {
    expect((await api(h.url, 'GET', '/api/v1/options')).status).toBe(401);
    const res = await api(h.url, 'GET', '/api/v1/options', { token: org.token(org.repA) });
    expect(res.body.agreedActions).toEqual(['发送方案', '安排演示', '提供样品', '其他']);
    expect(res.body.stages[1]).toEqual({ code: 'visit', label: '拜访' });
    expect(res.body.reminderTemplateId).toBeNull(); // WeChat not configured: the app asks for no consent
  });
});

describe('the embedded default (no DATABASE_URL)', () => {
  it('starts on SQLite in demo mode, seeds a team and answers /healthz and a demo login', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'anchor-embedded-'));
    const server = await spawnServer({ ANCHOR_DATA_DIR: dir });
    try {
      const health = await api(server.url, 'GET', '/healthz');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok', database: 'up', driver: 'better-sqlite3', channels: { wecom_app: { healthy: true } } });
      expect(server.output()).toContain('demo mode');
      expect(server.output()).toContain('13800000101');
      const director = await api(server.url, 'POST', '/api/v1/auth/dev-login', { json: { phone: '13800000001' } });
      expect(director.status).toBe(200);
      const all = await api(server.url, 'GET', '/api/v1/customers?pageSize=1', { token: director.body.token });
      expect(all.body.total).toBeGreaterThanOrEqual(280);
      const rep = await api(server.url, 'POST', '/api/v1/auth/dev-login', { json: { phone: '13800000101' } });
      const mine = await api(server.url, 'GET', '/api/v1/customers?pageSize=100', { token: rep.body.token });
      expect(mine.body.total).toBeGreaterThan(10);
      expect(mine.body.total).toBeLessThan(all.body.total);
      expect(mine.body.items.every((c: any) => c.owner.name === '王小明')).toBe(true);
      // two of the rep's leads were just assigned, so 首次触达 has something to show in the demo
      const leads = await api(server.url, 'GET', '/api/v1/customers?stage=lead&pageSize=100', { token: rep.body.token });
      const due = leads.body.items.filter((c: any) => c.firstTouchDueAt && !c.firstTouchAt);
      expect(due).toHaveLength(2);
      expect(due.every((c: any) => new Date(c.firstTouchDueAt).getTime() > Date.now())).toBe(true);
      const stages = new Set<string>();
      for (const stage of ['lead', 'visit', 'proposal', 'quote', 'signed', 'delivered']) {
        const res = await api(server.url, 'GET', `/api/v1/customers?stage=${stage}&pageSize=1`, { token: director.body.token });
        if (res.body.total > 0) stages.add(stage);
      }
      expect(stages.size).toBe(6);
      const search = await api(server.url, 'GET', `/api/v1/customers?q=${encodeURIComponent('人民医院')}`, { token: director.body.token });
      expect(search.body.total).toBeGreaterThan(0);
      const history = await api(server.url, 'GET', `/api/v1/customers/${search.body.items[0].id}/stage-history`, { token: director.body.token });
      expect(history.body.total).toBeGreaterThanOrEqual(1);
      // What `npm start` users do first: a visit, stored once however often it is sent.
      const tomorrow = new Date(Date.now() + 8 * 3_600_000 + 86_400_000).toISOString().slice(0, 10);
      const visit = {
        customerId: mine.body.items[0].id, objective: '推进方案', painPoint: '安装太慢', dialogueSummary: '主任希望看三甲医院的案例', bottleneck: '集采降价压力',
        valuePoint: '48 小时装好', agreedAction: '安排演示', nextFollowUpDate: tomorrow, nextFollowUpTime: '10:00', nextFollowUpForm: '上门', alert: false,
      };
      const send = () => api(server.url, 'POST', '/api/v1/visits', { token: rep.body.token, json: visit, headers: { 'idempotency-key': 'embedded-visit-1' } });
      const first = await send();
      expect(first.status).toBe(201);
      expect(first.body.todo).toMatchObject({ status: 'open' });
      expect((await send()).body.id).toBe(first.body.id);
      const timeline = await api(server.url, 'GET', `/api/v1/customers/${visit.customerId}/timeline`, { token: rep.body.token });
      expect(timeline.body.items.filter((e: any) => e.type === 'visit' && e.id === first.body.id)).toHaveLength(1);
    } finally {
      await server.stop();
    }
    // A restart on the same file keeps the data and does not seed twice.
    const again = await spawnServer({ ANCHOR_DATA_DIR: dir });
    try {
      const director = await api(again.url, 'POST', '/api/v1/auth/dev-login', { json: { phone: '13800000001' } });
      const all = await api(again.url, 'GET', '/api/v1/customers?pageSize=1', { token: director.body.token });
      expect(all.body.total).toBeLessThan(400);
      expect(again.output()).toContain('existing demo data kept');
    } finally {
      await again.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
