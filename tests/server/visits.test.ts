import { randomUUID } from 'node:crypto';
import { IsNull } from 'typeorm';
import { HOUR_MS } from '../../server/src/clock';
import { Customer } from '../../server/src/modules/customers/customer.entity';
import { Visit } from '../../server/src/modules/visits/visit.entity';
import { COUNT_WAITING_VISITS } from '../../server/src/db/migrations/1764700000000-customer-waiting-visits';
import { Todo } from '../../server/src/modules/tasks/todo.view';
import { Job } from '../../server/src/jobs/job.entity';
import { OutboxMessage } from '../../server/src/outbox/outbox-message.entity';
import { IdempotencyKey } from '../../server/src/http/idempotency-key.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { completeVisit, submitVisit } from '../support/visit-fixture';

let h: Harness;
let org: OrgFixture;
let customerA: number;
let customerC: number;
let failNext = false;

beforeAll(async () => {
  h = await startHarness({
    visitFaults: {
      afterVisitInsert: () => {
        if (failNext) throw new Error('injected failure after the visit insert');
      },
    },
  });
  org = await buildOrg(h);
  customerA = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '上海市第十人民医院', industry: '公立医院', stage: 'proposal' } })).body.id;
  customerC = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repC), json: { name: '杭州市第七人民医院', industry: '公立医院', stage: 'proposal' } })).body.id;
});
afterAll(() => h.close());

/** Everything a visit submission writes, to prove a refusal wrote none of it. */
async function footprint() {
  return {
    visits: await h.db.getRepository(Visit).count(),
    todos: await h.db.getRepository(Todo).count(),
    jobs: await h.db.getRepository(Job).count(),
    outbox: await h.db.getRepository(OutboxMessage).count(),
    keys: await h.db.getRepository(IdempotencyKey).count(),
    lastFollowUp: (await h.db.getRepository(Customer).findOneByOrFail({ id: customerA })).lastFollowUpAt?.getTime() ?? null,
  };
}

describe('a complete visit', () => {
  it('stores the visit, the last follow-up, the supervisor to-do, both timers and the chat messages, in one go', async () => {
    const res = await submitVisit(h, org.token(org.repA), completeVisit(customerA));
    expect(res.status).toBe(201);
    const now = h.clock.now();
    expect(res.body).toMatchObject({
      customerId: customerA, memberId: org.repA.id, status: 'submitted', objective: '推进方案', agreedAction: '安排演示',
      nextFollowUpAt: '2026-11-24T06:30:00.000Z', nextFollowUpForm: '上门', submittedAt: now.toISOString(),
      todo: { assigneeId: org.supervisor1.id, status: 'open', dueAt: new Date(now.getTime() + 48 * HOUR_MS).toISOString() },
    });
    const customer = await h.db.getRepository(Customer).findOneByOrFail({ id: customerA });
    expect(customer.lastFollowUpAt?.toISOString()).toBe(now.toISOString());

    const todo = await h.db.getRepository(Todo).findOneByOrFail({ visitId: res.body.id });
    expect(todo).toMatchObject({ assigneeId: org.supervisor1.id, repId: org.repA.id, visitId: res.body.id, confirmedAt: null });
    expect(todo.dueAt.getTime()).toBe(now.getTime() + 48 * HOUR_MS);
    expect(todo.snapshot).toMatchObject({
      customer: { id: customerA, name: '上海市第十人民医院', stageLabel: '方案' },
      rep: { id: org.repA.id, name: '代表甲' },
      visit: { objective: '推进方案', painPoint: completeVisit(0).painPoint },
      actionItems: { agreedAction: '安排演示', nextFollowUpAt: '2026-11-24T06:30:00.000Z', nextFollowUpForm: '上门' },
    });

    const jobs = await h.db.getRepository(Job).find({ where: { subject: `visit:${res.body.id}` }, order: { kind: 'ASC' } });
    expect(jobs.map((j) => [j.kind, j.dueAt.toISOString(), j.status])).toEqual([
      ['todo.escalate', todo.dueAt.toISOString(), 'pending'],
      ['visit.reminder', '2026-11-24T05:30:00.000Z', 'pending'],
    ]);
    const outbox = await h.db.getRepository(OutboxMessage).find({ where: { deliveredAt: IsNull() } });
    expect(outbox.filter((m) => m.payload.visitId === res.body.id).map((m) => m.kind).sort()).toEqual(['todo.card', 'todo.group_notice']);

    // the supervisor's 任务 screen reads the follow-up as a local time with its form, not an ISO instant
    const tasks = (await api(h.url, 'GET', '/api/v1/tasks?as=mine', { token: org.token(org.supervisor1) })).body.items as { subjectId: number; lines: string[] }[];
    expect(tasks.find((t) => t.subjectId === res.body.id)!.lines).toContain('下次跟进：2026-11-24 14:30 上门');
  });

  it('the visitor and the visit time come from the session and the server clock, never from the client', async () => {
    const res = await submitVisit(h, org.token(org.repA), { ...completeVisit(customerA), memberId: org.repB.id, submittedAt: '2020-01-01T00:00:00Z' });
    expect(res.status).toBe(422);
    expect(res.body.error.fields._).toContain('不认识的字段');
  });
});

describe('a visit missing an anchor is refused and nothing is stored', () => {
  const required = ['customerId', 'objective', 'painPoint', 'dialogueSummary', 'bottleneck', 'valuePoint', 'agreedAction', 'nextFollowUpDate', 'nextFollowUpTime', 'nextFollowUpForm'] as const;
  const labels: Record<(typeof required)[number], string> = {
    customerId: '客户', objective: '本次核心目标', painPoint: '客户痛点摘要', dialogueSummary: '关键对话摘要', bottleneck: '客户最大业务瓶颈',
    valuePoint: '提供的价值点', agreedAction: '约定动作', nextFollowUpDate: '下次跟进日期', nextFollowUpTime: '下次跟进时间', nextFollowUpForm: '下次跟进形式',
  };

  it.each(required)('without %s', async (field) => {
    const before = await footprint();
    const body: Record<string, unknown> = { ...completeVisit(customerA) };
    delete body[field];
    const res = await submitVisit(h, org.token(org.repA), body);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'ACTION_NOT_CLOSED', message: '动作未闭环，请补全' });
    // one wording: 请选择 for what is picked from a list (the customer too), 请填写 for what is written
    const verb = ['painPoint', 'dialogueSummary', 'valuePoint'].includes(field) ? '请填写' : '请选择';
    expect(res.body.error.fields).toEqual({ [field]: `${verb}${labels[field]}` });
    expect(await footprint()).toEqual(before);
  });

  it('an empty pain point (blank text) counts as missing', async () => {
    const res = await submitVisit(h, org.token(org.repA), { ...completeVisit(customerA), painPoint: '   ' });
    expect(res.body.error.fields).toEqual({ painPoint: '请填写客户痛点摘要' });
  });

  it('names every missing anchor at once', async () => {
    const res = await submitVisit(h, org.token(org.repA), { customerId: customerA, objective: '建立联系' });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.error.fields).sort()).toEqual(
      ['painPoint', 'dialogueSummary', 'bottleneck', 'valuePoint', 'agreedAction', 'nextFollowUpDate', 'nextFollowUpTime', 'nextFollowUpForm'].sort(),
    );
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['a 301-character dialogue summary', { dialogueSummary: '话'.repeat(301) }, 'dialogueSummary', /关键对话摘要不能超过 300 个字/],
    ['a 51-character value point', { valuePoint: '值'.repeat(51) }, 'valuePoint', /提供的价值点不能超过 50 个字/],
    ['an objective not in config', { objective: '喝茶聊天' }, 'objective', /本次核心目标不是有效选项/],
    ['a bottleneck not in config', { bottleneck: '天气不好' }, 'bottleneck', /客户最大业务瓶颈不是有效选项/],
    ['a follow-up form not in config', { nextFollowUpForm: '飞鸽传书' }, 'nextFollowUpForm', /下次跟进形式不是有效选项/],
    ['a next follow-up in the past', { nextFollowUpDate: '2026-11-20', nextFollowUpTime: '09:59' }, 'nextFollowUpDate', /下次跟进时间必须晚于现在/],
    ['a next follow-up beyond the horizon', { nextFollowUpDate: '2027-03-01', nextFollowUpTime: '10:00' }, 'nextFollowUpDate', /不能晚于 90 天之后/],
    ['a date that does not exist', { nextFollowUpDate: '2026-02-30' }, 'nextFollowUpDate', /不是有效的日期时间/],
    ['a malformed time', { nextFollowUpTime: '2点半' }, 'nextFollowUpTime', /格式应为 HH:mm/],
    ['其他 without saying what', { agreedAction: '其他' }, 'agreedActionNote', /请填写约定动作说明/],
    ['ten photos', { photoIds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }, 'photoIds', /照片最多 9 项/],
    ['the alert flag as text', { alert: 'yes' }, 'alert', /预警标记必须是 是\/否/],
  ])('refuses %s', async (_title, change, field, message) => {
    const before = await footprint();
    const res = await submitVisit(h, org.token(org.repA), { ...completeVisit(customerA), ...change });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('ACTION_NOT_CLOSED');
    expect(res.body.error.fields[field]).toMatch(message);
    expect(await footprint()).toEqual(before);
  });

  it('a customer outside the rep scope → 404, nothing stored', async () => {
    const before = await footprint();
    const res = await submitVisit(h, org.token(org.repA), completeVisit(customerC));
    expect(res.status).toBe(404);
    expect(await footprint()).toEqual(before);
  });

  it('a 50 MB body → 413, nothing stored', async () => {
    const before = await footprint();
    const body = JSON.stringify({ ...completeVisit(customerA), customerVerbatim: 'x'.repeat(50 * 1024 * 1024) });
    const res = await api(h.url, 'POST', '/api/v1/visits', { token: org.token(org.repA), rawBody: body, headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() } }).catch(() => ({ status: 413 }));
    expect(res.status).toBe(413);
    expect(await footprint()).toEqual(before);
  });

  it('finance cannot submit visits', async () => {
    expect((await submitVisit(h, org.token(org.finance), completeVisit(customerA))).status).toBe(403);
  });
});

describe('idempotency', () => {
  it('requires an Idempotency-Key', async () => {
    const res = await api(h.url, 'POST', '/api/v1/visits', { token: org.token(org.repA), json: completeVisit(customerA) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
  });

  it('the same key again returns the first result and stores nothing new', async () => {
    const key = randomUUID();
    const first = await submitVisit(h, org.token(org.repA), completeVisit(customerA), key);
    const before = await footprint();
    h.clock.advance(60_000);
    const again = await submitVisit(h, org.token(org.repA), completeVisit(customerA), key);
    h.clock.advance(-60_000);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await footprint()).toEqual(before);
  });

  it('two identical requests racing store one visit, and both get it', async () => {
    const key = randomUUID();
    const before = await footprint();
    const [a, b] = await Promise.all([submitVisit(h, org.token(org.repA), completeVisit(customerA), key), submitVisit(h, org.token(org.repA), completeVisit(customerA), key)]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).toBe(b.body.id);
    const after = await footprint();
    expect(after.visits - before.visits).toBe(1);
    expect(after.todos - before.todos).toBe(1);
    expect(after.outbox - before.outbox).toBe(2);
  });

  it('a key reused for a different visit is refused', async () => {
    const key = randomUUID();
    await submitVisit(h, org.token(org.repA), completeVisit(customerA), key);
    const res = await submitVisit(h, org.token(org.repA), { ...completeVisit(customerA), valuePoint: '另一个价值点' }, key);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describe('one transaction', () => {
  it('a failure injected after the visit insert leaves nothing behind; the retry with the same key then succeeds', async () => {
    const key = randomUUID();
    const before = await footprint();
    failNext = true;
    try {
      const res = await submitVisit(h, org.token(org.repA), completeVisit(customerA), key);
      expect(res.status).toBe(500);
      expect(res.body.error).toEqual({ code: 'INTERNAL', message: '服务器内部错误，请稍后重试' });
    } finally {
      failNext = false;
    }
    expect(await footprint()).toEqual(before);
    const retry = await submitVisit(h, org.token(org.repA), completeVisit(customerA), key);
    expect(retry.status).toBe(201);
    expect((await footprint()).visits).toBe(before.visits + 1);
  });
});

describe('stage automation', () => {
  it('moving a customer to 拜访 leaves a visit for its owner to complete; submitting completes that one', async () => {
    const created = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.supervisor1), json: { name: '苏州市立医院', industry: '公立医院', ownerId: org.repB.id } });
    const moved = await api(h.url, 'PATCH', `/api/v1/customers/${created.body.id}`, { token: org.token(org.supervisor1), json: { stage: 'visit' } });
    expect(moved.body.stage).toBe('visit');
    const pending = await api(h.url, 'GET', '/api/v1/visits/pending', { token: org.token(org.repB) });
    expect(pending.body.items).toEqual([expect.objectContaining({ customerId: created.body.id, memberId: org.repB.id, status: 'pending', painPoint: null })]);
    // moving away and back does not pile up a second waiting visit
    await api(h.url, 'PATCH', `/api/v1/customers/${created.body.id}`, { token: org.token(org.repB), json: { stage: 'lead' } });
    await api(h.url, 'PATCH', `/api/v1/customers/${created.body.id}`, { token: org.token(org.repB), json: { stage: 'visit' } });
    expect((await api(h.url, 'GET', '/api/v1/visits/pending', { token: org.token(org.repB) })).body.items).toHaveLength(1);

    const submitted = await submitVisit(h, org.token(org.repB), completeVisit(created.body.id));
    expect(submitted.status).toBe(201);
    expect(submitted.body.id).toBe(pending.body.items[0].id);
    expect(submitted.body.status).toBe('submitted');
    expect((await api(h.url, 'GET', '/api/v1/visits/pending', { token: org.token(org.repB) })).body.items).toEqual([]);
    expect(await h.db.getRepository(Visit).countBy({ customerId: created.body.id })).toBe(1);
    expect((await h.db.getRepository(Customer).findOneByOrFail({ id: created.body.id })).waitingVisits).toBe(0);

    // with nothing left waiting, the next visit is a new one
    const second = await submitVisit(h, org.token(org.repB), completeVisit(created.body.id));
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(submitted.body.id);
    expect(await h.db.getRepository(Visit).countBy({ customerId: created.body.id })).toBe(2);
  });

  it('the migration counts the visits already waiting on each customer', async () => {
    const created = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.supervisor1), json: { name: '常州市第二人民医院', industry: '公立医院', ownerId: org.repB.id } });
    await api(h.url, 'PATCH', `/api/v1/customers/${created.body.id}`, { token: org.token(org.supervisor1), json: { stage: 'visit' } });
    // as a database from before the count would be
    await h.db.query('UPDATE customer SET waitingVisits = 0');
    await h.db.query(COUNT_WAITING_VISITS);
    const counts = await h.db.query('SELECT c.id, c.waitingVisits, (SELECT COUNT(*) FROM visit v WHERE v.customerId = c.id AND v.submittedAt IS NULL) AS waiting FROM customer c');
    expect(counts.find((c: any) => c.id === created.body.id)).toMatchObject({ waitingVisits: 1 });
    for (const c of counts) expect(Number(c.waitingVisits)).toBe(Number(c.waiting));
  });

  it('a new owner takes over the visit left waiting, and completes it with their own submission', async () => {
    const created = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.supervisor1), json: { name: '无锡市妇幼保健院', industry: '公立医院', ownerId: org.repB.id } });
    await api(h.url, 'PATCH', `/api/v1/customers/${created.body.id}`, { token: org.token(org.supervisor1), json: { stage: 'visit' } });
    const waiting = (await api(h.url, 'GET', '/api/v1/visits/pending', { token: org.token(org.repB) })).body.items.find((v: any) => v.customerId === created.body.id);
    expect(waiting).toBeDefined();

    const moved = await api(h.url, 'POST', `/api/v1/customers/${created.body.id}/reassign`, { token: org.token(org.supervisor1), json: { ownerId: org.repA.id } });
    expect(moved.status).toBe(200);
    expect((await api(h.url, 'GET', '/api/v1/visits/pending', { token: org.token(org.repB) })).body.items.map((v: any) => v.customerId)).not.toContain(created.body.id);
    expect((await api(h.url, 'GET', '/api/v1/visits/pending', { token: org.token(org.repA) })).body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: waiting.id, customerId: created.body.id, memberId: org.repA.id, status: 'pending' })]),
    );

    const submitted = await submitVisit(h, org.token(org.repA), completeVisit(created.body.id));
    expect(submitted.status).toBe(201);
    expect(submitted.body.id).toBe(waiting.id);
    expect(await h.db.getRepository(Visit).countBy({ customerId: created.body.id })).toBe(1);
    expect((await h.db.getRepository(Customer).findOneByOrFail({ id: created.body.id })).waitingVisits).toBe(0);
  });
});

describe('to-dos', () => {
  let todoId: number;
  let visitId: number;
  beforeAll(async () => {
    visitId = (await submitVisit(h, org.token(org.repA), completeVisit(customerA))).body.id;
    todoId = (await h.db.getRepository(Todo).findOneByOrFail({ visitId })).id;
  });

  it('the supervisor lists open to-dos with the card contents; another team\u2019s supervisor sees none of them', async () => {
    const mine = await api(h.url, 'GET', '/api/v1/todos?status=open&pageSize=100', { token: org.token(org.supervisor1) });
    expect(mine.body.items.map((t: any) => t.id)).toContain(todoId);
    const card = mine.body.items.find((t: any) => t.id === todoId);
    expect(card).toMatchObject({ status: 'open', repId: org.repA.id, snapshot: { customer: { name: '上海市第十人民医院' }, actionItems: { agreedAction: '安排演示' } } });
    const other = await api(h.url, 'GET', '/api/v1/todos?status=all&pageSize=100', { token: org.token(org.supervisor2) });
    expect(other.body.items.map((t: any) => t.id)).not.toContain(todoId);
    expect((await api(h.url, 'GET', `/api/v1/todos/${todoId}`, { token: org.token(org.supervisor2) })).status).toBe(404);
  });

  it('another supervisor cannot confirm it; its own supervisor confirms once, however often they tap', async () => {
    const foreign = await api(h.url, 'POST', `/api/v1/todos/${todoId}/confirm`, { token: org.token(org.supervisor2), json: {} });
    expect(foreign.status).toBe(404);
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todoId })).confirmedAt).toBeNull();

    const first = await api(h.url, 'POST', `/api/v1/todos/${todoId}/confirm`, { token: org.token(org.supervisor1), json: { comment: '同意, 周二一起去' } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'confirmed', confirmedBy: org.supervisor1.id, confirmedVia: 'app', confirmComment: '同意, 周二一起去' });
    h.clock.advance(5_000);
    const second = await api(h.url, 'POST', `/api/v1/todos/${todoId}/confirm`, { token: org.token(org.supervisor1), json: { comment: '再点一次' } });
    h.clock.advance(-5_000);
    expect(second.body.confirmedAt).toBe(first.body.confirmedAt);
    expect(second.body.confirmComment).toBe('同意, 周二一起去');
    const escalation = await h.db.getRepository(Job).findOneByOrFail({ subject: `visit:${visitId}`, kind: 'todo.escalate' });
    expect(escalation.status).toBe('cancelled');
    expect(await h.db.getRepository(OutboxMessage).count({ where: { kind: 'todo.confirmed' } })).toBeGreaterThanOrEqual(1);
  });

  it('the rep sees the state of each next action and when the reminder fires', async () => {
    const res = await api(h.url, 'GET', '/api/v1/todos?as=rep&status=all&pageSize=100', { token: org.token(org.repA) });
    const item = res.body.items.find((t: any) => t.id === todoId);
    expect(item).toMatchObject({ status: 'confirmed', reminderAt: '2026-11-24T05:30:00.000Z' });
    const other = await api(h.url, 'GET', '/api/v1/todos?as=rep&status=all&pageSize=100', { token: org.token(org.repB) });
    expect(other.body.items.map((t: any) => t.id)).not.toContain(todoId);
  });
});

describe('first touch of a lead', () => {
  const touch = { method: '微信', verbatim: '先发资料看看, 下周再说', evidenceText: '[聊天记录] 客户: 好的, 发我邮箱' };
  const record = (customerId: number, token: string, body: unknown = touch) =>
    api(h.url, 'POST', `/api/v1/customers/${customerId}/first-touch`, { token, json: body, headers: { 'idempotency-key': randomUUID() } });
  const newLead = async (name: string) => (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name, industry: '民营医院' } })).body.id as number;

  it('assigning a lead starts a 48 h clock with a job to check it; a touch within it is on time', async () => {
    const id = await newLead('线索甲医院');
    const customer = await h.db.getRepository(Customer).findOneByOrFail({ id });
    expect(customer.firstTouchDueAt!.getTime()).toBe(h.clock.now().getTime() + 48 * HOUR_MS);
    expect(await h.db.getRepository(Job).countBy({ kind: 'lead.first_touch_due', subject: `customer:${id}`, status: 'pending' })).toBe(1);
    h.clock.advance(47 * HOUR_MS);
    const res = await record(id, org.token(org.repA));
    h.clock.advance(-47 * HOUR_MS);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ method: '微信', onTime: true });
    const again = await record(id, org.token(org.repA));
    expect(again.status).toBe(409);
  });

  it('the customer shows its first-touch deadline until the touch, then when it happened (what the app shows)', async () => {
    const id = await newLead('线索戊医院');
    const before = await api(h.url, 'GET', `/api/v1/customers/${id}`, { token: org.token(org.repA) });
    expect(before.body).toMatchObject({ firstTouchDueAt: new Date(h.clock.now().getTime() + 48 * HOUR_MS).toISOString(), firstTouchAt: null });
    expect((await record(id, org.token(org.repA))).status).toBe(201);
    const after = await api(h.url, 'GET', `/api/v1/customers/${id}`, { token: org.token(org.repA) });
    expect(after.body.firstTouchAt).toBe(h.clock.now().toISOString());
  });

  it('after 48 h it is marked late', async () => {
    const id = await newLead('线索乙医院');
    h.clock.advance(49 * HOUR_MS);
    const res = await record(id, org.token(org.repA));
    h.clock.advance(-49 * HOUR_MS);
    expect(res.body.onTime).toBe(false);
  });

  it('reassigning an untouched lead gives the new owner a fresh clock', async () => {
    const id = await newLead('线索丙医院');
    h.clock.advance(10 * HOUR_MS);
    await api(h.url, 'POST', `/api/v1/customers/${id}/reassign`, { token: org.token(org.supervisor1), json: { ownerId: org.repB.id } });
    const customer = await h.db.getRepository(Customer).findOneByOrFail({ id });
    expect(customer.firstTouchDueAt!.getTime()).toBe(h.clock.now().getTime() + 48 * HOUR_MS);
    h.clock.advance(-10 * HOUR_MS);
    expect(await h.db.getRepository(Job).countBy({ kind: 'lead.first_touch_due', subject: `customer:${id}`, status: 'pending' })).toBe(1);
  });

  it('needs evidence, a known method, and the owner', async () => {
    const id = await newLead('线索丁医院');
    const noEvidence = await record(id, org.token(org.repA), { method: '电话', verbatim: '没兴趣' });
    expect(noEvidence.status).toBe(422);
    expect(noEvidence.body.error.fields.evidenceText).toContain('凭证');
    const badMethod = await record(id, org.token(org.repA), { ...touch, method: '飞鸽' });
    expect(badMethod.body.error.fields.method).toContain('触达方式');
    expect((await record(id, org.token(org.supervisor1))).status).toBe(403);
    expect((await record(id, org.token(org.repC))).status).toBe(404);
  });
});

describe('customer timeline', () => {
  it('lists visits, first touch, stage changes and to-dos of one customer, newest first, paginated', async () => {
    const id = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '时间线医院', industry: '公立医院' } })).body.id;
    h.clock.advance(HOUR_MS);
    await api(h.url, 'POST', `/api/v1/customers/${id}/first-touch`, { token: org.token(org.repA), json: { method: '电话', verbatim: '可以聊聊', evidenceText: '通话 3 分钟' }, headers: { 'idempotency-key': randomUUID() } });
    h.clock.advance(HOUR_MS);
    await api(h.url, 'PATCH', `/api/v1/customers/${id}`, { token: org.token(org.repA), json: { stage: 'visit' } });
    h.clock.advance(HOUR_MS);
    await submitVisit(h, org.token(org.repA), completeVisit(id));
    h.clock.advance(-3 * HOUR_MS);
    const all = await api(h.url, 'GET', `/api/v1/customers/${id}/timeline?pageSize=10`, { token: org.token(org.supervisor1) });
    expect(all.body.items.map((e: any) => e.type)).toEqual(['todo', 'visit', 'stage_change', 'first_touch', 'stage_change']);
    expect(all.body.total).toBe(5);
    const page2 = await api(h.url, 'GET', `/api/v1/customers/${id}/timeline?pageSize=2&page=2`, { token: org.token(org.repA) });
    expect(page2.body.items.map((e: any) => e.type)).toEqual(['stage_change', 'first_touch']);
    expect((await api(h.url, 'GET', `/api/v1/customers/${id}/timeline`, { token: org.token(org.repB) })).status).toBe(404);
  });
});
