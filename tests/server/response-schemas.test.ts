import type { z } from 'zod';
import {
  customerSchema,
  homeSchema,
  inviteViewSchema,
  meViewSchema,
  memberViewSchema,
  taskPoolListSchema,
  taskPoolViewSchema,
  optionsSchema,
  pageOf,
  timelineEntrySchema,
  todoSchema,
  visitDetailSchema,
  visitSubmittedSchema,
} from '@anchor/shared';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { completeVisit, submitVisit } from '../support/visit-fixture';

// The answers the app reads are typed from the schemas in shared/: what the server sends must fit them,
// or a page reads a field that is not there.
let h: Harness;
let org: OrgFixture;
beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
});
afterAll(() => h.close());

function fits(schema: z.ZodType, body: unknown): void {
  const result = schema.safeParse(body);
  expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([]);
}

describe('the answers fit the response schemas in shared/', () => {
  it('customers, visits, to-dos, timeline, me, home, options, invites', async () => {
    const rep = org.token(org.repA);
    const supervisor = org.token(org.supervisor1);
    const created = await api(h.url, 'POST', '/api/v1/customers', { token: rep, json: { name: '响应结构医院', industry: '公立医院', stage: 'proposal' } });
    expect(created.status).toBe(201);
    fits(customerSchema, created.body);
    const id = created.body.id as number;
    fits(customerSchema, (await api(h.url, 'GET', `/api/v1/customers/${id}`, { token: rep })).body);
    fits(pageOf(customerSchema), (await api(h.url, 'GET', '/api/v1/customers', { token: rep })).body);

    const visit = await submitVisit(h, rep, completeVisit(id));
    expect(visit.status).toBe(201);
    fits(visitSubmittedSchema, visit.body);
    fits(visitDetailSchema, (await api(h.url, 'GET', `/api/v1/visits/${visit.body.id}`, { token: supervisor })).body);

    const todos = await api(h.url, 'GET', '/api/v1/todos?as=assignee', { token: supervisor });
    fits(pageOf(todoSchema), todos.body);
    const todoId = todos.body.items[0].id as number;
    fits(todoSchema, (await api(h.url, 'GET', `/api/v1/todos/${todoId}`, { token: supervisor })).body);
    fits(todoSchema, (await api(h.url, 'POST', `/api/v1/todos/${todoId}/confirm`, { token: supervisor, json: {} })).body);

    fits(pageOf(timelineEntrySchema), (await api(h.url, 'GET', `/api/v1/customers/${id}/timeline`, { token: rep })).body);
    fits(meViewSchema, (await api(h.url, 'GET', '/api/v1/me', { token: supervisor })).body);
    fits(memberViewSchema, (await api(h.url, 'GET', '/api/v1/auth/me', { token: rep })).body);
    fits(homeSchema, (await api(h.url, 'GET', '/api/v1/home', { token: rep })).body);
    fits(optionsSchema, (await api(h.url, 'GET', '/api/v1/options', { token: rep })).body);
    fits(inviteViewSchema, (await api(h.url, 'POST', '/api/v1/invites', { token: supervisor, json: { teamId: org.teamIds.team1 } })).body);
    const admin = org.token(org.admin);
    fits(taskPoolListSchema, (await api(h.url, 'GET', '/api/v1/task-pools', { token: admin })).body);
    fits(taskPoolViewSchema, (await api(h.url, 'PUT', '/api/v1/task-pools/marketing_lead/members', { token: admin, json: { memberIds: [org.marketing.id] } })).body);
    fits(meViewSchema, (await api(h.url, 'GET', '/api/v1/me', { token: org.token(org.marketing) })).body);
  });

  it('OpenAPI shows each of those answers with its schema', async () => {
    const doc = (await api(h.url, 'GET', '/api/v1/openapi.json')).body;
    const ok = (p: string, method: string, status = '200') => doc.paths[p][method].responses[status].content['application/json'].schema;
    expect(ok('/api/v1/customers/{id}', 'get').properties).toHaveProperty('stageLabel');
    expect(ok('/api/v1/customers', 'get').properties.items.items.properties).toHaveProperty('owner');
    expect(ok('/api/v1/customers', 'post', '201').required).toEqual(expect.arrayContaining(['id', 'name', 'stage']));
    expect(ok('/api/v1/visits/{id}', 'get').properties).toHaveProperty('agreedActionText');
    expect(ok('/api/v1/todos', 'get').properties.items.items.properties).toHaveProperty('dueAt');
    expect(ok('/api/v1/me', 'get').properties).toHaveProperty('openTodos');
    expect(ok('/api/v1/me', 'get').properties).toHaveProperty('taskPools');
    expect(ok('/api/v1/task-pools', 'get').properties.items.items.properties).toHaveProperty('warning');
    expect(ok('/api/v1/home', 'get').properties).toHaveProperty('leadsAwaitingFirstTouch');
    expect(ok('/api/v1/options', 'get').properties).toHaveProperty('agreedActions');
  });
});
