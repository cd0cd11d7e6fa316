import { HOUR_MS, MINUTE_MS } from '../../server/src/clock';
import { withSqlTransaction } from '../../server/src/db/sql';
import { Member } from '../../server/src/modules/org/member.entity';
import { TeamChannelSettings } from '../../server/src/modules/org/team-channel-settings.entity';
import { Todo } from '../../server/src/modules/todos/todo.entity';
import { Visit } from '../../server/src/modules/visits/visit.entity';
import { OutboxMessage } from '../../server/src/outbox/outbox-message.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { completeVisit, submitVisit } from '../support/visit-fixture';

let h: Harness;
let org: OrgFixture;
const start = new Date('2026-11-20T02:00:00Z');
let seq = 0;

beforeAll(async () => {
  h = await startHarness({ now: start, env: { WECOM_CORP_ID: 'ww_roles', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 'roles-secret', WECOM_API_BASE: 'http://127.0.0.1:9' } });
  org = await buildOrg(h);
  // WeCom accounts, so the planned messages show who would be told.
  for (const m of [org.admin, org.directorEast, org.supervisor1, org.repA, org.repB, org.repC]) {
    await h.db.getRepository(Member).update({ id: m.id }, { wecomUserId: `wc_${m.id}` });
  }
  await h.db.getRepository(TeamChannelSettings).save({ teamId: org.teamIds.team1, wecomRobotKey: 'roles-robot-team1', dingtalkRobotToken: null, dingtalkRobotSecret: null, updatedById: org.admin.id });
});
afterAll(() => h.close());
afterEach(() => h.clock.set(start));

const get = (member: Member, path: string) => api(h.url, 'GET', `/api/v1${path}`, { token: org.token(member) });
const post = (member: Member, path: string, json: unknown = {}) => api(h.url, 'POST', `/api/v1${path}`, { token: org.token(member), json });
const patch = (member: Member, path: string, json: unknown) => api(h.url, 'PATCH', `/api/v1${path}`, { token: org.token(member), json });

async function newCustomer(owner: Member, by: Member = owner, stage = 'proposal'): Promise<number> {
  const res = await post(by, '/customers', { name: `角色测试医院${++seq}号`, industry: '公立医院', stage, ...(by.id !== owner.id ? { ownerId: owner.id } : {}) });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function visitBy(member: Member, customerId: number): Promise<number> {
  const res = await submitVisit(h, org.token(member), completeVisit(customerId));
  expect(res.status).toBe(201);
  return res.body.id;
}

const todoOf = (visitId: number) => h.db.getRepository(Todo).findOneByOrFail({ visitId });
const plan = (message: OutboxMessage) => withSqlTransaction(h.db, (sql) => h.services.messages.plan(sql, message));

describe('to-do screens by role', () => {
  it("the supervisor's cards name the rep; after the deadline the director sees rep, supervisor, how late, 已升级 — the other region does not", async () => {
    const visitId = await visitBy(org.repA, await newCustomer(org.repA));
    const todo = await todoOf(visitId);

    const cards = await get(org.supervisor1, '/todos?as=assignee&status=open');
    const card = cards.body.items.find((t: { id: number }) => t.id === todo.id);
    expect(card).toMatchObject({ snapshot: { rep: { id: org.repA.id, name: '代表甲' } }, assignee: { id: org.supervisor1.id, name: '一组主管' }, escalated: false, overdueMinutes: 0 });

    h.clock.set(new Date(start.getTime() + 48 * HOUR_MS));
    await h.services.jobs.runDue();
    h.clock.set(new Date(start.getTime() + 51 * HOUR_MS + 30 * MINUTE_MS));

    const escalated = await get(org.directorEast, '/todos?as=escalated&status=open');
    expect(escalated.status).toBe(200);
    const seen = escalated.body.items.find((t: { id: number }) => t.id === todo.id);
    expect(seen).toMatchObject({ escalated: true, overdueMinutes: 210, snapshot: { rep: { name: '代表甲' } }, assignee: { name: '一组主管', role: 'supervisor' } });
    // The director opens it from the list (or the escalation link); the other region cannot.
    expect((await get(org.directorEast, `/todos/${todo.id}`)).body).toMatchObject({ id: todo.id, escalated: true });
    expect((await get(org.directorWest, `/todos/${todo.id}`)).status).toBe(404);
    expect((await get(org.directorWest, '/todos?as=escalated&status=open')).body.items.map((t: { id: number }) => t.id)).not.toContain(todo.id);
    // The rep's own list marks it 已升级 too; the director cannot confirm what is the supervisor's.
    expect((await get(org.repA, '/todos?as=rep&status=all')).body.items.find((t: { id: number }) => t.id === todo.id)).toMatchObject({ escalated: true });
    expect((await post(org.directorEast, `/todos/${todo.id}/confirm`)).status).toBe(404);
  });

  it("a supervisor's own visit is the director's to-do, which the director confirms", async () => {
    const visitId = await visitBy(org.supervisor1, await newCustomer(org.supervisor1));
    const todo = await todoOf(visitId);
    expect(todo.assigneeId).toBe(org.directorEast.id);
    const mine = await get(org.directorEast, '/todos?as=assignee&status=open');
    expect(mine.body.items.map((t: { id: number }) => t.id)).toContain(todo.id);
    const confirmed = await post(org.directorEast, `/todos/${todo.id}/confirm`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', assignee: { name: '东区总监' } });
  });

  it("a director's own to-do escalates to the admins (no superior), not to the reps' group", async () => {
    const visitId = await visitBy(org.supervisor1, await newCustomer(org.supervisor1));
    const todo = await todoOf(visitId);
    h.clock.set(new Date(start.getTime() + 48 * HOUR_MS));
    await h.services.jobs.runDue();
    const messages = (await h.db.getRepository(OutboxMessage).find()).filter((m) => m.payload.todoId === todo.id && m.kind.startsWith('todo.escalation'));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ kind: 'todo.escalation_up', teamId: null, payload: { todoId: todo.id, visitId, superiorId: null } });
    const deliveries = await plan(messages[0]!);
    expect(deliveries.map((d) => d.target)).toEqual([`wecom_app:wc_${org.admin.id}`]);
    expect(JSON.stringify(deliveries[0]!.body)).toContain('超时未确认');

    // With a superior, it goes to that person alone.
    await h.db.getRepository(Member).update({ id: org.directorEast.id }, { managerId: org.admin.id });
    try {
      const up = await plan({ ...messages[0]!, payload: { ...messages[0]!.payload, superiorId: org.repB.id } });
      expect(up.map((d) => d.target)).toEqual([`wecom_app:wc_${org.repB.id}`]);
    } finally {
      await h.db.getRepository(Member).update({ id: org.directorEast.id }, { managerId: null });
    }
  });

  it("a supervisor's to-do still escalates to the director and the team group", async () => {
    const visitId = await visitBy(org.repB, await newCustomer(org.repB));
    h.clock.set(new Date(start.getTime() + 48 * HOUR_MS));
    await h.services.jobs.runDue();
    const [message] = (await h.db.getRepository(OutboxMessage).find({ where: { kind: 'todo.escalation' } })).filter((m) => m.payload.visitId === visitId);
    const targets = (await plan(message!)).map((d) => d.target);
    expect(targets).toEqual([`wecom_app:wc_${org.directorEast.id}`, `wecom_robot:team:${org.teamIds.team1}`]);
  });
});

describe('stage, home and reassignment', () => {
  it('moving a customer to 拜访 leaves the owner a visit, counted on their home, and a WeCom message, at once', async () => {
    const customerId = await newCustomer(org.repA, org.repA, 'lead');
    const before = (await get(org.repA, '/home')).body;
    const moved = await patch(org.supervisor1, `/customers/${customerId}`, { stage: 'visit' });
    expect(moved.status).toBe(200);

    const home = (await get(org.repA, '/home')).body;
    expect(home.pendingVisits.count).toBe(before.pendingVisits.count + 1);
    expect(home.pendingVisits.items).toContainEqual(expect.objectContaining({ customerId, customerName: moved.body.name }));

    const [message] = (await h.db.getRepository(OutboxMessage).find({ where: { kind: 'customer.visit_waiting' } })).filter((m) => m.payload.customerId === customerId);
    expect(message!.payload).toEqual({ customerId, ownerId: org.repA.id, changedById: org.supervisor1.id });
    const [delivery] = await plan(message!);
    expect(delivery!.target).toBe(`wecom_app:wc_${org.repA.id}`);
    const text = (delivery!.body as { text: { content: string } }).text.content;
    expect(text).toContain(`${moved.body.name} 已由 一组主管 移入「拜访」阶段`);
    expect(text).toContain(`/app/#/pages/customer/index?id=${customerId}`);
  });

  it('a rep moving their own customer gets the waiting visit but no message to themselves', async () => {
    const customerId = await newCustomer(org.repB, org.repB, 'lead');
    expect((await patch(org.repB, `/customers/${customerId}`, { stage: 'visit' })).status).toBe(200);
    expect((await h.db.getRepository(OutboxMessage).find({ where: { kind: 'customer.visit_waiting' } })).filter((m) => m.payload.customerId === customerId)).toHaveLength(0);
    expect((await get(org.repB, '/home')).body.pendingVisits.items.map((v: { customerId: number }) => v.customerId)).toContain(customerId);
  });

  it("the rep's home counts leads waiting for a first touch and the supervisor's counts cards to confirm", async () => {
    const before = (await get(org.repC, '/home')).body;
    const lead = await newCustomer(org.repC, org.supervisor2, 'lead');
    const home = (await get(org.repC, '/home')).body;
    expect(home.leadsAwaitingFirstTouch.count).toBe(before.leadsAwaitingFirstTouch.count + 1);
    expect(home.leadsAwaitingFirstTouch.items).toContainEqual(expect.objectContaining({ customerId: lead, overdue: false }));

    const cardsBefore = (await get(org.supervisor2, '/home')).body.todos.toConfirm;
    await visitBy(org.repC, await newCustomer(org.repC));
    expect((await get(org.supervisor2, '/home')).body.todos.toConfirm).toBe(cardsBefore + 1);
    expect((await get(org.repC, '/home')).body.todos.myOpen).toBeGreaterThan(0);
    expect((await api(h.url, 'GET', '/api/v1/home')).status).toBe(401);
  });

  it('supervisors reassign within their team, directors across their teams, nobody across regions', async () => {
    const customerId = await newCustomer(org.repA, org.repA, 'lead');
    await patch(org.supervisor1, `/customers/${customerId}`, { stage: 'visit' });

    // within team 1
    const toB = await post(org.supervisor1, `/customers/${customerId}/reassign`, { ownerId: org.repB.id });
    expect(toB.status).toBe(200);
    expect(toB.body.owner).toEqual({ id: org.repB.id, name: '代表乙' });
    // team 2's rep is outside supervisor 1's reach; team 2's supervisor cannot see team 1's customer
    const across = await post(org.supervisor1, `/customers/${customerId}/reassign`, { ownerId: org.repC.id });
    expect(across.status).toBe(422);
    expect(across.body.error.fields.ownerId).toContain('管辖范围');
    expect((await post(org.supervisor2, `/customers/${customerId}/reassign`, { ownerId: org.repC.id })).status).toBe(404);
    // reps may not reassign; the other region's director does not see it
    expect((await post(org.repB, `/customers/${customerId}/reassign`, { ownerId: org.repA.id })).status).toBe(403);
    expect((await post(org.directorWest, `/customers/${customerId}/reassign`, { ownerId: org.repE.id })).status).toBe(404);

    // the region's director moves it to team 2; the waiting visit goes with it
    const toC = await post(org.directorEast, `/customers/${customerId}/reassign`, { ownerId: org.repC.id });
    expect(toC.status).toBe(200);
    expect(toC.body.owner.id).toBe(org.repC.id);
    expect((await get(org.repC, '/home')).body.pendingVisits.items.map((v: { customerId: number }) => v.customerId)).toContain(customerId);
    expect((await get(org.repB, '/home')).body.pendingVisits.items.map((v: { customerId: number }) => v.customerId)).not.toContain(customerId);
    expect(await h.db.getRepository(Visit).countBy({ customerId, memberId: org.repC.id })).toBe(1);
    expect((await get(org.repB, `/customers/${customerId}`)).status).toBe(404);
  });
});
