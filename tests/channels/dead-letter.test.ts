import { loadPolicy, parsePolicy, ConfigError } from '../../server/src/config/policy';
import { Delivery } from '../../server/src/outbox/delivery.entity';
import { Member } from '../../server/src/modules/org/member.entity';
import { Todo } from '../../server/src/modules/tasks/todo.view';
import { readFileSync } from 'node:fs';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { todoOfNewVisit as newTodo } from '../support/visit-fixture';
import { WecomSimulator } from '../simulators/wecom-sim';
import { jsonObject } from '../simulators/sim-server';

// A poison message (one that keeps failing transiently) must not hold a person's queue forever: past the
// policy's attempts or hours it is dead-lettered, shown to admins with its last error, and the person's
// later messages go out. Admins re-send it (or a whole channel's) with the same body, so WeCom's
// task_id still recognises a card that did arrive.
const SEND = '/cgi-bin/message/send';
const ATTEMPTS = 3;
const HOURS = 2;
let h: Harness;
let org: OrgFixture;
let wecom: WecomSimulator;
let customer: number;

beforeAll(async () => {
  wecom = await new WecomSimulator().start();
  h = await startHarness({
    env: { WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: wecom.secret, WECOM_API_BASE: wecom.url },
    policy: { ...loadPolicy(), outbox: { deadLetterAttempts: ATTEMPTS, deadLetterHours: HOURS } },
  });
  wecom.now = () => h.clock.now().getTime();
  org = await buildOrg(h);
  await h.db.getRepository(Member).update({ id: org.supervisor1.id }, { wecomUserId: 'dl.s1' });
  await h.db.getRepository(Member).update({ id: org.supervisor2.id }, { wecomUserId: 'dl.s2' });
  customer = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '死信测试医院', industry: '公立医院', stage: 'proposal' } })).body.id;
});
afterAll(async () => {
  await h.close();
  await wecom.stop();
});

/** A visit by a rep of team 1 (its card goes to supervisor 1) or team 2 (supervisor 2). */
const todoOfNewVisit = (rep = org.repA, customerId = customer) => newTodo(h, org.token(rep), customerId);
const taskOf = (todo: Todo) => `anchor_todo_${todo.id}`;
const forTask = (todo: Todo) => (req: { body: string }) => jsonObject(req.body)?.template_card?.task_id === taskOf(todo);
const cardsOf = (user: string) => wecom.deliveredCards(user).map((c) => c.taskId);
const deliveryOf = (todo: Todo) => h.db.getRepository(Delivery).findOneByOrFail({ subject: `todo:${todo.id}`, channel: 'wecom_app' });
/** One outbox pass, then past any backoff (≤ 10 minutes). */
async function pass(advanceMs = 11 * 60_000): Promise<void> {
  await h.services.outbox.runOnce();
  h.clock.advance(advanceMs);
}
const admin = () => org.token(org.admin);

it('a card that keeps failing is dead-lettered after the policy attempts; the supervisor\'s later cards go out; admins see it and re-send it with the same task_id', async () => {
  const poison = await todoOfNewVisit();
  const later = await todoOfNewVisit();
  wecom.failNext(SEND, 'http500', ATTEMPTS, forTask(poison));
  for (let i = 0; i < ATTEMPTS; i++) await pass();
  await h.services.outbox.runOnce();

  // the later card was not held behind the poison one
  expect(cardsOf('dl.s1')).toContain(taskOf(later));
  expect(cardsOf('dl.s1')).not.toContain(taskOf(poison));
  const dead = await deliveryOf(poison);
  expect(dead).toMatchObject({ status: 'dead', attempts: ATTEMPTS });
  expect(dead.lastError).toMatch(/500/);

  // listed for admins with its last error
  const list = await api(h.url, 'GET', '/api/v1/admin/deliveries?status=dead', { token: admin() });
  expect(list.status).toBe(200);
  expect(list.body.items.find((d: { id: number }) => d.id === dead.id)).toMatchObject({ status: 'dead', attempts: ATTEMPTS, lastError: dead.lastError, target: 'wecom_app:dl.s1', targetName: '一组主管' });

  // re-sent: the same card, same body and task_id, reaches the supervisor once
  const firstTry = wecom.server.requests.find((r) => r.path === SEND && forTask(poison)(r))!;
  const resend = await api(h.url, 'POST', `/api/v1/admin/deliveries/${dead.id}/resend`, { token: admin() });
  expect(resend.status).toBe(200);
  expect(resend.body).toMatchObject({ id: dead.id, status: 'pending', attempts: 0 });
  await h.services.outbox.runOnce();
  expect(cardsOf('dl.s1').filter((t) => t === taskOf(poison))).toHaveLength(1);
  const tries = wecom.server.requests.filter((r) => r.path === SEND && forTask(poison)(r));
  expect(jsonObject(tries[tries.length - 1]!.body)).toEqual(jsonObject(firstTry.body));
  expect(await deliveryOf(poison)).toMatchObject({ status: 'sent' });

  // a sent delivery is not re-sent
  const again = await api(h.url, 'POST', `/api/v1/admin/deliveries/${dead.id}/resend`, { token: admin() });
  expect(again.status).toBe(409);
  expect(again.body.error.message).toContain('已发送');
});

it('a card that did reach WeCom though every answer was lost is re-sent under the same task_id: shown once', async () => {
  const todo = await todoOfNewVisit();
  // processed (delivered), then the connection drops before any answer, every time
  wecom.failNext(SEND, 'deliverThenReset', ATTEMPTS, forTask(todo));
  for (let i = 0; i < ATTEMPTS; i++) await pass();
  const dead = await deliveryOf(todo);
  expect(dead.status).toBe('dead');
  expect(cardsOf('dl.s1').filter((t) => t === taskOf(todo))).toHaveLength(1);

  expect((await api(h.url, 'POST', `/api/v1/admin/deliveries/${dead.id}/resend`, { token: admin() })).status).toBe(200);
  await h.services.outbox.runOnce();
  // WeCom knows the task_id: the re-send is recognised, the supervisor still has one card, and it counts as sent
  expect(cardsOf('dl.s1').filter((t) => t === taskOf(todo))).toHaveLength(1);
  expect(wecom.counters.duplicateTaskIds).toBeGreaterThan(0);
  expect(await deliveryOf(todo)).toMatchObject({ status: 'sent' });
});

it('a delivery pending longer than the policy hours is dead-lettered at its next failure, whatever its attempts', async () => {
  const todo = await todoOfNewVisit();
  wecom.failNext(SEND, 'http500', 2, forTask(todo));
  await pass(HOURS * 3_600_000 + 60_000);
  expect(await deliveryOf(todo)).toMatchObject({ status: 'pending', attempts: 1 });
  await pass();
  expect(await deliveryOf(todo)).toMatchObject({ status: 'dead', attempts: 2 });
});

it('each target\'s oldest pending age, pause and last error are visible to admins', async () => {
  const todo = await todoOfNewVisit();
  await todoOfNewVisit();
  wecom.failNext(SEND, 'http500', 1, forTask(todo));
  await h.services.outbox.runOnce();
  h.clock.advance(90_000);
  const res = await api(h.url, 'GET', '/api/v1/admin/delivery-targets', { token: admin() });
  expect(res.status).toBe(200);
  const s1 = res.body.items.find((t: { target: string }) => t.target === 'wecom_app:dl.s1');
  expect(s1).toMatchObject({ channel: 'wecom_app', pendingCount: 2, headAttempts: 1 });
  expect(s1.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(90);
  expect(s1.lastError).toMatch(/500/);
  h.clock.advance(11 * 60_000);
  await h.services.outbox.runOnce();
  const after = await api(h.url, 'GET', '/api/v1/admin/delivery-targets', { token: admin() });
  expect(after.body.items.find((t: { target: string }) => t.target === 'wecom_app:dl.s1')).toBeUndefined();
});

it('after an outage, one 全部重发 re-sends a channel\'s dead letters and every card arrives, in order per supervisor', async () => {
  const team2Customer = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repC), json: { name: '死信测试二院', industry: '公立医院', stage: 'proposal' } })).body.id;
  const s1 = [await todoOfNewVisit(), await todoOfNewVisit()];
  const s2 = [await todoOfNewVisit(org.repC, team2Customer)];
  const supervisorOf = (await h.db.getRepository(Member).findOneByOrFail({ id: org.repC.id })).managerId;
  expect(supervisorOf).toBe(org.supervisor2.id);
  wecom.outage(h.clock.now().getTime() + 10 * 3_600_000);
  for (let i = 0; i < 3 * ATTEMPTS + 2; i++) await pass();
  for (const t of [...s1, ...s2]) expect(await deliveryOf(t)).toMatchObject({ status: 'dead' });
  wecom.endOutage();

  const bad = await api(h.url, 'POST', '/api/v1/admin/deliveries/resend', { token: admin(), json: { channel: 'sms', status: 'dead' } });
  expect(bad.status).toBe(422);
  expect(bad.body.error.message).toContain('渠道');
  expect((await deliveryOf(s1[0]!)).status).toBe('dead');

  const res = await api(h.url, 'POST', '/api/v1/admin/deliveries/resend', { token: admin(), json: { channel: 'wecom_app', status: 'dead' } });
  expect(res.status).toBe(200);
  expect(res.body.resent).toBeGreaterThanOrEqual(3);
  await h.services.outbox.runOnce();
  const s1Cards = cardsOf('dl.s1');
  expect(s1Cards.filter((t) => s1.some((x) => taskOf(x) === t))).toEqual(s1.map(taskOf));
  expect(cardsOf('dl.s2')).toContain(taskOf(s2[0]!));
  for (const t of [...s1, ...s2]) expect(await deliveryOf(t)).toMatchObject({ status: 'sent' });
});

it('a dead card whose to-do was confirmed meanwhile is not re-sent, alone or with its channel', async () => {
  const todo = await todoOfNewVisit();
  wecom.failNext(SEND, 'http500', ATTEMPTS, forTask(todo));
  for (let i = 0; i < ATTEMPTS; i++) await pass();
  const dead = await deliveryOf(todo);
  expect(dead.status).toBe('dead');
  // the supervisor confirms in the app while the card is dead-lettered
  expect((await api(h.url, 'POST', `/api/v1/todos/${todo.id}/confirm`, { token: org.token(org.supervisor1), json: {} })).status).toBeLessThan(300);

  const one = await api(h.url, 'POST', `/api/v1/admin/deliveries/${dead.id}/resend`, { token: admin() });
  expect(one.status).toBe(409);
  expect(one.body.error.message).toContain('已确认');
  const all = await api(h.url, 'POST', '/api/v1/admin/deliveries/resend', { token: admin(), json: { channel: 'wecom_app', status: 'dead' } });
  expect(all.status).toBe(200);
  expect(all.body.skippedSettled).toBeGreaterThanOrEqual(1);
  await h.services.outbox.runOnce();
  expect(await deliveryOf(todo)).toMatchObject({ status: 'dead' });
  expect(cardsOf('dl.s1')).not.toContain(taskOf(todo));
});

it('bad re-send requests are refused with a clear message and change nothing', async () => {
  expect((await api(h.url, 'POST', '/api/v1/admin/deliveries/abc/resend', { token: admin() })).status).toBe(404);
  const missing = await api(h.url, 'POST', '/api/v1/admin/deliveries/99999999/resend', { token: admin() });
  expect(missing.status).toBe(404);
  expect(missing.body.error.message).toContain('投递记录不存在');
  const noStatus = await api(h.url, 'POST', '/api/v1/admin/deliveries/resend', { token: admin(), json: { channel: 'wecom_app', status: 'sent' } });
  expect(noStatus.status).toBe(422);
  expect(noStatus.body.error.message).toContain('状态');
  expect((await api(h.url, 'GET', '/api/v1/admin/deliveries?status=gone', { token: admin() })).status).toBe(422);
});

it('only admins reach the delivery endpoints', async () => {
  const [any] = await h.db.getRepository(Delivery).find({ take: 1 });
  for (const who of [org.repA, org.supervisor1, org.directorEast, org.finance, org.marketing]) {
    const token = org.token(who);
    expect((await api(h.url, 'GET', '/api/v1/admin/deliveries?status=dead', { token })).status).toBe(403);
    expect((await api(h.url, 'GET', '/api/v1/admin/delivery-targets', { token })).status).toBe(403);
    expect((await api(h.url, 'POST', `/api/v1/admin/deliveries/${any!.id}/resend`, { token })).status).toBe(403);
    expect((await api(h.url, 'POST', '/api/v1/admin/deliveries/resend', { token, json: { channel: 'wecom_app', status: 'dead' } })).status).toBe(403);
  }
});

it('the dead-letter policy is checked at start-up', () => {
  const text = readFileSync(require.resolve('../../config/policy.yaml'), 'utf8');
  expect(() => parsePolicy(text.replace('deadLetterAttempts: 12', 'deadLetterAttempts: 0'), 'p.yaml')).toThrow(ConfigError);
  expect(() => parsePolicy(text.replace('deadLetterHours: 24', 'deadLetterHours: -1'), 'p.yaml')).toThrow(/outbox\.deadLetterHours/);
  expect(parsePolicy(text, 'p.yaml').outbox).toEqual({ deadLetterAttempts: 12, deadLetterHours: 24 });
});
