import { Member } from '../../server/src/modules/org/member.entity';
import { Delivery } from '../../server/src/outbox/delivery.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { completeVisit, submitVisit } from '../support/visit-fixture';
import { WechatSimulator } from '../simulators/wechat-sim';

const TEMPLATE = 'tpl-follow-up-reminder';
let h: Harness;
let org: OrgFixture;
let wechat: WechatSimulator;
let customer: number;

beforeAll(async () => {
  wechat = await new WechatSimulator().start();
  h = await startHarness({ env: { WECHAT_APP_ID: wechat.appId, WECHAT_APP_SECRET: wechat.appSecret, WECHAT_API_BASE: wechat.url, WECHAT_REMINDER_TEMPLATE_ID: TEMPLATE } });
  wechat.now = () => h.clock.now().getTime();
  org = await buildOrg(h);
  await h.db.getRepository(Member).update({ id: org.repA.id }, { wechatOpenId: 'openid-repA' });
  wechat.addUser('openid-repA').addTemplate(TEMPLATE, ['thing1', 'time2', 'thing3']);
  customer = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '提醒测试医院', industry: '公立医院', stage: 'proposal' } })).body.id;
});
afterAll(async () => {
  await h.close();
  await wechat.stop();
});

const consent = (accepted = 1) => api(h.url, 'POST', '/api/v1/me/subscribe-consent', { token: org.token(org.repA), json: { templateId: TEMPLATE, accepted } });
async function remindersFire() {
  h.clock.set(new Date('2026-11-24T05:30:00Z'));
  await h.services.jobs.runDue();
  await h.services.outbox.runOnce();
  h.clock.set(new Date('2026-11-20T02:00:00Z'));
}

it('the app is told which template to ask consent for (it asks when a reminder is set)', async () => {
  const options = await api(h.url, 'GET', '/api/v1/options', { token: org.token(org.repA) });
  expect(options.body.reminderTemplateId).toBe(TEMPLATE);
});

it('one consent, one subscribe message: a second reminder without a new 「允许」 is not sent', async () => {
  expect((await consent()).body).toEqual({ templateId: TEMPLATE, remaining: 1 });
  wechat.grantConsent('openid-repA', TEMPLATE, 1);
  await submitVisit(h, org.token(org.repA), completeVisit(customer));
  await submitVisit(h, org.token(org.repA), completeVisit(customer));
  await remindersFire();
  const sent = wechat.deliveries('openid-repA');
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatchObject({ templateId: TEMPLATE });
  expect(JSON.stringify(sent[0])).toContain('提醒测试医院');
  expect(JSON.stringify(sent[0])).toContain('2026-11-24 14:30');
});

it('43101 from WeChat (consent gone) fails that message and resets the count', async () => {
  await consent(2); // we think two sends are left; WeChat knows of none
  await submitVisit(h, org.token(org.repA), completeVisit(customer));
  await remindersFire();
  const failed = await h.db.getRepository(Delivery).find({ where: { channel: 'wechat_subscribe', status: 'failed' } });
  expect(failed.map((d) => d.lastError)).toEqual([expect.stringContaining('43101')]);
  const left = await h.db.query('SELECT remaining FROM subscribe_consent WHERE templateId = ?', [TEMPLATE]);
  expect(Number(left[0].remaining)).toBe(0);
});
