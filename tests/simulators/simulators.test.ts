import { createHmac } from 'node:crypto';
import { DingtalkSimulator } from './dingtalk-sim';
import { WechatSimulator } from './wechat-sim';
import { WecomSimulator } from './wecom-sim';

/** Contract tests: each simulator enforces what protocols.md says, over plain HTTP. */

interface Reply {
  status: number;
  body: any;
}
async function call(method: string, url: string, json?: unknown, timeoutMs = 5000): Promise<Reply> {
  const init: RequestInit = { method, signal: AbortSignal.timeout(timeoutMs) };
  if (json !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = typeof json === 'string' ? json : JSON.stringify(json);
  }
  const res = await fetch(url, init);
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}
const get = (url: string) => call('GET', url);
const post = (url: string, json: unknown) => call('POST', url, json);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
function manualClock(start = Date.UTC(2025, 2, 3, 1, 0, 0)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms), set: (ms: number) => void (t = ms) };
}

describe('WeCom group robot (webhook/send)', () => {
  const wecom = new WecomSimulator();
  const clock = manualClock();
  const send = (key: string, json: unknown) => post(`${wecom.url}/cgi-bin/webhook/send?key=${key}`, json);
  const text = (content: string) => ({ msgtype: 'text', text: { content } });
  beforeAll(async () => {
    wecom.now = clock.now;
    await wecom.start();
    wecom.addRobot('key-ok').addRobot('key-rate').addRobot('key-gone');
  });
  afterAll(() => wecom.stop());

  it('an unknown or removed key gets 93000 and nothing is delivered', async () => {
    expect((await send('no-such-key', text('hi'))).body).toMatchObject({ errcode: 93000 });
    expect((await send('key-gone', text('before'))).body).toEqual({ errcode: 0, errmsg: 'ok' });
    wecom.removeRobot('key-gone');
    expect((await send('key-gone', text('after'))).body.errcode).toBe(93000);
    expect(wecom.robotMessages('key-gone')).toEqual([]);
  });

  it('limits are in bytes; bad msgtypes and interactive cards are refused with 40008', async () => {
    expect((await send('key-ok', text('好'.repeat(683)))).body.errcode).toBe(45002); // 2049 bytes, 683 characters
    expect((await send('key-ok', text('好'.repeat(682)))).body.errcode).toBe(0);
    expect((await send('key-ok', text(''))).body.errcode).toBe(44004);
    expect((await send('key-ok', { msgtype: 'markdown', markdown: { content: 'x'.repeat(4097) } })).body.errcode).toBe(45002);
    expect((await send('key-ok', { msgtype: 'video', video: {} })).body.errcode).toBe(40008);
    expect((await send('key-ok', '{"msgtype":"text","text":{"content":"a\nb"}}')).body.errcode).toBe(40008);
    const card = (card_type: string) => ({ msgtype: 'template_card', template_card: { card_type, main_title: { title: '待办' }, task_id: 't1', card_action: { type: 1, url: 'https://x' }, button_list: [{ text: '完成', key: 'done' }] } });
    expect((await send('key-ok', card('button_interaction'))).body.errcode).toBe(40008);
    expect((await send('key-ok', card('text_notice'))).body.errcode).toBe(0);
    expect(wecom.robotMessages('key-ok').map((m) => m.msgtype)).toEqual(['text', 'template_card']);
  });

  it('the 21st message within a minute gets 45009 and is not delivered; it passes once the window slides', async () => {
    for (let i = 1; i <= 20; i++) {
      expect((await send('key-rate', text(`m${i}`))).body.errcode).toBe(0);
      clock.advance(1000);
    }
    expect((await send('key-rate', text('m21'))).body).toEqual({ errcode: 45009, errmsg: 'api freq out of limit' });
    clock.advance(39_000); // 59 s after the first
    expect((await send('key-rate', text('m21'))).body.errcode).toBe(45009);
    clock.advance(1000); // the first message leaves the window
    expect((await send('key-rate', text('m21'))).body.errcode).toBe(0);
    expect((await send('key-rate', text('m22'))).body.errcode).toBe(45009);
    const delivered = wecom.robotMessages('key-rate').map((m) => m.body.text.content);
    expect(delivered).toEqual([...Array.from({ length: 20 }, (_, i) => `m${i + 1}`), 'm21']);
    expect(wecom.counters.robotRateLimited).toBe(3);
  });
});

describe('WeCom app messages and card updates', () => {
  const wecom = new WecomSimulator();
  const clock = manualClock();
  let token = '';
  const newToken = async () => (await get(`${wecom.url}/cgi-bin/gettoken?corpid=${wecom.corpId}&corpsecret=${wecom.secret}`)).body.access_token as string;
  const send = (json: unknown, t = token) => post(`${wecom.url}/cgi-bin/message/send?access_token=${t}`, json);
  const update = (json: unknown) => post(`${wecom.url}/cgi-bin/message/update_template_card?access_token=${token}`, json);
  const buttons = [
    { text: '已完成', key: 'done', style: 1 },
    { text: '延期', key: 'later', style: 2 },
  ];
  const card = (task_id: unknown, touser = 'zhang.s', button_list: unknown = buttons) => ({
    touser,
    msgtype: 'template_card',
    agentid: 1000002,
    template_card: { card_type: 'button_interaction', main_title: { title: '回访：华东机电' }, task_id, button_list },
  });
  const greyOut = (response_code: string) => ({ userids: ['zhang.s'], agentid: 1000002, response_code, button: { replace_name: '已处理' } });
  beforeAll(async () => {
    wecom.now = clock.now;
    await wecom.start();
    token = await newToken();
  });
  afterAll(() => wecom.stop());

  it('checks the access token (41001, 40014, 42001) and the agentid (41011, 40056)', async () => {
    expect((await post(`${wecom.url}/cgi-bin/message/send`, card('tk-1'))).body.errcode).toBe(41001);
    expect((await send(card('tk-1'), 'bogus')).body.errcode).toBe(40014);
    const early = await newToken();
    clock.advance(7200 * 1000);
    expect((await send(card('tk-1'), early)).body.errcode).toBe(42001);
    token = await newToken();
    expect((await send({ ...card('tk-1'), agentid: undefined })).body.errcode).toBe(41011);
    expect((await send({ ...card('tk-1'), agentid: 1000003 })).body.errcode).toBe(40056);
    expect((await send({ ...card('tk-1'), touser: '' })).body.errcode).toBe(81013);
    expect(wecom.deliveredCards('zhang.s')).toEqual([]);
  });

  it.each([
    ['no task_id', card(undefined)],
    ['a task_id with a space', card('task 1')],
    ['a task_id of 129 bytes', card('t'.repeat(129))],
    ['no buttons', card('tk-b', 'zhang.s', [])],
    ['7 buttons', card('tk-b', 'zhang.s', Array.from({ length: 7 }, (_, i) => ({ text: `b${i}`, key: `k${i}` })))],
    ['two buttons with one key', card('tk-b', 'zhang.s', [buttons[0], { ...buttons[1], key: 'done' }])],
  ])('a button_interaction card with %s is refused (40058)', async (_name, body) => {
    expect((await send(body)).body.errcode).toBe(40058);
  });

  it('a task_id of 128 bytes in [0-9A-Za-z_-@] is accepted; reusing any task_id gets 40099', async () => {
    const longest = `a-_@Z9${'x'.repeat(122)}`;
    expect((await send(card(longest))).body).toMatchObject({ errcode: 0, msgid: expect.any(String), response_code: expect.any(String) });
    const again = await send(card(longest, 'li.s'));
    expect(again.body.errcode).toBe(40099);
    expect(wecom.deliveredCards('li.s')).toEqual([]);
  });

  it('a send whose answer was lost is delivered; the retry is refused as a duplicate', async () => {
    wecom.failNext('/cgi-bin/message/send', 'deliverThenTimeout');
    await expect(call('POST', `${wecom.url}/cgi-bin/message/send?access_token=${token}`, card('tk-lost'), 300)).rejects.toThrow();
    expect((await send(card('tk-lost'))).body.errcode).toBe(40099);
    expect(wecom.deliveredCards('zhang.s').filter((c) => c.taskId === 'tk-lost')).toHaveLength(1);
  });

  it("in 'silent' mode a duplicate answers 0 without a response_code and is recorded as dropped", async () => {
    wecom.duplicateTaskId = 'silent';
    try {
      expect((await send(card('tk-silent'))).body.errcode).toBe(0);
      const dup = await send(card('tk-silent'));
      expect(dup.body.errcode).toBe(0);
      expect(dup.body.response_code).toBeUndefined();
      expect(wecom.droppedMessages('zhang.s').map((m) => [m.taskId, m.dropped])).toContainEqual(['tk-silent', 'duplicate task_id']);
    } finally {
      wecom.duplicateTaskId = 'error';
    }
  });

  it('past 30 messages a minute per member, sends still answer 0 but are dropped', async () => {
    clock.advance(HOUR);
    const text = (i: number) => ({ touser: 'wang.w', msgtype: 'text', agentid: 1000002, text: { content: `提醒 ${i}` } });
    for (let i = 1; i <= 31; i++) expect((await send(text(i))).body.errcode).toBe(0);
    expect(wecom.deliveredMessages('wang.w')).toHaveLength(30);
    expect(wecom.droppedMessages('wang.w').map((m) => [m.body.text.content, m.dropped])).toEqual([['提醒 31', 'member rate limit']]);
    clock.advance(MINUTE);
    expect((await send(text(32))).body.errcode).toBe(0);
    expect(wecom.deliveredMessages('wang.w').at(-1)!.body.text.content).toBe('提醒 32');
  });

  it('with enable_duplicate_check, the same text to the same member within the interval is shown once', async () => {
    const text = (content: string, check?: number) => ({
      touser: 'zhao.d', msgtype: 'text', agentid: 1000002, text: { content }, ...(check ? { enable_duplicate_check: 1, duplicate_check_interval: check } : {}),
    });
    expect((await send(text('超时未确认 #1', 600))).body.errcode).toBe(0);
    expect((await send(text('超时未确认 #1', 600))).body.errcode).toBe(0); // accepted, not shown again
    expect((await send(text('超时未确认 #2', 600))).body.errcode).toBe(0); // other content goes
    expect(wecom.deliveredMessages('zhao.d').map((m) => m.body.text.content)).toEqual(['超时未确认 #1', '超时未确认 #2']);
    expect(wecom.droppedMessages('zhao.d').map((m) => m.dropped)).toEqual(['duplicate content']);
    clock.advance(601_000);
    expect((await send(text('超时未确认 #1', 600))).body.errcode).toBe(0); // past the interval: shown again
    await send(text('超时未确认 #2')); // without the check, a repeat is shown
    expect(wecom.deliveredMessages('zhao.d').map((m) => m.body.text.content)).toEqual(['超时未确认 #1', '超时未确认 #2', '超时未确认 #1', '超时未确认 #2']);
  });

  it('a response_code updates the card once; unknown codes are refused', async () => {
    const sent = await send(card('tk-upd'));
    expect((await update(greyOut(sent.body.response_code))).body.errcode).toBe(0);
    expect((await update(greyOut(sent.body.response_code))).body).toMatchObject({ errcode: 40098, errmsg: 'response_code has been used' });
    expect((await update(greyOut('never-issued'))).body.errcode).toBe(40098);
    const other = await send(card('tk-upd2'));
    expect((await update({ ...greyOut(other.body.response_code), button: undefined })).body.errcode).toBe(40058);
    expect((await update({ ...greyOut(other.body.response_code), agentid: 1 })).body.errcode).toBe(40056);
    expect((await update(greyOut(other.body.response_code))).body.errcode).toBe(0); // refused updates used nothing
    expect(wecom.updates().filter((u) => u.taskId === 'tk-upd')).toEqual([
      expect.objectContaining({ responseCode: sent.body.response_code, button: { replace_name: '已处理' }, userids: ['zhang.s'] }),
    ]);
  });

  it('a response_code expires after 72 h; a click gives a fresh single-use code', async () => {
    const a = await send(card('tk-72a'));
    const b = await send(card('tk-72b'));
    clock.advance(72 * HOUR - 1000);
    token = await newToken();
    expect((await update(greyOut(a.body.response_code))).body.errcode).toBe(0);
    clock.advance(1000);
    expect((await update(greyOut(b.body.response_code))).body).toMatchObject({ errcode: 40098, errmsg: 'response_code expired' });
    const event = wecom.click('zhang.s', 'tk-72b', 'later');
    expect(event).toMatchObject({ EventKey: 'later', TaskId: 'tk-72b', CardType: 'button_interaction', AgentID: 1000002 });
    expect((await update(greyOut(event.ResponseCode))).body.errcode).toBe(0);
    expect((await update(greyOut(event.ResponseCode))).body.errcode).toBe(40098);
    expect(() => wecom.click('zhang.s', 'tk-72b', 'no-such-button')).toThrow();
  });

  it('queued faults: HTTP 500, busy (-1), then a normal answer', async () => {
    wecom.failNext('/cgi-bin/message/send', 'http500').failNext('/cgi-bin/message/send', 'busy');
    expect((await send(card('tk-f'))).status).toBe(500);
    expect((await send(card('tk-f'))).body).toEqual({ errcode: -1, errmsg: 'system busy' });
    expect((await send(card('tk-f'))).body.errcode).toBe(0);
    expect(wecom.faultLog.map((f) => f.fault).slice(-2)).toEqual(['http500', 'busy']);
  });

  it('a timeout fault holds the answer and processes nothing', async () => {
    wecom.failNext('/cgi-bin/message/send', 'timeout');
    await expect(call('POST', `${wecom.url}/cgi-bin/message/send?access_token=${token}`, card('tk-t'), 300)).rejects.toThrow();
    expect(wecom.deliveredCards('zhang.s').some((c) => c.taskId === 'tk-t')).toBe(false);
    expect((await send(card('tk-t'))).body.errcode).toBe(0);
  });

  it('an outage answers 5xx on every path, processing nothing, until the clock passes its end', async () => {
    const before = wecom.deliveredCards('zhang.s').length;
    wecom.outage(clock.now() + 10 * MINUTE);
    expect((await send(card('tk-o'))).status).toBe(503);
    expect((await get(`${wecom.url}/cgi-bin/gettoken?corpid=${wecom.corpId}&corpsecret=${wecom.secret}`)).status).toBe(503);
    clock.advance(10 * MINUTE - 1);
    expect((await send(card('tk-o'))).status).toBe(503);
    clock.advance(1);
    expect((await send(card('tk-o'))).body.errcode).toBe(0);
    expect(wecom.deliveredCards('zhang.s').length).toBe(before + 1);
  });
});

describe('DingTalk custom robot (robot/send)', () => {
  const ding = new DingtalkSimulator();
  const clock = manualClock();
  const SECRET = 'SECsim0123456789abcdef';
  /** The client side of §4.1, written independently of the simulator. */
  const sign = (ts: number | string, secret = SECRET) => encodeURIComponent(createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64'));
  const url = (token: string, ts: number | string = clock.now(), s = sign(ts)) => `${ding.url}/robot/send?access_token=${token}&timestamp=${ts}&sign=${s}`;
  const text = (content: string) => ({ msgtype: 'text', text: { content } });
  beforeAll(async () => {
    ding.now = clock.now;
    await ding.start();
    ding.addRobot('tok-a', SECRET).addRobot('tok-rate', SECRET).addRobot('tok-vector', 'this is secret').addRobot('tok-kw', undefined, { keywords: ['锚点'] });
  });
  afterAll(() => ding.stop());

  it('matches the documented sign vector and needs the sign URL-encoded', async () => {
    expect(sign(1577262236757, 'this is secret')).toBe('hmPWwU%2B7lVdm3ZZz0r9tSfx0L4Q26jWOZr9%2BGs6EZQM%3D');
    clock.set(1577262236757 + 5 * MINUTE);
    const raw = 'hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=';
    expect((await post(url('tok-vector', 1577262236757, raw), text('x'))).body).toEqual({ errcode: 310000, errmsg: 'sign not match' });
    expect((await post(url('tok-vector', 1577262236757, sign(1577262236757, 'this is secret')), text('x'))).body).toEqual({ errcode: 0, errmsg: 'ok' });
    clock.set(Date.UTC(2025, 2, 3, 1, 0, 0));
  });

  it('an unknown token gets 300001; a bad or missing sign, or a timestamp over 1 h off, gets 310000', async () => {
    expect((await post(url('tok-nope'), text('x'))).body.errcode).toBe(300001);
    const now = clock.now();
    expect((await post(url('tok-a', now, sign(now, 'SECwrong')), text('x'))).body).toEqual({ errcode: 310000, errmsg: 'sign not match' });
    expect((await post(`${ding.url}/robot/send?access_token=tok-a`, text('x'))).body.errcode).toBe(310000);
    expect((await post(url('tok-a', now - HOUR - 1000), text('x'))).body).toEqual({ errcode: 310000, errmsg: 'invalid timestamp' });
    expect((await post(url('tok-a', now + HOUR + 1000), text('x'))).body.errmsg).toBe('invalid timestamp');
    expect((await post(url('tok-a', Math.floor(now / 1000)), text('x'))).body.errmsg).toBe('invalid timestamp'); // seconds, not ms
    expect((await post(url('tok-a', now - 59 * MINUTE), text('late but fine'))).body.errcode).toBe(0);
    expect(ding.messages('tok-a').map((m) => m.body.text.content)).toEqual(['late but fine']);
  });

  it('accepts the five msgtypes with their required fields; anything else gets 40035', async () => {
    const ok = [
      { msgtype: 'markdown', markdown: { title: '待办', text: '#### 回访' } },
      { msgtype: 'link', link: { title: 't', text: 'x', messageUrl: 'https://a' } },
      { msgtype: 'actionCard', actionCard: { title: 't', text: 'x', singleTitle: '查看', singleURL: 'https://a' } },
      { msgtype: 'actionCard', actionCard: { title: 't', text: 'x', btns: [{ title: '完成', actionURL: 'https://a' }] } },
      { msgtype: 'feedCard', feedCard: { links: [{ title: 't', messageURL: 'https://a' }] } },
    ];
    for (const body of ok) expect((await post(url('tok-a'), body)).body.errcode).toBe(0);
    for (const body of [{ msgtype: 'image', image: {} }, { msgtype: 'markdown', markdown: { text: 'no title' } }, { msgtype: 'actionCard', actionCard: { title: 't', text: 'x' } }, 'not json']) {
      expect((await post(url('tok-a'), body)).body.errcode).toBe(40035);
    }
  });

  it('a keyword robot refuses messages without its keyword (310000)', async () => {
    expect((await post(`${ding.url}/robot/send?access_token=tok-kw`, text('hello'))).body.errcode).toBe(310000);
    expect((await post(`${ding.url}/robot/send?access_token=tok-kw`, text('锚点：3 条待办'))).body.errcode).toBe(0);
  });

  it('the 21st message in a minute gets 130101, and the robot stays throttled for 10 minutes', async () => {
    for (let i = 1; i <= 20; i++) expect((await post(url('tok-rate'), text(`m${i}`))).body.errcode).toBe(0);
    const start = clock.now();
    expect((await post(url('tok-rate'), text('m21'))).body).toEqual({ errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
    expect(ding.throttledUntil('tok-rate')).toBe(start + 10 * MINUTE);
    expect((await post(url('tok-a'), text('another robot is not throttled'))).body.errcode).toBe(0);
    for (const offset of [2 * MINUTE, 9 * MINUTE, 10 * MINUTE - 1]) {
      clock.set(start + offset);
      expect((await post(url('tok-rate'), text(`at ${offset}`))).body.errcode).toBe(130101);
    }
    clock.set(start + 10 * MINUTE);
    expect((await post(url('tok-rate'), text('after'))).body.errcode).toBe(0);
    expect(ding.messages('tok-rate').map((m) => m.body.text.content)).toEqual([...Array.from({ length: 20 }, (_, i) => `m${i + 1}`), 'after']);
  });

  it('faults and outages: busy, HTTP 500, then 502 until the clock passes', async () => {
    ding.failNext('/robot/send', 'busy').failNext('/robot/send', 'http500');
    expect((await post(url('tok-a'), text('f'))).body.errcode).toBe(-1);
    expect((await post(url('tok-a'), text('f'))).status).toBe(500);
    ding.outage(clock.now() + 10 * MINUTE, 502);
    const before = ding.messages('tok-a').length;
    for (let i = 0; i < 10; i++) {
      expect((await post(url('tok-a'), text('o'))).status).toBe(502);
      clock.advance(MINUTE - 1);
    }
    clock.advance(10);
    expect(ding.inOutage).toBe(false);
    expect((await post(url('tok-a'), text('back'))).body.errcode).toBe(0);
    expect(ding.messages('tok-a').length).toBe(before + 1);
  });
});

describe('WeChat access token and subscribe messages', () => {
  const wechat = new WechatSimulator();
  const clock = manualClock();
  const tokenUrl = (secret = wechat.appSecret) => `${wechat.url}/cgi-bin/token?grant_type=client_credential&appid=${wechat.appId}&secret=${secret}`;
  const subscribe = (token: string, json: unknown) => post(`${wechat.url}/cgi-bin/message/subscribe/send?access_token=${token}`, json);
  const reminder = (touser: string, thing1 = '回访华东机电', template_id = 'tpl-remind') => ({ touser, template_id, page: 'pages/todo/index', data: { thing1: { value: thing1 }, time2: { value: '2025-03-03 10:00' } } });
  let token = '';
  beforeAll(async () => {
    wechat.now = clock.now;
    await wechat.start();
    wechat.addTemplate('tpl-remind', ['thing1', 'time2']).addUser('openid-a');
  });
  afterAll(() => wechat.stop());

  it('/cgi-bin/token checks the secret; a newer token leaves the old one 5 minutes, then 40001; tokens expire (42001)', async () => {
    expect((await get(tokenUrl('wrong'))).body.errcode).toBe(40125);
    const first = (await get(tokenUrl())).body;
    expect(first).toEqual({ access_token: expect.any(String), expires_in: 7200 });
    token = (await get(tokenUrl())).body.access_token;
    expect((await subscribe(first.access_token, reminder('openid-a'))).body.errcode).toBe(43101); // still valid
    clock.advance(5 * MINUTE);
    expect((await subscribe(first.access_token, reminder('openid-a'))).body.errcode).toBe(40001);
    expect((await subscribe('', reminder('openid-a'))).body.errcode).toBe(41001);
    clock.advance(7200 * 1000);
    expect((await subscribe(token, reminder('openid-a'))).body.errcode).toBe(42001);
    token = (await get(tokenUrl())).body.access_token;
  });

  it('stable_token returns the same token until force_refresh, which ends the old one', async () => {
    const body = { grant_type: 'client_credential', appid: wechat.appId, secret: wechat.appSecret };
    const a = (await post(`${wechat.url}/cgi-bin/stable_token`, body)).body.access_token;
    expect((await post(`${wechat.url}/cgi-bin/stable_token`, body)).body.access_token).toBe(a);
    const b = (await post(`${wechat.url}/cgi-bin/stable_token`, { ...body, force_refresh: true })).body.access_token;
    expect(b).not.toBe(a);
    expect((await subscribe(a, reminder('openid-a'))).body.errcode).toBe(40001);
  });

  it('refuses an unknown openid (40003), template (40037), or a thing over 20 characters (47003)', async () => {
    wechat.grantConsent('openid-b', 'tpl-remind');
    expect((await subscribe(token, reminder('openid-nobody'))).body.errcode).toBe(40003);
    expect((await subscribe(token, reminder('openid-b', '回访', 'tpl-nope'))).body.errcode).toBe(40037);
    expect((await subscribe(token, reminder('openid-b', '回'.repeat(21)))).body.errcode).toBe(47003);
    expect((await subscribe(token, { ...reminder('openid-b'), data: { thing1: { value: 'x' } } })).body.errcode).toBe(47003);
    expect(wechat.remainingConsent('openid-b', 'tpl-remind')).toBe(1); // refused sends use no consent
    expect((await subscribe(token, reminder('openid-b', '回'.repeat(20)))).body).toEqual({ errcode: 0, errmsg: 'ok', msgid: expect.any(Number) });
  });

  it('each consent allows one send; then 43101 until the user accepts again', async () => {
    expect((await subscribe(token, reminder('openid-c'))).body.errcode).toBe(40003);
    wechat.grantConsent('openid-c', 'tpl-remind');
    expect((await subscribe(token, reminder('openid-c', '第一次'))).body.errcode).toBe(0);
    expect((await subscribe(token, reminder('openid-c', '第二次'))).body).toEqual({ errcode: 43101, errmsg: 'user refuse to accept the msg' });
    wechat.grantConsent('openid-c', 'tpl-remind', 2);
    expect((await subscribe(token, reminder('openid-c', '第三次'))).body.errcode).toBe(0);
    expect((await subscribe(token, reminder('openid-c', '第四次'))).body.errcode).toBe(0);
    expect((await subscribe(token, reminder('openid-c', '第五次'))).body.errcode).toBe(43101);
    expect(wechat.deliveries('openid-c').map((d) => d.data.thing1.value)).toEqual(['第一次', '第三次', '第四次']);
  });

  it('jscode2session codes expire after 5 minutes on the simulator clock; outages apply here too', async () => {
    const code2session = (code: string) => get(`${wechat.url}/sns/jscode2session?appid=${wechat.appId}&secret=${wechat.appSecret}&js_code=${code}&grant_type=authorization_code`);
    const stale = wechat.issueCode('openid-d');
    clock.advance(5 * MINUTE + 1);
    expect((await code2session(stale)).body.errcode).toBe(40029);
    wechat.outage(clock.now() + MINUTE);
    expect((await code2session(wechat.issueCode('openid-d'))).status).toBe(503);
    clock.advance(MINUTE);
    expect((await code2session(wechat.issueCode('openid-d'))).body.openid).toBe('openid-d');
  });
});
