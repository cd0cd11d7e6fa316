import { robotSign } from '../../server/src/channels/dingtalk/dingtalk-sign';
import { loadPolicy, type Policy } from '../../server/src/config/policy';
import { serverModules } from '../../server/src/modules';
import { Member } from '../../server/src/modules/org/member.entity';
import { OutboxMessage } from '../../server/src/outbox/outbox-message.entity';
import { purchaseModule } from '../fixtures/purchase-module';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { WECOM_CALLBACK_AES_KEY, WECOM_CALLBACK_TOKEN, wecomClickSealer } from '../support/wecom-callback';
import { DingtalkSimulator } from '../simulators/dingtalk-sim';
import { WecomSimulator } from '../simulators/wecom-sim';

// An approval step's card on every surface: a WeCom button card whose buttons act once (a replayed
// click is refused, a second click on a decided step only greys its card), a DingTalk card that links
// into the app, and DingTalk's text commands, including a reject with its reason.
const policy: Policy = { ...loadPolicy(), approvals: { ...loadPolicy().approvals, test_purchase: [{ assignee: 'supervisor' }, { assignee: 'pool', pool: 'finance' }] } };
const DING_APP_SECRET = 'task-cards-ding-secret';
const DING_TOKEN = 'task-cards-robot';
const DING_SECRET = 'SECtaskcards';

let h: Harness;
let org: OrgFixture;
let wecom: WecomSimulator;
let ding: DingtalkSimulator;
let clicks: ReturnType<typeof wecomClickSealer>;
let finance2: Member;
let seq = 0;

beforeAll(async () => {
  wecom = await new WecomSimulator().start();
  ding = await new DingtalkSimulator().start();
  h = await startHarness({
    modules: [...serverModules(), purchaseModule],
    policy,
    env: {
      WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: wecom.secret, WECOM_TOKEN: WECOM_CALLBACK_TOKEN, WECOM_AES_KEY: WECOM_CALLBACK_AES_KEY, WECOM_API_BASE: wecom.url,
      DINGTALK_APP_KEY: 'ding-app', DINGTALK_APP_SECRET: DING_APP_SECRET, DINGTALK_API_BASE: ding.url,
    },
  });
  wecom.now = () => h.clock.now().getTime();
  ding.now = () => h.clock.now().getTime();
  ding.addRobot(DING_TOKEN, DING_SECRET);
  org = await buildOrg(h);
  finance2 = await h.services.org.createMember({ name: '财务二', phone: '13900099002', role: 'finance' });
  const members = h.db.getRepository(Member);
  await members.update({ id: org.supervisor1.id }, { wecomUserId: 'chen.s1', dingtalkUserId: 'ding-s1' });
  await members.update({ id: org.finance.id }, { wecomUserId: 'fin.1', dingtalkUserId: 'ding-f1' });
  await members.update({ id: finance2.id }, { wecomUserId: 'fin.2' });
  await members.update({ id: org.repA.id }, { wecomUserId: 'rep.a' });
  await h.services.teamChannels.update(org.admin, org.teamIds.team1, { dingtalkRobotToken: DING_TOKEN, dingtalkRobotSecret: DING_SECRET });
  clicks = wecomClickSealer(wecom.corpId, () => h.clock.now().getTime());
}, 60_000);
afterAll(async () => {
  await h.close();
  await wecom.stop();
  await ding.stop();
});

const deliver = async () => {
  await h.services.outbox.runOnce();
  await h.services.outbox.runOnce();
};
const start = async (amountFen = 50_000) => {
  const subjectId = ++seq;
  const approval = await h.services.approvals.start({ kind: 'test_purchase', subjectType: 'purchase', subjectId, requesterId: org.repA.id, amountFen, snapshot: { item: `采购 #${subjectId}`, requester: org.repA.name } });
  return { approval, title: `采购 #${subjectId}` };
};
const stepTask = async (approvalId: number, stepIndex: number) => Number((await h.db.query('SELECT id FROM task WHERE approvalId = ? AND stepIndex = ?', [approvalId, stepIndex]))[0].id);
const count = async (kind: string, approvalId: number) => (await h.db.getRepository(OutboxMessage).find({ where: { kind } })).filter((m) => m.payload.approvalId === approvalId).length;
const cardOf = (user: string, taskId: string) => wecom.deliveredCards(user).find((c) => c.taskId === taskId);

describe('WeCom button card', () => {
  it('carries 同意 as a button keyed approve:<task> and 驳回 as a link into the app; a click acts once, its replay is refused', async () => {
    const { approval } = await start();
    const step = await stepTask(approval.id, 0);
    await deliver();
    const taskId = `anchor_task_${step}_${org.supervisor1.id}`;
    const card = cardOf('chen.s1', taskId);
    expect(card?.body.template_card.button_list).toEqual([
      { text: '同意', style: 1, key: `approve:${step}` },
      { text: '驳回（填写理由）', style: 3, type: 1, url: expect.stringContaining(`/pages/tasks/index?id=${step}`) },
    ]);
    // the card itself opens the app's 任务 screen on this task, as 驳回 does
    expect(card?.body.template_card.card_action).toEqual({ type: 1, url: expect.stringContaining(`/app/#/pages/tasks/index?id=${step}`) });
    expect(card?.body.template_card.source).toEqual({ desc: '锚点 · 采购审批' });

    const click = clicks.seal(wecom.click('chen.s1', taskId, `approve:${step}`));
    const first = await clicks.post(h.url, click);
    expect(first.status).toBe(200);
    expect((await h.services.approvals.get(approval.id)).currentStep).toBe(1);
    const replay = await clicks.post(h.url, click);
    expect(replay.status).toBe(403);
    // one next step, not two; the step was decided from WeCom
    expect(Number((await h.db.query('SELECT COUNT(*) AS n FROM task WHERE approvalId = ?', [approval.id]))[0].n)).toBe(2);
    expect((await h.services.tasks.get(org.supervisor1 as Member, step)).completedVia).toBe('wecom');
    // the card is greyed, naming the decision and who made it
    await deliver();
    expect(wecom.updates().filter((u) => u.taskId === taskId).map((u) => u.button?.replace_name)).toEqual(['已同意 · 一组主管']);
  });

  it("a pool step's card goes to each pool member; the first click decides, the other's click changes nothing and greys that card", async () => {
    const { approval } = await start();
    await h.services.tasks.act(org.supervisor1.id, await stepTask(approval.id, 0), 'approve', 'app');
    const step = await stepTask(approval.id, 1);
    await deliver();
    const mineId = `anchor_task_${step}_${org.finance.id}`;
    const theirsId = `anchor_task_${step}_${finance2.id}`;
    expect(cardOf('fin.1', mineId)).toBeDefined();
    expect(cardOf('fin.2', theirsId)).toBeDefined();
    expect((await clicks.post(h.url, clicks.seal(wecom.click('fin.1', mineId, `approve:${step}`)))).status).toBe(200);
    expect((await clicks.post(h.url, clicks.seal(wecom.click('fin.2', theirsId, `approve:${step}`)))).status).toBe(200);
    expect(await h.services.approvals.get(approval.id)).toMatchObject({ state: 'approved' });
    expect(await count('purchase.approved', approval.id)).toBe(1);
    expect(await count('approval.decided', approval.id)).toBe(1);
    expect((await h.services.tasks.get(org.finance as Member, step)).completedById).toBe(org.finance.id);
    await deliver();
    expect(wecom.updates().filter((u) => u.taskId === theirsId).map((u) => u.button?.replace_name)).toEqual(['已同意 · 财务']);
    expect(wecom.updates().filter((u) => u.taskId === mineId).map((u) => u.button?.replace_name)).toEqual(['已同意 · 财务']);
    // the requester is told the chain is through
    expect(wecom.deliveredMessages('rep.a').some((m) => m.msgtype === 'text' && m.body.text.content.startsWith('【审批通过】采购审批'))).toBe(true);
  });
});

describe('reassign and chosen pools', () => {
  it("a reassigned step greys the old assignee's card once (「已转交给 …」); a click on it afterwards is refused and changes nothing", async () => {
    await h.db.getRepository(Member).update({ id: org.supervisor2.id }, { wecomUserId: 'chen.s2' });
    const { approval } = await start();
    const step = await stepTask(approval.id, 0);
    await deliver();
    const oldId = `anchor_task_${step}_${org.supervisor1.id}`;
    // a fresh task_id per hand-over (WeCom refuses one twice: it could come back to someone)
    const newId = `anchor_task_${step}_${org.supervisor2.id}_r1`;
    expect(cardOf('chen.s1', oldId)).toBeDefined();
    const handed = await api(h.url, 'POST', `/api/v1/tasks/${step}/actions`, { token: org.token(org.supervisor1), json: { action: 'reassign', toMemberId: org.supervisor2.id } });
    expect(handed.status).toBe(200);
    await deliver();
    await deliver();
    // the old card says where it went, once; the new assignee has a live card of their own
    expect(wecom.updates().filter((u) => u.taskId === oldId).map((u) => u.button?.replace_name)).toEqual(['已转交给 二组主管']);
    expect(cardOf('chen.s2', newId)?.body.template_card.button_list[0]).toEqual({ text: '同意', style: 1, key: `approve:${step}` });
    expect(wecom.updates().filter((u) => u.taskId === newId)).toEqual([]);

    // a click on the old card (a stale client, or a code captured before the update) changes nothing
    const stale = await clicks.post(h.url, clicks.seal(wecom.click('chen.s1', oldId, `approve:${step}`)));
    expect(stale.status).toBe(200);
    expect(await h.services.approvals.get(approval.id)).toMatchObject({ state: 'open', currentStep: 0 });
    const after = await h.services.tasks.get(org.supervisor2 as Member, step);
    expect(after).toMatchObject({ state: 'open', assigneeId: org.supervisor2.id });
    expect(after.history.map((e) => e.action)).toEqual(['reassign']);
    await deliver();
    expect(wecom.updates().filter((u) => u.taskId === oldId)).toHaveLength(1);

    // the new assignee's click decides it; only their card is greyed with the decision
    expect((await clicks.post(h.url, clicks.seal(wecom.click('chen.s2', newId, `approve:${step}`)))).status).toBe(200);
    expect(await h.services.approvals.get(approval.id)).toMatchObject({ currentStep: 1 });
    await deliver();
    expect(wecom.updates().filter((u) => u.taskId === newId).map((u) => u.button?.replace_name)).toEqual(['已同意 · 二组主管']);
    expect(wecom.updates().filter((u) => u.taskId === oldId)).toHaveLength(1);
  });

  it("a pool step handed to one member greys every pool member's card; their clicks afterwards change nothing", async () => {
    const { approval } = await start();
    await h.services.tasks.act(org.supervisor1.id, await stepTask(approval.id, 0), 'approve', 'app');
    const step = await stepTask(approval.id, 1);
    await deliver();
    const cards = [['fin.1', `anchor_task_${step}_${org.finance.id}`], ['fin.2', `anchor_task_${step}_${finance2.id}`]] as const;
    for (const [user, id] of cards) expect(cardOf(user, id)).toBeDefined();
    expect((await api(h.url, 'POST', `/api/v1/tasks/${step}/actions`, { token: org.token(org.finance), json: { action: 'reassign', toMemberId: finance2.id } })).status).toBe(200);
    await deliver();
    await deliver();
    // finance 2 now holds it alone: the pool's cards (theirs included) are greyed, a fresh card is theirs
    for (const [, id] of cards) expect(wecom.updates().filter((u) => u.taskId === id).map((u) => u.button?.replace_name)).toEqual(['已转交给 财务二']);
    expect(cardOf('fin.2', `anchor_task_${step}_${finance2.id}_r1`)?.body.template_card.button_list[0]).toEqual({ text: '同意', style: 1, key: `approve:${step}` });
    expect((await clicks.post(h.url, clicks.seal(wecom.click('fin.1', cards[0][1], `approve:${step}`)))).status).toBe(200);
    expect(await h.services.approvals.get(approval.id)).toMatchObject({ state: 'open', currentStep: 1 });
    expect((await h.services.tasks.get(finance2 as Member, step)).history.map((e) => e.action)).toEqual(['reassign']);
  });

  it("a chosen pool's card goes to its picked members only; while none is picked, to every member of its roles", async () => {
    const lead = await h.services.org.createMember({ name: '市场负责人', phone: '13900099012', role: 'marketing' });
    await h.db.getRepository(Member).update({ id: org.marketing.id }, { wecomUserId: 'mkt.1' });
    await h.db.getRepository(Member).update({ id: lead.id }, { wecomUserId: 'mkt.lead' });
    const notice = async () =>
      (await h.db.transaction((m) => h.services.tasks.create(m, { kind: 'test_notice', subjectType: 'campaign', subjectId: ++seq, requesterId: org.repA.id, assigneePool: 'marketing_lead', snapshot: { item: `活动 #${seq}` } }))).id;
    const open = await notice();
    await deliver();
    expect(cardOf('mkt.1', `anchor_task_${open}_${org.marketing.id}`)).toBeDefined();
    expect(cardOf('mkt.lead', `anchor_task_${open}_${lead.id}`)).toBeDefined();

    const picked = await api(h.url, 'PUT', '/api/v1/task-pools/marketing_lead/members', { token: org.token(org.admin), json: { memberIds: [lead.id] } });
    expect(picked.status).toBe(200);
    const chosen = await notice();
    await deliver();
    expect(cardOf('mkt.lead', `anchor_task_${chosen}_${lead.id}`)).toBeDefined();
    expect(wecom.deliveredCards('mkt.1').filter((c) => c.taskId?.startsWith(`anchor_task_${chosen}_`))).toEqual([]);
    // the card names the pool by its label
    const robot = ding.messages(DING_TOKEN).find((m) => String(m.body.actionCard?.singleURL ?? '').endsWith(`id=${chosen}`));
    expect(robot?.body.actionCard.text).toContain('处理人：「市场负责人」任务池');
  });
});

describe('DingTalk', () => {
  const post = (content: string, staff: string, msgId: string) => {
    const ts = String(h.clock.now().getTime() + ++seq);
    return api(h.url, 'POST', '/api/v1/channels/dingtalk/callback', { json: { msgtype: 'text', text: { content }, senderStaffId: staff, msgId }, headers: { timestamp: ts, sign: decodeURIComponent(robotSign(ts, DING_APP_SECRET)) } });
  };

  it("the team's robot gets a card that links into the app; 驳回 #id with words rejects with that reason, once", async () => {
    const before = ding.messages(DING_TOKEN).length;
    const { approval, title } = await start();
    const step = await stepTask(approval.id, 0);
    await deliver();
    const [card] = ding.messages(DING_TOKEN).slice(before);
    expect(card?.body).toMatchObject({ msgtype: 'actionCard', actionCard: { title: `待处理：${title}`, singleTitle: '去处理', singleURL: expect.stringContaining(`/pages/tasks/index?id=${step}`) } });
    expect(card?.body.actionCard.text).toContain('处理人：一组主管');

    expect((await post(`驳回 #${step} 报价高于同类产品`, 'ding-s1', `m-reject-${step}`)).status).toBe(200);
    expect(await h.services.approvals.get(approval.id)).toMatchObject({ state: 'rejected', reason: '报价高于同类产品' });
    // the same message again (a platform retry) and a later 同意 change nothing
    expect((await post(`驳回 #${step} 报价高于同类产品`, 'ding-s1', `m-reject-${step}`)).status).toBe(200);
    expect((await post(`同意 #${step}`, 'ding-s1', `m-approve-${step}`)).status).toBe(200);
    expect(await h.services.approvals.get(approval.id)).toMatchObject({ state: 'rejected', currentStep: 0 });
    expect(await count('purchase.rejected', approval.id)).toBe(1);
    expect((await h.services.tasks.get(org.supervisor1 as Member, step)).history.map((e) => [e.action, e.via, e.comment])).toEqual([['reject', 'dingtalk', '报价高于同类产品']]);
    await deliver();
    expect(wecom.deliveredMessages('rep.a').some((m) => m.msgtype === 'text' && m.body.text.content.includes('被 一组主管 驳回，理由：报价高于同类产品'))).toBe(true);
  });

  it('驳回 without words is refused: the step stays open', async () => {
    const { approval } = await start();
    const step = await stepTask(approval.id, 0);
    expect((await post(`驳回 #${step}`, 'ding-s1', `m-bare-${step}`)).status).toBe(200);
    expect(await h.services.approvals.get(approval.id)).toMatchObject({ state: 'open', currentStep: 0 });
  });
});
