import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, loginAs, requireH5Build, shot } from './browser';
import { createTestDatabase } from '../support/database';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { api } from '../support/http';

// Issue 12 item 9, in the real H5 build: a team whose policy says Asia/Tokyo sees a visit's next
// follow-up at the wall-clock time the rep chose in Tokyo (Shanghai, the old constant, is an hour behind).
let server: SpawnedServer;
let browser: Browser;
let drop: () => Promise<void>;
let dir: string;

beforeAll(async () => {
  requireH5Build();
  dir = mkdtempSync(path.join(tmpdir(), 'anchor-tz-'));
  const policyFile = path.join(dir, 'policy.yaml');
  const shipped = readFileSync(path.resolve(__dirname, '../../config/policy.yaml'), 'utf8');
  expect(shipped).toContain('\ntimeZone: Asia/Shanghai\n');
  writeFileSync(policyFile, shipped.replace('\ntimeZone: Asia/Shanghai\n', '\ntimeZone: Asia/Tokyo\n'));
  const database = await createTestDatabase(2);
  await database.db.destroy();
  drop = database.drop;
  server = await spawnServer({ DATABASE_URL: database.url, ANCHOR_DEMO: '1', ANCHOR_POLICY: policyFile });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await drop?.();
  rmSync(dir, { recursive: true, force: true });
});

/** The calendar date in Tokyo `days` from now. */
const tokyoDate = (days: number) => new Date(Date.now() + 9 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);

it('the visit detail page shows the next follow-up in the policy\u2019s zone (Asia/Tokyo)', async () => {
  const login = await api(server.url, 'POST', '/api/v1/auth/dev-login', { json: { phone: '13800000101' } });
  expect(login.status).toBe(200);
  const token = login.body.token as string;
  const options = await api(server.url, 'GET', '/api/v1/options', { token });
  expect(options.body.timeZone).toBe('Asia/Tokyo');
  const customers = await api(server.url, 'GET', '/api/v1/customers?pageSize=1', { token });
  const customerId = customers.body.items[0].id as number;
  const date = tokyoDate(3);
  const visit = await api(server.url, 'POST', '/api/v1/visits', {
    token,
    headers: { 'idempotency-key': randomUUID() },
    json: {
      customerId, objective: '推进方案', painPoint: '科室反映现有设备安装调试太慢, 影响手术排期',
      dialogueSummary: '王主任认可我们的快速安装服务, 希望看到在三甲医院的实际案例, 并关心集采后的价格。',
      bottleneck: '集采降价压力', valuePoint: '48 小时完成安装调试', agreedAction: '安排演示',
      nextFollowUpDate: date, nextFollowUpTime: '14:30', nextFollowUpForm: '上门', alert: false,
    },
  });
  expect(visit.status).toBe(201);
  // the server read 14:30 as Tokyo time: 05:30 UTC
  const detail = await api(server.url, 'GET', `/api/v1/visits/${visit.body.id}`, { token });
  expect(detail.body.nextFollowUpAt).toBe(`${date}T05:30:00.000Z`);

  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const page = await loginAs(context, server.url, '13800000101');
    await page.goto(`${server.url}/app/#/pages/visit-detail/index?id=${visit.body.id}`);
    await page.waitForFunction((want) => (globalThis as any).document.body.innerText.includes(want), `${date} 14:30 · 上门`, { timeout: 20_000 });
    const text = await page.evaluate(() => (globalThis as any).document.body.innerText as string);
    expect(text).not.toContain(`${date} 13:30`);
    await shot(page, 'visit-detail-tokyo');
  } finally {
    await context.close();
  }
});
