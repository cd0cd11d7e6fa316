import { isCustomerOverdue, isPositiveFeedback } from '@anchor/shared';
import { Customer } from '../../server/src/modules/customers/customer.entity';
import { CustomerStageChange } from '../../server/src/modules/customers/customer-history.entity';
import { Member } from '../../server/src/modules/org/member.entity';
import { Visit } from '../../server/src/modules/visits/visit.entity';
import { OutboxMessage } from '../../server/src/outbox/outbox-message.entity';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { completeVisit, submitVisit } from '../support/visit-fixture';

// What the dashboards (issue 14) need recorded: a visit's customer feedback, its agreed action marked
// done, a customer closed as lost (关闭/丢单), and when a member joined. The harness clock starts on
// Friday 2026-11-20 10:00 Shanghai; completeVisit's next follow-up is Tuesday 2026-11-24 14:30 Shanghai.
const FOLLOW_UP = new Date('2026-11-24T06:30:00Z');
let h: Harness;
let org: OrgFixture;
let seq = 0;
const START = new Date('2026-11-20T02:00:00Z');

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
async function photoOf(who: Member): Promise<number> {
  const form = new FormData();
  form.append('file', new Blob([PNG], { type: 'image/png' }), 'done.png');
  const res = await api(h.url, 'POST', '/api/v1/photos', { token: org.token(who), form });
  expect(res.status).toBe(201);
  return res.body.id;
}
async function customerOf(owner: Member): Promise<number> {
  const res = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.admin), json: { name: `看板数据医院${++seq}号`, industry: '公立医院', ownerId: owner.id } });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.id;
}
async function visitOf(rep: Member, extra: Record<string, unknown> = {}): Promise<{ id: number; customerId: number }> {
  const customerId = await customerOf(rep);
  const res = await submitVisit(h, org.token(rep), { ...completeVisit(customerId), ...extra });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return { id: res.body.id, customerId };
}
const markDone = (who: Member, visitId: number, json: unknown = {}) => api(h.url, 'POST', `/api/v1/visits/${visitId}/action-done`, { token: org.token(who), json });
const detail = (who: Member, visitId: number) => api(h.url, 'GET', `/api/v1/visits/${visitId}`, { token: org.token(who) });
const timeline = (who: Member, customerId: number) => api(h.url, 'GET', `/api/v1/customers/${customerId}/timeline`, { token: org.token(who) });

beforeAll(async () => {
  h = await startHarness({ now: START });
  org = await buildOrg(h);
});
afterAll(() => h.close());
beforeEach(() => h.clock.set(START));

describe('customer feedback on a visit (积极 / 中性 / 消极)', () => {
  it('is offered from the policy, the first being the positive one', async () => {
    const options = await api(h.url, 'GET', '/api/v1/options', { token: org.token(org.repA) });
    expect(options.body.customerFeedback).toEqual(['积极', '中性', '消极']);
    expect(isPositiveFeedback('积极', options.body.customerFeedback)).toBe(true);
    expect(isPositiveFeedback('中性', options.body.customerFeedback)).toBe(false);
    expect(isPositiveFeedback(null, options.body.customerFeedback)).toBe(false);
  });

  it('is stored with the visit and shown on its detail and in the timeline', async () => {
    const visit = await visitOf(org.repA, { customerFeedback: '积极' });
    expect((await h.db.getRepository(Visit).findOneByOrFail({ id: visit.id })).customerFeedback).toBe('积极');
    expect((await detail(org.repA, visit.id)).body.customerFeedback).toBe('积极');
    // the supervisor reads it too
    expect((await detail(org.supervisor1, visit.id)).body.customerFeedback).toBe('积极');
    const entries = (await timeline(org.repA, visit.customerId)).body.items;
    expect(entries.find((e: { type: string }) => e.type === 'visit').customerFeedback).toBe('积极');
  });

  it('is optional: a visit without it is stored, with no feedback', async () => {
    const visit = await visitOf(org.repA);
    expect((await detail(org.repA, visit.id)).body.customerFeedback).toBeNull();
  });

  it('refuses a value not in the policy with 422 naming 客户反馈, and stores nothing', async () => {
    const customerId = await customerOf(org.repA);
    const before = await h.db.getRepository(Visit).count();
    for (const bad of ['很好', '', 3, '积极 ']) {
      const res = await submitVisit(h, org.token(org.repA), { ...completeVisit(customerId), customerFeedback: bad });
      expect(res.status).toBe(422);
      // not 「动作未闭环」: every anchor is there, only the optional feedback is wrong
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.fields.customerFeedback).toMatch(/^客户反馈/);
      expect(res.body.error.fields.customerFeedback).toContain('积极、中性 或 消极');
    }
    expect(await h.db.getRepository(Visit).count()).toBe(before);
  });
});

describe('agreed action marked done (标记完成)', () => {
  it('by its rep, with a note and a photo, before the follow-up: on time, shown on the detail and the timeline', async () => {
    const visit = await visitOf(org.repA);
    const before = await detail(org.repA, visit.id);
    expect(before.body.actionDone).toBeNull();
    expect(before.body.canCompleteAction).toBe(true);
    const photoId = await photoOf(org.repA);
    h.clock.set(new Date('2026-11-23T08:00:00Z'));
    const res = await markDone(org.repA, visit.id, { note: '演示已完成，主任很满意', photoIds: [photoId] });
    expect(res.status).toBe(200);
    expect(res.body.actionDone).toMatchObject({ at: '2026-11-23T08:00:00.000Z', onTime: true, by: { id: org.repA.id, name: org.repA.name }, note: '演示已完成，主任很满意', photoIds: [photoId] });
    expect(res.body.canComplete).toBe(false);
    const row = await h.db.getRepository(Visit).findOneByOrFail({ id: visit.id });
    expect([row.actionDoneAt?.toISOString(), row.actionDoneById, !!row.actionDoneOnTime]).toEqual(['2026-11-23T08:00:00.000Z', org.repA.id, true]);
    const after = await detail(org.supervisor1, visit.id);
    expect(after.body.actionDone).toMatchObject({ onTime: true, photoIds: [photoId] });
    const entry = (await timeline(org.repA, visit.customerId)).body.items.find((e: { type: string }) => e.type === 'visit');
    expect(entry.actionDone).toEqual({ at: '2026-11-23T08:00:00.000Z', onTime: true, by: { id: org.repA.id, name: org.repA.name } });
    // the evidence photo is served to whoever sees the customer, not to another rep
    expect((await api(h.url, 'GET', `/api/v1/photos/${photoId}`, { token: org.token(org.supervisor1) })).status).toBe(200);
    expect((await api(h.url, 'GET', `/api/v1/photos/${photoId}`, { token: org.token(org.repB) })).status).toBe(404);
  });

  it('exactly at the follow-up time is on time; a minute after is late', async () => {
    const onTime = await visitOf(org.repA);
    const late = await visitOf(org.repA);
    h.clock.set(FOLLOW_UP);
    expect((await markDone(org.repA, onTime.id)).body.actionDone.onTime).toBe(true);
    h.clock.set(new Date(FOLLOW_UP.getTime() + 60_000));
    const res = await markDone(org.repA, late.id);
    expect(res.status).toBe(200);
    expect(res.body.actionDone.onTime).toBe(false);
  });

  it('twice is refused with who did it and when, and nothing changes', async () => {
    const visit = await visitOf(org.repA);
    expect((await markDone(org.repA, visit.id, { note: '第一次' })).status).toBe(200);
    const first = await h.db.getRepository(Visit).findOneByOrFail({ id: visit.id });
    h.clock.set(new Date('2026-11-21T02:00:00Z'));
    for (const who of [org.repA, org.supervisor1]) {
      const again = await markDone(who, visit.id, { note: '第二次' });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('AGREED_ACTION_DONE');
      expect(again.body.error.message).toBe(`该约定动作已于 2026-11-20 10:00 由 ${org.repA.name} 标记完成，不能重复标记`);
    }
    const still = await h.db.getRepository(Visit).findOneByOrFail({ id: visit.id });
    expect([still.actionDoneAt?.toISOString(), still.actionDoneNote, still.actionDoneById]).toEqual([first.actionDoneAt?.toISOString(), '第一次', org.repA.id]);
  });

  it('two marks at once: one is stored, the other refused', async () => {
    const visit = await visitOf(org.repA);
    const answers = await Promise.all([markDone(org.repA, visit.id, { note: '甲' }), markDone(org.supervisor1, visit.id, { note: '乙' })]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const row = await h.db.getRepository(Visit).findOneByOrFail({ id: visit.id });
    const winner = answers.find((a) => a.status === 200)!;
    expect(row.actionDoneNote).toBe(winner.body.actionDone.note);
  });

  it("by the rep's supervisor: recorded as theirs", async () => {
    const visit = await visitOf(org.repA);
    const res = await markDone(org.supervisor1, visit.id);
    expect(res.status).toBe(200);
    expect(res.body.actionDone.by).toEqual({ id: org.supervisor1.id, name: org.supervisor1.name });
  });

  it('anyone else: another rep or another team gets 404, a role without the right 403; nothing changes', async () => {
    const visit = await visitOf(org.repA);
    for (const who of [org.repB, org.repC, org.supervisor2, org.repE]) {
      const res = await markDone(who, visit.id);
      expect([who.name, res.status, res.body.error?.code]).toEqual([who.name, 404, 'NOT_FOUND']);
    }
    for (const who of [org.directorEast, org.finance, org.marketing, org.admin]) {
      const res = await markDone(who, visit.id);
      expect([who.name, res.status, res.body.error?.code]).toEqual([who.name, 403, 'FORBIDDEN']);
    }
    expect((await detail(org.directorEast, visit.id)).body.canCompleteAction).toBe(false);
    expect((await h.db.getRepository(Visit).findOneByOrFail({ id: visit.id })).actionDoneAt).toBeNull();
  });

  it("refuses someone else's photo or a bad note, naming the field, and marks nothing", async () => {
    const visit = await visitOf(org.repA);
    const theirs = await photoOf(org.repB);
    const wrongPhoto = await markDone(org.repA, visit.id, { photoIds: [theirs] });
    expect(wrongPhoto.status).toBe(422);
    expect(wrongPhoto.body.error.fields.photoIds).toContain('照片');
    const longNote = await markDone(org.repA, visit.id, { note: '长'.repeat(201) });
    expect(longNote.status).toBe(422);
    expect(longNote.body.error.fields.note).toMatch(/^完成说明/);
    const extra = await markDone(org.repA, visit.id, { doneAt: '2026-11-01T00:00:00Z' });
    expect(extra.status).toBe(422);
    expect((await h.db.getRepository(Visit).findOneByOrFail({ id: visit.id })).actionDoneAt).toBeNull();
  });

  it('a visit still waiting to be filled has no agreed action to mark', async () => {
    const customerId = await customerOf(org.repA);
    expect((await api(h.url, 'PATCH', `/api/v1/customers/${customerId}`, { token: org.token(org.repA), json: { stage: 'visit' } })).status).toBe(200);
    const waiting = await h.db.getRepository(Visit).findOneByOrFail({ customerId });
    const res = await markDone(org.repA, waiting.id);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('NO_AGREED_ACTION');
    expect(res.body.error.message).toBe('该拜访还没有约定动作，无法标记完成');
  });

  it('GET /agreed-actions gives the state of the visits behind the 待办 cards, only those in reach', async () => {
    const mine = await visitOf(org.repA);
    const done = await visitOf(org.repA);
    await markDone(org.repA, done.id);
    const theirs = await visitOf(org.repB);
    const res = await api(h.url, 'GET', `/api/v1/agreed-actions?visitIds=${mine.id},${done.id},${theirs.id}`, { token: org.token(org.repA) });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { visitId: number; canComplete: boolean; actionDone: unknown }) => [i.visitId, i.canComplete, !!i.actionDone])).toEqual([
      [mine.id, true, false],
      [done.id, false, true],
    ]);
    const bad = await api(h.url, 'GET', '/api/v1/agreed-actions?visitIds=1,x', { token: org.token(org.repA) });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields.visitIds).toMatch(/^拜访记录/);
  });
});

describe('关闭/丢单: a customer closed as lost', () => {
  const close = (who: Member, id: number, json: unknown) => api(h.url, 'POST', `/api/v1/customers/${id}/close`, { token: org.token(who), json });
  const reopen = (who: Member, id: number, json: unknown = {}) => api(h.url, 'POST', `/api/v1/customers/${id}/reopen`, { token: org.token(who), json });
  const overdueIds = async (who: Member, overdue: boolean) =>
    ((await api(h.url, 'GET', `/api/v1/customers?overdue=${overdue}&pageSize=100`, { token: org.token(who) })).body.items as { id: number }[]).map((c) => c.id);

  it('keeps its stage, says why, is kept in the stage history and the timeline, and leaves the overdue list', async () => {
    const id = await customerOf(org.repA);
    await h.db.getRepository(Customer).update({ id }, { stage: 'quote', lastFollowUpAt: new Date('2026-11-10T02:00:00Z') });
    expect(await overdueIds(org.repA, true)).toContain(id);
    h.clock.set(new Date('2026-11-20T03:00:00Z'));
    const res = await close(org.repA, id, { reason: '竞品锁定', note: '竞品签了三年独家' });
    expect(res.status).toBe(200);
    expect(res.body.stage).toBe('quote');
    expect(res.body.overdue).toBe(false);
    expect(res.body.closed).toEqual({ at: '2026-11-20T03:00:00.000Z', reason: '竞品锁定', note: '竞品签了三年独家', text: '竞品锁定 · 竞品签了三年独家', by: { id: org.repA.id, name: org.repA.name } });
    expect(await overdueIds(org.repA, true)).not.toContain(id);
    expect(await overdueIds(org.repA, false)).toContain(id);
    // the shared rule agrees
    expect(isCustomerOverdue({ stage: 'quote', lastFollowUpAt: '2026-11-10T02:00:00Z', createdAt: '2026-11-01T00:00:00Z', closedAt: res.body.closed.at }, { overdueDays: 3, overdueExcludedStages: ['signed', 'delivered'] }, h.clock.now())).toBe(false);
    const history = await api(h.url, 'GET', `/api/v1/customers/${id}/stage-history`, { token: org.token(org.supervisor1) });
    expect(history.body.items[0]).toMatchObject({ kind: 'closed_lost', from: 'quote', to: 'quote', reason: '竞品锁定', note: '竞品签了三年独家', changedBy: { id: org.repA.id } });
    const entry = (await timeline(org.repA, id)).body.items.find((e: { type: string; kind?: string }) => e.type === 'stage_change' && e.kind === 'closed_lost');
    expect(entry).toMatchObject({ fromLabel: '报价', reason: '竞品锁定' });
  });

  it('refuses a second close, a stage move while closed, a reason not in the policy and 其他 without words — changing nothing', async () => {
    const id = await customerOf(org.repA);
    expect((await close(org.repA, id, { reason: '价格' })).status).toBe(200);
    const rows = await h.db.getRepository(CustomerStageChange).countBy({ customerId: id });
    const twice = await close(org.supervisor1, id, { reason: '预算取消' });
    expect([twice.status, twice.body.error.code]).toEqual([409, 'CUSTOMER_CLOSED']);
    expect(twice.body.error.message).toBe('客户已于 2026-11-20 关闭（丢单：价格），不能重复关闭');
    const moved = await api(h.url, 'PATCH', `/api/v1/customers/${id}`, { token: org.token(org.repA), json: { stage: 'proposal' } });
    expect([moved.status, moved.body.error.code]).toEqual([409, 'CUSTOMER_CLOSED']);
    const after = await h.db.getRepository(Customer).findOneByOrFail({ id });
    expect([after.stage, after.closedReason]).toEqual(['lead', '价格']);
    expect(await h.db.getRepository(CustomerStageChange).countBy({ customerId: id })).toBe(rows);

    const open = await customerOf(org.repA);
    const unknown = await close(org.repA, open, { reason: '不想做了' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.fields.reason).toBe('丢单原因只能选择 价格、竞品锁定、预算取消、联系人离职、其他 之一');
    const other = await close(org.repA, open, { reason: '其他' });
    expect(other.status).toBe(422);
    expect(other.body.error.fields.note).toBe('丢单原因选择「其他」时请填写原因说明');
    const missing = await close(org.repA, open, {});
    expect(missing.status).toBe(422);
    expect(missing.body.error.fields.reason).toBe('请选择丢单原因');
    expect((await h.db.getRepository(Customer).findOneByOrFail({ id: open })).closedAt).toBeNull();
    expect((await close(org.repA, open, { reason: '其他', note: '医院合并' })).body.closed.text).toBe('其他（医院合并）');
  });

  it('only a manager reopens it: back to work at the stage it was lost, overdue again if it is, kept in history', async () => {
    const id = await customerOf(org.repA);
    await h.db.getRepository(Customer).update({ id }, { lastFollowUpAt: new Date('2026-11-10T02:00:00Z') });
    await close(org.repA, id, { reason: '联系人离职' });
    const byRep = await reopen(org.repA, id);
    expect([byRep.status, byRep.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const otherTeam = await reopen(org.supervisor2, id);
    expect(otherTeam.status).toBe(404);
    const res = await reopen(org.supervisor1, id, { note: '新主任上任，重新跟进' });
    expect(res.status).toBe(200);
    expect(res.body.closed).toBeNull();
    expect(res.body.overdue).toBe(true);
    expect(await overdueIds(org.repA, true)).toContain(id);
    const history = await api(h.url, 'GET', `/api/v1/customers/${id}/stage-history`, { token: org.token(org.repA) });
    expect(history.body.items.map((i: { kind: string }) => i.kind).slice(0, 2)).toEqual(['reopened', 'closed_lost']);
    expect(history.body.items[0]).toMatchObject({ reason: '联系人离职', note: '新主任上任，重新跟进', changedBy: { id: org.supervisor1.id } });
    const notClosed = await reopen(org.supervisor1, id);
    expect([notClosed.status, notClosed.body.error.code]).toEqual([409, 'CUSTOMER_NOT_CLOSED']);
    // a director in reach and an admin may reopen too
    await close(org.repA, id, { reason: '价格' });
    expect((await reopen(org.directorEast, id)).status).toBe(200);
  });

  it('a lead lost before its first touch is neither waiting on the home screen nor flagged late; reopened, its clock starts again', async () => {
    const id = await customerOf(org.repA); // a lead: its 48 h first-touch clock runs
    const waiting = async () => (await api(h.url, 'GET', '/api/v1/home', { token: org.token(org.repA) })).body.leadsAwaitingFirstTouch.items.map((i: { customerId: number }) => i.customerId);
    expect(await waiting()).toContain(id);
    await close(org.repA, id, { reason: '预算取消' });
    expect(await waiting()).not.toContain(id);
    h.clock.set(new Date(START.getTime() + 49 * 3_600_000));
    await h.services.jobs.runDue();
    const flagged = async () => (await h.db.getRepository(OutboxMessage).find({ where: { kind: 'lead.first_touch_overdue' } })).filter((m) => m.payload.customerId === id);
    expect(await flagged()).toEqual([]);
    const reopened = await reopen(org.supervisor1, id);
    expect(reopened.body.firstTouchDueAt).toBe(new Date(START.getTime() + 97 * 3_600_000).toISOString());
    expect(await waiting()).toContain(id);
    h.clock.set(new Date(START.getTime() + 98 * 3_600_000));
    await h.services.jobs.runDue();
    expect(await flagged()).toHaveLength(1);
  });

  it('who may close: the owner and managers in reach; another rep 404; finance and marketing 403', async () => {
    const id = await customerOf(org.repA);
    expect((await close(org.repB, id, { reason: '价格' })).status).toBe(404);
    expect((await close(org.supervisor2, id, { reason: '价格' })).status).toBe(404);
    for (const who of [org.finance, org.marketing]) {
      const res = await close(who, id, { reason: '价格' });
      expect([res.status, res.body.error.code]).toEqual([403, 'FORBIDDEN']);
    }
    expect((await h.db.getRepository(Customer).findOneByOrFail({ id })).closedAt).toBeNull();
    expect((await close(org.supervisor1, id, { reason: '价格' })).status).toBe(200);
  });
});

describe("a member's join date (入职日期)", () => {
  const edit = (who: Member, id: number, json: unknown) => api(h.url, 'PATCH', `/api/v1/members/${id}`, { token: org.token(who), json });

  it('defaults to when the member was created', async () => {
    const member = await h.services.org.createMember({ name: '新代表', phone: '13711110001', role: 'rep' });
    expect(member.joinedAt?.toISOString()).toBe(START.toISOString());
    const me = await api(h.url, 'GET', '/api/v1/auth/me', { token: org.token(org.repA) });
    expect(me.body.joinedAt).toBe(START.toISOString());
  });

  it('an admin sets it as a day in the team time zone; not after today, a real date, the field named', async () => {
    const res = await edit(org.admin, org.repB.id, { joinedAt: '2026-09-01' });
    expect(res.status).toBe(200);
    expect(res.body.joinedAt).toBe('2026-08-31T16:00:00.000Z');
    expect((await h.db.getRepository(Member).findOneByOrFail({ id: org.repB.id })).joinedAt?.toISOString()).toBe('2026-08-31T16:00:00.000Z');
    // today is fine, tomorrow is not
    expect((await edit(org.admin, org.repB.id, { joinedAt: '2026-11-20' })).status).toBe(200);
    const ahead = await edit(org.admin, org.repB.id, { joinedAt: '2026-11-21' });
    expect(ahead.status).toBe(422);
    expect(ahead.body.error.fields.joinedAt).toBe('入职日期不能晚于今天（2026-11-20）');
    const bogus = await edit(org.admin, org.repB.id, { joinedAt: '2026-02-30' });
    expect(bogus.status).toBe(422);
    expect(bogus.body.error.fields.joinedAt).toContain('入职日期');
    expect((await h.db.getRepository(Member).findOneByOrFail({ id: org.repB.id })).joinedAt?.toISOString()).toBe('2026-11-19T16:00:00.000Z');
    expect((await edit(org.admin, 99999, { joinedAt: '2026-09-01' })).status).toBe(404);
  });

  it('only an admin may', async () => {
    for (const who of [org.repA, org.supervisor1, org.directorEast, org.finance]) {
      const res = await edit(who, org.repA.id, { joinedAt: '2026-09-01' });
      expect([res.status, res.body.error.code]).toEqual([403, 'FORBIDDEN']);
    }
  });
});
