import { randomUUID } from 'node:crypto';
import { Member } from '../../server/src/modules/org/member.entity';
import { Todo } from '../../server/src/modules/tasks/todo.view';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { completeVisit, submitVisit } from '../support/visit-fixture';
import { DingtalkSimulator } from '../simulators/dingtalk-sim';
import { WecomSimulator } from '../simulators/wecom-sim';

// The supervisor's WeCom card and the group notices (WeCom, DingTalk) say whether the rep signed in at
// the customer and how far from it: 已签到 · 120 m, 距离客户 3.2 km, or 未签到.
const ROBOT_KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5bbb';
const DING_TOKEN = 'e'.repeat(64);
const DING_SECRET = 'SEC0123456789abcdef';
const DOOR = { lat: 31.2304, lng: 121.4737 };
const north = (meters: number) => ({ lat: DOOR.lat + (meters / 6371000) * (180 / Math.PI), lng: DOOR.lng });

let h: Harness;
let org: OrgFixture;
let wecom: WecomSimulator;
let ding: DingtalkSimulator;
let customer: number;

beforeAll(async () => {
  wecom = await new WecomSimulator().start();
  ding = await new DingtalkSimulator().start();
  h = await startHarness({
    env: {
      WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: wecom.secret, WECOM_TOKEN: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo', WECOM_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt', WECOM_API_BASE: wecom.url,
      DINGTALK_APP_KEY: 'ding-app', DINGTALK_APP_SECRET: 'dingtalk-app-secret', DINGTALK_API_BASE: ding.url,
    },
  });
  wecom.now = () => h.clock.now().getTime();
  ding.now = () => h.clock.now().getTime();
  org = await buildOrg(h);
  await h.db.getRepository(Member).update({ id: org.supervisor1.id }, { wecomUserId: 'chen.s1' });
  wecom.addRobot(ROBOT_KEY);
  ding.addRobot(DING_TOKEN, DING_SECRET);
  await h.services.teamChannels.update(org.admin, org.teamIds.team1, { wecomRobotKey: ROBOT_KEY, dingtalkRobotToken: DING_TOKEN, dingtalkRobotSecret: DING_SECRET });
  customer = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '签到卡片医院', industry: '公立医院', stage: 'proposal' } })).body.id;
  expect((await api(h.url, 'PUT', `/api/v1/customers/${customer}/location`, { token: org.token(org.supervisor1), json: DOOR })).status).toBe(200);
});
afterAll(async () => {
  await h.close();
  await wecom.stop();
  await ding.stop();
});

async function visitWith(point: { lat: number; lng: number } | null) {
  let signinId: number | undefined;
  if (point) {
    const s = await api(h.url, 'POST', `/api/v1/customers/${customer}/signins`, { token: org.token(org.repA), json: { ...point, accuracy: 20 }, headers: { 'idempotency-key': randomUUID() } });
    expect(s.status).toBe(201);
    signinId = s.body.id;
  }
  const res = await submitVisit(h, org.token(org.repA), { ...completeVisit(customer), ...(signinId ? { signinId } : {}) });
  expect(res.status).toBe(201);
  const todo = await h.db.getRepository(Todo).findOneByOrFail({ visitId: res.body.id });
  await h.services.outbox.runOnce();
  const card = wecom.deliveredCards('chen.s1').find((c) => c.taskId === `anchor_todo_${todo.id}`)!;
  return { card, wecomNotice: JSON.stringify(wecom.robotMessages(ROBOT_KEY).at(-1)!.body), dingNotice: JSON.stringify(ding.messages(DING_TOKEN).at(-1)!.body) };
}

describe('the sign-in on the supervisor\'s card', () => {
  it('120 m from the customer: 已签到 · 120 m on the WeCom card and in both groups', async () => {
    const { card, wecomNotice, dingNotice } = await visitWith(north(120));
    expect(card.body.template_card.horizontal_content_list).toContainEqual({ keyname: '外勤签到', value: '已签到 · 120 m' });
    expect(wecomNotice).toContain('外勤签到：已签到 · 120 m');
    expect(dingNotice).toContain('外勤签到：已签到 · 120 m');
  });

  it('3.2 km away: 距离客户 3.2 km', async () => {
    const { card, dingNotice } = await visitWith(north(3200));
    expect(card.body.template_card.horizontal_content_list).toContainEqual({ keyname: '外勤签到', value: '距离客户 3.2 km' });
    expect(dingNotice).toContain('距离客户 3.2 km');
  });

  it('no sign-in: 未签到', async () => {
    const { card, wecomNotice } = await visitWith(null);
    expect(card.body.template_card.horizontal_content_list).toContainEqual({ keyname: '外勤签到', value: '未签到' });
    expect(wecomNotice).toContain('外勤签到：未签到');
  });
});
