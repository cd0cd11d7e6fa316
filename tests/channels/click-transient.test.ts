import { createConnection, type Connection } from 'mysql2/promise';
import { robotSign } from '../../server/src/channels/dingtalk/dingtalk-sign';
import { isTransientDbError } from '../../server/src/db/transaction';
import { Member } from '../../server/src/modules/org/member.entity';
import { Todo } from '../../server/src/modules/tasks/todo.view';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { todoOfNewVisit as newTodo } from '../support/visit-fixture';
import { describeMariaDbOnly } from '../support/database';
import { WECOM_CALLBACK_AES_KEY, WECOM_CALLBACK_TOKEN, wecomClickSealer } from '../support/wecom-callback';
import { WecomSimulator } from '../simulators/wecom-sim';

// A click that meets a database hiccup must not be lost: the platform is told to try again (503), and
// its retry, the very same signed request, is accepted and acts once. Only a domain refusal (not the
// assignee, already settled, no such to-do) is answered with success and nothing done.
const DING_APP_SECRET = 'click-transient-secret';
describeMariaDbOnly("it kills MariaDB connections and statements (KILL, KILL QUERY) and reads MariaDB's lock errors", 'transient database errors on a click', () => {
let h: Harness;
let org: OrgFixture;
let wecom: WecomSimulator;
let customer: number;
let clicks: ReturnType<typeof wecomClickSealer>;

beforeAll(async () => {
  wecom = await new WecomSimulator().start();
  h = await startHarness({
    env: {
      WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: wecom.secret, WECOM_TOKEN: WECOM_CALLBACK_TOKEN, WECOM_AES_KEY: WECOM_CALLBACK_AES_KEY, WECOM_API_BASE: wecom.url,
      DINGTALK_APP_KEY: 'ding-app', DINGTALK_APP_SECRET: DING_APP_SECRET, DINGTALK_API_BASE: 'http://127.0.0.1:9',
    },
  });
  wecom.now = () => h.clock.now().getTime();
  org = await buildOrg(h);
  await h.db.getRepository(Member).update({ id: org.supervisor1.id }, { wecomUserId: 'chen.s1', dingtalkUserId: 'ding-s1' });
  customer = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '点击不丢医院', industry: '公立医院', stage: 'proposal' } })).body.id;
  clicks = wecomClickSealer(wecom.corpId, () => h.clock.now().getTime());
});
afterAll(async () => {
  await h.close();
  await wecom.stop();
});

const todoOfNewVisit = () => newTodo(h, org.token(org.repA), customer);

const confirmedMessages = async (todoId: number) =>
  Number((await h.db.query("SELECT COUNT(*) AS n FROM outbox_message WHERE kind = 'todo.confirmed' AND payload LIKE ?", [`%"todoId":${todoId},%`]))[0].n);

/**
 * Holds the to-do's row with SELECT … FOR UPDATE from another connection, runs `request`, waits until the
 * request's UPDATE of that row is seen waiting in the process list, then kills it (`KILL` the connection:
 * a lost connection; `KILL QUERY`: an interrupted statement) and lets the row go.
 */
async function withKilledUpdate<T>(todoId: number, how: 'KILL' | 'KILL QUERY', request: () => Promise<T>): Promise<T> {
  const locker: Connection = await createConnection(h.dbUrl);
  try {
    await locker.beginTransaction();
    await locker.query('SELECT id FROM task WHERE id = ? FOR UPDATE', [todoId]);
    const answer = request();
    const started = Date.now();
    let victim: number | undefined;
    while (victim === undefined && Date.now() - started < 15_000) {
      const [rows] = await locker.query("SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND INFO LIKE 'UPDATE `task`%'");
      victim = (rows as { id: number }[])[0]?.id;
      if (victim === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    expect(victim).toBeDefined();
    await locker.query(`${how} ${Number(victim)}`);
    const result = await answer;
    await locker.rollback();
    return result;
  } finally {
    await locker.end();
  }
}

describe('WeCom click', () => {
  it('a lost database connection answers 503; the same signed request again confirms, once', async () => {
    const todo = await todoOfNewVisit();
    await h.services.outbox.runOnce();
    const event = clicks.seal(wecom.click('chen.s1', `anchor_todo_${todo.id}`, `confirm:${todo.id}`));
    const first = await withKilledUpdate(todo.id, 'KILL', () => clicks.post(h.url, event));
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBeTruthy();
    expect(String(first.body)).toContain('服务暂时不可用');
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).confirmedAt).toBeNull();

    // WeCom's retry: the very same request, nonce and all
    const retry = await clicks.post(h.url, event);
    expect(retry.status).toBe(200);
    expect(String(retry.body)).toBe('success');
    expect(await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).toMatchObject({ confirmedById: org.supervisor1.id, confirmedVia: 'wecom' });
    expect(await confirmedMessages(todo.id)).toBe(1);
    // once accepted, the nonce is spent: a third copy is a replay
    expect((await clicks.post(h.url, event)).status).toBe(403);
    expect(await confirmedMessages(todo.id)).toBe(1);
  });

  it('an interrupted statement on 需要沟通 answers 503; the retry asks the rep once', async () => {
    const todo = await todoOfNewVisit();
    await h.services.outbox.runOnce();
    const event = clicks.seal(wecom.click('chen.s1', `anchor_todo_${todo.id}`, `discuss:${todo.id}`));
    expect((await withKilledUpdate(todo.id, 'KILL QUERY', () => clicks.post(h.url, event))).status).toBe(503);
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).discussRequestedAt).toBeNull();
    expect((await clicks.post(h.url, event)).status).toBe(200);
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).discussRequestedVia).toBe('wecom');
  });

  it('a domain refusal is answered with success and changes nothing (someone else clicking)', async () => {
    const todo = await todoOfNewVisit();
    await h.services.outbox.runOnce();
    await h.db.getRepository(Member).update({ id: org.supervisor2.id }, { wecomUserId: 'lin.s2' });
    const click = { ...wecom.click('chen.s1', `anchor_todo_${todo.id}`, `confirm:${todo.id}`), FromUserName: 'lin.s2' };
    const res = await clicks.post(h.url, clicks.seal(click));
    expect(res.status).toBe(200);
    expect(String(res.body)).toBe('success');
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).confirmedAt).toBeNull();
  });
});

describe('DingTalk 确认', () => {
  const post = (body: unknown, timestamp: string, sign: string) => api(h.url, 'POST', '/api/v1/channels/dingtalk/callback', { json: body, headers: { timestamp, sign } });
  const signFor = (ts: string) => decodeURIComponent(robotSign(ts, DING_APP_SECRET));

  it('a lost database connection answers 503; the retry (same headers, same msgId) confirms, once', async () => {
    const todo = await todoOfNewVisit();
    const ts = String(h.clock.now().getTime() + 11);
    const body = { msgtype: 'text', text: { content: `确认 #${todo.id}` }, senderStaffId: 'ding-s1', msgId: `m-transient-${todo.id}` };
    const first = await withKilledUpdate(todo.id, 'KILL', () => post(body, ts, signFor(ts)));
    expect(first.status).toBe(503);
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).confirmedAt).toBeNull();
    const retry = await post(body, ts, signFor(ts));
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ msgtype: 'empty' });
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).confirmedVia).toBe('dingtalk');
    expect(await confirmedMessages(todo.id)).toBe(1);
    // the same message under fresh headers acts no more
    const ts2 = String(h.clock.now().getTime() + 12);
    expect((await post(body, ts2, signFor(ts2))).status).toBe(200);
    expect(await confirmedMessages(todo.id)).toBe(1);
  });

  it('an interrupted statement answers 503 and the retry is accepted', async () => {
    const todo = await todoOfNewVisit();
    const ts = String(h.clock.now().getTime() + 21);
    const body = { msgtype: 'text', text: { content: `确认 #${todo.id}` }, senderStaffId: 'ding-s1', msgId: `m-interrupted-${todo.id}` };
    expect((await withKilledUpdate(todo.id, 'KILL QUERY', () => post(body, ts, signFor(ts)))).status).toBe(503);
    expect((await post(body, ts, signFor(ts))).status).toBe(200);
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).confirmedVia).toBe('dingtalk');
  });

  it('a message seen before keeps its headers spent: they cannot carry another body', async () => {
    const todo = await todoOfNewVisit();
    const ts = String(h.clock.now().getTime() + 31);
    const body = { msgtype: 'text', text: { content: `沟通 #${todo.id}` }, senderStaffId: 'ding-s1', msgId: `m-seen-${todo.id}` };
    expect((await post(body, ts, signFor(ts))).status).toBe(200);
    const ts2 = String(h.clock.now().getTime() + 32);
    expect((await post(body, ts2, signFor(ts2))).status).toBe(200); // same msgId, fresh headers: ignored
    expect((await post({ ...body, text: { content: `确认 #${todo.id}` }, msgId: `m-other-${todo.id}` }, ts2, signFor(ts2))).status).toBe(403);
    expect((await h.db.getRepository(Todo).findOneByOrFail({ id: todo.id })).confirmedAt).toBeNull();
  });
});

describe('which database errors are transient', () => {
  const caught = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

  it('a real lock wait timeout and a real deadlock are; a duplicate key and a bad statement are not', async () => {
    const a = await createConnection(h.dbUrl);
    const b = await createConnection(h.dbUrl);
    try {
      await a.query('CREATE TABLE IF NOT EXISTS t_lock_probe (id INT PRIMARY KEY, v INT)');
      await a.query('INSERT IGNORE INTO t_lock_probe VALUES (1, 0), (2, 0)');
      await b.query('SET SESSION innodb_lock_wait_timeout = 1');
      await a.beginTransaction();
      await a.query('UPDATE t_lock_probe SET v = v + 1 WHERE id = 1');
      const timeout = await caught(b.query('UPDATE t_lock_probe SET v = v + 1 WHERE id = 1'));
      expect((timeout as { code?: string }).code).toBe('ER_LOCK_WAIT_TIMEOUT');
      expect(isTransientDbError(timeout)).toBe(true);
      await a.rollback();

      await b.query('SET SESSION innodb_lock_wait_timeout = 10');
      await a.beginTransaction();
      await b.beginTransaction();
      await a.query('UPDATE t_lock_probe SET v = v + 1 WHERE id = 1');
      await b.query('UPDATE t_lock_probe SET v = v + 1 WHERE id = 2');
      const first = caught(a.query('UPDATE t_lock_probe SET v = v + 1 WHERE id = 2'));
      await new Promise((r) => setTimeout(r, 100));
      const second = await caught(b.query('UPDATE t_lock_probe SET v = v + 1 WHERE id = 1'));
      const deadlock = [await first, second].find((e) => e !== undefined);
      expect((deadlock as { code?: string }).code).toBe('ER_LOCK_DEADLOCK');
      expect(isTransientDbError(deadlock)).toBe(true);
      await a.rollback().catch(() => undefined);
      await b.rollback().catch(() => undefined);

      const duplicate = await caught(a.query('INSERT INTO t_lock_probe VALUES (1, 0)'));
      expect(isTransientDbError(duplicate)).toBe(false);
      expect(isTransientDbError(await caught(a.query('SELECT nonsense FROM t_lock_probe')))).toBe(false);
    } finally {
      await a.query('DROP TABLE IF EXISTS t_lock_probe').catch(() => undefined);
      await a.end();
      await b.end();
    }
  });
});
});
