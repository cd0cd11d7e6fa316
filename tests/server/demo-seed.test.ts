import { instantToWallClock } from '@anchor/shared';
import { IsNull, Not } from 'typeorm';
import { seedDemo } from '../../server/src/demo/seed';
import { isSqlite } from '../../server/src/db/data-source';
import { withSqlTransaction } from '../../server/src/db/tx';
import { windowEndJob } from '../../server/src/modules/checkins/window-end.job';
import { Job } from '../../server/src/jobs/job.entity';
import { Customer } from '../../server/src/modules/customers/customer.entity';
import { CustomerStageChange } from '../../server/src/modules/customers/customer-history.entity';
import { CustomerGrade } from '../../server/src/modules/grading/customer-grade.entity';
import { Member } from '../../server/src/modules/org/member.entity';
import { Todo } from '../../server/src/modules/tasks/todo.view';
import { FirstTouch } from '../../server/src/modules/visits/first-touch.entity';
import { Visit } from '../../server/src/modules/visits/visit.entity';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';

let h: Harness;
const tokens = new Map<string, string>();

beforeAll(async () => {
  h = await startHarness();
  await seedDemo(h.db, h.policy, h.clock);
  for (const m of await h.db.getRepository(Member).find()) tokens.set(m.name, (await h.services.auth.issueSession(m, 'wechat')).token);
});
afterAll(() => h.close());

const get = (who: string, path: string) => api(h.url, 'GET', `/api/v1${path}`, { token: tokens.get(who)! });

describe('the seeded demo company', () => {
  it('works in working hours: every visit and first touch between 08:00 and 18:00 local (not 拜访于 01:37)', async () => {
    const visits = await h.db.getRepository(Visit).find({ where: { submittedAt: Not(IsNull()) } });
    const touches = await h.db.getRepository(FirstTouch).find();
    const hours = [...visits.map((v) => v.submittedAt!), ...touches.map((t) => t.touchedAt)].map((at) => instantToWallClock(at, h.policy.timeZone).getUTCHours());
    expect(hours.length).toBeGreaterThan(100);
    expect(hours.filter((x) => x < 8 || x >= 18)).toEqual([]);
  });

  it('has a visit or a first touch behind every 最近跟进 time', async () => {
    const followed = await h.db.getRepository(Customer).find({ where: { lastFollowUpAt: Not(IsNull()) } });
    expect(followed.length).toBeGreaterThan(200);
    const visits = await h.db.getRepository(Visit).find({ where: { submittedAt: Not(IsNull()) } });
    const touches = await h.db.getRepository(FirstTouch).find();
    const behind = new Map<number, number>();
    // the newest visit (the dashboards' history adds earlier ones to some customers)
    for (const v of visits) if (v.memberId) behind.set(v.customerId, Math.max(behind.get(v.customerId) ?? 0, v.submittedAt!.getTime()));
    for (const t of touches) behind.set(t.customerId, t.touchedAt.getTime());
    const without = followed.filter((c) => behind.get(c.id) !== c.lastFollowUpAt!.getTime()).map((c) => c.name);
    expect(without).toEqual([]);
    // each by the customer's owner
    const owners = new Map(followed.map((c) => [c.id, c.ownerId]));
    expect(visits.filter((v) => owners.has(v.customerId) && owners.get(v.customerId) !== v.memberId)).toEqual([]);
    expect(touches.length).toBeGreaterThan(0);
  });

  it("shows the timeline of a followed customer with its visit and the supervisor's to-do", async () => {
    const [visit] = await h.db.getRepository(Visit).find({ where: { submittedAt: Not(IsNull()) }, order: { id: 'ASC' }, take: 1 });
    const customer = await h.db.getRepository(Customer).findOneByOrFail({ id: visit!.customerId });
    const owner = await h.db.getRepository(Member).findOneByOrFail({ id: customer.ownerId });
    const timeline = await get(owner.name, `/customers/${customer.id}/timeline`);
    expect(timeline.status).toBe(200);
    const types = timeline.body.items.map((e: { type: string }) => e.type);
    expect(types).toContain('visit');
    expect(types).toContain('todo');
    expect(timeline.body.items.find((e: { type: string }) => e.type === 'visit')).toMatchObject({ at: customer.lastFollowUpAt!.toISOString(), status: 'submitted' });
  });

  it("gives each supervisor cards to confirm, each naming the rep, and the director the region's escalations", async () => {
    for (const supervisor of ['陈主管', '林主管']) {
      const cards = await get(supervisor, '/todos?as=assignee&status=open');
      expect(cards.body.total).toBeGreaterThan(0);
      for (const card of cards.body.items) expect(card.snapshot.rep.name).toMatch(/\S/);
      const done = await get(supervisor, '/todos?as=assignee&status=confirmed');
      expect(done.body.total).toBeGreaterThan(0);
    }
    const escalated = await get('周建国', '/todos?as=escalated&status=open');
    expect(escalated.body.total).toBeGreaterThan(0);
    for (const t of escalated.body.items) {
      expect(t).toMatchObject({ escalated: true, assignee: { role: 'supervisor' } });
      expect(t.overdueMinutes).toBeGreaterThan(0);
    }
    // open to-dos still inside their 48 h escalate on their own later
    const open = await h.db.getRepository(Todo).find({ where: { confirmedAt: IsNull(), escalatedAt: IsNull() } });
    const timers = await h.db.getRepository(Job).find({ where: { kind: 'todo.escalate', status: 'pending' } });
    expect(new Set(timers.map((j) => j.subject))).toEqual(new Set(open.map((t) => `visit:${t.visitId}`)));
  });

  it("gives every rep's home a visit waiting and leads to touch", async () => {
    for (const rep of await h.db.getRepository(Member).find({ where: { role: 'rep' } })) {
      const home = await get(rep.name, '/home');
      expect(home.status).toBe(200);
      expect(home.body.leadsAwaitingFirstTouch.count).toBe(2);
      expect(home.body.pendingVisits.count).toBeLessThanOrEqual(1);
    }
    const waiting = await h.db.getRepository(Visit).count({ where: { submittedAt: IsNull() } });
    expect(waiting).toBeGreaterThan(4);
    expect(await h.db.getRepository(Customer).sum('waitingVisits')).toBe(waiting);
  });

  it('has a month of daily check-ins for the team: mostly on time, some late, some missing, none on days off', async () => {
    const rows: Array<{ day: string; kind: string; status: string; n: number }> = await h.db.query('SELECT day, kind, status, COUNT(*) AS n FROM checkin GROUP BY day, kind, status');
    const days = new Set(rows.map((r) => r.day));
    expect(days.size).toBeGreaterThanOrEqual(18);
    const count = (status: string) => rows.filter((r) => r.status === status).reduce((n, r) => n + Number(r.n), 0);
    expect(count('on_time')).toBeGreaterThan(count('late'));
    expect(count('late')).toBeGreaterThan(0);
    expect(count('missing')).toBeGreaterThan(0);
    expect(rows.some((r) => r.kind === 'visit')).toBe(true);
    for (const day of days) expect([0, 6]).not.toContain(new Date(`${day}T00:00:00Z`).getUTCDay());
    const supervisor = (await h.db.getRepository(Member).findOneByOrFail({ role: 'supervisor' })).name;
    const team = await get(supervisor, `/checkins/team?day=${[...days].sort().at(-1)}`);
    expect(team.status).toBe(200);
    expect(team.body.members.length).toBeGreaterThanOrEqual(5);
  });

  it("has today's day in progress: closed windows answered (the start-up job has nobody to chase for them), open ones partly done", async () => {
    // the harness's now: Friday 10:00 local, the morning window just closed
    const today: Array<{ kind: string; status: string; n: number }> = await h.db.query("SELECT kind, status, COUNT(*) AS n FROM checkin WHERE day = '2026-11-20' GROUP BY kind, status");
    const members = (await h.db.getRepository(Member).find()).filter((m) => m.role === 'rep' || m.role === 'supervisor').length;
    expect(today.filter((r) => r.kind === 'morning').reduce((n, r) => n + Number(r.n), 0)).toBe(members);
    expect(today.some((r) => r.kind === 'evening')).toBe(false); // 17:00 has not come
    const before = Number((await h.db.query("SELECT COUNT(*) AS n FROM outbox_message WHERE kind = 'checkin.reminder'"))[0].n);
    // the window-end job alone (running every due job would also run the 72 h regrade the grade story waits for)
    await withSqlTransaction(h.db, (sql) => windowEndJob(h.policy, isSqlite(h.db)).run([], sql, h.clock.now()));
    const reminders: Array<{ payload: string | { kind: string; day: string } }> = await h.db.query("SELECT payload FROM outbox_message WHERE kind = 'checkin.reminder'");
    const morningToday = reminders.slice(before).map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload)).filter((p) => p.kind === 'morning' && p.day === '2026-11-20');
    expect(morningToday).toEqual([]);
  });

  it('has a month of sign-ins: most visits linked to one near the customer, some far, the chip on the card', async () => {
    const rows = (await h.db.query('SELECT localDay, visitId, distance, tooFar, memberId FROM signin')) as Array<{ localDay: string; visitId: number | null; distance: number | null; tooFar: number | boolean; memberId: number }>;
    const days = new Set(rows.map((r) => r.localDay));
    expect(days.size).toBeGreaterThan(20);
    const linked = rows.filter((r) => r.visitId !== null);
    expect(linked.length).toBeGreaterThan(100);
    expect(linked.filter((r) => !!r.tooFar).length).toBeGreaterThan(0);
    expect(linked.filter((r) => r.distance !== null && !r.tooFar).length).toBeGreaterThan(linked.length / 2);
    // every rep signed in
    const reps = await h.db.getRepository(Member).find({ where: { role: 'rep' } });
    for (const rep of reps) expect(rows.some((r) => Number(r.memberId) === rep.id)).toBe(true);
    // a proposed location waits for a supervisor
    const proposed = (await h.db.query('SELECT COUNT(*) AS n FROM customer_location WHERE confirmedAt IS NULL')) as { n: number }[];
    expect(Number(proposed[0]!.n)).toBeGreaterThan(0);
    // the card snapshot carries the same chip the visit detail shows
    const todo = (await h.db.getRepository(Todo).find({ take: 50 })).find((t) => t.snapshot.visit.signin?.startsWith('已签到'))!;
    const detail = await get('系统管理员', `/visits/${todo.visitId}`);
    expect(detail.body.signinChip).toBe(todo.snapshot.visit.signin);
  });

  it("has what the dashboards read: feedback on most visits, agreed actions done on time and late, two lost customers, two new reps", async () => {
    const visits = await h.db.getRepository(Visit).find({ where: { submittedAt: Not(IsNull()) } });
    const withFeedback = visits.filter((v) => v.customerFeedback);
    expect(withFeedback.length).toBeGreaterThan(visits.length * 0.75);
    expect(new Set(withFeedback.map((v) => v.customerFeedback))).toEqual(new Set(['积极', '中性', '消极']));
    const done = visits.filter((v) => v.actionDoneAt);
    expect(done.filter((v) => v.actionDoneOnTime).length).toBeGreaterThan(20);
    expect(done.filter((v) => !v.actionDoneOnTime).length).toBeGreaterThan(5);
    for (const v of done) {
      expect(!!v.actionDoneOnTime).toBe(v.actionDoneAt!.getTime() <= v.nextFollowUpAt!.getTime());
      expect(v.actionDoneAt!.getTime()).toBeLessThanOrEqual(h.clock.now().getTime());
      expect(v.actionDoneById).toBe(v.memberId);
    }
    // some due actions were never marked: the completion rate is not 100 %
    expect(visits.filter((v) => !v.actionDoneAt && v.nextFollowUpAt!.getTime() < h.clock.now().getTime()).length).toBeGreaterThan(5);

    const lost = await h.db.getRepository(Customer).find({ where: { closedAt: Not(IsNull()) } });
    expect(lost.map((c) => [c.stage, c.closedReason])).toEqual(expect.arrayContaining([['quote', '竞品锁定'], ['proposal', '价格']]));
    expect(lost).toHaveLength(2);
    for (const c of lost) {
      const row = await h.db.getRepository(CustomerStageChange).findOneByOrFail({ customerId: c.id, kind: 'closed_lost' });
      expect([row.reason, row.changedAt.toISOString()]).toEqual([c.closedReason, c.closedAt!.toISOString()]);
    }

    const reps = await h.db.getRepository(Member).find({ where: { role: 'rep' } });
    const fresh = reps.filter((r) => h.clock.now().getTime() - r.joinedAt!.getTime() < 90 * 86_400_000);
    expect(fresh.map((r) => r.name).sort()).toEqual(['冯晓', '郑新']);
    for (const rep of fresh) {
      const owned = await h.db.getRepository(Customer).find({ where: { ownerId: rep.id } });
      expect(owned.length).toBeGreaterThan(5);
      expect(owned.filter((c) => c.createdAt.getTime() < rep.joinedAt!.getTime())).toEqual([]);
    }
    // at least one of them has signed a deal since joining
    const signed = (await h.db.getRepository(CustomerStageChange).find({ where: { toStage: 'signed', kind: 'stage' } })).filter((r) => fresh.some((f) => f.id === r.changedById));
    expect(signed.length).toBeGreaterThan(0);
  });

  it('has a month of grade history from the model: scheduled runs every 72 h, some customers changing grade, each customer graded as its newest run says', async () => {
    const customers = await h.db.getRepository(Customer).find();
    const runs = await h.db.getRepository(CustomerGrade).find({ order: { gradedAt: 'ASC', id: 'ASC' } });
    const byCustomer = new Map<number, CustomerGrade[]>();
    for (const r of runs) byCustomer.set(r.customerId, [...(byCustomer.get(r.customerId) ?? []), r]);
    // every customer has a history, its newest run is its grade, and the model agrees with that run
    expect(customers.filter((c) => byCustomer.get(c.id)?.at(-1)?.grade !== c.grade).map((c) => c.name)).toEqual([]);
    const now = h.clock.now().getTime();
    // Regrading now gives each customer its newest run again, except the grading strategies' story: after their
    // last run the first rep's top hospitals (up to two) rose to A+ and one B customer of each team's first rep fell.
    const moved: string[] = [];
    const firstRep = (await h.db.getRepository(Member).find({ where: { role: 'rep' }, order: { id: 'ASC' } }))[0]!;
    for (const c of customers) {
      const newest = byCustomer.get(c.id)!.at(-1)!;
      const again = await api(h.url, 'POST', `/api/v1/customers/${c.id}/grade`, { token: tokens.get('系统管理员')! });
      if (again.body.grade === newest.grade) expect(again.body.score).toBe(newest.score);
      else moved.push(`${c.ownerId === firstRep.id && again.body.grade === 'A+' ? 'rise' : c.grade}→${again.body.grade}`);
    }
    expect(moved.filter((m) => m === 'B→C')).toHaveLength(2);
    const rises = moved.filter((m) => m === 'rise→A+').length;
    expect(rises === 1 || rises === 2).toBe(true);
    expect(moved).toHaveLength(2 + rises);
    // several scheduled runs a month, 72 h apart, none in the future
    const scheduled = [...new Set(runs.filter((r) => r.reason === 'scheduled').map((r) => r.gradedAt.getTime()))].sort();
    expect(scheduled.length).toBeGreaterThanOrEqual(9);
    expect(scheduled.at(-1)!).toBeLessThan(now);
    expect(scheduled.at(-1)! - scheduled[0]!).toBeGreaterThan(25 * 24 * 3600_000);
    expect(new Set(scheduled.slice(1).map((t, i) => t - scheduled[i]!))).toEqual(new Set([h.policy.limits.regradeIntervalHours * 3600_000]));
    expect(new Set(runs.map((r) => r.reason))).toEqual(new Set(['scheduled', 'import', 'on_demand']));
    // some customers changed grade during the month, and every grade appears today
    const changed = [...byCustomer.values()].filter((list) => new Set(list.map((r) => r.grade)).size > 1);
    expect(changed.length).toBeGreaterThan(customers.length / 10);
    expect(new Set(customers.map((c) => c.grade))).toEqual(new Set(h.policy.grading.grades.map((g) => g.grade)));
  });
});
