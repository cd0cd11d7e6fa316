import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';

let h: Harness;
let org: OrgFixture;
beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
});
afterAll(() => h.close());

const path = () => `/api/v1/teams/${org.teamIds.team1}/channels`;
const key = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';

describe('per-team robot settings', () => {
  it('an admin stores them in the database; reads show only the last four characters', async () => {
    const put = await api(h.url, 'PUT', path(), { token: org.token(org.admin), json: { wecomRobotKey: key, dingtalkRobotToken: 'a'.repeat(64), dingtalkRobotSecret: 'SECabcdef0123456789' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ wecomRobotKey: '****5aaa', dingtalkRobotToken: '****aaaa', dingtalkRobotSecret: '****6789' });
    const stored = await h.services.teamChannels.secretsOf(org.teamIds.team1);
    expect(stored).toMatchObject({ wecomRobotKey: key, dingtalkRobotSecret: 'SECabcdef0123456789', updatedById: org.admin.id });
    const got = await api(h.url, 'GET', path(), { token: org.token(org.admin) });
    expect(JSON.stringify(got.body)).not.toContain('SECabcdef');
  });

  it('null clears one value and leaves the others', async () => {
    const put = await api(h.url, 'PUT', path(), { token: org.token(org.admin), json: { dingtalkRobotToken: null } });
    expect(put.body).toMatchObject({ wecomRobotKey: '****5aaa', dingtalkRobotToken: null, dingtalkRobotSecret: '****6789' });
  });

  it('refuses a malformed secret with the field named, changing nothing', async () => {
    const put = await api(h.url, 'PUT', path(), { token: org.token(org.admin), json: { dingtalkRobotSecret: 'not-a-secret', wecomRobotKey: null } });
    expect(put.status).toBe(422);
    expect(put.body.error.fields.dingtalkRobotSecret).toContain('钉钉机器人加签密钥');
    expect((await h.services.teamChannels.secretsOf(org.teamIds.team1))?.wecomRobotKey).toBe(key);
  });

  it('only admins may read or change them; an unknown team is 404', async () => {
    for (const m of [org.supervisor1, org.directorEast, org.repA, org.finance]) {
      expect((await api(h.url, 'GET', path(), { token: org.token(m) })).status).toBe(403);
      expect((await api(h.url, 'PUT', path(), { token: org.token(m), json: { wecomRobotKey: null } })).status).toBe(403);
    }
    expect((await api(h.url, 'GET', '/api/v1/teams/999999/channels', { token: org.token(org.admin) })).status).toBe(404);
  });
});
