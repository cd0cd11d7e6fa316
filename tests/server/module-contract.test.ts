import { ACTIONS } from '@anchor/shared';
import { api } from '../support/http';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { withSqlTransaction } from '../../server/src/db/sql';
import { createServices } from '../../server/src/app';
import { createLogger } from '../../server/src/logger';
import { serverModules } from '../../server/src/modules';

const modules = serverModules();
import { memoModule } from '../fixtures/memo-module';

// A module plugs in by its folder and one line in the module list: here the list is the server's plus
// the fixture's memo module (tests/fixtures/memo-module), with nothing else changed anywhere.
const withMemos = [...modules, memoModule];
const WECOM = { WECOM_CORP_ID: 'ww-contract', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 'contract-secret' };

describe('the module contract: a module added by one line in the list', () => {
  let h: Harness;
  let org: OrgFixture;
  beforeAll(async () => {
    h = await startHarness({ modules: withMemos, env: WECOM });
    org = await buildOrg(h);
    await h.db.query('UPDATE member SET wecomUserId = ? WHERE id = ?', ['rep-a-wecom', org.repA.id]);
  });
  afterAll(() => h.close());

  const post = (path: string, json: unknown) => api(h.url, 'POST', `/api/v1${path}`, { token: org.token(org.repA), json });

  it('its migration made its table and its route stores a row there', async () => {
    const res = await post('/memos', { text: '周五前把报价单发给李主任' });
    expect(res.status).toBe(201);
    const rows = await h.db.query('SELECT memberId, text FROM fixture_memo WHERE id = ?', [res.body.id]);
    expect(rows).toEqual([{ memberId: org.repA.id, text: '周五前把报价单发给李主任' }]);
  });

  it('its error code answers in its own words, naming the field, and nothing is stored', async () => {
    const before = await h.db.query('SELECT COUNT(*) AS n FROM fixture_memo');
    const res = await post('/memos', { text: '   ' });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'MEMO_EMPTY', message: '便签内容不能为空', fields: { text: '便签内容不能为空' } });
    expect(await h.db.query('SELECT COUNT(*) AS n FROM fixture_memo')).toEqual(before);
  });

  it('its job runs when due and its message kind is planned by its own planner', async () => {
    const remindAt = new Date(h.clock.now().getTime() + 3600_000);
    const res = await post('/memos', { text: '回访王院长', remindAt: remindAt.toISOString() });
    expect(res.status).toBe(201);
    await h.services.jobs.runDue();
    expect(Number((await h.db.query("SELECT COUNT(*) AS n FROM outbox_message WHERE kind = 'memo.reminder'"))[0].n)).toBe(0);

    h.clock.set(new Date(remindAt.getTime() + 1000));
    await h.services.jobs.runDue();
    const [message] = await h.db.query("SELECT id, kind, teamId, payload FROM outbox_message WHERE kind = 'memo.reminder'");
    expect(JSON.parse(message.payload)).toEqual({ memoId: res.body.id });
    const planned = await withSqlTransaction(h.db, (sql) => h.services.messages.plan(sql, { id: message.id, kind: message.kind, teamId: null, payload: JSON.parse(message.payload) }));
    expect(planned).toEqual([
      expect.objectContaining({ channel: 'wecom_app', target: 'wecom_app:rep-a-wecom', body: expect.objectContaining({ text: { content: '【便签】回访王院长' } }) }),
    ]);
  });

  it('its routes are in the API description with its tag', async () => {
    const spec = (await api(h.url, 'GET', '/api/v1/openapi.json')).body;
    expect(spec.paths['/api/v1/memos'].post.tags).toEqual(['便签']);
  });
});

describe('the module contract: without the line, the module is not there', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('has no route, no table and no message kind', async () => {
    const org = await buildOrg(h);
    const res = await api(h.url, 'POST', '/api/v1/memos', { token: org.token(org.repA), json: { text: '便签' } });
    expect(res.status).toBe(404);
    await expect(h.db.query('SELECT 1 FROM fixture_memo')).rejects.toThrow();
    expect(h.services.messages.knows('memo.reminder')).toBe(false);
    expect(h.services.messages.knows('todo.card')).toBe(true);
  });

  it('every action a route requires is one some module declares (or the platform: deliveries), each declared once', () => {
    const declared = modules.flatMap((m) => [...m.permissions]);
    expect(new Set(declared).size).toBe(declared.length);
    for (const action of declared) expect(ACTIONS).toContain(action);
    const required = new Set(h.services.moduleRoutes().flatMap((r) => (r.can ? [r.can] : [])));
    const undeclared = [...required].filter((a) => !declared.includes(a));
    expect(undeclared).toEqual([]);
  });

  const logger = createLogger('silent');
  it('refuses two modules that declare the same message kind, job kind or name', () => {
    const clash = { ...memoModule, name: 'memos2', messages: { 'todo.card': memoModule.messages['memo.reminder']! }, jobs: undefined };
    expect(() => createServices({ db: h.db, policy: h.policy, env: h.env, clock: h.clock, logger: logger, modules: [...modules, clash] })).toThrow(/todo\.card is declared twice/);
    const sameJob = { ...memoModule, name: 'memos3', messages: {}, jobs: () => ({ 'todo.escalate': async () => undefined }) };
    expect(() => createServices({ db: h.db, policy: h.policy, env: h.env, clock: h.clock, logger: logger, modules: [...modules, sameJob] })).toThrow(/todo\.escalate is declared twice/);
    expect(() => createServices({ db: h.db, policy: h.policy, env: h.env, clock: h.clock, logger: logger, modules: [...modules, modules[0]!] })).toThrow(/two modules are named org/);
  });
});
