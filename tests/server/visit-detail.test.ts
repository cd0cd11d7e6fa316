import { Todo } from '../../server/src/modules/tasks/todo.view';
import type { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { completeVisit, submitVisit } from '../support/visit-fixture';

let h: Harness;
let org: OrgFixture;
let visitId: number;
let todoId: number;
let photoId: number;

const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
  const customer = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '详情测试医院', industry: '公立医院', stage: 'proposal' } })).body.id;
  const form = new FormData();
  form.append('file', new Blob([TINY_PNG], { type: 'image/png' }), 'site.png');
  photoId = (await api(h.url, 'POST', '/api/v1/photos', { token: org.token(org.repA), form })).body.id;
  const res = await submitVisit(h, org.token(org.repA), {
    ...completeVisit(customer), agreedAction: '其他', agreedActionNote: '带院长参观样板间', alert: true, customerVerbatim: '你们的安装要是真能两天完成, 我们就换', photoIds: [photoId],
  });
  expect(res.status).toBe(201);
  visitId = res.body.id;
  todoId = (await h.db.getRepository(Todo).findOneByOrFail({ visitId })).id;
});
afterAll(() => h?.close());

const detail = (who: Member, id = visitId) => api(h.url, 'GET', `/api/v1/visits/${id}`, { token: org.token(who) });

describe('GET /api/v1/visits/:id', () => {
  it('answers every anchor, the customer, the rep, photos and the to-do, 「其他」 with its note', async () => {
    const res = await detail(org.repA);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: visitId,
      status: 'submitted',
      customer: { name: '详情测试医院' },
      rep: { id: org.repA.id, name: '代表甲' },
      objective: '推进方案',
      painPoint: completeVisit(0).painPoint,
      dialogueSummary: completeVisit(0).dialogueSummary,
      bottleneck: '集采降价压力',
      valuePoint: '48 小时完成安装调试',
      agreedAction: '其他',
      agreedActionNote: '带院长参观样板间',
      agreedActionText: '其他（带院长参观样板间）',
      nextFollowUpAt: '2026-11-24T06:30:00.000Z',
      nextFollowUpForm: '上门',
      alert: true,
      customerVerbatim: '你们的安装要是真能两天完成, 我们就换',
      photoIds: [photoId],
      todo: { id: todoId, status: 'open', assignee: { id: org.supervisor1.id, name: '一组主管' }, canConfirm: false, overdue: false, escalatedAt: null },
    });
  });

  it('the supervisor who confirms sees canConfirm, and after confirming sees who confirmed', async () => {
    expect((await detail(org.supervisor1)).body.todo).toMatchObject({ id: todoId, canConfirm: true, status: 'open' });
    expect((await api(h.url, 'POST', `/api/v1/todos/${todoId}/confirm`, { token: org.token(org.supervisor1), json: {} })).status).toBe(200);
    const after = (await detail(org.supervisor1)).body.todo;
    expect(after).toMatchObject({ status: 'confirmed', confirmedBy: { id: org.supervisor1.id, name: '一组主管' } });
    expect(after.confirmedAt).toBe(h.clock.now().toISOString());
  });

  it('across lines: own rep, own team, own region, admin, finance and marketing read; everyone else gets 404', async () => {
    const readers = { repA: org.repA, supervisor1: org.supervisor1, directorEast: org.directorEast, admin: org.admin, finance: org.finance, marketing: org.marketing };
    const strangers = { repB: org.repB, repC: org.repC, supervisor2: org.supervisor2, supervisor3: org.supervisor3, directorWest: org.directorWest, repE: org.repE };
    for (const [name, who] of Object.entries(readers)) expect([name, (await detail(who)).status]).toEqual([name, 200]);
    for (const [name, who] of Object.entries(strangers)) {
      const res = await detail(who);
      expect([name, res.status]).toEqual([name, 404]);
      // the same answer as a visit that does not exist: nothing about it leaks
      expect(res.body).toEqual((await detail(who, 2_000_000)).body);
      expect(JSON.stringify(res.body)).not.toContain('详情测试医院');
    }
  });

  it('only the assignee may confirm from the detail: others get canConfirm false and the confirm is refused', async () => {
    expect((await detail(org.directorEast)).body.todo.canConfirm).toBe(false);
    expect((await detail(org.admin)).body.todo.canConfirm).toBe(false);
    expect((await api(h.url, 'POST', `/api/v1/todos/${todoId}/confirm`, { token: org.token(org.directorEast), json: {} })).status).toBe(404);
  });

  it('a missing or malformed id is 404/422 in the JSON error shape, never 500', async () => {
    const missing = await detail(org.admin, 999_999);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('拜访记录');
    expect((await api(h.url, 'GET', '/api/v1/visits/abc', { token: org.token(org.admin) })).status).toBeLessThan(500);
    expect((await api(h.url, 'GET', '/api/v1/visits/1', {})).status).toBe(401);
  });
});

describe('the customer timeline carries the note and the visit of each to-do', () => {
  it('visit and to-do entries read 「其他（…）」 and the to-do names its visit', async () => {
    const customerId = (await detail(org.repA)).body.customer.id;
    const timeline = await api(h.url, 'GET', `/api/v1/customers/${customerId}/timeline`, { token: org.token(org.supervisor1) });
    const visit = timeline.body.items.find((e: { type: string }) => e.type === 'visit');
    const todo = timeline.body.items.find((e: { type: string }) => e.type === 'todo');
    expect(visit).toMatchObject({ id: visitId, agreedActionNote: '带院长参观样板间', agreedActionText: '其他（带院长参观样板间）' });
    expect(todo).toMatchObject({ id: todoId, visitId, agreedActionText: '其他（带院长参观样板间）' });
  });
});
