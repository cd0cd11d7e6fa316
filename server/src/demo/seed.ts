import type { DataSource, EntityManager } from 'typeorm';
import { customerNameKey, instantToWallClock, wallClockToInstant, STAGE_CODES, type Role, type StageCode } from '@anchor/shared';
import type { Clock } from '../clock';
import { DAY_MS, HOUR_MS } from '../clock';
import type { Policy } from '../config/policy';
import { withTransaction } from '../db/transaction';
import { sqlOf } from '../db/sql';
import { scheduleJobs } from '../jobs/job-scheduler';
import { Customer } from '../modules/customers/customer.entity';
import { CustomerStageChange } from '../modules/customers/customer-history.entity';
import { indexCustomers } from '../modules/customers/customer-search';
import { Invite } from '../modules/org/invite.entity';
import { Member } from '../modules/org/member.entity';
import { Region } from '../modules/org/region.entity';
import { Team } from '../modules/org/team.entity';
import { TeamChannelSettings } from '../modules/org/team-channel-settings.entity';
import type { Todo, TodoSnapshot } from '../modules/tasks';
import { Task } from '../modules/tasks/task.entity';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { FirstTouch } from '../modules/visits/first-touch.entity';
import { Visit } from '../modules/visits/visit.entity';
import { DemoMember } from './demo-member.entity';
import { seedCheckins } from './checkins-seed';
import { seedSignins } from './seed-signins';
import { planGradeHistory } from './seed-grades';
import { seedDashboardHistory } from './seed-dashboards';
import { seedPlayHistory } from './seed-plays';

/** Deterministic, so every demo shows the same company. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoLogin {
  name: string;
  phone: string;
  role: Role;
  team: string | null;
}

const CITIES: [string, string][] = [
  ['上海', '上海市'], ['上海', '浦东新区'], ['江苏', '南京市'], ['江苏', '苏州市'], ['江苏', '无锡市'], ['江苏', '常州市'],
  ['江苏', '南通市'], ['浙江', '杭州市'], ['浙江', '宁波市'], ['浙江', '温州市'], ['浙江', '绍兴市'], ['浙江', '嘉兴市'],
  ['安徽', '合肥市'], ['安徽', '芜湖市'], ['江苏', '扬州市'], ['浙江', '金华市'],
];
const HOSPITALS: [string, string, string][] = [
  // name suffix, industry, hospital level
  ['第一人民医院', '公立医院', '三级甲等'], ['第二人民医院', '公立医院', '三级乙等'], ['第三人民医院', '公立医院', '二级甲等'],
  ['中医院', '公立医院', '三级甲等'], ['中心医院', '公立医院', '三级甲等'], ['妇幼保健院', '公立医院', '三级乙等'],
  ['儿童医院', '公立医院', '三级甲等'], ['肿瘤医院', '公立医院', '三级甲等'], ['骨科医院', '民营医院', '二级甲等'],
  ['口腔医院', '民营医院', '二级乙等'], ['眼科医院', '民营医院', '二级甲等'], ['康复医院', '民营医院', '二级乙等'],
  ['第四人民医院', '公立医院', '二级甲等'], ['医学检验所', '第三方检验', '未定级'], ['医药有限公司', '医药流通', '未定级'],
  ['东城社区卫生服务中心', '基层医疗机构', '一级'], ['西湖社区卫生服务中心', '基层医疗机构', '一级'], ['人民医院东院', '公立医院', '三级乙等'],
  ['红十字会医院', '公立医院', '二级甲等'], ['中西医结合医院', '公立医院', '三级乙等'],
];
const CONTACT_SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙'];
const CONTACT_TITLES = ['主任', '院长', '科长', '护士长', '采购', '设备科主任'];

/** Stage weights of a real pipeline: many leads, few delivered. */
const STAGE_WEIGHTS: Record<StageCode, number> = { lead: 25, visit: 25, proposal: 18, quote: 12, signed: 12, delivered: 8 };

export async function isEmpty(db: DataSource): Promise<boolean> {
  return (await db.getRepository(Member).count()) === 0;
}

/** Created by seedDemo: its members are recorded in demo_member. */
export async function isDemoDatabase(db: DataSource): Promise<boolean> {
  return (await db.getRepository(DemoMember).count()) > 0;
}

/**
 * A medical-device company: one region with a director, two teams of four reps under their
 * supervisors, admin, finance and marketing, and ~300 hospitals with three months of stage history.
 */
export async function seedDemo(db: DataSource, policy: Policy, clock: Clock): Promise<{ logins: DemoLogin[]; teamInvite: string }> {
  const random = prng(20261127);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const now = clock.now();
  const logins: DemoLogin[] = [];

  return withTransaction(db, async (m) => {
    const region = await m.getRepository(Region).save({ name: '华东大区' });
    const teams = [await m.getRepository(Team).save({ name: '上海一组', regionId: region.id }), await m.getRepository(Team).save({ name: '江浙二组', regionId: region.id })];
    // when each joined (入职): the old hands a year or two ago, one each month apart; new reps below
    let tenure = 0;
    const add = async (name: string, phone: string, role: Role, team: Team | null, managerId: number | null, joinedDaysAgo = 700 - 37 * tenure++) => {
      // WeCom user ids the sandbox (or a real corp with these ids) delivers cards to.
      const member = await m.getRepository(Member).save({
        name, phone, role, teamId: team?.id ?? null, regionId: region.id, managerId, wechatOpenId: null, wecomUserId: `demo_${phone}`, dingtalkUserId: null, deactivatedAt: null,
        joinedAt: new Date(now.getTime() - joinedDaysAgo * DAY_MS),
      });
      await m.getRepository(DemoMember).insert({ memberId: member.id, phone }); // marks the database as the demo's
      logins.push({ name, phone, role, team: team?.name ?? null });
      return member;
    };
    await add('系统管理员', '13800000000', 'admin', null, null);
    const director = await add('周建国', '13800000001', 'director', null, null);
    await add('钱会计', '13800000021', 'finance', null, null);
    await add('孙市场', '13800000031', 'marketing', null, null);
    const supervisors = [await add('陈主管', '13800000011', 'supervisor', teams[0]!, director.id), await add('林主管', '13800000012', 'supervisor', teams[1]!, director.id)];
    const repNames = ['王小明', '李娜', '张伟', '刘洋', '赵敏', '黄磊', '吴婷', '徐刚'];
    const reps: Member[] = [];
    for (let i = 0; i < repNames.length; i++) {
      const t = i < 4 ? 0 : 1;
      reps.push(await add(repNames[i]!, `1380000010${i + 1}`, 'rep', teams[t]!, supervisors[t]!.id));
    }
    // Two new reps (joined within 90 days), one per team: they own only customers from after they joined
    // (the board table's "new reps' days to first signed deal").
    for (const [i, [name, days]] of ([['郑新', 62], ['冯晓', 41]] as const).entries()) {
      reps.push(await add(name, `13800000${109 + i}`, 'rep', teams[i]!, supervisors[i]!.id, days));
    }

    const stageBag = STAGE_CODES.flatMap((s) => Array<StageCode>(STAGE_WEIGHTS[s]).fill(s));
    const seen = new Set<string>();
    const customers: Partial<Customer>[] = [];
    const histories: { key: string; changes: { from: StageCode | null; to: StageCode; at: Date; by: number }[] }[] = [];
    for (const [province, city] of CITIES) {
      for (const [suffix, industry, level] of HOSPITALS) {
        if (customers.length >= 300 || random() < 0.05) continue;
        const name = `${city.replace(/市$/, '')}${suffix}`;
        const key = customerNameKey(name);
        if (seen.has(key)) continue;
        seen.add(key);
        const stage = pick(stageBag);
        // Three months of history: created up to 90 days ago, walked stage by stage to today's stage.
        const createdAt = new Date(now.getTime() - (20 + random() * 70) * DAY_MS);
        // owned by a rep who had joined by then
        const owner = pick(reps.filter((r) => (r.joinedAt ?? r.createdAt).getTime() <= createdAt.getTime()));
        const target = STAGE_CODES.indexOf(stage);
        const changes: { from: StageCode | null; to: StageCode; at: Date; by: number }[] = [{ from: null, to: 'lead', at: createdAt, by: owner.id }];
        let at = createdAt.getTime();
        for (let s = 1; s <= target; s++) {
          at += (1 + random() * ((now.getTime() - at) / DAY_MS / (target - s + 2))) * DAY_MS;
          changes.push({ from: STAGE_CODES[s - 1]!, to: STAGE_CODES[s]!, at: new Date(Math.min(at, now.getTime() - HOUR_MS)), by: owner.id });
        }
        // A few misjudged customers went forward and back again.
        if (target >= 2 && target <= 3 && random() < 0.12) {
          const back = STAGE_CODES[target - 1]!;
          changes.push({ from: stage, to: back, at: new Date(now.getTime() - random() * 5 * DAY_MS), by: owner.id });
        }
        const finalStage = changes[changes.length - 1]!.to;
        const lastChange = changes[changes.length - 1]!.at;
        const lastFollowUpAt = random() < 0.08 ? null : duringWorkHours(new Date(now.getTime() - Math.pow(random(), 2) * 14 * DAY_MS - random() * 8 * HOUR_MS), now, policy.timeZone);
        const payment = Math.round(40 + random() * 60);
        const inventory = Math.round(20 + random() * 80);
        const competitor = Math.round(random() * 80);
        customers.push({
          name,
          nameKey: key,
          industry,
          stage: finalStage,
          stageChangedAt: lastChange,
          ownerId: owner.id,
          // drawn so the rest of the demo stays as it was; planGradeHistory below sets the grade the model gives
          grade: pick(policy.grading.grades.map((g) => g.grade)),
          lastFollowUpAt,
          province,
          city,
          address: `${city}${pick(['中山路', '解放路', '人民路', '建设路', '文化路'])}${Math.floor(1 + random() * 400)}号`,
          contactName: `${pick(CONTACT_SURNAMES)}${pick(CONTACT_TITLES)}`,
          contactPhone: `1${pick(['35', '39', '58', '86', '77'])}${String(Math.floor(random() * 1e8)).padStart(8, '0')}`,
          hospitalLevel: level,
          departmentActivity: pick(policy.options.departmentActivity),
          gradingInputs: { paymentOnTimeRate: payment, inventoryConsumptionSpeed: inventory, competitorPenetration: competitor },
          notes: null,
          createdById: owner.id,
          createdAt,
          updatedAt: lastChange,
        });
        histories.push({ key, changes });
      }
    }
    // a month of grade history from the grading model; each customer's grade is its newest run's (own sequence)
    const writeGrades = planGradeHistory(customers, policy, now, prng(20261203));
    // A short story for the grading strategies, told by the start-up regrade: after their last run the inputs of
    // the first rep's 三级甲等 hospitals (up to two, not yet A+) reached the top (the regrade makes them A+ and pushes
    // 王小明 the support pack), and one B customer of each team's first rep collapsed (it slips to C: its
    // supervisor gets a 客户降级复核 task).
    const { supportPack, review } = policy.grading.strategies;
    const top = policy.options.hospitalLevels[0];
    const grades = policy.grading.grades.map((g) => g.grade);
    if (supportPack) {
      // the closest to A+ first: a rise from A reads as a story, a leap from C as a glitch
      const rising = customers.filter((c) => c.ownerId === reps[0]!.id && c.hospitalLevel === top && c.grade !== supportPack.grade);
      rising.sort((a, b) => grades.indexOf(a.grade!) - grades.indexOf(b.grade!));
      for (const c of rising.slice(0, 2)) {
        Object.assign(c, { departmentActivity: policy.options.departmentActivity[0], gradingInputs: { ...c.gradingInputs, inventoryConsumptionSpeed: 100, competitorPenetration: 0 } });
      }
    }
    const aboveReview = review ? grades[grades.indexOf(review.grade) - 1] : undefined;
    for (const team of [0, 1]) {
      const slipping = aboveReview && customers.find((c) => c.grade === aboveReview && c.ownerId === reps[team * 4]!.id);
      if (slipping) slipping.gradingInputs = { ...slipping.gradingInputs, inventoryConsumptionSpeed: 0, competitorPenetration: 100 };
    }
    await m.createQueryBuilder().insert().into(Customer).values(customers).updateEntity(false).execute();
    const ids = new Map((await m.getRepository(Customer).find({ select: { id: true, nameKey: true } })).map((c) => [c.nameKey, c.id]));
    await writeGrades(m, (c) => ids.get(c.nameKey!)!);
    await indexCustomers(m, [...ids.values()]);
    const rows = histories.flatMap((h) => h.changes.map((c) => ({ customerId: ids.get(h.key)!, fromStage: c.from, toStage: c.to, changedById: c.by, changedAt: c.at })));
    for (let i = 0; i < rows.length; i += 500) {
      await m.createQueryBuilder().insert().into(CustomerStageChange).values(rows.slice(i, i + 500)).updateEntity(false).execute();
    }
    // Each rep's two newest leads were just assigned: their first touch is due (what 首次触达 shows).
    const clocks: { customerId: number; assignedAt: Date }[] = [];
    for (const rep of reps) {
      const leads = customers
        .filter((c) => c.ownerId === rep.id && c.stage === 'lead')
        .sort((a, b) => b.createdAt!.getTime() - a.createdAt!.getTime())
        .slice(0, 2);
      leads.forEach((c, i) => clocks.push({ customerId: ids.get(c.nameKey!)!, assignedAt: new Date(now.getTime() - (3 + i * 20) * HOUR_MS) }));
    }
    const firstTouchMs = policy.limits.leadFirstTouchHours * HOUR_MS;
    for (const { customerId, assignedAt } of clocks) {
      await m.getRepository(Customer).update({ id: customerId }, { leadAssignedAt: assignedAt, firstTouchDueAt: new Date(assignedAt.getTime() + firstTouchMs), lastFollowUpAt: null });
    }
    await scheduleJobs(
      sqlOf(m),
      clocks.map(({ customerId, assignedAt }) => ({ kind: 'lead.first_touch_due' as const, dueAt: new Date(assignedAt.getTime() + firstTouchMs), payload: { customerId }, subject: `customer:${customerId}` })),
    );
    await seedActivity(m, policy, now, random, { customers, ids, reps, supervisors, clocks: new Set(clocks.map((c) => c.customerId)) });
    await seedLost(m, policy, now, customers, ids);
    // what the dashboards read: closed follow-ups behind the visits on record, customers' words the counters know
    await seedDashboardHistory(m, policy, now, prng(20261205));
    // what the winning plays are mined from: visits before lasting advances (and some that did not move)
    await seedPlayHistory(m, policy, now, prng(20261206));
    // a month of daily check-ins: reps and supervisors, each with their own customers to name
    const owned = new Map<number, Array<{ id: number; name: string }>>();
    for (const c of customers) {
      const list = owned.get(c.ownerId!) ?? [];
      if (list.length < 10) list.push({ id: ids.get(c.nameKey!)!, name: c.name! });
      owned.set(c.ownerId!, list);
    }
    await seedCheckins(m, policy, now, random, [...supervisors, ...reps], owned);
    for (const team of teams) {
      await m.getRepository(TeamChannelSettings).save({ teamId: team.id, wecomRobotKey: `sandbox-team-${team.id}`, dingtalkRobotToken: null, dingtalkRobotSecret: null, updatedById: logins.length });
    }
    const invite = await m.getRepository(Invite).save({
      code: 'DEMO-TEAM-1',
      teamId: teams[0]!.id,
      memberId: null,
      role: 'rep',
      createdById: supervisors[0]!.id,
      expiresAt: new Date(now.getTime() + 365 * DAY_MS),
      usedAt: null,
      revokedAt: null,
    });
    return { logins, teamInvite: invite.code };
  });
}

const PAIN_POINTS = [
  '科室反映现有设备故障率高，维修等待时间长', '担心集采后耗材价格继续下降，预算难以落实', '操作培训不到位，年轻医生不敢上手',
  '竞品已在两个科室试用，主任在观望', '库存积压较多，近期不愿再进货', '回款审批流程长，财务要求分期付款',
  '新院区开业在即，设备科人手紧张', '担心售后响应速度，希望本地有工程师',
];
const SUMMARIES = [
  '主任认可我们的安装速度，希望先看三甲医院的使用案例，再决定是否进入采购流程。',
  '设备科长表示预算已报上去，需要我们配合提供参数对比和报价明细，下周再碰一次。',
  '护士长反馈培训资料太少，希望我们安排一次现场操作培训，并留下联系人随时答疑。',
  '院长关心集采后的价格，我们说明了耗材长期供货和售后保障，对方愿意继续谈方案。',
];
const VALUE_POINTS = ['48 小时完成安装调试', '本地工程师 2 小时响应', '耗材三年价格锁定', '免费操作培训与考核', '三甲医院同型号案例'];
const VERBATIMS = ['先把资料发过来看看', '下周科室开会再议', '价格再谈谈可以考虑', '我们还在比较几家', '可以先试用一段时间'];

/**
 * What is behind each 最近跟进 time: a lead's first touch, or a submitted visit with the supervisor's
 * to-do — confirmed for most older visits, escalated for some, still open within the last 48 hours
 * (with the timer that escalates it). Each rep's newest 拜访-stage customer has a visit waiting.
 */
async function seedActivity(
  m: EntityManager,
  policy: Policy,
  now: Date,
  random: () => number,
  data: { customers: Partial<Customer>[]; ids: Map<string, number>; reps: Member[]; supervisors: Member[]; clocks: Set<number> },
): Promise<void> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  // the dashboards' inputs (feedback, agreed actions done) draw from their own stream: the rest stays as it was
  const extra = prng(20261203);
  const o = policy.options;
  const confirmMs = policy.limits.todoConfirmHours * HOUR_MS;
  const repById = new Map(data.reps.map((r) => [r.id, r]));
  const touches: Partial<FirstTouch>[] = [];
  const touched: { customerId: number; assignedAt: Date; at: Date }[] = [];
  const visits: Partial<Visit>[] = [];
  const visited: Partial<Customer>[] = [];
  for (const c of data.customers) {
    const customerId = data.ids.get(c.nameKey!)!;
    const at = c.lastFollowUpAt;
    if (!at || data.clocks.has(customerId)) continue;
    if (c.stage === 'lead') {
      // touched within its 48 h, a few hours after it was assigned
      const assignedAt = new Date(Math.max(c.createdAt!.getTime(), at.getTime() - (2 + random() * 30) * HOUR_MS));
      touches.push({ customerId, memberId: c.ownerId!, method: pick(o.firstTouchMethods), verbatim: pick(VERBATIMS), evidenceText: null, evidencePhotoId: null, touchedAt: at, dueAt: new Date(assignedAt.getTime() + policy.limits.leadFirstTouchHours * HOUR_MS) });
      touched.push({ customerId, assignedAt, at });
      continue;
    }
    const nextAt = new Date(at.getTime() + (2 + Math.floor(random() * 8)) * DAY_MS);
    nextAt.setUTCHours(2, 0, 0, 0); // 10:00 in Shanghai
    const action = pick(o.agreedActions);
    visits.push({
      customerId, memberId: c.ownerId!, objective: pick(o.visitObjectives), painPoint: pick(PAIN_POINTS), dialogueSummary: pick(SUMMARIES),
      bottleneck: pick(o.bottlenecks.filter((b) => b !== '其他')), valuePoint: pick(VALUE_POINTS), agreedAction: action,
      agreedActionNote: action === '其他' ? '陪同主任参观样板医院' : null, nextFollowUpAt: nextAt, nextFollowUpForm: pick(o.followUpForms),
      alert: random() < 0.1, customerVerbatim: random() < 0.5 ? pick(VERBATIMS) : null, submittedAt: at, createdAt: at,
      customerFeedback: demoFeedback(extra, o.customerFeedback),
      ...demoActionDone(extra, at, nextAt, now, c.ownerId!),
    });
    visited.push(c);
  }
  for (let i = 0; i < touches.length; i += 200) await m.createQueryBuilder().insert().into(FirstTouch).values(touches.slice(i, i + 200)).updateEntity(false).execute();
  for (const t of touched) {
    await m.getRepository(Customer).update({ id: t.customerId }, { leadAssignedAt: t.assignedAt, firstTouchDueAt: new Date(t.assignedAt.getTime() + policy.limits.leadFirstTouchHours * HOUR_MS), firstTouchAt: t.at });
  }
  for (let i = 0; i < visits.length; i += 200) await m.createQueryBuilder().insert().into(Visit).values(visits.slice(i, i + 200)).updateEntity(false).execute();
  const visitIds = new Map((await m.getRepository(Visit).find({ select: { id: true, customerId: true } })).map((v) => [v.customerId, v.id]));

  // a month of sign-ins, each visit's linked one (its own random stream: the rest of the demo stays as it was)
  const chips = await seedSignins(
    m, policy, now, prng(20261202),
    visits.map((v) => ({ visitId: visitIds.get(v.customerId!)!, customerId: v.customerId!, memberId: v.memberId!, at: v.submittedAt!, supervisorId: repById.get(v.memberId!)?.managerId ?? null })),
  );

  const todos: Partial<Todo>[] = [];
  const timers: { visitId: number; dueAt: Date }[] = [];
  visits.forEach((v, i) => {
    const c = visited[i]!;
    const rep = repById.get(v.memberId!);
    if (!rep?.managerId) return;
    const visitId = visitIds.get(v.customerId!)!;
    const submittedAt = v.submittedAt!;
    const dueAt = new Date(submittedAt.getTime() + confirmMs);
    const snapshot: TodoSnapshot = {
      customer: { id: v.customerId!, name: c.name!, stage: c.stage!, stageLabel: policy.stages.find((s) => s.code === c.stage)?.label ?? c.stage!, grade: c.grade ?? null, industry: c.industry!, hospitalLevel: c.hospitalLevel ?? null, lastFollowUpAt: null },
      rep: { id: rep.id, name: rep.name },
      visit: { id: visitId, objective: v.objective!, painPoint: v.painPoint!, bottleneck: v.bottleneck!, valuePoint: v.valuePoint!, submittedAt: submittedAt.toISOString(), signin: chips.get(visitId) ?? '未签到' },
      actionItems: { agreedAction: v.agreedAction!, note: v.agreedActionNote ?? null, nextFollowUpAt: v.nextFollowUpAt!.toISOString(), nextFollowUpForm: v.nextFollowUpForm! },
    };
    const base = { kind: 'visit_next_action' as const, customerId: v.customerId!, visitId, assigneeId: rep.managerId, repId: rep.id, snapshot, dueAt, createdAt: submittedAt, discussRequestedAt: null, discussRequestedVia: null, confirmComment: null };
    const ageHours = (now.getTime() - submittedAt.getTime()) / HOUR_MS;
    if (dueAt.getTime() > now.getTime() && (ageHours < 6 || random() < 0.4)) {
      todos.push({ ...base, confirmedAt: null, confirmedById: null, confirmedVia: null, escalatedAt: null });
      timers.push({ visitId, dueAt });
    } else if (dueAt.getTime() > now.getTime()) {
      // supervisors confirm most cards within hours
      const confirmedAt = new Date(submittedAt.getTime() + (1 + random() * (ageHours - 1)) * HOUR_MS);
      todos.push({ ...base, confirmedAt, confirmedById: rep.managerId, confirmedVia: random() < 0.5 ? 'wecom' : 'app', escalatedAt: null });
    } else if (random() < 0.2) {
      // nobody confirmed it in time: the director was told
      todos.push({ ...base, confirmedAt: null, confirmedById: null, confirmedVia: null, escalatedAt: dueAt });
    } else {
      const confirmedAt = new Date(submittedAt.getTime() + (1 + random() * (policy.limits.todoConfirmHours - 2)) * HOUR_MS);
      todos.push({ ...base, confirmedAt, confirmedById: rep.managerId, confirmedVia: random() < 0.5 ? 'wecom' : 'app', escalatedAt: null });
    }
  });
  // Each to-do is a visit_next_action task; its confirmation and escalation are its history.
  const tasks = todos.map((t) => ({
    kind: 'visit_next_action', subjectType: 'visit', subjectId: t.visitId ?? null, customerId: t.customerId!, requesterId: t.repId!, assigneeId: t.assigneeId!,
    snapshot: t.snapshot as unknown as Record<string, unknown>, dueAt: t.dueAt!, escalationTarget: 'manager', escalatedAt: t.escalatedAt ?? null,
    completedAt: t.confirmedAt ?? null, outcome: t.confirmedAt ? 'done' : null, completedById: t.confirmedById ?? null, completedVia: t.confirmedVia ?? null, createdAt: t.createdAt!,
  })) as QueryDeepPartialEntity<Task>[];
  for (let i = 0; i < tasks.length; i += 200) await m.createQueryBuilder().insert().into(Task).values(tasks.slice(i, i + 200)).updateEntity(false).execute();
  await m.query(`INSERT INTO task_action (taskId, action, byId, via, comment, at)
    SELECT id, 'escalate', NULL, NULL, NULL, escalatedAt FROM task WHERE escalatedAt IS NOT NULL
    UNION ALL SELECT id, 'confirm', completedById, completedVia, comment, completedAt FROM task WHERE completedAt IS NOT NULL`);
  await scheduleJobs(sqlOf(m), timers.map((t) => ({ kind: 'todo.escalate' as const, dueAt: t.dueAt, payload: { visitId: t.visitId }, subject: `visit:${t.visitId}` })));

  // Each rep's customer most recently moved to 拜访 has its visit waiting, as stage automation leaves it.
  for (const rep of data.reps) {
    const newest = data.customers.filter((c) => c.ownerId === rep.id && c.stage === 'visit').sort((a, b) => b.stageChangedAt!.getTime() - a.stageChangedAt!.getTime())[0];
    if (!newest) continue;
    const customerId = data.ids.get(newest.nameKey!)!;
    await m.getRepository(Visit).insert({
      customerId, memberId: rep.id, objective: null, painPoint: null, dialogueSummary: null, bottleneck: null, valuePoint: null, agreedAction: null,
      agreedActionNote: null, nextFollowUpAt: null, nextFollowUpForm: null, alert: false, customerVerbatim: null, submittedAt: null, createdAt: newest.stageChangedAt!,
    });
    await m.getRepository(Customer).update({ id: customerId }, { waitingVisits: 1 });
  }
}

/**
 * The same local day, moved into 08:00–18:00 in the team's zone (hour h → 08 + 10h/24, minutes kept): demo
 * visits, first touches and sign-ins at 01:37 read as nonsense to the person walking the demo. A time that
 * lands after `now` goes a day back.
 */
export function duringWorkHours(at: Date, now: Date, timeZone: string): Date {
  const wall = instantToWallClock(at, timeZone);
  wall.setUTCHours(8 + Math.floor((wall.getUTCHours() * 10) / 24));
  let moved = wallClockToInstant(wall, timeZone);
  if (moved.getTime() > now.getTime() - 10 * 60_000) moved = new Date(moved.getTime() - DAY_MS);
  return moved;
}

/** Most visits carry the customer's reaction: mostly the positive one, some neutral, a few negative, some none. */
function demoFeedback(random: () => number, options: readonly string[]): string | null {
  const r = random();
  if (r < 0.12) return null;
  if (r < 0.65) return options[0] ?? null;
  if (r < 0.9) return options[1] ?? options[0] ?? null;
  return options[2] ?? options[0] ?? null;
}

/**
 * The agreed action marked done by its rep: of those due already, most on time (before the follow-up),
 * some late, some never; of those still ahead, a few done early.
 */
function demoActionDone(random: () => number, submittedAt: Date, nextAt: Date, now: Date, repId: number): Partial<Visit> {
  const none = { actionDoneAt: null, actionDoneById: null, actionDoneNote: null, actionDoneOnTime: null };
  const r = random();
  let doneAt: Date | null = null;
  if (nextAt.getTime() <= now.getTime()) {
    if (r < 0.68) doneAt = new Date(submittedAt.getTime() + random() * (nextAt.getTime() - submittedAt.getTime()));
    else if (r < 0.86) doneAt = new Date(Math.min(now.getTime() - HOUR_MS, nextAt.getTime() + (1 + random() * 47) * HOUR_MS));
  } else if (r < 0.3) {
    doneAt = new Date(submittedAt.getTime() + random() * (Math.min(now.getTime(), nextAt.getTime()) - submittedAt.getTime()));
  }
  if (!doneAt || doneAt.getTime() <= submittedAt.getTime()) return none;
  const notes = ['方案已通过微信发给主任', '演示已完成，科室反馈良好', '样品已送到设备科并签收', null, null];
  return {
    actionDoneAt: doneAt, actionDoneById: repId, actionDoneNote: notes[Math.floor(random() * notes.length)] ?? null,
    actionDoneOnTime: doneAt.getTime() <= nextAt.getTime(),
  };
}

/**
 * Two customers closed as lost (关闭/丢单), each where it stood, with its reason and a stage-history row:
 * one at 报价 (竞品锁定: a stage misjudgment on the board table), one at 方案 (价格).
 */
async function seedLost(m: EntityManager, policy: Policy, now: Date, customers: Partial<Customer>[], ids: Map<string, number>): Promise<void> {
  const reasons = policy.options.lostReasons;
  const plan: Array<[StageCode, string, string | null, number]> = [
    ['quote', reasons.includes('竞品锁定') ? '竞品锁定' : reasons[0]!, '竞品签了三年独家供货', 3],
    ['proposal', reasons.includes('价格') ? '价格' : reasons[0]!, null, 6],
  ];
  const taken = new Set<number>();
  for (const [stage, reason, note, daysAgo] of plan) {
    const c = customers.find((x) => x.stage === stage && !taken.has(ids.get(x.nameKey!)!) && x.stageChangedAt!.getTime() < now.getTime() - daysAgo * DAY_MS);
    if (!c) continue;
    const id = ids.get(c.nameKey!)!;
    taken.add(id);
    const closedAt = new Date(now.getTime() - daysAgo * DAY_MS);
    await m.getRepository(Customer).update({ id }, { closedAt, closedReason: reason, closedNote: note, closedById: c.ownerId!, updatedAt: closedAt });
    await m.getRepository(CustomerStageChange).insert({ customerId: id, fromStage: stage, toStage: stage, kind: 'closed_lost', reason, note, changedById: c.ownerId!, changedAt: closedAt });
  }
}
