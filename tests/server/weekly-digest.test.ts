import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PAGES, type PageName } from '@anchor/shared';
import { loadPolicy } from '../../server/src/config/policy';
import { sqlDate } from '../../server/src/db/sql';
import { dueDigest, isoWeek, movedMost, nextDigestAfter, sendInstant } from '../../server/src/modules/dashboards/weekly-digest';
import type { Member } from '../../server/src/modules/org/member.entity';
import { Member as MemberEntity } from '../../server/src/modules/org/member.entity';
import { sqlTime } from '../support/database';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { DingtalkSimulator } from '../simulators/dingtalk-sim';
import { WecomSimulator } from '../simulators/wecom-sim';

/**
 * The weekly digest (README «Weekly digest») on a small data set whose week-over-week moves are worked out
 * by hand below. The digest of Monday 2026-11-30 08:30 Shanghai (00:30 UTC, ISO week 2026-W49) compares
 * 上周 11-23 … 11-29 with 前一周 11-16 … 11-22 (local days). Team 1 = 一组主管 S1, 代表甲 A, 代表乙 B; team 2 =
 * 二组主管 S2, 代表丙 C (same region 华东, director D1); team 3 = 三组主管 S3, 代表戊 E (region 西南, D2).
 * S1 and D1 read WeCom (the app); team 2's group has a DingTalk robot and S2 no WeCom; S3 and D2 nothing.
 */
const policy = loadPolicy();
const tz = policy.timeZone;
const ROBOT_TOKEN = 'd'.repeat(64);
const ROBOT_SECRET = 'SEC0123456789digest';
const PUBLIC_URL = 'https://anchor.example.cn';
const APP_CONFIG = readFileSync(path.resolve(__dirname, '../../miniprogram/src/app.config.ts'), 'utf8');
const MONDAY_0830 = new Date('2026-11-30T00:30:00Z');

let a: Harness;
let b: Harness;
let org: OrgFixture;
let wecom: WecomSimulator;
let ding: DingtalkSimulator;

const at = (utc: string) => `${utc}:00.000`;
async function insert(h: Harness, table: string, row: Record<string, unknown>): Promise<number> {
  const cols = Object.keys(row);
  const sqlite = h.db.options.type === 'better-sqlite3';
  const q = sqlite ? '"' : '`';
  await h.db.query(`INSERT INTO ${table} (${cols.map((k) => `${q}${k}${q}`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, Object.values(row));
  const [last] = await h.db.query(sqlite ? 'SELECT last_insert_rowid() AS id' : 'SELECT LAST_INSERT_ID() AS id');
  return Number(last.id);
}

let seq = 0;
/** A customer followed up on 11-29 (not overdue on 11-30) unless `lastFollowUpAt` says otherwise. */
async function customer(owner: Member, fields: { lastFollowUpAt?: string; leadAssignedAt?: string; firstTouchAt?: string } = {}): Promise<number> {
  seq++;
  return insert(a, 'customer', {
    name: `周报医院${seq}`, nameKey: `digest${seq}`, industry: '公立医院', stage: fields.leadAssignedAt ? 'lead' : 'visit', stageChangedAt: at('2026-10-01 00:00'), ownerId: owner.id, waitingVisits: 0,
    createdById: owner.id, lastFollowUpAt: at(fields.lastFollowUpAt ?? '2026-11-29 00:00'), createdAt: at('2026-09-01 00:00'), updatedAt: at('2026-11-01 00:00'),
    leadAssignedAt: fields.leadAssignedAt ? at(fields.leadAssignedAt) : null, firstTouchAt: fields.firstTouchAt ? at(fields.firstTouchAt) : null,
    firstTouchDueAt: fields.leadAssignedAt ? at(fields.leadAssignedAt) : null,
  });
}
/** A visit to a customer of its own, its next follow-up promised far ahead (so no follow-up is due in either week). */
async function visit(by: Member, submitted: string): Promise<void> {
  const customerId = await customer(by);
  await insert(a, 'visit', {
    customerId, memberId: by.id, objective: '建立联系', painPoint: '安装调试周期太长', dialogueSummary: '双方沟通了下一步的安排和时间节点', bottleneck: '其他', valuePoint: '快速响应',
    agreedAction: '发送方案', nextFollowUpAt: at('2026-12-31 02:00'), nextFollowUpForm: '电话', alert: 0, customerVerbatim: null, submittedAt: at(submitted), savedAt: at(submitted), createdAt: at(submitted),
  });
}
/** A lead assigned at `assigned`, touched `touchedAfterHours` later (48 h allowed). */
async function lead(owner: Member, assigned: string, touchedAfterHours: number): Promise<void> {
  const touched = new Date(Date.parse(`${assigned}:00Z`) + touchedAfterHours * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
  await customer(owner, { leadAssignedAt: assigned, firstTouchAt: touched });
}
let confirmCustomer = 0;
/** A visit's next-action to-do the supervisor confirms (48 h allowed), or never. */
async function confirmation(requester: Member, created: string, completed: string | null): Promise<void> {
  await insert(a, 'task', {
    kind: 'visit_next_action', subjectType: 'visit', subjectId: null, customerId: confirmCustomer, requesterId: requester.id, assigneeId: org.supervisor1.id, snapshot: '{}',
    dueAt: at(created), escalationTarget: 'manager', completedAt: completed ? at(completed) : null, outcome: completed ? 'done' : null, createdAt: at(created),
  });
}
async function checkin(who: Member, day: string, kind: 'morning' | 'evening', status: 'on_time' | 'late' | 'missing'): Promise<void> {
  await insert(a, 'checkin', {
    memberId: who.id, teamId: who.teamId, day, kind, slot: kind, status, answers: null,
    checkedInAt: status === 'missing' ? null : at(`${day} 01:00`), windowClosesAt: at(`${day} 02:00`), createdAt: at(`${day} 02:00`),
  });
}

type Digest = { memberId: number; week: string; overdue: number };
const digests = async (h: Harness, week?: string): Promise<Digest[]> =>
  (await h.db.query(`SELECT memberId, week, overdue FROM weekly_digest${week ? ' WHERE week = ?' : ''} ORDER BY memberId`, week ? [week] : [])).map((r: Digest) => ({ ...r, memberId: Number(r.memberId), overdue: Number(r.overdue) }));
const digestMessages = async (h: Harness): Promise<Array<{ id: number; payload: Record<string, any> }>> =>
  (await h.db.query("SELECT id, payload FROM outbox_message WHERE kind = 'dashboards.weekly_digest' ORDER BY id")).map((r: { id: number; payload: string }) => ({ id: Number(r.id), payload: JSON.parse(r.payload) }));
const jobDue = async (h: Harness) => sqlDate((await h.db.query("SELECT dueAt FROM job WHERE recurring = 'dashboards.weekly_digest'"))[0].dueAt);
const textOf = (card: any): string => card.template_card.sub_title_text;

beforeAll(async () => {
  wecom = await new WecomSimulator().start();
  ding = await new DingtalkSimulator().start();
  const env = {
    WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: wecom.secret, WECOM_TOKEN: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo', WECOM_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
    WECOM_API_BASE: wecom.url, DINGTALK_API_BASE: ding.url, PUBLIC_URL,
  };
  // Sunday 11-29 12:00 Shanghai: this Monday's digest (11-23) is past its catch-up window, and no check-in
  // window closed within the check-ins job's last day (its 缺卡 rows would join the hand-counted ones)
  a = await startHarness({ env, now: new Date('2026-11-29T04:00:00Z') });
  b = await startHarness({ env: { ...env, ANCHOR_UPLOAD_DIR: a.env.uploadDir }, sharedDatabaseUrl: a.dbUrl, now: a.clock.now() });
  for (const sim of [wecom, ding]) sim.now = () => a.clock.now().getTime();
  org = await buildOrg(a);
  await a.db.getRepository(MemberEntity).update({ id: org.supervisor1.id }, { wecomUserId: 'chen.s1' });
  await a.db.getRepository(MemberEntity).update({ id: org.directorEast.id }, { wecomUserId: 'zhou.d1' });
  ding.addRobot(ROBOT_TOKEN, ROBOT_SECRET);
  await a.services.teamChannels.update(org.admin, org.teamIds.team2, { dingtalkRobotToken: ROBOT_TOKEN, dingtalkRobotSecret: ROBOT_SECRET });

  const { repA: A, repB: B, repC: C, repE: E } = org;
  confirmCustomer = await customer(A);
  // 拜访次数 — team 1: 2 → 5; team 2: 1 → 1; region 华东: 3 → 6; team 3 (西南): 1 → 4, nobody in 华东 counts those
  await visit(A, '2026-11-17 02:00');
  await visit(B, '2026-11-18 02:00');
  for (const [who, when] of [[A, '2026-11-23 02:00'], [A, '2026-11-24 02:00'], [A, '2026-11-25 02:00'], [B, '2026-11-26 02:00'], [B, '2026-11-27 02:00']] as const) await visit(who, when);
  await visit(C, '2026-11-19 02:00');
  await visit(C, '2026-11-26 02:00');
  await visit(E, '2026-11-18 02:00');
  for (const day of ['23', '24', '25', '26']) await visit(E, `2026-11-${day} 02:00`);
  // 打卡完成率 — team 1: 4/4 = 100% → 2/4 = 50%; team 2: 2/2 → 1/2; region: 6/6 → 3/6
  await checkin(A, '2026-11-16', 'morning', 'on_time');
  await checkin(A, '2026-11-16', 'evening', 'on_time');
  await checkin(B, '2026-11-17', 'morning', 'on_time');
  await checkin(B, '2026-11-17', 'evening', 'late');
  await checkin(A, '2026-11-23', 'morning', 'on_time');
  await checkin(A, '2026-11-23', 'evening', 'missing');
  await checkin(B, '2026-11-24', 'morning', 'missing');
  await checkin(B, '2026-11-24', 'evening', 'late');
  await checkin(C, '2026-11-18', 'morning', 'on_time');
  await checkin(C, '2026-11-18', 'evening', 'on_time');
  await checkin(C, '2026-11-25', 'morning', 'on_time');
  await checkin(C, '2026-11-25', 'evening', 'missing');
  // 线索 48 小时内触达率 (due = assigned + 48 h, in the week) — team 1: 2/2 = 100% → 3/4 = 75%
  await lead(A, '2026-11-15 02:00', 24);
  await lead(B, '2026-11-16 02:00', 24);
  await lead(A, '2026-11-22 02:00', 24);
  await lead(A, '2026-11-23 02:00', 24);
  await lead(B, '2026-11-24 02:00', 24);
  await lead(B, '2026-11-25 02:00', 72); // touched a day late
  // 主管 48 小时内确认率 — team 1: 2/2 = 100% → 4/5 = 80%: it moved (−20%), but least: the card lists three
  await confirmation(A, '2026-11-15 02:00', '2026-11-15 03:00');
  await confirmation(B, '2026-11-16 02:00', '2026-11-16 03:00');
  for (const day of ['22', '23', '24', '25']) await confirmation(A, `2026-11-${day} 02:00`, `2026-11-${day} 03:00`);
  await confirmation(B, '2026-11-25 03:00', null);
  // overdue on 11-30 00:30 UTC (last follow-up before 11-27 00:30): team 1 two, team 2 one
  await customer(A, { lastFollowUpAt: '2026-11-20 00:00' });
  await customer(B, { lastFollowUpAt: '2026-11-26 23:00' });
  await customer(C, { lastFollowUpAt: '2026-11-01 00:00' });
  await customer(E, { lastFollowUpAt: '2026-11-01 00:00' });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await wecom?.stop();
  await ding?.stop();
});

const advance = (ms: number) => {
  a.clock.advance(ms);
  b.clock.advance(ms);
};
const bothRun = () => Promise.all([a.services.jobs.runDue(), b.services.jobs.runDue(), a.services.jobs.runDue()]);
const dispatch = async (h: Harness) => {
  for (let i = 0; i < 3; i++) await h.services.outbox.runOnce();
};

describe('the schedule (policy weeklyDigest: Monday 08:30 in Asia/Shanghai)', () => {
  const s = policy.weeklyDigest;
  const calendar = { workingWeekdays: [1, 2, 3, 4, 5], holidays: ['2026-12-07'], makeUpWorkdays: [] as string[] };

  it('ISO weeks, and the next Monday 08:30 after any moment', () => {
    expect(isoWeek('2026-11-30')).toBe('2026-W49');
    expect(isoWeek('2027-01-01')).toBe('2026-W53'); // a Friday: its Thursday is in 2026
    expect(isoWeek('2025-12-29')).toBe('2026-W01');
    expect(nextDigestAfter(new Date('2026-11-29T04:00:00Z'), s, policy.checkins, tz)).toEqual(MONDAY_0830);
    expect(nextDigestAfter(MONDAY_0830, s, policy.checkins, tz)).toEqual(new Date('2026-12-07T00:30:00Z'));
  });

  it('a Monday off goes out on the next working day of that week (or not at all with onDayOff: skip)', () => {
    expect(sendInstant('2026-12-07', s, calendar, tz)).toEqual({ day: '2026-12-08', at: new Date('2026-12-08T00:30:00Z') });
    expect(nextDigestAfter(MONDAY_0830, s, calendar, tz)).toEqual(new Date('2026-12-08T00:30:00Z'));
    expect(nextDigestAfter(MONDAY_0830, { ...s, onDayOff: 'skip' }, calendar, tz)).toEqual(new Date('2026-12-14T00:30:00Z'));
    expect(dueDigest(new Date('2026-12-08T01:00:00Z'), s, calendar, tz)).toMatchObject({ week: '2026-W50', sendDay: '2026-12-08', last: { from: '2026-11-30', to: '2026-12-06' } });
  });

  it('is due from its time for catchUpHours (24), then left to the next week', () => {
    expect(dueDigest(new Date(MONDAY_0830.getTime() - 1), s, policy.checkins, tz)).toBeNull();
    expect(dueDigest(MONDAY_0830, s, policy.checkins, tz)).toMatchObject({ week: '2026-W49', last: { from: '2026-11-23', to: '2026-11-29' }, before: { from: '2026-11-16', to: '2026-11-22' } });
    expect(dueDigest(new Date(MONDAY_0830.getTime() + 24 * 3_600_000 - 1), s, policy.checkins, tz)?.week).toBe('2026-W49');
    expect(dueDigest(new Date(MONDAY_0830.getTime() + 24 * 3_600_000), s, policy.checkins, tz)).toBeNull();
  });

  it('"moved most": largest relative change either way; from 0 ranks first; ties keep the headline order; unmoved or missing figures are not listed', () => {
    const f = (id: string, last: number | null, before: number | null) => ({ id, label: id, kind: 'count' as const, last, before });
    const r = (id: string, last: number, before: number) => ({ id, label: id, kind: 'rate' as const, last, before });
    expect(movedMost([r('same', 0.8572, 0.8571), r('down', 0.5, 0.8)], 3).map((m) => [m.id, m.last, m.before, m.change])).toEqual([['down', 0.5, 0.8, -0.375]]);
    expect(movedMost([f('a', 10, 8), f('b', 1, 4), f('c', 5, 5), f('d', 3, 0), f('e', null, 2), f('g', 6, 8)], 3).map((m) => [m.id, m.change])).toEqual([['d', null], ['b', -0.75], ['a', 0.25]]); // a (+25%) and g (−25%) tie: a comes first in the list
  });
});

describe('two servers on one database', () => {
  it('at start-up on a Sunday sends nothing (that Monday is past its catch-up) and schedules Monday 08:30', async () => {
    await Promise.all([a.services.jobs.seedRecurring(), b.services.jobs.seedRecurring()]);
    await bothRun();
    expect(await digests(a)).toEqual([]);
    expect(await jobDue(a)).toEqual(MONDAY_0830);
  });

  it('on Monday 08:30 each supervisor and director gets one digest, however many runs and servers', async () => {
    advance(MONDAY_0830.getTime() - a.clock.now().getTime());
    await bothRun();
    await bothRun();
    const people = [org.directorEast, org.directorWest, org.supervisor1, org.supervisor2, org.supervisor3].map((m) => m.id).sort((x, y) => x - y);
    expect((await digests(a)).map((d) => [d.memberId, d.week])).toEqual(people.map((id) => [id, '2026-W49']));
    expect((await digestMessages(a)).map((m) => m.payload.memberId).sort((x, y) => x - y)).toEqual(people);
    expect(await jobDue(a)).toEqual(new Date('2026-12-07T00:30:00Z'));
    // the job run again within the hour (as after a lease taken over): the (member, week) rows stop it
    await a.db.query("UPDATE job SET dueAt = ? WHERE recurring = 'dashboards.weekly_digest'", [sqlTime(a.clock.now())]);
    advance(30 * 60_000);
    await bothRun();
    expect(await digests(a)).toHaveLength(people.length);
    expect(await digestMessages(a)).toHaveLength(people.length);
  });

  it("the supervisor's card holds the three figures of the team that moved most, the team's overdue count and the dashboard link (WeCom)", async () => {
    await dispatch(a);
    await dispatch(b);
    const cards = wecom.deliveredCards('chen.s1');
    expect(cards).toHaveLength(1);
    const card = cards[0]!.body;
    expect(card.template_card.main_title.title).toBe('上海一组 周报 · 2026-W49');
    expect(textOf(card).split('\n')).toEqual([
      '上周（11月23日–11月29日）变化最大的 3 项：',
      '1. 拜访次数：5（前一周 2，环比 +150%）',
      '2. 打卡完成率：50%（前一周 100%，环比 -50%）',
      '3. 线索 48 小时内触达率：75%（前一周 100%，环比 -25%）',
      '当前逾期客户：2 位',
    ]);
    expect(card.template_card.emphasis_content).toEqual({ title: '2', desc: '当前逾期客户' });
    expect(card.template_card.card_action.url).toBe(`${PUBLIC_URL}/app/#/packages/dashboards/index?from=2026-11-23&to=2026-11-29`);
  });

  it("the director's card counts the whole region (both teams), not another region", async () => {
    const cards = wecom.deliveredCards('zhou.d1');
    expect(cards).toHaveLength(1);
    expect(textOf(cards[0]!.body).split('\n')).toEqual([
      '上周（11月23日–11月29日）变化最大的 3 项：',
      '1. 拜访次数：6（前一周 3，环比 +100%）',
      '2. 打卡完成率：50%（前一周 100%，环比 -50%）',
      '3. 线索 48 小时内触达率：75%（前一周 100%，环比 -25%）',
      '当前逾期客户：3 位',
    ]);
  });

  it("a supervisor without WeCom gets theirs in the team's DingTalk group, signed; nobody else's card goes there", async () => {
    const posts = ding.messages(ROBOT_TOKEN);
    expect(posts).toHaveLength(1);
    expect(ding.counters.signRejected).toBe(0);
    const card = posts[0]!.body.actionCard;
    expect(card.title).toBe('杭州二组 周报 · 2026-W49（二组主管）');
    expect(card.text).toBe(['### 杭州二组 周报 · 2026-W49（二组主管）', '', '- 上周（11月23日–11月29日）变化最大的 1 项：', '- 1. 打卡完成率：50%（前一周 100%，环比 -50%）', '- 当前逾期客户：1 位'].join('\n'));
    expect(card.singleURL).toBe(`${PUBLIC_URL}/app/#/packages/dashboards/index?from=2026-11-23&to=2026-11-29`);
    // S3 and D2 have no channel: their digests are recorded, nothing is sent
    expect(wecom.counters.delivered).toBe(2);
  });

  it('the link names a page of the app, on last week, with no parameter the page does not read', () => {
    const url: string = wecom.deliveredCards('zhou.d1')[0]!.body.template_card.card_action.url;
    const [pagePath, query = ''] = url.split('/app/#/')[1]!.split('?');
    const page = (Object.keys(PAGES) as PageName[]).find((p) => PAGES[p].path === pagePath);
    expect(page).toBe('dashboards');
    expect(Object.fromEntries(new URLSearchParams(query))).toEqual({ from: '2026-11-23', to: '2026-11-29' });
    for (const key of new URLSearchParams(query).keys()) expect(PAGES.dashboards.params).toContain(key);
    // declared by the app (main package or a subpackage root), as tests/channels/chat-links.test.ts checks every link
    const sub = /^(packages\/[^/]+)\/(.+)$/.exec(pagePath!)!;
    expect(APP_CONFIG.includes(`'${sub[1]}'`) && APP_CONFIG.includes(`'${sub[2]}'`)).toBe(true);
  });
});

describe('a restart', () => {
  let back: Harness;
  afterAll(async () => back?.close());

  it('with every server down at 08:30, the first one back sends the week\'s digest once; a week with nothing that moved still sends the overdue count', async () => {
    await b.close();
    // down from before Monday 12-07 08:30 until 11:00
    back = await startHarness({ env: { WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: wecom.secret, WECOM_API_BASE: wecom.url, DINGTALK_API_BASE: ding.url, PUBLIC_URL, ANCHOR_UPLOAD_DIR: a.env.uploadDir }, sharedDatabaseUrl: a.dbUrl, now: new Date('2026-12-07T03:00:00Z') });
    for (const sim of [wecom, ding]) sim.now = () => back.clock.now().getTime();
    await back.services.jobs.seedRecurring();
    await back.services.jobs.seedRecurring();
    await back.services.jobs.runDue();
    await back.services.jobs.runDue();
    expect((await digests(back, '2026-W50')).length).toBe(5);
    expect(await jobDue(back)).toEqual(new Date('2026-12-14T00:30:00Z'));

    // W51: both weeks compared are empty; the card still says how many customers are overdue now, and then
    back.clock.set(new Date('2026-12-14T00:30:00Z'));
    await back.services.jobs.runDue();
    await dispatch(back);
    const cards = wecom.deliveredCards('chen.s1');
    expect(cards.map((c) => c.body.template_card.main_title.title)).toEqual(['上海一组 周报 · 2026-W49', '上海一组 周报 · 2026-W50', '上海一组 周报 · 2026-W51']);
    const team1Customers = Number((await back.db.query('SELECT COUNT(*) AS n FROM customer WHERE ownerId IN (?, ?, ?)', [org.supervisor1.id, org.repA.id, org.repB.id]))[0].n);
    const w50 = (await digests(back, '2026-W50')).find((d) => d.memberId === org.supervisor1.id)!.overdue;
    expect(textOf(cards[2]!.body).split('\n')).toEqual([
      '上周（12月7日–12月13日）各项与前一周相比没有变化（或两周都没有数据）。',
      `当前逾期客户：${team1Customers} 位（上期周报时 ${w50} 位）`,
    ]);
  });
});
