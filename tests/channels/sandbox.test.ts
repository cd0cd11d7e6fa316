import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { api } from '../support/http';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

/** The embedded default with no chat account: the whole loop through /sandbox/ and the real callback code. */
let server: SpawnedServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'anchor-sandbox-'));
  server = await spawnServer({ ANCHOR_DATA_DIR: dir });
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const login = async (phone: string) => (await api(server.url, 'POST', '/api/v1/auth/dev-login', { json: { phone } })).body.token as string;

async function until<T>(probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for the sandbox');
    await new Promise((r) => setTimeout(r, 300));
  }
}

it('visit → card in the sandbox → 确认 through the encrypted callback → confirmed everywhere', async () => {
  expect(server.output()).toContain('/sandbox/');
  const rep = await login('13800000101');
  const customers = await api(server.url, 'GET', '/api/v1/customers?stage=proposal&pageSize=1', { token: rep });
  const customerId = customers.body.items[0].id;
  const date = new Date(Date.now() + 3 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
  const visit = await api(server.url, 'POST', '/api/v1/visits', {
    token: rep,
    headers: { 'idempotency-key': 'sandbox-test-visit-1' },
    json: { customerId, objective: '推进方案', painPoint: '安装太慢', dialogueSummary: '主任想看三甲医院的案例', bottleneck: '集采降价压力', valuePoint: '48 小时安装', agreedAction: '安排演示', nextFollowUpDate: date, nextFollowUpTime: '10:00', nextFollowUpForm: '上门' },
  });
  expect(visit.status).toBe(201);

  const page = await until(async () => {
    const html = String((await api(server.url, 'GET', '/sandbox/')).body);
    return html.includes('name="key" value="confirm:') ? html : undefined;
  });
  expect(page).toContain('陈主管');
  const message = /name="message" value="([^"]+)"/.exec(page)![1]!;
  const key = /name="key" value="(confirm:\d+)"/.exec(page)![1]!;
  const click = await fetch(`${server.url}/sandbox/click`, { method: 'POST', body: new URLSearchParams({ message, key }), redirect: 'manual' });
  expect(click.status).toBe(302);

  const supervisor = await login('13800000011');
  const todoId = key.split(':')[1];
  const todo = await api(server.url, 'GET', `/api/v1/todos/${todoId}`, { token: supervisor });
  expect(todo.body).toMatchObject({ status: 'confirmed', confirmedVia: 'wecom' });
  const after = await until(async () => {
    const html = String((await api(server.url, 'GET', '/sandbox/')).body);
    return html.includes('已确认 · 陈主管') ? html : undefined;
  });
  expect(after).not.toContain(`value="${key}"`);
});
