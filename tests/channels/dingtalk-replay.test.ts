import { robotSign } from '../../server/src/channels/dingtalk/dingtalk-sign';
import { Member } from '../../server/src/modules/org/member.entity';
import { Todo } from '../../server/src/modules/tasks/todo.view';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { todoOfNewVisit as newTodo } from '../support/visit-fixture';
import { DingtalkSimulator } from '../simulators/dingtalk-sim';

// DingTalk signs only the timestamp, and accepts it 60 minutes either side of now: what stops a
// captured callback's headers from carrying another body is the record of what was seen, which must
// outlive the window; and a message's own id must act once whatever headers it comes under.
const DING_APP_SECRET = 'dingtalk-replay-secret';
let h: Harness;
let org: OrgFixture;
let ding: DingtalkSimulator;
let customer: number;

beforeAll(async () => {
  ding = await new DingtalkSimulator().start();
  h = await startHarness({ env: { DINGTALK_APP_KEY: 'ding-app', DINGTALK_APP_SECRET: DING_APP_SECRET, DINGTALK_API_BASE: ding.url } });
  org = await buildOrg(h);
  await h.db.getRepository(Member).update({ id: org.supervisor1.id }, { dingtalkUserId: 'ding-s1' });
  customer = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '钉钉回放测试医院', industry: '公立医院', stage: 'proposal' } })).body.id;
});
afterAll(async () => {
  await h.close();
  await ding.stop();
});

const post = (body: unknown, timestamp: string, sign: string) => api(h.url, 'POST', '/api/v1/channels/dingtalk/callback', { json: body, headers: { timestamp, sign } });
const signFor = (ts: string) => decodeURIComponent(robotSign(ts, DING_APP_SECRET));
const todoOfNewVisit = () => newTodo(h, org.token(org.repA), customer);

it('headers seen once cannot carry another body while their timestamp is still inside the window', async () => {
  const first = await todoOfNewVisit();
  const second = await todoOfNewVisit();
  const ts = String(h.clock.now().getTime());
  const sign = signFor(ts);
  expect((await post({ msgtype: 'text', text: { content: `沟通 #${first.id}` }, senderStaffId: 'ding-s1', msgId: 'm-window-1' }, ts, sign)).status).toBe(200);
  h.clock.advance(50 * 60_000);
  // the recurring nonce clean-up, as a server runs it (seeded due now, then claimed)
  await h.services.jobs.seedRecurring();
  await h.services.jobs.runDue();
  const replay = await post({ msgtype: 'text', text: { content: `确认 #${second.id}` }, senderStaffId: 'ding-s1', msgId: 'm-window-2' }, ts, sign);
  expect(replay.status).toBe(403);
  expect((await h.db.getRepository(Todo).findOneByOrFail({ id: second.id })).confirmedAt).toBeNull();
  // past the window the timestamp itself is refused, so the record may go then
  h.clock.advance(11 * 60_000);
  expect((await post({ msgtype: 'text', text: { content: `确认 #${second.id}` }, senderStaffId: 'ding-s1', msgId: 'm-window-3' }, ts, sign)).status).toBe(403);
});

it('a message id seen before acts once, even under fresh headers and another text', async () => {
  const todo = await todoOfNewVisit();
  const ts = String(h.clock.now().getTime());
  expect((await post({ msgtype: 'text', text: { content: `沟通 #${todo.id}` }, senderStaffId: 'ding-s1', msgId: 'm-dup' }, ts, signFor(ts))).status).toBe(200);
  const ts2 = String(h.clock.now().getTime() + 1);
  expect((await post({ msgtype: 'text', text: { content: `确认 #${todo.id}` }, senderStaffId: 'ding-s1', msgId: 'm-dup' }, ts2, signFor(ts2))).status).toBe(200);
  expect(await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).toMatchObject({ confirmedAt: null, discussRequestedVia: 'dingtalk' });
  // a new message does act
  const ts3 = String(h.clock.now().getTime() + 2);
  expect((await post({ msgtype: 'text', text: { content: `确认 #${todo.id}` }, senderStaffId: 'ding-s1', msgId: 'm-new' }, ts3, signFor(ts3))).status).toBe(200);
  expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).confirmedVia).toBe('dingtalk');
});
