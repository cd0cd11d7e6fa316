import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { completeVisit, submitVisit } from '../support/visit-fixture';

// GET /api/v1/me feeds the 我的 page (who, role in Chinese, team) and the 待办 badge in the tab bar.
describe('GET /api/v1/me', () => {
  let h: Harness;
  let org: OrgFixture;
  beforeAll(async () => {
    h = await startHarness();
    org = await buildOrg(h);
  });
  afterAll(() => h.close());

  const me = (token: string) => api(h.url, 'GET', '/api/v1/me', { token });

  it('names the member, their role in Chinese, their team, region and manager', async () => {
    const res = await me(org.token(org.repA));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: org.repA.id,
      name: '代表甲',
      role: 'rep',
      roleLabel: '销售代表',
      team: { id: org.teamIds.team1, name: '上海一组' },
      region: { id: org.regionIds.east, name: '华东' },
      manager: { id: org.supervisor1.id, name: '一组主管' },
      canInvite: false,
      openTodos: 0,
    });
    // identities used for logins stay on the server
    expect(Object.keys(res.body)).not.toEqual(expect.arrayContaining(['wechatOpenId']));
  });

  it('says who may show a team invite QR: a supervisor, for their team', async () => {
    expect((await me(org.token(org.supervisor1))).body).toMatchObject({ roleLabel: '直属主管', canInvite: true, team: { name: '上海一组' } });
    // a director leads a region, not one team: the team invite is the supervisor's
    expect((await me(org.token(org.directorEast))).body).toMatchObject({ roleLabel: '区域总监', canInvite: false, team: null, region: { name: '华东' } });
    expect((await me(org.token(org.finance))).body).toMatchObject({ roleLabel: '财务', canInvite: false, team: null, region: null, manager: null });
  });

  it('counts the open to-dos each person has on their 待办 screen, and a confirm takes one off', async () => {
    const customer = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '角标测试医院', industry: '公立医院' } })).body.id as number;
    expect((await submitVisit(h, org.token(org.repA), completeVisit(customer))).status).toBe(201);
    expect((await submitVisit(h, org.token(org.repA), completeVisit(customer))).status).toBe(201);

    expect((await me(org.token(org.repA))).body.openTodos).toBe(2); // the rep's next actions
    expect((await me(org.token(org.supervisor1))).body.openTodos).toBe(2); // cards to confirm
    expect((await me(org.token(org.repB))).body.openTodos).toBe(0);
    expect((await me(org.token(org.supervisor2))).body.openTodos).toBe(0);

    const todos = (await api(h.url, 'GET', '/api/v1/todos?as=assignee&status=open', { token: org.token(org.supervisor1) })).body.items as Array<{ id: number }>;
    expect((await api(h.url, 'POST', `/api/v1/todos/${todos[0]!.id}/confirm`, { token: org.token(org.supervisor1), json: {} })).status).toBe(200);
    expect((await me(org.token(org.supervisor1))).body.openTodos).toBe(1);
    expect((await me(org.token(org.repA))).body.openTodos).toBe(1);
  });

  it('answers 401 in Chinese without a session, and after logout', async () => {
    const anonymous = await api(h.url, 'GET', '/api/v1/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.message).toMatch(/登录/);

    const token = (await h.services.auth.issueSession(org.repB, 'wechat')).token;
    expect((await me(token)).status).toBe(200);
    expect((await api(h.url, 'POST', '/api/v1/auth/logout', { token, json: {} })).status).toBe(200);
    expect((await me(token)).status).toBe(401);
  });
});
