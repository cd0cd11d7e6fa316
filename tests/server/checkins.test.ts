import { readFileSync } from 'node:fs';
import { isWorkingDay, localDay } from '@anchor/shared';
import { ConfigError, DEFAULT_POLICY_PATH, loadPolicy, parsePolicy } from '../../server/src/config/policy';
import { Checkin } from '../../server/src/modules/checkins/checkin.entity';
import { OutboxMessage } from '../../server/src/outbox/outbox-message.entity';
import { MessageKit } from '../../server/src/outbox/message-kit';
import { messageDirectory } from '../../server/src/modules/org';
import { checkinMessages } from '../../server/src/modules/checkins/checkin.messages';
import { withSqlTransaction } from '../../server/src/db/sql';
import type { Env } from '../../server/src/config/env';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { completeVisit, submitVisit } from '../support/visit-fixture';
import type { Member } from '../../server/src/modules/org/member.entity';

// Daily three check-ins in the policy time zone (Asia/Shanghai, UTC+8): the morning window 07:00–10:00
// local opens at 23:00 UTC the day before, so the local day and the UTC day differ right at the boundary.
// 2026-11-20 is a Friday, 2026-11-21 a Saturday.
const at = (iso: string) => new Date(iso);
let h: Harness;
let org: OrgFixture;
let seq = 0;

const post = (who: Member, json: unknown) => api(h.url, 'POST', '/api/v1/checkins', { token: org.token(who), json });
const today = (who: Member) => api(h.url, 'GET', '/api/v1/checkins/today', { token: org.token(who) });
async function customerOf(owner: Member): Promise<number> {
  const res = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.admin), json: { name: `打卡测试医院${++seq}号`, industry: '公立医院', ownerId: owner.id } });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.id;
}
const reminders = () => h.db.getRepository(OutboxMessage).find({ where: { kind: 'checkin.reminder' } });

beforeAll(async () => {
  h = await startHarness({ now: at('2026-11-19T22:00:00Z') }); // 06:00 local on Friday the 20th
  org = await buildOrg(h);
  await h.services.jobs.seedRecurring();
});
afterAll(() => h.close());

describe('the morning check-in', () => {
  let customer: number;
  beforeAll(async () => {
    customer = await customerOf(org.repA);
  });

  it('is refused before its window opens (06:59:59 local), naming the opening time', async () => {
    h.clock.set(at('2026-11-19T22:59:59Z'));
    const res = await post(org.repA, { kind: 'morning', customerId: customer, coreNeed: '确认快装方案的演示时间' });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'CHECKIN_NOT_OPEN' });
    expect(res.body.error.message).toContain('07:00');
    expect(await h.db.getRepository(Checkin).count()).toBe(0);
  });

  it('exactly at 07:00 local (23:00 UTC the day before) is on time, on the local day', async () => {
    h.clock.set(at('2026-11-19T23:00:00Z'));
    const res = await post(org.repA, { kind: 'morning', customerId: customer, coreNeed: '确认快装方案的演示时间' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'morning', status: 'on_time', day: '2026-11-20', customerId: customer });
    expect(res.body.answers).toMatchObject({ coreNeed: '确认快装方案的演示时间' });
  });

  it('twice answers 409 naming 打卡, and keeps the first', async () => {
    const res = await post(org.repA, { kind: 'morning', customerId: customer, coreNeed: '另一个需求' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CHECKIN_DONE');
    expect(res.body.error.message).toMatch(/早间打卡已完成（07:00 打卡），不能重复打卡/);
    const rows = await h.db.getRepository(Checkin).find({ where: { memberId: org.repA.id } });
    expect(rows).toHaveLength(1);
  });

  it('exactly at 10:00 local is still on time; a second later is late, never on time', async () => {
    const b = await customerOf(org.repB);
    const c = await customerOf(org.repC);
    h.clock.set(at('2026-11-20T02:00:00Z'));
    expect((await post(org.repB, { kind: 'morning', customerId: b, coreNeed: '库存消耗太慢需要方案' })).body.status).toBe('on_time');
    h.clock.set(at('2026-11-20T02:00:01Z'));
    const late = await post(org.repC, { kind: 'morning', customerId: c, coreNeed: '库存消耗太慢需要方案' });
    expect(late.status).toBe(201);
    expect(late.body.status).toBe('late');
  });

  it("another rep's customer is not found (404), and nothing is stored", async () => {
    const other = await customerOf(org.repB);
    const res = await post(org.repE, { kind: 'morning', customerId: other, coreNeed: '随便写一个需求' });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('客户不存在');
    expect(await h.db.getRepository(Checkin).count({ where: { memberId: org.repE.id } })).toBe(0);
  });

  it('malformed input is refused with the field named in Chinese', async () => {
    const c = await customerOf(org.repE);
    const long = await post(org.repE, { kind: 'morning', customerId: c, coreNeed: '需'.repeat(101) });
    expect(long.status).toBe(422);
    expect(long.body.error.fields.coreNeed).toContain('核心需求');
    const blank = await post(org.repE, { kind: 'morning', customerId: c, coreNeed: '   ' });
    expect(blank.body.error.fields.coreNeed).toContain('核心需求');
    const kind = await post(org.repE, { kind: 'noon', customerId: c, coreNeed: '需求' });
    expect(kind.status).toBe(422);
    expect(JSON.stringify(kind.body.error)).toContain('打卡类型');
    const id = await post(org.repE, { kind: 'morning', customerId: 'abc', coreNeed: '需求' });
    expect(id.status).toBe(422);
    const huge = await post(org.repE, { kind: 'morning', customerId: 99999999999, coreNeed: '需求' });
    expect([404, 422]).toContain(huge.status);
    const extra = await post(org.repE, { kind: 'morning', customerId: c, coreNeed: '需求需求', status: 'on_time' });
    expect(extra.status).toBe(422);
  });

  it('names a key customer unless the member owns none (a new supervisor writes only the focus)', async () => {
    const none = await post(org.repE, { kind: 'morning', coreNeed: '今天最重要的事情' });
    expect(none.status).toBe(422);
    expect(none.body.error.fields.customerId).toBe('请选择今天的重点客户');
    const sup = await post(org.supervisor3, { kind: 'morning', coreNeed: '带新人拜访三家医院' });
    expect(sup.status).toBe(201);
    expect(sup.body).toMatchObject({ status: 'late', customerId: null });
  });

  it('the database refuses a check-in of a member or customer that does not exist', async () => {
    const row = (memberId: number, customerId: number | null) =>
      h.db.query("INSERT INTO checkin (memberId, day, kind, slot, customerId, status, windowClosesAt, createdAt) VALUES (?, '2026-11-02', 'morning', 'morning', ?, 'missing', ?, ?)", [memberId, customerId, '2026-11-02 02:00:00.000', '2026-11-02 02:00:00.000']);
    await expect(row(987654, null)).rejects.toThrow();
    await expect(row(org.repA.id, 987654)).rejects.toThrow();
  });

  it('finance and marketing do not check in (403)', async () => {
    const res = await post(org.finance, { kind: 'morning', customerId: 1, coreNeed: '需求需求' });
    expect(res.status).toBe(403);
  });
});

describe('the check-in after a visit', () => {
  let visitId: number;
  let secondVisit: number;
  beforeAll(async () => {
    h.clock.set(at('2026-11-20T03:00:00Z')); // 11:00 local
    const customer = await customerOf(org.repA);
    const v = await submitVisit(h, org.token(org.repA), { ...completeVisit(customer), customerVerbatim: '价格能再谈就下周签' });
    expect(v.status).toBe(201);
    visitId = v.body.id;
    const v2 = await submitVisit(h, org.token(org.repA), completeVisit(customer));
    secondVisit = v2.body.id;
  });

  it('is prefilled from the visit: the customer words and the action promised', async () => {
    const res = await today(org.repA);
    expect(res.status).toBe(200);
    const line = res.body.visits.find((v: { visitId: number }) => v.visitId === visitId);
    expect(line.state).toBe('open');
    expect(line.prefill.customerWords).toBe('价格能再谈就下周签');
    expect(line.prefill.promisedAction).toMatch(/^安排演示，11\/24 14:30上门跟进$/);
  });

  it('confirmed as is (no retyping) exactly 30 minutes after the visit: on time, answers from the visit', async () => {
    h.clock.set(at('2026-11-20T03:30:00Z'));
    const res = await post(org.repA, { kind: 'visit', visitId });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'on_time', visitId, day: '2026-11-20' });
    expect(res.body.answers).toMatchObject({ customerWords: '价格能再谈就下周签', corrected: false });
    expect((await post(org.repA, { kind: 'visit', visitId })).status).toBe(409);
  });

  it('corrected a second later: late, with the correction kept', async () => {
    h.clock.set(at('2026-11-20T03:30:01Z'));
    const res = await post(org.repA, { kind: 'visit', visitId: secondVisit, promisedAction: '周二上门演示并带样品' });
    expect(res.body).toMatchObject({ status: 'late' });
    expect(res.body.answers).toMatchObject({ promisedAction: '周二上门演示并带样品', corrected: true });
  });

  it("another rep's visit is not found", async () => {
    const res = await post(org.repB, { kind: 'visit', visitId });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('CHECKIN_NO_VISIT');
  });
});

describe('the evening check-in', () => {
  let ids: number[];
  beforeAll(async () => {
    h.clock.set(at('2026-11-20T04:00:00Z'));
    ids = [await customerOf(org.repB), await customerOf(org.repB), await customerOf(org.repB)];
    // two of them visited (an agreed action and a follow-up ahead), the third never
    for (const id of ids.slice(0, 2)) expect((await submitVisit(h, org.token(org.repB), completeVisit(id))).status).toBe(201);
  });

  it('before 17:00 local is refused', async () => {
    h.clock.set(at('2026-11-20T08:59:00Z'));
    const res = await post(org.repB, { kind: 'evening', customerIds: ids });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('CHECKIN_NOT_OPEN');
  });

  it('shows each candidate with whether it has an action and a reminder, and is not complete while one lacks them', async () => {
    h.clock.set(at('2026-11-20T10:00:00Z')); // 18:00 local
    const t = await today(org.repB);
    expect(t.body.evening.state).toBe('open');
    const third = t.body.evening.candidates.find((c: { customerId: number }) => c.customerId === ids[2]);
    expect(third).toMatchObject({ hasAction: false, hasReminder: false });
    const res = await post(org.repB, { kind: 'evening', customerIds: ids });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('CHECKIN_INCOMPLETE');
    expect(res.body.error.fields['customerIds.2']).toMatch(/还没有约定动作和跟进提醒/);
    const two = await post(org.repB, { kind: 'evening', customerIds: ids.slice(0, 2) });
    expect(two.body.error.fields.customerIds).toContain('3 位');
    const dup = await post(org.repB, { kind: 'evening', customerIds: [ids[0], ids[0], ids[1]] });
    expect(dup.status).toBe(422);
  });

  it('a missing follow-up is fixed on the spot (its reminder follows), then the check-in completes', async () => {
    // never visited: nothing to follow up yet
    const none = await api(h.url, 'POST', '/api/v1/checkins/follow-up', {
      token: org.token(org.repB), json: { customerId: ids[2], agreedAction: '发送方案', nextFollowUpDate: '2026-11-21', nextFollowUpTime: '10:00', nextFollowUpForm: '电话' },
    });
    expect(none.status).toBe(422);
    expect(none.body.error.fields.customerId).toContain('拜访');
    expect((await submitVisit(h, org.token(org.repB), { ...completeVisit(ids[2]!), nextFollowUpDate: '2026-11-20', nextFollowUpTime: '18:30' })).status).toBe(201);
    h.clock.set(at('2026-11-20T10:45:00Z')); // 18:45: that follow-up has passed, no reminder ahead
    const t = await today(org.repB);
    expect(t.body.evening.candidates.find((c: { customerId: number }) => c.customerId === ids[2])).toMatchObject({ hasAction: true, hasReminder: false });
    const past = await api(h.url, 'POST', '/api/v1/checkins/follow-up', {
      token: org.token(org.repB), json: { customerId: ids[2], agreedAction: '发送方案', nextFollowUpDate: '2026-11-20', nextFollowUpTime: '08:00', nextFollowUpForm: '电话' },
    });
    expect(past.body.error.fields.nextFollowUpDate).toContain('必须晚于现在');
    const other = await api(h.url, 'POST', '/api/v1/checkins/follow-up', {
      token: org.token(org.repA), json: { customerId: ids[2], agreedAction: '发送方案', nextFollowUpDate: '2026-11-21', nextFollowUpTime: '10:00', nextFollowUpForm: '电话' },
    });
    expect(other.status).toBe(404);
    const fixed = await api(h.url, 'POST', '/api/v1/checkins/follow-up', {
      token: org.token(org.repB), json: { customerId: ids[2], agreedAction: '发送方案', nextFollowUpDate: '2026-11-21', nextFollowUpTime: '10:00', nextFollowUpForm: '电话' },
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ hasAction: true, hasReminder: true, agreedAction: '发送方案' });
    const jobs: Array<{ dueAt: Date | string }> = await h.db.query("SELECT dueAt FROM job WHERE kind = 'visit.reminder' AND status = 'pending' AND subject LIKE 'visit:%' ORDER BY id DESC");
    expect(jobs.length).toBeGreaterThan(0);
    const res = await post(org.repB, { kind: 'evening', customerIds: ids });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'on_time', day: '2026-11-20' });
    expect((res.body.answers.customers as unknown[]).length).toBe(3);
    // Friday evening names Monday's customers: the next working day
    expect(res.body.answers.tomorrow).toBe('2026-11-23');
  });
});

describe('window ends: missing rows and one reminder, on working days only', () => {
  it('at 10:00:01 local each member without a morning check-in gets a missing row and one reminder, once however often the job runs', async () => {
    const before = (await reminders()).length;
    h.clock.set(at('2026-11-20T11:00:00Z')); // 19:00 local: the morning and the visits' windows have closed
    await h.services.jobs.runDue();
    h.clock.advance(6 * 60_000);
    await h.services.jobs.runDue();
    h.clock.advance(6 * 60_000);
    await h.services.jobs.runDue();
    const morning = await h.db.getRepository(Checkin).find({ where: { day: '2026-11-20', slot: 'morning' } });
    // repA, repB on time, repC late; every other rep and supervisor missing, once each
    const byMember = new Map(morning.map((r) => [r.memberId, r.status]));
    expect(byMember.get(org.repA.id)).toBe('on_time');
    expect(byMember.get(org.repC.id)).toBe('late');
    for (const m of [org.repE, org.supervisor1, org.supervisor2]) expect(byMember.get(m.id)).toBe('missing');
    expect(byMember.get(org.supervisor3.id)).toBe('late');
    expect(byMember.has(org.finance.id)).toBe(false);
    const sent = (await reminders()).slice(before).filter((m) => (m.payload as { kind: string }).kind === 'morning');
    expect(sent.map((m) => (m.payload as { memberId: number }).memberId).sort()).toEqual([org.repE.id, org.supervisor1.id, org.supervisor2.id].sort());
    // repB's three visits went without their check-in: missing each, one reminder each; repA's two were done
    const visitRows = await h.db.getRepository(Checkin).find({ where: { kind: 'visit' } });
    expect(visitRows.filter((r) => r.memberId === org.repB.id).map((r) => r.status)).toEqual(['missing', 'missing', 'missing']);
    expect(visitRows.filter((r) => r.memberId === org.repA.id).map((r) => r.status).sort()).toEqual(['late', 'on_time']);
    const visitReminders = (await reminders()).filter((m) => (m.payload as { kind: string }).kind === 'visit');
    expect(visitReminders.map((m) => (m.payload as { memberId: number }).memberId)).toEqual([org.repB.id, org.repB.id, org.repB.id]);
  });

  it('the reminder is a WeCom app text naming the window, with a link to 打卡', async () => {
    await h.db.query('UPDATE member SET wecomUserId = ? WHERE id = ?', ['wx-rep-e', org.repE.id]);
    const [message] = (await reminders()).filter((m) => (m.payload as { memberId: number }).memberId === org.repE.id);
    const env = { ...h.env, wecom: { corpId: 'corp', agentId: 1000002, secret: 's' } } as Env;
    const kit = new MessageKit(env, h.policy, messageDirectory);
    const planned = await withSqlTransaction(h.db, (sql) => checkinMessages['checkin.reminder']!(sql, message!, kit));
    expect(planned).toHaveLength(1);
    const body = JSON.stringify(planned[0]!.body);
    expect(body).toContain('wx-rep-e');
    expect(body).toContain('【打卡提醒】早间打卡已于 2026-11-20 10:00 截止');
    expect(body).toContain('packages/checkins/index');
  });

  it('a late check-in after the missing row turns it late, not on time and not a second row', async () => {
    const c = await customerOf(org.repE);
    const res = await post(org.repE, { kind: 'morning', customerId: c, coreNeed: '补打早间打卡' });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('late');
    expect(await h.db.getRepository(Checkin).count({ where: { memberId: org.repE.id, day: '2026-11-20', slot: 'morning' } })).toBe(1);
    expect((await post(org.repE, { kind: 'morning', customerId: c, coreNeed: '第三次' })).status).toBe(409);
  });

  it('the evening window end (22:00 local) writes its missing rows once; a second server and a restart add nothing', async () => {
    h.clock.set(at('2026-11-20T14:00:01Z'));
    await h.services.jobs.runDue();
    const second = await startHarness({ sharedDatabaseUrl: h.dbUrl, now: at('2026-11-20T14:30:00Z'), env: { ANCHOR_UPLOAD_DIR: h.env.uploadDir } });
    try {
      await second.services.jobs.seedRecurring();
      h.clock.set(at('2026-11-20T14:30:00Z'));
      await Promise.all([second.services.jobs.runDue(), h.services.jobs.runDue()]);
    } finally {
      await second.close();
    }
    const evening = await h.db.getRepository(Checkin).find({ where: { day: '2026-11-20', slot: 'evening' } });
    expect(evening.filter((r) => r.memberId === org.repB.id).map((r) => r.status)).toEqual(['on_time']);
    expect(evening.filter((r) => r.status === 'missing')).toHaveLength(6);
    const sent = (await reminders()).filter((m) => (m.payload as { kind: string }).kind === 'evening');
    expect(sent).toHaveLength(6);
    expect(new Set(sent.map((m) => (m.payload as { memberId: number }).memberId)).size).toBe(6);
  });

  it('nobody is chased on a Saturday', async () => {
    const before = (await reminders()).length;
    const rows = await h.db.getRepository(Checkin).count();
    h.clock.set(at('2026-11-21T14:30:00Z')); // Saturday 22:30 local
    await h.services.jobs.runDue();
    expect(await h.db.getRepository(Checkin).count()).toBe(rows);
    expect((await reminders()).length).toBe(before);
    const t = await today(org.repA);
    expect(t.body).toMatchObject({ day: '2026-11-21', workingDay: false });
    expect(t.body.morning.state).toBe('off');
  });
});

describe('home and the team view', () => {
  it("the home screen carries the rep's day; finance has none", async () => {
    h.clock.set(at('2026-11-20T12:00:00Z'));
    const home = await api(h.url, 'GET', '/api/v1/home', { token: org.token(org.repA) });
    expect(home.body.checkins).toMatchObject({ day: '2026-11-20', morning: 'on_time', evening: 'missing' });
    expect(home.body.checkins.visits).toMatchObject({ total: 2, onTime: 1, late: 1 });
    const fin = await api(h.url, 'GET', '/api/v1/home', { token: org.token(org.finance) });
    expect(fin.body.checkins).toBeNull();
  });

  it("a supervisor sees their team's day; another team is not found; a rep may not look", async () => {
    const res = await api(h.url, 'GET', '/api/v1/checkins/team?day=2026-11-20', { token: org.token(org.supervisor1) });
    expect(res.status).toBe(200);
    const names = Object.fromEntries(res.body.members.map((m: { name: string; morning: string }) => [m.name, m.morning]));
    expect(names).toMatchObject({ 代表甲: 'on_time', 代表乙: 'on_time', 一组主管: 'missing' });
    expect(names['代表丙']).toBeUndefined();
    expect((await api(h.url, 'GET', `/api/v1/checkins/team?teamId=${org.teamIds.team2}`, { token: org.token(org.supervisor1) })).status).toBe(404);
    expect((await api(h.url, 'GET', `/api/v1/checkins/team?teamId=${org.teamIds.team2}`, { token: org.token(org.directorEast) })).status).toBe(200);
    expect((await api(h.url, 'GET', '/api/v1/checkins/team', { token: org.token(org.repA) })).status).toBe(403);
    expect((await api(h.url, 'GET', '/api/v1/checkins/team?day=2026-02-30', { token: org.token(org.supervisor1) })).status).toBe(422);
  });
});

describe('the policy', () => {
  const base = readFileSync(DEFAULT_POLICY_PATH, 'utf8');
  const bad = (from: string, to: string) => () => parsePolicy(base.replace(from, to), 'policy.yaml');

  it('refuses a window that closes before it opens, or a bad time, naming the key path', () => {
    expect(bad("morning: { opens: '07:00', closes: '10:00' }", "morning: { opens: '10:00', closes: '07:00' }")).toThrow(/checkins\.morning\.closes/);
    expect(bad("evening: { opens: '17:00', closes: '22:00' }", "evening: { opens: '17:00', closes: '24:30' }")).toThrow(/checkins\.evening\.closes：须为 HH:mm/);
    expect(bad('afterVisitMinutes: 30', 'afterVisitMinutes: 0')).toThrow(/checkins\.afterVisitMinutes/);
    expect(bad('workingWeekdays: [1, 2, 3, 4, 5]', 'workingWeekdays: [1, 8]')).toThrow(/checkins\.workingWeekdays\.1/);
    expect(bad("holidays: ['2026-01-01'", "holidays: ['2026-02-30'")).toThrow(/checkins\.holidays\.0/);
    expect(bad('makeUpWorkdays: []', "makeUpWorkdays: ['2026-01-01']")).toThrow(ConfigError);
  });

  it('a working day: weekdays, minus holidays, plus make-up days; the local day follows the zone', () => {
    const cal = { workingWeekdays: [1, 2, 3, 4, 5], holidays: ['2026-10-01'], makeUpWorkdays: ['2026-10-10'] };
    expect(isWorkingDay('2026-11-20', cal)).toBe(true);
    expect(isWorkingDay('2026-11-21', cal)).toBe(false);
    expect(isWorkingDay('2026-10-01', cal)).toBe(false);
    expect(isWorkingDay('2026-10-10', cal)).toBe(true);
    expect(localDay(at('2026-11-19T16:00:00Z'), 'Asia/Shanghai')).toBe('2026-11-20');
    expect(localDay(at('2026-11-19T15:59:59Z'), 'Asia/Shanghai')).toBe('2026-11-19');
  });
});

describe('the policy calendar and the evening boundaries, on their own server', () => {
  let h2: Harness;
  let org2: OrgFixture;
  beforeAll(async () => {
    const policy = loadPolicy();
    // Friday the 20th a holiday, Saturday the 21st a make-up working day (调休)
    h2 = await startHarness({ now: at('2026-11-20T10:00:00Z'), policy: { ...policy, checkins: { ...policy.checkins, holidays: ['2026-11-20'], makeUpWorkdays: ['2026-11-21'] } } });
    org2 = await buildOrg(h2);
    await h2.services.jobs.seedRecurring();
  });
  afterAll(() => h2.close());

  it('a holiday chases nobody; the make-up Saturday does', async () => {
    h2.clock.set(at('2026-11-20T15:00:00Z')); // 23:00 on the holiday
    await h2.services.jobs.runDue();
    expect(await h2.db.getRepository(Checkin).count()).toBe(0);
    expect(await h2.db.getRepository(OutboxMessage).count({ where: { kind: 'checkin.reminder' } })).toBe(0);
    h2.clock.set(at('2026-11-21T02:10:00Z')); // 10:10 on the make-up Saturday
    await h2.services.jobs.runDue();
    const rows = await h2.db.getRepository(Checkin).find({ where: { day: '2026-11-21', slot: 'morning' } });
    expect(rows.length).toBe(7);
    expect(rows.every((r) => r.status === 'missing')).toBe(true);
    expect(await h2.db.getRepository(OutboxMessage).count({ where: { kind: 'checkin.reminder' } })).toBe(7);
  });

  it('the evening: exactly 22:00 local on time; 23:59 local late; 00:00 local the next day not yet open', async () => {
    const t = { token: org2.token(org2.repA) };
    const evening = (json: unknown) => api(h2.url, 'POST', '/api/v1/checkins', { ...t, json });
    h2.clock.set(at('2026-11-21T14:00:00Z'));
    expect((await evening({ kind: 'evening', customerIds: [] })).body).toMatchObject({ status: 'on_time', day: '2026-11-21' });
    const b = { token: org2.token(org2.repB) };
    h2.clock.set(at('2026-11-21T15:59:00Z'));
    expect((await api(h2.url, 'POST', '/api/v1/checkins', { ...b, json: { kind: 'evening', customerIds: [] } })).body).toMatchObject({ status: 'late', day: '2026-11-21' });
    const c = { token: org2.token(org2.repC) };
    h2.clock.set(at('2026-11-21T16:00:00Z')); // midnight local: Sunday
    const next = await api(h2.url, 'POST', '/api/v1/checkins', { ...c, json: { kind: 'evening', customerIds: [] } });
    expect(next.status).toBe(422);
    expect(next.body.error.message).toContain('17:00');
  });
});

describe('the evening fix never rewrites an action already done', () => {
  it('a customer whose latest agreed action is marked done is refused (a new promise needs a new visit); the done action stays', async () => {
    h.clock.set(at('2026-11-24T02:00:00Z')); // Tuesday 10:00 local
    const customerId = await customerOf(org.repB);
    const visit = await submitVisit(h, org.token(org.repB), { ...completeVisit(customerId), nextFollowUpDate: '2026-11-24', nextFollowUpTime: '15:00' });
    expect(visit.status).toBe(201);
    const done = await api(h.url, 'POST', `/api/v1/visits/${visit.body.id}/action-done`, { token: org.token(org.repB), json: { note: '方案已发' } });
    expect(done.status).toBe(200);
    h.clock.set(at('2026-11-24T10:00:00Z')); // 18:00: the follow-up has passed
    const fix = await api(h.url, 'POST', '/api/v1/checkins/follow-up', {
      token: org.token(org.repB), json: { customerId, agreedAction: '安排演示', nextFollowUpDate: '2026-11-25', nextFollowUpTime: '10:00', nextFollowUpForm: '上门' },
    });
    expect(fix.status).toBe(409);
    expect(fix.body.error.code).toBe('FOLLOW_UP_ACTION_DONE');
    expect(fix.body.error.message).toContain('请先记录一次拜访');
    const [row] = (await h.db.query('SELECT agreedAction, actionDoneAt FROM visit WHERE id = ?', [visit.body.id])) as { agreedAction: string; actionDoneAt: unknown }[];
    expect(row!.agreedAction).toBe(completeVisit(customerId).agreedAction);
    expect(row!.actionDoneAt).not.toBeNull();
  });
});
