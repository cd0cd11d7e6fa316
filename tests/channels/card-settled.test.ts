import { Member } from '../../server/src/modules/org/member.entity';
import { Todo } from '../../server/src/modules/tasks/todo.view';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { todoOfNewVisit as newTodo } from '../support/visit-fixture';
import { WECOM_CALLBACK_AES_KEY, WECOM_CALLBACK_TOKEN, wecomClickSealer } from '../support/wecom-callback';
import { WecomSimulator } from '../simulators/wecom-sim';

// A to-do confirmed while its WeCom card still waits (an outage, a lost answer) must not end as a live
// card with 确认 / 需要沟通 in the supervisor's chat: the card is not sent, or it is greyed out after it,
// or (when WeCom gives no code to change it) a 已确认 text follows it.
let h: Harness;
let org: OrgFixture;
let wecom: WecomSimulator;
let customer: number;
let clicks: ReturnType<typeof wecomClickSealer>;
const MIN = 60_000;

beforeAll(async () => {
  wecom = await new WecomSimulator().start();
  h = await startHarness({
    env: { WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: wecom.secret, WECOM_TOKEN: WECOM_CALLBACK_TOKEN, WECOM_AES_KEY: WECOM_CALLBACK_AES_KEY, WECOM_API_BASE: wecom.url },
  });
  wecom.now = () => h.clock.now().getTime();
  org = await buildOrg(h);
  await h.db.getRepository(Member).update({ id: org.supervisor1.id }, { wecomUserId: 'chen.s1' });
  customer = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '卡片收尾医院', industry: '公立医院', stage: 'proposal' } })).body.id;
  clicks = wecomClickSealer(wecom.corpId, () => h.clock.now().getTime());
});
afterAll(async () => {
  await h.close();
  await wecom.stop();
});

const todoOfNewVisit = () => newTodo(h, org.token(org.repA), customer);
const confirmInApp = async (todo: Todo) => {
  const res = await api(h.url, 'POST', `/api/v1/todos/${todo.id}/confirm`, { token: org.token(org.supervisor1), json: {} });
  expect(res.status).toBe(200);
  expect(res.body.status).toBe('confirmed');
};
/** Passes of the dispatcher past any backoff, as time goes by. */
async function later(minutes = 11) {
  h.clock.advance(minutes * MIN);
  await h.services.outbox.runOnce();
  await h.services.outbox.runOnce();
}

/** What the supervisor's WeCom shows about this to-do. */
function chat(todo: Todo) {
  const taskId = `anchor_todo_${todo.id}`;
  const mine = new RegExp(`todo=${todo.id}(?!\\d)`);
  const cards = wecom.deliveredCards('chen.s1').filter((c) => c.taskId === taskId);
  const greyed = wecom.updates().filter((u) => u.taskId === taskId);
  const confirmedTexts = wecom.deliveredMessages('chen.s1').filter((m) => m.msgtype === 'text' && m.body.text.content.startsWith('已确认 · 一组主管') && mine.test(m.body.text.content));
  return { cards, greyed, confirmedTexts };
}
const pendingFor = async (target: string) => Number((await h.db.query("SELECT COUNT(*) AS n FROM delivery WHERE target = ? AND status = 'pending'", [target]))[0].n);

describe('a card still queued when its to-do is confirmed', () => {
  it('outage → visit → confirmed in the app → recovery: no card with live buttons reaches the supervisor', async () => {
    wecom.outage(h.clock.now().getTime() + 10 * MIN);
    const todo = await todoOfNewVisit();
    await h.services.outbox.runOnce(); // the card meets the outage and waits
    expect(chat(todo).cards).toHaveLength(0);
    await confirmInApp(todo);
    await h.services.outbox.runOnce();
    await later(); // WeCom is back
    // not sent at all (an earlier attempt that might have got through is answered by a 已确认 text)
    expect(chat(todo).cards).toHaveLength(0);
    expect(await pendingFor('wecom_app:chen.s1')).toBe(0);
  });

  it('a card never tried is not sent once its to-do is confirmed, and admins see why', async () => {
    const todo = await todoOfNewVisit();
    await h.services.outbox.expand(); // the card is queued…
    await confirmInApp(todo); // …and confirmed in the app before its turn
    await h.services.outbox.runOnce();
    expect(chat(todo).cards).toHaveLength(0);
    expect(chat(todo).confirmedTexts).toHaveLength(0); // they confirmed it themselves: nothing to tell
    const skipped = await api(h.url, 'GET', '/api/v1/admin/deliveries?status=skipped', { token: org.token(org.admin) });
    expect(skipped.status).toBe(200);
    expect(skipped.body.items.some((d: any) => d.channel === 'wecom_app' && d.lastError === '待办已确认，卡片不再发送')).toBe(true);
  });
});

describe('a card in flight when its to-do is confirmed and another server plans the confirmation', () => {
  it('the update waits behind the card and uses the code its send answered', async () => {
    const second = await startHarness({ sharedDatabaseUrl: h.dbUrl, now: h.clock.now(), env: { WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: wecom.secret, WECOM_API_BASE: wecom.url } });
    try {
      const todo = await todoOfNewVisit();
      // WeCom takes 1.5 s to answer this card (delivered at once, answered late, with its response_code)
      wecom.hangMs = 1500;
      wecom.failNext('/cgi-bin/message/send', 'deliverThenTimeout', 1, (req) => req.body.includes(`"anchor_todo_${todo.id}"`));
      const pass = h.services.outbox.runOnce();
      const t0 = Date.now();
      while (chat(todo).cards.length === 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
      expect(chat(todo).cards).toHaveLength(1);
      await confirmInApp(todo); // while our send still waits for WeCom's answer
      await second.services.outbox.expand(); // another server plans the confirmation now
      await pass;
      await later(1);
      expect(chat(todo).greyed.map((u) => u.button)).toEqual([{ replace_name: '已确认 · 一组主管' }]);
    } finally {
      wecom.hangMs = 30_000;
      await second.close();
    }
  });
});

describe('a card is never sent for a to-do already confirmed', () => {
  it('confirmed before the dispatcher ever saw its card: no card, no message', async () => {
    const todo = await todoOfNewVisit();
    await confirmInApp(todo);
    await h.services.outbox.runOnce();
    await later(1);
    expect(chat(todo).cards).toHaveLength(0);
    expect(wecom.deliveredMessages('chen.s1').filter((m) => new RegExp(`todo=${todo.id}(?!\\d)`).test(JSON.stringify(m.body)))).toHaveLength(0);
  });

  it('需要沟通 keeps the to-do open, so its card still goes with its buttons', async () => {
    const todo = await todoOfNewVisit();
    await h.services.outbox.expand();
    expect((await api(h.url, 'POST', `/api/v1/todos/${todo.id}/discuss`, { token: org.token(org.supervisor1), json: {} })).status).toBe(200);
    await h.services.outbox.runOnce();
    expect(chat(todo).cards).toHaveLength(1);
    expect(chat(todo).cards[0]!.body.template_card.button_list.map((b: any) => b.text)).toEqual(['确认', '需要沟通']);
  });
});

describe('a card whose send answer was lost (task_id reused: 40099, no response_code)', () => {
  const loseAnswerOf = (todo: Todo) => wecom.failNext('/cgi-bin/message/send', 'deliverThenReset', 1, (req) => req.body.includes(`"anchor_todo_${todo.id}"`));

  it('clicked 确认 while our send still waits for its retry: the card is greyed out with the click’s code', async () => {
    const todo = await todoOfNewVisit();
    loseAnswerOf(todo);
    await h.services.outbox.runOnce();
    expect(chat(todo).cards).toHaveLength(1); // it reached the supervisor; we do not know it
    const res = await clicks.post(h.url, clicks.seal(wecom.click('chen.s1', `anchor_todo_${todo.id}`, `confirm:${todo.id}`)));
    expect(res.status).toBe(200);
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).confirmedVia).toBe('wecom');
    await later();
    const seen = chat(todo);
    expect(seen.cards).toHaveLength(1);
    expect(seen.greyed.map((u) => u.button)).toEqual([{ replace_name: '已确认 · 一组主管' }]);
  });

  it('confirmed in the app while the retry waits: a 已确认 text follows the card, and a later click greys the card out', async () => {
    const todo = await todoOfNewVisit();
    loseAnswerOf(todo);
    await h.services.outbox.runOnce();
    await confirmInApp(todo);
    await later();
    let seen = chat(todo);
    expect(seen.cards).toHaveLength(1);
    expect(seen.confirmedTexts).toHaveLength(1);
    // the card still shows its buttons (WeCom gave no code to change it); a tap on one brings a code
    const res = await clicks.post(h.url, clicks.seal(wecom.click('chen.s1', `anchor_todo_${todo.id}`, `discuss:${todo.id}`)));
    expect(res.status).toBe(200);
    await later(1);
    seen = chat(todo);
    expect(seen.greyed.map((u) => u.button)).toEqual([{ replace_name: '已确认 · 一组主管' }]);
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).discussRequestedAt).toBeNull();
  });

  it('resent and answered 40099 before the confirmation: the confirmation goes as a 已确认 text', async () => {
    const todo = await todoOfNewVisit();
    loseAnswerOf(todo);
    const reused = wecom.counters.duplicateTaskIds;
    await h.services.outbox.runOnce();
    await later(); // the retry: task_id already used, so WeCom answers 40099 and no response_code
    expect(wecom.counters.duplicateTaskIds).toBe(reused + 1);
    await confirmInApp(todo);
    await later(1);
    const seen = chat(todo);
    expect(seen.cards).toHaveLength(1);
    expect(seen.confirmedTexts).toHaveLength(1);
  });
});

describe('a to-do handed on to another confirmer', () => {
  it("greys the previous confirmer's card once (「已转交给 …」); a click on it afterwards changes nothing; the new confirmer's card works", async () => {
    await h.db.getRepository(Member).update({ id: org.supervisor2.id }, { wecomUserId: 'chen.s2' });
    const todo = await todoOfNewVisit();
    await later();
    const oldId = `anchor_todo_${todo.id}`;
    const newId = `anchor_todo_${todo.id}_to_${org.supervisor2.id}`;
    expect(chat(todo).cards).toHaveLength(1);
    const handed = await api(h.url, 'POST', `/api/v1/tasks/${todo.id}/actions`, { token: org.token(org.supervisor1), json: { action: 'reassign', toMemberId: org.supervisor2.id } });
    expect(handed.status).toBe(200);
    await later();
    await later();
    expect(wecom.updates().filter((u) => u.taskId === oldId).map((u) => u.button?.replace_name)).toEqual(['已转交给 二组主管']);
    expect(wecom.deliveredCards('chen.s2').filter((c) => c.taskId === newId)).toHaveLength(1);

    // the old card's 确认, clicked anyway: refused, the to-do stays open and nothing else is sent
    const stale = await clicks.post(h.url, clicks.seal(wecom.click('chen.s1', oldId, `confirm:${todo.id}`)));
    expect(stale.status).toBe(200);
    await later();
    const open = await api(h.url, 'GET', `/api/v1/todos/${todo.id}`, { token: org.token(org.supervisor2) });
    expect(open.body.status).toBe('open');
    expect(wecom.updates().filter((u) => u.taskId === oldId)).toHaveLength(1);
    expect(chat(todo).confirmedTexts).toEqual([]);

    // the new confirmer's click confirms it
    expect((await clicks.post(h.url, clicks.seal(wecom.click('chen.s2', newId, `confirm:${todo.id}`)))).status).toBe(200);
    expect((await api(h.url, 'GET', `/api/v1/todos/${todo.id}`, { token: org.token(org.supervisor2) })).body).toMatchObject({ status: 'confirmed' });
    await later();
    expect(wecom.updates().filter((u) => u.taskId === oldId)).toHaveLength(1);
  });
});
