import { randomUUID } from 'node:crypto';
import { HOUR_MS, MINUTE_MS } from '../../server/src/clock';
import { Job } from '../../server/src/jobs/job.entity';
import { OutboxMessage } from '../../server/src/outbox/outbox-message.entity';
import { Todo } from '../../server/src/modules/tasks/todo.view';
import { Task } from '../../server/src/modules/tasks/task.entity';
import { startHarness, type Harness } from '../support/harness';
import { sqlTime } from '../support/database';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { completeVisit, submitVisit } from '../support/visit-fixture';

let h: Harness;
let org: OrgFixture;
let customer: number;
const start = new Date('2026-11-20T02:00:00Z');

beforeAll(async () => {
  h = await startHarness({ now: start });
  org = await buildOrg(h);
  customer = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '定时任务医院', industry: '公立医院', stage: 'proposal' } })).body.id;
});
afterAll(() => h.close());
afterEach(() => h.clock.set(start));

const escalationsOf = async (harness: Harness, visitId: number) =>
  (await harness.db.getRepository(OutboxMessage).find({ where: { kind: 'todo.escalation' } })).filter((m) => m.payload.visitId === visitId);

async function visitWithTodo(harness: Harness = h): Promise<{ visitId: number; todo: Todo }> {
  const res = await submitVisit(harness, org.token(org.repA), completeVisit(customer));
  expect(res.status).toBe(201);
  return { visitId: res.body.id, todo: await harness.db.getRepository(Todo).findOneByOrFail({ visitId: res.body.id }) };
}

describe('escalation of an unconfirmed to-do', () => {
  it('happens once at 48 h, to the director, and never again', async () => {
    const { visitId, todo } = await visitWithTodo();
    h.clock.set(new Date(start.getTime() + 48 * HOUR_MS - MINUTE_MS));
    await h.services.jobs.runDue();
    expect(await escalationsOf(h, visitId)).toHaveLength(0);

    h.clock.set(new Date(start.getTime() + 48 * HOUR_MS));
    await h.services.jobs.runDue();
    const sent = await escalationsOf(h, visitId);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.payload).toEqual({ todoId: todo.id, visitId, directorId: org.directorEast.id });
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).escalatedAt?.toISOString()).toBe(h.clock.now().toISOString());

    h.clock.advance(24 * HOUR_MS);
    await h.services.jobs.runDue();
    expect(await escalationsOf(h, visitId)).toHaveLength(1);
    expect((await h.db.getRepository(Job).findOneByOrFail({ kind: 'todo.escalate', subject: `visit:${visitId}` })).status).toBe('done');
  });

  it('a confirmation at 47 h prevents it', async () => {
    const { visitId, todo } = await visitWithTodo();
    h.clock.set(new Date(start.getTime() + 47 * HOUR_MS));
    expect((await api(h.url, 'POST', `/api/v1/todos/${todo.id}/confirm`, { token: org.token(org.supervisor1), json: {} })).status).toBe(200);
    h.clock.set(new Date(start.getTime() + 49 * HOUR_MS));
    await h.services.jobs.runDue();
    expect(await escalationsOf(h, visitId)).toHaveLength(0);
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).escalatedAt).toBeNull();
  });

  it('a confirmation that races the timer still yields no escalation when it lands first', async () => {
    const { visitId, todo } = await visitWithTodo();
    // The job is not cancelled here (as if the confirm came from a server that lost its connection right after)
    await h.db.getRepository(Task).update({ id: todo.id }, { completedAt: new Date(start.getTime() + 47 * HOUR_MS), completedById: org.supervisor1.id, outcome: 'done' });
    h.clock.set(new Date(start.getTime() + 49 * HOUR_MS));
    await h.services.jobs.runDue();
    expect(await escalationsOf(h, visitId)).toHaveLength(0);
  });

  it('a server stopped before 48 h and started after escalates once at start-up', async () => {
    const first = await startHarness({ sharedDatabaseUrl: h.dbUrl, now: start });
    const { visitId } = await visitWithTodo(first);
    await first.close();
    const later = await startHarness({ sharedDatabaseUrl: h.dbUrl, now: new Date(start.getTime() + 60 * HOUR_MS) });
    try {
      later.services.jobs.start();
      await later.services.jobs.stop(); // start() runs one pass at once; stop() waits for it
      expect(await escalationsOf(later, visitId)).toHaveLength(1);
      await later.services.jobs.runDue();
      expect(await escalationsOf(later, visitId)).toHaveLength(1);
    } finally {
      await later.close();
    }
  });

  it('two servers on one database escalate each of 1 000 to-dos exactly once', async () => {
    const a = await startHarness({ sharedDatabaseUrl: h.dbUrl, now: start });
    const b = await startHarness({ sharedDatabaseUrl: h.dbUrl, now: start });
    try {
      // 1 000 to-dos falling due together, written straight to the tables to keep the test quick.
      const visits: { id: number }[] = [];
      await h.db.transaction(async (m) => {
        for (let i = 0; i < 1000; i += 250) {
          const rows = Array.from({ length: 250 }, () => `(${customer}, ${org.repA.id}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`).join(',');
          await m.query(`INSERT INTO visit (customerId, memberId, submittedAt, createdAt) VALUES ${rows}`);
        }
        visits.push(...(await m.query('SELECT id FROM visit ORDER BY id DESC LIMIT 1000')));
        const dueAt = new Date(start.getTime() + 48 * HOUR_MS);
        const snapshot = JSON.stringify({ actionItems: { agreedAction: '安排演示', nextFollowUpAt: null } });
        for (let i = 0; i < 1000; i += 250) {
          const chunk = visits.slice(i, i + 250);
          await m.query(`INSERT INTO task (kind, subjectType, customerId, subjectId, assigneeId, requesterId, snapshot, dueAt, createdAt) VALUES ${chunk.map(() => "('visit_next_action', 'visit', ?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP)").join(',')}`, chunk.flatMap((v) => [customer, v.id, org.supervisor1.id, org.repA.id, snapshot, sqlTime(dueAt)]));
          await m.query(`INSERT INTO job (kind, dueAt, payload, subject, status, attempts, createdAt) VALUES ${chunk.map(() => "('todo.escalate', ?, ?, ?, 'pending', 0, CURRENT_TIMESTAMP)").join(',')}`, chunk.flatMap((v) => [sqlTime(dueAt), JSON.stringify({ visitId: v.id }), `visit:${v.id}`]));
        }
      });
      for (const x of [a, b]) x.clock.set(new Date(start.getTime() + 48 * HOUR_MS));
      const [byA, byB] = await Promise.all([a.services.jobs.runDue(), b.services.jobs.runDue()]);
      // Each claimed job is one server's alone: together they claimed each due job exactly once.
      expect(byA + byB).toBe(1000);
      const ids = new Set(visits.map((v) => v.id));
      const sent = (await h.db.getRepository(OutboxMessage).find({ where: { kind: 'todo.escalation' } })).filter((m) => ids.has(m.payload.visitId as number));
      expect(sent).toHaveLength(1000);
      expect(new Set(sent.map((m) => m.payload.visitId)).size).toBe(1000);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a claimed job whose server died is taken over after its lease', async () => {
    const { visitId } = await visitWithTodo();
    h.clock.set(new Date(start.getTime() + 48 * HOUR_MS));
    const claimed = await h.services.jobs.claim(); // claimed, then the "server" vanishes
    expect(claimed.map((j) => j.payload.visitId)).toContain(visitId);
    await h.services.jobs.runDue();
    expect(await escalationsOf(h, visitId)).toHaveLength(0);
    h.clock.advance((h.policy.jobs.leaseSeconds + 1) * 1000);
    await h.services.jobs.runDue();
    expect(await escalationsOf(h, visitId)).toHaveLength(1);
  });
});

describe('other timers', () => {
  it('the rep is reminded before the promised follow-up', async () => {
    const { visitId } = await visitWithTodo();
    const reminderAt = new Date('2026-11-24T05:30:00Z');
    h.clock.set(new Date(reminderAt.getTime() - 1000));
    await h.services.jobs.runDue();
    const before = (await h.db.getRepository(OutboxMessage).find({ where: { kind: 'visit.reminder' } })).filter((m) => m.payload.visitId === visitId);
    expect(before).toHaveLength(0);
    h.clock.set(reminderAt);
    await h.services.jobs.runDue();
    const after = (await h.db.getRepository(OutboxMessage).find({ where: { kind: 'visit.reminder' } })).filter((m) => m.payload.visitId === visitId);
    expect(after.map((m) => m.payload)).toEqual([{ visitId, memberId: org.repA.id }]);
  });

  it('a lead untouched after 48 h is flagged to the supervisor; a touched one is not', async () => {
    const lead = async (name: string) => (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name, industry: '民营医院' } })).body.id as number;
    const untouched = await lead('未触达线索医院');
    const touched = await lead('已触达线索医院');
    await api(h.url, 'POST', `/api/v1/customers/${touched}/first-touch`, { token: org.token(org.repA), json: { method: '电话', verbatim: '好的', evidenceText: '通话记录' }, headers: { 'idempotency-key': randomUUID() } });
    h.clock.set(new Date(start.getTime() + 48 * HOUR_MS));
    await h.services.jobs.runDue();
    const flagged = (await h.db.getRepository(OutboxMessage).find({ where: { kind: 'lead.first_touch_overdue' } })).map((m) => m.payload.customerId);
    expect(flagged).toContain(untouched);
    expect(flagged).not.toContain(touched);
  });
});

describe('what the director sees', () => {
  it('lists the to-dos escalated in the region, and another region\u2019s director sees none of them', async () => {
    const { visitId, todo } = await visitWithTodo();
    h.clock.set(new Date(start.getTime() + 48 * HOUR_MS));
    await h.services.jobs.runDue();
    expect(await escalationsOf(h, visitId)).toHaveLength(1);
    const east = await api(h.url, 'GET', '/api/v1/todos?as=escalated&status=all&pageSize=100', { token: org.token(org.directorEast) });
    expect(east.body.items.map((t: any) => t.id)).toContain(todo.id);
    expect(east.body.items.find((t: any) => t.id === todo.id).escalatedAt).toBe(h.clock.now().toISOString());
    const west = await api(h.url, 'GET', '/api/v1/todos?as=escalated&status=all&pageSize=100', { token: org.token(org.directorWest) });
    expect(west.body.items.map((t: any) => t.id)).not.toContain(todo.id);
  });
});
