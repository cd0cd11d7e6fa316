import { PAGES } from '@anchor/shared';
import { Member } from '../../server/src/modules/org/member.entity';
import { Delivery } from '../../server/src/outbox/delivery.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { WecomSimulator } from '../simulators/wecom-sim';
import { WechatSimulator } from '../simulators/wechat-sim';

// The check-in reminder end to end, through the outbox and the dispatcher to the WeChat and WeCom
// simulators: a subscribe message (its own template, the consent taken) where the rep said 「允许」, a WeCom
// text otherwise, never both, and nothing at all on a day off.
const CHECKIN_TPL = 'tpl-checkin-reminder';
const FOLLOW_UP_TPL = 'tpl-follow-up-reminder';
const at = (iso: string) => new Date(iso);

let h: Harness;
let org: OrgFixture;
let wecom: WecomSimulator;
let wechat: WechatSimulator;

beforeAll(async () => {
  wecom = await new WecomSimulator().start();
  wechat = await new WechatSimulator().start();
  h = await startHarness({
    now: at('2026-11-20T01:00:00Z'), // Friday 09:00 in Asia/Shanghai: the morning window is open
    env: {
      WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: wecom.secret, WECOM_TOKEN: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo', WECOM_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt', WECOM_API_BASE: wecom.url,
      PUBLIC_URL: 'https://anchor.example.cn',
      WECHAT_APP_ID: wechat.appId, WECHAT_APP_SECRET: wechat.appSecret, WECHAT_API_BASE: wechat.url,
      WECHAT_REMINDER_TEMPLATE_ID: FOLLOW_UP_TPL, WECHAT_CHECKIN_TEMPLATE_ID: CHECKIN_TPL,
    },
  });
  for (const sim of [wecom, wechat]) sim.now = () => h.clock.now().getTime();
  org = await buildOrg(h);
  await h.services.jobs.seedRecurring();
  await h.db.getRepository(Member).update({ id: org.repA.id }, { wecomUserId: 'wang.a', wechatOpenId: 'openid-checkin-a' });
  wecom.addMember('wang.a');
  wechat.addUser('openid-checkin-a').addTemplate(CHECKIN_TPL, ['thing1', 'time2', 'thing3']).addTemplate(FOLLOW_UP_TPL, ['thing1', 'time2', 'thing3']);
});
afterAll(async () => {
  await h?.close();
  await wecom?.stop();
  await wechat?.stop();
});

/** The rep taps 打卡 and says 「允许」: WeChat counts one send, the app tells the server. */
async function consent(templateId: string) {
  wechat.grantConsent('openid-checkin-a', templateId, 1);
  const res = await api(h.url, 'POST', '/api/v1/me/subscribe-consent', { token: org.token(org.repA), json: { templateId, accepted: 1 } });
  expect(res.status).toBe(200);
}
async function runAt(iso: string) {
  h.clock.set(at(iso));
  await h.services.jobs.runDue();
  await h.services.outbox.runOnce();
}
const left = async (templateId: string) =>
  Number((await h.db.query('SELECT remaining FROM subscribe_consent WHERE memberId = ? AND templateId = ?', [org.repA.id, templateId]))[0]?.remaining ?? 0);
const texts = () => wecom.deliveredMessages('wang.a').filter((m) => m.msgtype === 'text');

it('the app is told which template to ask consent for when the rep checks in', async () => {
  const options = await api(h.url, 'GET', '/api/v1/options', { token: org.token(org.repA) });
  expect(options.body).toMatchObject({ checkinTemplateId: CHECKIN_TPL, reminderTemplateId: FOLLOW_UP_TPL });
});

it('with a consent: the morning reminder is ONE subscribe message with the template fields, the consent is used, no WeCom text', async () => {
  await consent(CHECKIN_TPL);
  await consent(FOLLOW_UP_TPL); // given for a follow-up reminder: the check-in reminder must leave it alone
  await runAt('2026-11-20T02:00:30Z'); // 10:00:30 local: the morning window has closed
  const sent = wechat.deliveries('openid-checkin-a');
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatchObject({
    templateId: CHECKIN_TPL,
    data: { thing1: { value: '早间打卡' }, time2: { value: '2026-11-20 10:00' }, thing3: { value: '还没有打卡，补打记为迟到' } },
  });
  // the page it opens is the app's 打卡 page
  expect(sent[0]!.page).toContain(PAGES.checkins.path);
  expect(await left(CHECKIN_TPL)).toBe(0);
  expect(await left(FOLLOW_UP_TPL)).toBe(1);
  expect(texts()).toHaveLength(0);
});

it('a second run sends nothing more (one reminder per window)', async () => {
  await runAt('2026-11-20T02:10:00Z');
  expect(wechat.deliveries('openid-checkin-a')).toHaveLength(1);
  expect(texts()).toHaveLength(0);
});

it('no consent left: the evening reminder is a WeCom text naming the window, whose link opens 打卡', async () => {
  await runAt('2026-11-20T14:00:30Z'); // 22:00:30 local
  expect(wechat.deliveries('openid-checkin-a')).toHaveLength(1);
  const [text] = texts();
  expect(texts()).toHaveLength(1);
  const content = (text!.body.text as { content: string }).content;
  expect(content).toContain('【打卡提醒】晚间打卡已于 2026-11-20 22:00 截止');
  const link = /https?:\/\/\S+/.exec(content)![0];
  expect(link).toBe(`https://anchor.example.cn/app/#/${PAGES.checkins.path}`);
  // the same path on this server answers the app
  const page = await fetch(link.replace('https://anchor.example.cn', h.url).replace(/#.*$/, ''));
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<div id="app"');
  const delivered = await h.db.getRepository(Delivery).find({ where: { target: 'wecom_app:wang.a' } });
  expect(delivered.map((d) => d.status)).toEqual(['sent']);
});

it('on a day off (Saturday) nobody is reminded, and a consent given is kept for a working day', async () => {
  await consent(CHECKIN_TPL);
  for (const t of ['2026-11-21T02:00:30Z', '2026-11-21T14:00:30Z', '2026-11-22T02:00:30Z', '2026-11-22T14:00:30Z']) await runAt(t);
  expect(wechat.deliveries('openid-checkin-a')).toHaveLength(1);
  expect(texts()).toHaveLength(1);
  expect(await left(CHECKIN_TPL)).toBe(1);
  // Monday morning: the kept consent carries the reminder
  await runAt('2026-11-23T02:00:30Z');
  expect(wechat.deliveries('openid-checkin-a')).toHaveLength(2);
  expect(wechat.deliveries('openid-checkin-a')[1]!.data).toMatchObject({ time2: { value: '2026-11-23 10:00' } });
  expect(texts()).toHaveLength(1);
});

it('on a policy holiday nobody is reminded either', async () => {
  const policy = { ...h.policy, checkins: { ...h.policy.checkins, holidays: [...h.policy.checkins.holidays, '2026-11-24'] } };
  const h2 = await startHarness({
    policy, now: at('2026-11-24T01:00:00Z'),
    env: { WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: wecom.secret, WECOM_TOKEN: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo', WECOM_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt', WECOM_API_BASE: wecom.url },
  });
  try {
    const org2 = await buildOrg(h2);
    await h2.services.jobs.seedRecurring();
    await h2.db.getRepository(Member).update({ id: org2.repA.id }, { wecomUserId: 'wang.a' });
    for (const t of ['2026-11-24T02:00:30Z', '2026-11-24T14:00:30Z']) {
      h2.clock.set(at(t));
      await h2.services.jobs.runDue();
      await h2.services.outbox.runOnce();
    }
    expect(texts()).toHaveLength(1);
    const planned = async () => Number((await h2.db.query("SELECT COUNT(*) AS n FROM outbox_message WHERE kind = 'checkin.reminder'"))[0].n);
    expect(await planned()).toBe(0);
    // the next working day the same job does chase (so the silence above was the holiday's)
    h2.clock.set(at('2026-11-25T02:00:30Z'));
    await h2.services.jobs.runDue();
    expect(await planned()).toBeGreaterThan(0);
  } finally {
    await h2.close();
  }
});
