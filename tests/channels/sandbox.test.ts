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

const messages = async (token?: string) => api(server.url, 'GET', '/sandbox/messages', token ? { token } : {});

it('visit → card in the sandbox → 确认 through the encrypted callback → confirmed everywhere', async () => {
  expect(server.output()).toContain('/sandbox/');
  const rep = await login('13800000101');
  const supervisor = await login('13800000011');
  const customers = await api(server.url, 'GET', '/api/v1/customers?stage=proposal&pageSize=1', { token: rep });
  const customerId = customers.body.items[0].id;
  const customerName = customers.body.items[0].name as string;
  // the team group's post about this visit (the groups also carry other posts: review cards, digests)
  const groupPost = (m: any) => m.channel === 'robot' && JSON.stringify(m).includes(customerName);
  const date = new Date(Date.now() + 3 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
  const visit = await api(server.url, 'POST', '/api/v1/visits', {
    token: rep,
    headers: { 'idempotency-key': 'sandbox-test-visit-1' },
    json: { customerId, objective: '推进方案', painPoint: '安装太慢', dialogueSummary: '主任想看三甲医院的案例', bottleneck: '集采降价压力', valuePoint: '48 小时安装', agreedAction: '安排演示', nextFollowUpDate: date, nextFollowUpTime: '10:00', nextFollowUpForm: '上门' },
  });
  expect(visit.status).toBe(201);

  // the page itself is a shell: nothing in it until a logged-in member's script asks
  const shell = await api(server.url, 'GET', '/sandbox/');
  expect(String(shell.body)).toContain('/sandbox/sandbox.js');
  expect(String(shell.body)).not.toContain('陈主管');
  expect((await messages()).status).toBe(401);

  const card = await until(async () => {
    const view = (await messages(supervisor)).body;
    // this visit's to-do card (the supervisor also has other cards: contract steps, reviews)
    return view.messages.find((m: any) => m.channel === 'app' && JSON.stringify(m).includes(customerName) && m.card?.buttons.some((b: any) => b.key.startsWith('confirm:')));
  });
  expect(card.to).toBe('陈主管');
  // the time is the policy's (Asia/Shanghai), not UTC
  const shanghai = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(5, 16).replace('T', ' ');
  expect(Math.abs(new Date(`2026-${card.at}:00Z`).getTime() - new Date(`2026-${shanghai}:00Z`).getTime())).toBeLessThan(5 * 60_000);
  const key = card.card.buttons.find((b: any) => b.key.startsWith('confirm:')).key as string;

  // the rep sees the team group's post, but not the supervisor's card, and cannot press its button
  // (the group post is a delivery of its own and may land a moment after the card)
  const repView = await until(async () => {
    const view = (await messages(rep)).body;
    return view.messages.some(groupPost) ? view : undefined;
  });
  expect(repView.messages.some((m: any) => m.id === card.id)).toBe(false);
  expect(repView.messages.some(groupPost)).toBe(true);
  const asRep = await api(server.url, 'POST', '/sandbox/click', { token: rep, json: { message: card.id, key } });
  expect(asRep.status).toBe(404);
  // another team's supervisor sees neither
  const other = (await messages(await login('13800000012'))).body;
  expect(other.messages.some((m: any) => m.id === card.id || groupPost(m))).toBe(false);

  const click = await api(server.url, 'POST', '/sandbox/click', { token: supervisor, json: { message: card.id, key } });
  expect(click.status).toBe(200);
  const todoId = key.split(':')[1];
  const todo = await api(server.url, 'GET', `/api/v1/todos/${todoId}`, { token: supervisor });
  expect(todo.body).toMatchObject({ status: 'confirmed', confirmedVia: 'wecom', confirmedBy: expect.anything() });
  const after = await until(async () => (await messages(supervisor)).body.messages.find((m: any) => m.id === card.id && m.card.done === '已确认 · 陈主管'));
  expect(after.card.buttons).toEqual([]);
  expect(after.card.simulateTodoId).toBeNull();
});

it('the 48 h simulation works once, for a member who can see the to-do, and its button is then gone', async () => {
  const rep = await login('13800000102');
  const customers = await api(server.url, 'GET', '/api/v1/customers?stage=proposal&pageSize=1', { token: rep });
  const date = new Date(Date.now() + 3 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
  const visit = await api(server.url, 'POST', '/api/v1/visits', {
    token: rep,
    headers: { 'idempotency-key': 'sandbox-test-visit-2' },
    json: { customerId: customers.body.items[0].id, objective: '推进方案', painPoint: '安装太慢', dialogueSummary: '主任想先看同类医院的落地案例', bottleneck: '集采降价压力', valuePoint: '48 小时安装', agreedAction: '发送方案', nextFollowUpDate: date, nextFollowUpTime: '11:00', nextFollowUpForm: '电话' },
  });
  expect(visit.status).toBe(201);
  const supervisor = await login('13800000011');
  const todos = await api(server.url, 'GET', '/api/v1/todos?as=assignee&pageSize=100', { token: supervisor });
  const todoId = todos.body.items.find((t: any) => t.visitId === visit.body.id).id as number;
  const card = await until(async () => (await messages(supervisor)).body.messages.find((m: any) => m.card?.simulateTodoId === todoId));
  expect(card).toBeDefined();
  // a supervisor of another team may not skip this to-do's clock
  expect((await api(server.url, 'POST', '/sandbox/escalate-now', { token: await login('13800000012'), json: { todo: todoId } })).status).toBe(404);
  expect((await api(server.url, 'POST', '/sandbox/escalate-now', { json: { todo: todoId } })).status).toBe(401);
  expect((await api(server.url, 'POST', '/sandbox/escalate-now', { token: supervisor, json: { todo: todoId } })).status).toBe(200);
  const view = (await messages(supervisor)).body.messages;
  expect(view.some((m: any) => m.card?.simulateTodoId === todoId)).toBe(false);
  const director = await login('13800000001');
  await until(async () => (await messages(director)).body.messages.find((m: any) => JSON.stringify(m).includes('超时')));
});

it('a link planted in a card never becomes a javascript: link, and unknown robot keys post nowhere', async () => {
  const planted = (key: string, url: string) =>
    api(server.url, 'POST', `/sandbox/wecom/cgi-bin/webhook/send?key=${key}`, {
      json: { msgtype: 'template_card', template_card: { card_type: 'text_notice', main_title: { title: '<img src=x onerror=alert(1)>', desc: url }, card_action: { type: 1, url } } },
    });
  expect((await planted('made-up-key', 'https://example.com/')).body.errcode).not.toBe(0);
  const supervisor = await login('13800000011');
  const teamKey = 'sandbox-team-1'; // the seed's key for 上海一组, 陈主管's team
  for (const url of ['javascript:alert(document.cookie)', ' JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>', '//evil.example/x', 'vbscript:x']) {
    expect((await planted(teamKey, url)).body.errcode).toBe(0);
  }
  expect((await planted(teamKey, '/app/#/pages/todo/index?id=1')).body.errcode).toBe(0);
  const cards = ((await messages(supervisor)).body.messages as any[]).filter((m) => m.card?.title === '<img src=x onerror=alert(1)>');
  expect(cards).toHaveLength(6);
  expect(cards.filter((m) => m.card.link !== null).map((m) => m.card.link)).toEqual(['/app/#/pages/todo/index?id=1']);
  // the page builds nodes from text only: no HTML from a message ever reaches innerHTML
  const script = String((await api(server.url, 'GET', '/sandbox/sandbox.js')).body);
  expect(script).not.toMatch(/innerHTML|insertAdjacentHTML|document\.write/);
});
