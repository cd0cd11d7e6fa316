import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PAGES, type PageName } from '@anchor/shared';
import { Member } from '../../server/src/modules/org/member.entity';
import { Todo } from '../../server/src/modules/tasks/todo.view';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { completeVisit, submitVisit } from '../support/visit-fixture';
import { WecomSimulator } from '../simulators/wecom-sim';
import { DingtalkSimulator } from '../simulators/dingtalk-sim';
import { WechatSimulator } from '../simulators/wechat-sim';

// Every link the server puts in a chat message, read from what the simulators received: it must name
// a page the app declares, with the parameters that page reads, pointing at the right record. (The
// e2e test links.test.ts opens each kind in Chromium and checks the screen.)
const ROBOT_KEY = 'links-robot-0001';
const DING_TOKEN = 'e'.repeat(64);
const DING_SECRET = 'SEC0123456789links';
const TEMPLATE = 'tpl-links-reminder';
const APP_CONFIG = readFileSync(path.resolve(__dirname, '../../miniprogram/src/app.config.ts'), 'utf8');

let h: Harness;
let org: OrgFixture;
let wecom: WecomSimulator;
let ding: DingtalkSimulator;
let wechat: WechatSimulator;
let customer: number;

beforeAll(async () => {
  wecom = await new WecomSimulator().start();
  ding = await new DingtalkSimulator().start();
  wechat = await new WechatSimulator().start();
  h = await startHarness({
    env: {
      WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: wecom.secret, WECOM_TOKEN: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo', WECOM_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt', WECOM_API_BASE: wecom.url,
      DINGTALK_API_BASE: ding.url, PUBLIC_URL: 'https://anchor.example.cn',
      WECHAT_APP_ID: wechat.appId, WECHAT_APP_SECRET: wechat.appSecret, WECHAT_API_BASE: wechat.url, WECHAT_REMINDER_TEMPLATE_ID: TEMPLATE,
    },
  });
  for (const sim of [wecom, ding, wechat]) sim.now = () => h.clock.now().getTime();
  org = await buildOrg(h);
  await h.db.getRepository(Member).update({ id: org.supervisor1.id }, { wecomUserId: 'chen.s1' });
  await h.db.getRepository(Member).update({ id: org.directorEast.id }, { wecomUserId: 'zhou.d1' });
  await h.db.getRepository(Member).update({ id: org.repA.id }, { wecomUserId: 'wang.a', wechatOpenId: 'openid-links-a' });
  wechat.addUser('openid-links-a').addTemplate(TEMPLATE, ['thing1', 'time2', 'thing3']);
  wecom.addRobot(ROBOT_KEY);
  ding.addRobot(DING_TOKEN, DING_SECRET);
  await h.services.teamChannels.update(org.admin, org.teamIds.team1, { wecomRobotKey: ROBOT_KEY, dingtalkRobotToken: DING_TOKEN, dingtalkRobotSecret: DING_SECRET });
  customer = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '链接测试医院', industry: '公立医院', stage: 'proposal' } })).body.id;
});
afterAll(async () => {
  await h?.close();
  await wecom?.stop();
  await ding?.stop();
  await wechat?.stop();
});

/** A page path as the app declares it in app.config.ts (main package or a subpackage root). */
function declared(pagePath: string): boolean {
  if (APP_CONFIG.includes(`'${pagePath}'`)) return true;
  const sub = /^(packages\/[^/]+)\/(.+)$/.exec(pagePath);
  return !!sub && APP_CONFIG.includes(`'${sub[1]}'`) && APP_CONFIG.includes(`'${sub[2]}'`);
}

/** A link or a mini-program page → the page it names and its parameters, checked against the page table. */
function target(link: string): { page: PageName; params: Record<string, string> } {
  const route = link.startsWith('http') ? link.split('/app/#/')[1] : link;
  expect(link.startsWith('http') ? link.startsWith('https://anchor.example.cn/app/#/') : true).toBe(true);
  const [pagePath, query = ''] = route!.split('?');
  const page = (Object.keys(PAGES) as PageName[]).find((p) => PAGES[p].path === pagePath);
  if (!page) throw new Error(`link to a page the app does not have: ${link}`);
  expect(declared(pagePath!)).toBe(true);
  const params = Object.fromEntries(new URLSearchParams(query));
  for (const key of Object.keys(params)) expect(PAGES[page].params).toContain(key);
  return { page, params };
}

const linksIn = (text: string) => [...text.matchAll(/https?:\/\/[^\s"\\]+/g)].map((m) => m[0]);

async function otherVisit(note: string, extra: Record<string, unknown> = {}) {
  const res = await submitVisit(h, org.token(org.repA), { ...completeVisit(customer), agreedAction: '其他', agreedActionNote: note, ...extra });
  expect(res.status).toBe(201);
  const todo = await h.db.getRepository(Todo).findOneByOrFail({ visitId: res.body.id });
  await h.services.outbox.runOnce();
  return { visitId: res.body.id as number, todo };
}

describe('links in the cards a visit sends open its visit, and 「其他」 carries its note', () => {
  it('the supervisor\u2019s WeCom card, the WeCom robot card and the DingTalk ActionCard', async () => {
    const { visitId, todo } = await otherVisit('带院长参观样板间');
    const visitLink = { page: 'visitDetail', params: { id: String(visitId), todo: String(todo.id) } };

    const card = wecom.deliveredCards('chen.s1').find((c) => c.taskId === `anchor_todo_${todo.id}`)!;
    expect(target(card.body.template_card.card_action.url)).toEqual(visitLink);
    expect(JSON.stringify(card.body.template_card.horizontal_content_list)).toContain('其他（带院长参观样板间）');

    const robot = wecom.robotMessages(ROBOT_KEY).at(-1)!;
    expect(target(robot.body.template_card.card_action.url)).toEqual(visitLink);
    expect(robot.body.template_card.sub_title_text).toContain('约定动作：其他（带院长参观样板间）');

    const action = ding.messages(DING_TOKEN).at(-1)!;
    expect(target(action.body.actionCard.singleURL)).toEqual(visitLink);
    expect(action.body.actionCard.text).toContain('其他（带院长参观样板间）');
  });

  it('需要沟通 tells the rep with a link to the visit', async () => {
    const { visitId, todo } = await otherVisit('先寄样品给科室试用');
    expect((await api(h.url, 'POST', `/api/v1/todos/${todo.id}/discuss`, { token: org.token(org.supervisor1), json: {} })).status).toBe(200);
    await h.services.outbox.runOnce();
    const told = wecom.deliveredMessages('wang.a').filter((m) => m.msgtype === 'text' && m.body.text.content.startsWith('【需要沟通】')).at(-1)!;
    expect(told.body.text.content).toContain('「其他（先寄样品给科室试用）」');
    const links = linksIn(told.body.text.content);
    expect(links).toHaveLength(1);
    expect(target(links[0]!)).toEqual({ page: 'visitDetail', params: { id: String(visitId), todo: String(todo.id) } });
  });

  it('the escalation to the director and to the group, after 48 h', async () => {
    const { visitId, todo } = await otherVisit('请主任牵头开科室会');
    const start = h.clock.now();
    try {
      h.clock.advance(48 * 3_600_000 + 60_000);
      await h.services.jobs.runDue();
      await h.services.outbox.runOnce();
      const toDirector = wecom.deliveredMessages('zhou.d1').filter((m) => m.msgtype === 'text' && m.body.text.content.includes(`todo=${todo.id}`));
      expect(toDirector).toHaveLength(1);
      expect(toDirector[0]!.body.text.content).toContain('「其他（请主任牵头开科室会）」');
      expect(target(linksIn(toDirector[0]!.body.text.content)[0]!)).toEqual({ page: 'visitDetail', params: { id: String(visitId), todo: String(todo.id) } });
      const group = wecom.robotMessages(ROBOT_KEY).filter((m) => m.body.template_card.main_title.title.startsWith('超时未确认')).at(-1)!;
      expect(target(group.body.template_card.card_action.url).params.todo).toBe(String(todo.id));
      expect(group.body.template_card.main_title.desc).toContain('其他（请主任牵头开科室会）');
    } finally {
      h.clock.set(start);
    }
  });

  it('the reminder: the subscribe message page and the WeCom text both open the visit', async () => {
    expect((await api(h.url, 'POST', '/api/v1/me/subscribe-consent', { token: org.token(org.repA), json: { templateId: TEMPLATE, accepted: 1 } })).status).toBeLessThan(300);
    wechat.grantConsent('openid-links-a', TEMPLATE, 1);
    // due a day before the other visits' reminders, so this one alone fires
    const { visitId } = await otherVisit('送两台试用机', { nextFollowUpDate: '2026-11-23', nextFollowUpTime: '10:00' });
    const start = h.clock.now();
    try {
      h.clock.set(new Date('2026-11-23T01:30:00Z'));
      await h.services.jobs.runDue();
      await h.services.outbox.runOnce();
      const sent = wechat.deliveries('openid-links-a').at(-1)!;
      expect(target(sent.page!)).toEqual({ page: 'visitDetail', params: { id: String(visitId) } });
      const text = wecom.deliveredMessages('wang.a').filter((m) => m.msgtype === 'text' && m.body.text.content.startsWith('【跟进提醒】')).at(-1)!;
      expect(text.body.text.content).toContain('其他（送两台试用机）');
      expect(target(linksIn(text.body.text.content)[0]!)).toEqual({ page: 'visitDetail', params: { id: String(visitId) } });
    } finally {
      h.clock.set(start);
    }
  });
});

describe('the group\u2019s 待确认 post is followed by one 已确认 post', () => {
  it('confirming posts 已确认 to both robots once; a second confirm (app or card) posts nothing', async () => {
    const { visitId, todo } = await otherVisit('约院长面谈');
    const confirmedPosts = () => ({
      wecom: wecom.robotMessages(ROBOT_KEY).filter((m) => m.body.template_card.main_title.title === '已确认：链接测试医院' && m.body.template_card.card_action.url.endsWith(`todo=${todo.id}`)),
      ding: ding.messages(DING_TOKEN).filter((m) => m.body.actionCard.title === '已确认：链接测试医院' && m.body.actionCard.singleURL.endsWith(`todo=${todo.id}`)),
    });
    expect(confirmedPosts().wecom).toHaveLength(0);
    expect((await api(h.url, 'POST', `/api/v1/todos/${todo.id}/confirm`, { token: org.token(org.supervisor1), json: {} })).status).toBe(200);
    expect((await api(h.url, 'POST', `/api/v1/todos/${todo.id}/confirm`, { token: org.token(org.supervisor1), json: {} })).status).toBe(200);
    await h.services.outbox.runOnce();
    await h.services.outbox.runOnce();
    const posts = confirmedPosts();
    expect(posts.wecom).toHaveLength(1);
    expect(posts.ding).toHaveLength(1);
    expect(posts.wecom[0]!.body.template_card.sub_title_text).toContain('确认人：一组主管');
    expect(posts.wecom[0]!.body.template_card.sub_title_text).toContain('其他（约院长面谈）');
    expect(target(posts.ding[0]!.body.actionCard.singleURL)).toEqual({ page: 'visitDetail', params: { id: String(visitId), todo: String(todo.id) } });
    // the outbox holds exactly one confirmed message for it, written with the confirm
    const rows: { n: number | string }[] = await h.db.query("SELECT COUNT(*) AS n FROM outbox_message WHERE kind = 'todo.confirmed' AND payload LIKE ?", [`%"todoId":${todo.id},%`]);
    expect(Number(rows[0]!.n)).toBe(1);
  });
});

describe('other links', () => {
  it('an untouched lead\u2019s overdue notice opens the customer', async () => {
    const lead = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '线索链接医院', industry: '公立医院', stage: 'lead' } })).body.id as number;
    const start = h.clock.now();
    try {
      h.clock.advance((h.policy.limits.leadFirstTouchHours + 1) * 3_600_000);
      await h.services.jobs.runDue();
      await h.services.outbox.runOnce();
      const post = wecom.robotMessages(ROBOT_KEY).filter((m) => m.body.template_card.main_title.title === '线索未触达：线索链接医院').at(-1)!;
      expect(target(post.body.template_card.card_action.url)).toEqual({ page: 'customer', params: { id: String(lead) } });
      const toSupervisor = wecom.deliveredMessages('chen.s1').filter((m) => m.msgtype === 'text' && m.body.text.content.includes('线索链接医院')).at(-1)!;
      expect(target(linksIn(toSupervisor.body.text.content)[0]!)).toEqual({ page: 'customer', params: { id: String(lead) } });
    } finally {
      h.clock.set(start);
    }
  });

  it('invite links and QR codes open the login page with the invite, and a customer code opens its visit form', async () => {
    const invite = await api(h.url, 'POST', '/api/v1/invites', { token: org.token(org.supervisor1), json: { teamId: org.teamIds.team1 } });
    expect(invite.status).toBe(201);
    expect(target(invite.body.url)).toEqual({ page: 'login', params: { invite: invite.body.code } });
    const inviteQr = await api(h.url, 'GET', `/api/v1/invites/${invite.body.code}/qr.png`, { token: org.token(org.supervisor1) });
    expect(target(decodeURI(inviteQr.headers.get('x-h5-url')!))).toEqual({ page: 'login', params: { invite: invite.body.code } });
    const customerQr = await api(h.url, 'GET', `/api/v1/customers/${customer}/qr.png`, { token: org.token(org.repA) });
    expect(target(decodeURI(customerQr.headers.get('x-h5-url')!))).toEqual({ page: 'visitNew', params: { customerId: String(customer) } });
  });
});
