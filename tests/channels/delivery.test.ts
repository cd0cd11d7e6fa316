import { randomBytes } from 'node:crypto';
import { WecomCrypto } from '../../server/src/channels/wecom/wecom-crypto';
import { robotSign } from '../../server/src/channels/dingtalk/dingtalk-sign';
import { Member } from '../../server/src/modules/org/member.entity';
import { Todo } from '../../server/src/modules/tasks/todo.view';
import { Job } from '../../server/src/jobs/job.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { completeVisit, submitVisit } from '../support/visit-fixture';
import { WecomSimulator } from '../simulators/wecom-sim';
import { DingtalkSimulator } from '../simulators/dingtalk-sim';
import { onSqlite } from '../support/database';

// Vector A's key and token: real-shaped callback settings.
const TOKEN = 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo';
const AES_KEY = '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt';
const ROBOT_KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
const DING_TOKEN = 'd'.repeat(64);
const DING_SECRET = 'SEC0123456789abcdef';
const DING_APP_SECRET = 'dingtalk-app-secret';

let h: Harness;
let org: OrgFixture;
let wecom: WecomSimulator;
let ding: DingtalkSimulator;
let customer: number;
let crypto: WecomCrypto;

beforeAll(async () => {
  wecom = await new WecomSimulator().start();
  ding = await new DingtalkSimulator().start();
  h = await startHarness({
    env: {
      WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: wecom.secret, WECOM_TOKEN: TOKEN, WECOM_AES_KEY: AES_KEY, WECOM_API_BASE: wecom.url,
      DINGTALK_APP_KEY: 'ding-app', DINGTALK_APP_SECRET: DING_APP_SECRET, DINGTALK_API_BASE: ding.url,
    },
  });
  wecom.now = () => h.clock.now().getTime();
  ding.now = () => h.clock.now().getTime();
  org = await buildOrg(h);
  await h.db.getRepository(Member).update({ id: org.supervisor1.id }, { wecomUserId: 'chen.s1', dingtalkUserId: 'ding-s1' });
  await h.db.getRepository(Member).update({ id: org.directorEast.id }, { wecomUserId: 'zhou.d1' });
  await h.db.getRepository(Member).update({ id: org.supervisor2.id }, { wecomUserId: 'lin.s2' });
  wecom.addRobot(ROBOT_KEY);
  ding.addRobot(DING_TOKEN, DING_SECRET);
  await h.services.teamChannels.update(org.admin, org.teamIds.team1, { wecomRobotKey: ROBOT_KEY, dingtalkRobotToken: DING_TOKEN, dingtalkRobotSecret: DING_SECRET });
  customer = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '消息测试医院', industry: '公立医院', stage: 'proposal' } })).body.id;
  crypto = new WecomCrypto({ token: TOKEN, encodingAesKey: AES_KEY, receiveId: wecom.corpId });
});
afterAll(async () => {
  await h.close();
  await wecom.stop();
  await ding.stop();
});

async function visit(): Promise<{ visitId: number; todo: Todo }> {
  const res = await submitVisit(h, org.token(org.repA), completeVisit(customer));
  expect(res.status).toBe(201);
  return { visitId: res.body.id, todo: await h.db.getRepository(Todo).findOneByOrFail({ visitId: res.body.id }) };
}

/** What WeCom would POST for a click, sealed with the callback settings (or forged variants). */
function sealedEvent(fields: Record<string, string | number>, options: { receiveId?: string; timestamp?: number; nonce?: string; tamper?: boolean } = {}) {
  const xml = `<xml><ToUserName><![CDATA[${wecom.corpId}]]></ToUserName><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>${Object.entries(fields)
    .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
    .join('')}</xml>`;
  const sealer = new WecomCrypto({ token: TOKEN, encodingAesKey: AES_KEY, receiveId: options.receiveId ?? wecom.corpId });
  const encrypt = sealer.encrypt(xml);
  const timestamp = String(options.timestamp ?? Math.floor(h.clock.now().getTime() / 1000));
  const nonce = options.nonce ?? randomBytes(6).toString('hex');
  let signature = crypto.signature(timestamp, nonce, encrypt);
  if (options.tamper) signature = (signature[0] === 'a' ? 'b' : 'a') + signature.slice(1);
  const query = `msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`;
  const body = `<xml><ToUserName><![CDATA[${wecom.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`;
  return { query, body };
}
const postEvent = (e: { query: string; body: string }) =>
  api(h.url, 'POST', `/api/v1/channels/wecom/callback?${e.query}`, { rawBody: e.body, headers: { 'content-type': 'text/xml' } });

describe('a submitted visit reaches the chat tools', () => {
  it('posts the button card to the supervisor, a notice to the WeCom group and an ActionCard to DingTalk', async () => {
    const { todo } = await visit();
    await h.services.outbox.runOnce();
    const cards = wecom.deliveredCards('chen.s1').filter((c) => c.taskId === `anchor_todo_${todo.id}`);
    expect(cards).toHaveLength(1);
    expect(cards[0]!.body.template_card).toMatchObject({
      card_type: 'button_interaction',
      main_title: { title: '消息测试医院', desc: '代表甲 · 推进方案' },
      button_list: [{ text: '确认', key: `confirm:${todo.id}` }, { text: '需要沟通', key: `discuss:${todo.id}` }],
    });
    expect(JSON.stringify(cards[0]!.body.template_card.horizontal_content_list)).toContain('2026-11-24 14:30 上门');
    const notice = wecom.robotMessages(ROBOT_KEY).at(-1)!;
    expect(notice.body.template_card).toMatchObject({ card_type: 'text_notice', main_title: { title: '待确认：消息测试医院' } });
    expect(notice.body.template_card.card_action.url).toContain(`/app/#/pages/visit-detail/index?id=${todo.visitId}&todo=${todo.id}`);
    const action = ding.messages(DING_TOKEN).at(-1)!;
    expect(action.body.actionCard).toMatchObject({ title: '待确认：消息测试医院', singleTitle: '去确认' });
    // a second pass sends nothing again
    await h.services.outbox.runOnce();
    expect(wecom.deliveredCards('chen.s1').filter((c) => c.taskId === `anchor_todo_${todo.id}`)).toHaveLength(1);
  });
});

describe('a slow chat API', () => {
  it('holds no database transaction while a call is in flight, and the card still arrives once', async () => {
    const { todo } = await visit();
    // SQLite: one connection per server, which says itself whether a transaction is open on it
    const openTransactions = async () =>
      onSqlite ? Number((h.db.driver as unknown as { databaseConnection: { inTransaction: boolean } }).databaseConnection.inTransaction) : Number(
        (await h.db.query(
          `SELECT COUNT(*) AS n FROM information_schema.innodb_trx t JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
           WHERE p.db = DATABASE() AND p.id <> CONNECTION_ID()`,
        ))[0].n,
      );
    wecom.hangMs = 1500;
    wecom.failNext('/cgi-bin/message/send', 'timeout');
    const pass = h.services.outbox.runOnce();
    const hanging = Date.now();
    while (!wecom.faultLog.some((f) => f.fault === 'timeout') && Date.now() - hanging < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(wecom.faultLog.some((f) => f.fault === 'timeout')).toBe(true);
    expect(await openTransactions()).toBe(0);
    await pass;
    wecom.hangMs = 30_000;
    // the 504 was a transient failure: a later pass delivers it, once
    h.clock.advance(11 * 60_000);
    await h.services.outbox.runOnce();
    h.clock.advance(-11 * 60_000);
    expect(wecom.deliveredCards('chen.s1').filter((c) => c.taskId === `anchor_todo_${todo.id}`)).toHaveLength(1);
  });
});

describe('confirm in WeCom = confirmed everywhere', () => {
  it('a click on 确认 confirms the to-do, updates the card to show who confirmed, and stops the escalation', async () => {
    const { visitId, todo } = await visit();
    await h.services.outbox.runOnce();
    const click = wecom.click('chen.s1', `anchor_todo_${todo.id}`, `confirm:${todo.id}`);
    const res = await postEvent(sealedEvent(click));
    expect(res.status).toBe(200);
    expect(String(res.body)).toBe('success');
    const confirmed = await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id });
    expect(confirmed).toMatchObject({ confirmedById: org.supervisor1.id, confirmedVia: 'wecom' });
    expect((await h.db.getRepository(Job).findOneByOrFail({ kind: 'todo.escalate', subject: `visit:${visitId}` })).status).toBe('cancelled');
    await h.services.outbox.runOnce();
    const update = wecom.updates().find((u) => u.taskId === `anchor_todo_${todo.id}`);
    expect(update?.button).toEqual({ replace_name: '已确认 · 一组主管' });
    // the app shows it confirmed too, and confirming there changes nothing
    const again = await api(h.url, 'POST', `/api/v1/todos/${todo.id}/confirm`, { token: org.token(org.supervisor1), json: {} });
    expect(again.body).toMatchObject({ status: 'confirmed', confirmedVia: 'wecom', confirmedAt: confirmed.confirmedAt!.toISOString() });
  });

  it('a click delivered twice confirms once; a replayed nonce is refused', async () => {
    const { todo } = await visit();
    await h.services.outbox.runOnce();
    const event = sealedEvent(wecom.click('chen.s1', `anchor_todo_${todo.id}`, `confirm:${todo.id}`));
    expect((await postEvent(event)).status).toBe(200);
    const first = (await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).confirmedAt;
    h.clock.advance(1000);
    expect((await postEvent(event)).status).toBe(403);
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).confirmedAt).toEqual(first);
  });

  it.each([
    ['a forged signature', { tamper: true }],
    ['another corp (wrong receiveid)', { receiveId: 'ww-someone-else' }],
    ['a timestamp 6 minutes old', { timestamp: -360 }],
    ['a timestamp 6 minutes ahead', { timestamp: 360 }],
  ])('refuses %s and changes nothing', async (_t, forge: { tamper?: boolean; receiveId?: string; timestamp?: number }) => {
    const { todo } = await visit();
    await h.services.outbox.runOnce();
    const click = wecom.click('chen.s1', `anchor_todo_${todo.id}`, `confirm:${todo.id}`);
    const ts = forge.timestamp !== undefined ? Math.floor(h.clock.now().getTime() / 1000) + forge.timestamp : undefined;
    const res = await postEvent(sealedEvent(click, { ...forge, ...(ts !== undefined ? { timestamp: ts } : {}) }));
    expect(res.status).toBe(403);
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).confirmedAt).toBeNull();
  });

  it('bad padding and garbage are refused', async () => {
    const timestamp = String(Math.floor(h.clock.now().getTime() / 1000));
    const garbage = Buffer.alloc(64, 7).toString('base64');
    const nonce = 'n1';
    const query = `msg_signature=${crypto.signature(timestamp, nonce, garbage)}&timestamp=${timestamp}&nonce=${nonce}`;
    const res = await api(h.url, 'POST', `/api/v1/channels/wecom/callback?${query}`, { rawBody: `<xml><Encrypt><![CDATA[${garbage}]]></Encrypt></xml>`, headers: { 'content-type': 'text/xml' } });
    expect(res.status).toBe(403);
  });

  it('a click on someone else\u2019s to-do, or an unknown one, is ignored safely', async () => {
    const { todo } = await visit();
    await h.services.outbox.runOnce();
    const click = wecom.click('chen.s1', `anchor_todo_${todo.id}`, `confirm:${todo.id}`);
    const foreign = await postEvent(sealedEvent({ ...click, FromUserName: 'lin.s2' }));
    expect(foreign.status).toBe(200);
    const unknown = await postEvent(sealedEvent({ ...click, EventKey: 'confirm:99999999' }));
    expect(unknown.status).toBe(200);
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).confirmedAt).toBeNull();
  });

  it('需要沟通 tells the rep once, keeps the to-do open and its escalation running', async () => {
    await h.db.getRepository(Member).update({ id: org.repA.id }, { wecomUserId: 'wang.r1' });
    try {
      const { visitId, todo } = await visit();
      await h.services.outbox.runOnce();
      const before = wecom.deliveredMessages('wang.r1').length;
      const click = wecom.click('chen.s1', `anchor_todo_${todo.id}`, `discuss:${todo.id}`);
      expect((await postEvent(sealedEvent(click))).status).toBe(200);
      // the same button again (a new click, a new nonce) changes nothing and tells nobody twice
      expect((await postEvent(sealedEvent(wecom.click('chen.s1', `anchor_todo_${todo.id}`, `discuss:${todo.id}`)))).status).toBe(200);
      await h.services.outbox.runOnce();
      const told = wecom.deliveredMessages('wang.r1').slice(before);
      expect(told).toHaveLength(1);
      expect(told[0]!.body.text.content).toContain(`【需要沟通】一组主管 想先和你聊聊 消息测试医院 的下一步「安排演示」`);
      const stored = await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id });
      expect(stored).toMatchObject({ confirmedAt: null, discussRequestedVia: 'wecom' });
      expect(stored.discussRequestedAt).not.toBeNull();
      expect((await h.db.getRepository(Job).findOneByOrFail({ kind: 'todo.escalate', subject: `visit:${visitId}` })).status).toBe('pending');
      // the rep and the supervisor see it in the app; confirming afterwards still works
      const asRep = await api(h.url, 'GET', `/api/v1/todos/${todo.id}`, { token: org.token(org.repA) });
      expect(asRep.body.discussRequestedAt).toBe(stored.discussRequestedAt!.toISOString());
      const confirmed = await api(h.url, 'POST', `/api/v1/todos/${todo.id}/confirm`, { token: org.token(org.supervisor1), json: {} });
      expect(confirmed.body.status).toBe('confirmed');
    } finally {
      await h.db.getRepository(Member).update({ id: org.repA.id }, { wecomUserId: null });
    }
  });

  it('需要沟通 from the app: only the card’s supervisor may ask, and not once it is confirmed', async () => {
    const { todo } = await visit();
    const discuss = (token: string) => api(h.url, 'POST', `/api/v1/todos/${todo.id}/discuss`, { token, json: {} });
    for (const other of [org.repA, org.supervisor2, org.directorEast, org.finance, org.marketing, org.admin]) {
      expect({ role: other.role, status: (await discuss(org.token(other))).status }).toEqual({ role: other.role, status: 404 });
    }
    expect((await api(h.url, 'POST', `/api/v1/todos/${todo.id}/discuss`, { json: {} })).status).toBe(401);
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).discussRequestedAt).toBeNull();
    const asked = await discuss(org.token(org.supervisor1));
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({ status: 'open', discussRequestedAt: h.clock.now().toISOString() });
    await api(h.url, 'POST', `/api/v1/todos/${todo.id}/confirm`, { token: org.token(org.supervisor1), json: {} });
    const late = await discuss(org.token(org.supervisor1));
    expect(late.status).toBe(409);
    expect(late.body.error.message).toBe('该待办已确认，无需再沟通');
  });

  it('answers WeCom\u2019s URL verification with the plaintext echostr', async () => {
    const timestamp = String(Math.floor(h.clock.now().getTime() / 1000));
    const echostr = crypto.encrypt('1288432023552776189');
    const sig = crypto.signature(timestamp, 'verify1', echostr);
    const res = await api(h.url, 'GET', `/api/v1/channels/wecom/callback?msg_signature=${sig}&timestamp=${timestamp}&nonce=verify1&echostr=${encodeURIComponent(echostr)}`);
    expect(res.status).toBe(200);
    expect(String(res.body)).toBe('1288432023552776189');
  });
});

describe('a card older than 72 h', () => {
  it('cannot be updated any more, so the confirmation goes as a new message', async () => {
    const { todo } = await visit();
    await h.services.outbox.runOnce();
    h.clock.advance(73 * 3_600_000);
    const res = await api(h.url, 'POST', `/api/v1/todos/${todo.id}/confirm`, { token: org.token(org.supervisor1), json: {} });
    expect(res.status).toBe(200);
    await h.services.outbox.runOnce();
    expect(wecom.updates().some((u) => u.taskId === `anchor_todo_${todo.id}`)).toBe(false);
    const note = wecom.deliveredMessages('chen.s1').filter((m) => m.msgtype === 'text' && m.body.text.content.startsWith('已确认 · 一组主管'));
    expect(note.length).toBeGreaterThanOrEqual(1);
    h.clock.advance(-73 * 3_600_000);
  });
});

describe('DingTalk callback', () => {
  const post = (body: unknown, timestamp: string, sign: string) =>
    api(h.url, 'POST', '/api/v1/channels/dingtalk/callback', { json: body, headers: { timestamp, sign } });
  const signFor = (ts: string) => decodeURIComponent(robotSign(ts, DING_APP_SECRET));

  it('a signed 「确认 #id」 from the supervisor confirms; a forged or stale sign is refused', async () => {
    const { todo } = await visit();
    const ts = String(h.clock.now().getTime());
    const body = { msgtype: 'text', text: { content: `确认 #${todo.id}` }, senderStaffId: 'ding-s1', msgId: 'm1' };
    expect((await post(body, ts, 'AAAA' + signFor(ts).slice(4))).status).toBe(403);
    const stale = String(h.clock.now().getTime() - 61 * 60_000);
    expect((await post(body, stale, signFor(stale))).status).toBe(403);
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).confirmedAt).toBeNull();
    expect((await post(body, ts, signFor(ts))).status).toBe(200);
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).confirmedVia).toBe('dingtalk');
  });

  it('「沟通 #id」 from the supervisor asks the rep to talk first; the to-do stays open', async () => {
    const { todo } = await visit();
    const ts = String(h.clock.now().getTime() + 5); // a timestamp and sign seen before would be a replay
    const body = { msgtype: 'text', text: { content: `@锚点 沟通 #${todo.id}` }, senderStaffId: 'ding-s1', msgId: 'm2' };
    expect((await post(body, ts, signFor(ts))).status).toBe(200);
    const stored = await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id });
    expect(stored).toMatchObject({ confirmedAt: null, discussRequestedVia: 'dingtalk' });
    // from someone who is not the card's supervisor it changes nothing
    const other = await visit();
    const ts2 = String(h.clock.now().getTime() + 6);
    expect((await post({ ...body, text: { content: `沟通 #${other.todo.id}` }, senderStaffId: 'ding-unknown', msgId: 'm3' }, ts2, signFor(ts2))).status).toBe(200);
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: other.todo.id })).discussRequestedAt).toBeNull();
  });
});

describe('delivery through failures', () => {
  it('a text delivered but whose answer was lost is sent again and still shown once (WeCom duplicate check)', async () => {
    // rep B: no message of an earlier test is waiting for them
    await h.db.getRepository(Member).update({ id: org.repB.id }, { wecomUserId: 'wang.r2' });
    try {
      const customerB = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repB), json: { name: '重发测试医院', industry: '公立医院', stage: 'proposal' } })).body.id;
      const submitted = await submitVisit(h, org.token(org.repB), completeVisit(customerB));
      const todo = await h.db.getRepository(Todo).findOneByOrFail({ visitId: submitted.body.id });
      await h.services.outbox.runOnce();
      // this to-do's 需要沟通 text to rep B (ends with the to-do's link)
      const mine = (body: Record<string, any>) => body.touser === 'wang.r2' && body.msgtype === 'text' && (body.text.content as string).endsWith(`&todo=${todo.id}`);
      wecom.failNext('/cgi-bin/message/send', 'deliverThenReset', 1, (req) => mine(JSON.parse(req.body)));
      expect((await api(h.url, 'POST', `/api/v1/todos/${todo.id}/discuss`, { token: org.token(org.supervisor1), json: {} })).status).toBe(200);
      const delivery = async () => {
        const rows: { body: string; status: string; attempts: number }[] = await h.db.query("SELECT body, status, attempts FROM delivery WHERE target = 'wecom_app:wang.r2'");
        return rows.filter((d) => mine(JSON.parse(d.body))).map((d) => [d.status, d.attempts]);
      };
      await h.services.outbox.runOnce(); // delivered, then the connection dropped: we cannot know whether it arrived
      expect(wecom.faultLog.at(-1)).toMatchObject({ path: '/cgi-bin/message/send', fault: 'deliverThenReset' });
      expect(await delivery()).toEqual([['pending', 1]]);
      h.clock.advance(5 * 60_000);
      await h.services.outbox.runOnce(); // so it is sent again
      expect(wecom.server.requests.filter((r) => r.path === '/cgi-bin/message/send' && mine(JSON.parse(r.body)))).toHaveLength(2);
      expect(await delivery()).toEqual([['sent', 2]]);
      expect(wecom.deliveredMessages('wang.r2').filter((m) => mine(m.body))).toHaveLength(1);
      expect(wecom.droppedMessages('wang.r2').filter((m) => mine(m.body)).map((m) => m.dropped)).toEqual(['duplicate content']);
    } finally {
      await h.db.getRepository(Member).update({ id: org.repB.id }, { wecomUserId: null });
    }
  });

  it('WeCom answering 5xx for ten simulated minutes: every card arrives once afterwards', async () => {
    const start = h.clock.now().getTime();
    wecom.outage(start + 10 * 60_000);
    const todos = [await visit(), await visit(), await visit()].map((v) => v.todo.id);
    for (let minute = 0; minute <= 16; minute++) {
      await h.services.outbox.runOnce();
      h.clock.advance(60_000);
    }
    for (const id of todos) expect(wecom.deliveredCards('chen.s1').filter((c) => c.taskId === `anchor_todo_${id}`)).toHaveLength(1);
    const notices = wecom.robotMessages(ROBOT_KEY).map((m) => m.body.template_card.card_action.url as string);
    for (const id of todos) expect(notices.filter((u) => u.endsWith(`todo=${id}`))).toHaveLength(1);
  });

  it('45009 from the WeCom robot and 130101 from DingTalk: back off, then deliver everything in order', async () => {
    wecom.robotPerMinute = 3;
    ding.perMinute = 3;
    try {
      const before = { wecom: wecom.robotMessages(ROBOT_KEY).length, ding: ding.messages(DING_TOKEN).length };
      const todos: number[] = [];
      for (let i = 0; i < 8; i++) todos.push((await visit()).todo.id);
      for (let minute = 0; minute <= 40; minute++) {
        await h.services.outbox.runOnce();
        h.clock.advance(60_000);
      }
      const wecomOrder = wecom.robotMessages(ROBOT_KEY).slice(before.wecom).map((m) => Number(/todo=(\d+)$/.exec(m.body.template_card.card_action.url)![1]));
      const dingOrder = ding.messages(DING_TOKEN).slice(before.ding).map((m) => Number(/todo=(\d+)$/.exec(m.body.actionCard.singleURL)![1]));
      expect(wecomOrder).toEqual(todos);
      expect(dingOrder).toEqual(todos);
    } finally {
      wecom.robotPerMinute = 20;
      ding.perMinute = 20;
    }
  });

  it('a removed robot (93000) is that robot’s credential problem: its posts wait, shown to admins, not counted', async () => {
    wecom.removeRobot(ROBOT_KEY);
    try {
      const { todo } = await visit();
      await h.services.outbox.runOnce();
      h.clock.advance(10 * 60_000);
      await h.services.outbox.runOnce();
      const pending = await api(h.url, 'GET', '/api/v1/admin/deliveries?status=pending', { token: org.token(org.admin) });
      expect(pending.status).toBe(200);
      const mine = pending.body.items.filter((d: any) => d.channel === 'wecom_robot');
      expect(mine[0]).toMatchObject({ status: 'pending', attempts: 0, target: `wecom_robot:team:${org.teamIds.team1}` });
      expect(mine[0].lastError).toContain('93000');
      expect(JSON.stringify(pending.body)).not.toContain(ROBOT_KEY);
      const health = await api(h.url, 'GET', '/api/v1/admin/channel-health', { token: org.token(org.admin) });
      expect(health.body.find((c: any) => c.channel === 'wecom_robot')).toMatchObject({ healthy: false, reason: expect.stringContaining('93000') });
      expect((await api(h.url, 'GET', '/api/v1/admin/deliveries', { token: org.token(org.supervisor1) })).status).toBe(403);
      // the other channels were not held up
      expect(wecom.deliveredCards('chen.s1').some((c) => c.taskId === `anchor_todo_${todo.id}`)).toBe(true);
    } finally {
      wecom.addRobot(ROBOT_KEY);
    }
  });
});

describe('escalation reaches the director', () => {
  it('after 48 h unconfirmed: one WeCom message to the director and one group post', async () => {
    const { todo } = await visit();
    await h.services.outbox.runOnce();
    h.clock.advance(48 * 3_600_000);
    await h.services.jobs.runDue();
    await h.services.outbox.runOnce();
    await h.services.jobs.runDue();
    await h.services.outbox.runOnce();
    const toDirector = wecom.deliveredMessages('zhou.d1').filter((m) => JSON.stringify(m.body).includes(`todo=${todo.id}`));
    expect(toDirector).toHaveLength(1);
    expect(toDirector[0]!.body.text.content).toContain('超过 48 小时未被 一组主管 确认');
  });
});
