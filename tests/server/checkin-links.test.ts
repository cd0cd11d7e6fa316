import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { completeVisit, submitVisit } from '../support/visit-fixture';

// A check-in reminder links to 打卡 with its visit (?visit=). A visit submitted late in the evening has
// its reminder after midnight; the link must still open a page that lists that visit to check in (late),
// not today's list without it. Directors and admins, who do not check in, get the team's day without a
// team of their own.
let h: Harness;
let org: OrgFixture;
const at = (iso: string) => new Date(iso);

beforeAll(async () => {
  h = await startHarness({ now: at('2026-11-19T15:45:00Z') }); // Thursday 23:45 local
  org = await buildOrg(h);
});
afterAll(() => h?.close());

const today = (token: string, visit?: number) => api(h.url, 'GET', `/api/v1/checkins/today${visit ? `?visit=${visit}` : ''}`, { token });

it("a reminder's visit from the day before is listed on today's page, and can be checked in (late)", async () => {
  const token = org.token(org.repA);
  const customerId = (await api(h.url, 'POST', '/api/v1/customers', { token, json: { name: '深夜拜访医院', industry: '公立医院', stage: 'proposal' } })).body.id;
  const visit = await submitVisit(h, token, completeVisit(customerId));
  expect(visit.status).toBe(201);
  const visitId = visit.body.id as number;
  h.clock.set(at('2026-11-20T01:00:00Z')); // Friday 09:00 local: the window closed at 00:15
  // without the link, today has no visits
  expect((await today(token)).body.visits).toEqual([]);
  const linked = await today(token, visitId);
  expect(linked.status).toBe(200);
  expect(linked.body.visits).toEqual([expect.objectContaining({ visitId, customerName: '深夜拜访医院' })]);
  expect(linked.body.day).toBe('2026-11-20');
  const done = await api(h.url, 'POST', '/api/v1/checkins', { token, json: { kind: 'visit', visitId } });
  expect(done.status).toBe(201);
  expect(done.body.status).toBe('late');
  const after = await today(token, visitId);
  expect(after.body.visits[0].checkin).toMatchObject({ status: 'late' });
});

it("another rep's visit in the link is ignored; a bad id is a 422 naming 拜访", async () => {
  const visitId = Number((await h.db.query('SELECT id FROM visit ORDER BY id DESC LIMIT 1'))[0].id);
  expect((await today(org.token(org.repB), visitId)).body.visits).toEqual([]);
  const bad = await api(h.url, 'GET', '/api/v1/checkins/today?visit=abc', { token: org.token(org.repA) });
  expect(bad.status).toBe(422);
  expect(JSON.stringify(bad.body.error)).toContain('拜访');
});

it("a director (no team of their own) gets the region's first team and the list to switch; an admin every team", async () => {
  const director = await api(h.url, 'GET', '/api/v1/checkins/team', { token: org.token(org.directorEast) });
  expect(director.status).toBe(200);
  expect(director.body.teams.map((t: { id: number }) => t.id)).toEqual([org.teamIds.team1, org.teamIds.team2]);
  expect(director.body.teamId).toBe(org.teamIds.team1);
  expect(director.body.teamName).toEqual(expect.any(String));
  const second = await api(h.url, 'GET', `/api/v1/checkins/team?teamId=${org.teamIds.team2}`, { token: org.token(org.directorEast) });
  expect(second.body.members.map((m: { memberId: number }) => m.memberId)).toEqual(expect.arrayContaining([org.repC.id]));
  const admin = await api(h.url, 'GET', '/api/v1/checkins/team', { token: org.token(org.admin) });
  expect(admin.body.teams.map((t: { id: number }) => t.id)).toEqual(expect.arrayContaining([org.teamIds.team1, org.teamIds.team2, org.teamIds.team3]));
  // a supervisor sees their own team only
  const sup = await api(h.url, 'GET', '/api/v1/checkins/team', { token: org.token(org.supervisor1) });
  expect(sup.body.teams).toEqual([{ id: org.teamIds.team1, name: expect.any(String) }]);
});
