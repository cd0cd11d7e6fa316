import { loadPolicy } from '../../server/src/config/policy';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';

// The wall screen (大屏) reloads at the interval policy gives it, read by the app from /options.
let h: Harness;
let org: OrgFixture;
beforeAll(async () => {
  const policy = loadPolicy();
  h = await startHarness({ policy: { ...policy, dashboards: { ...policy.dashboards, wall: { refreshSeconds: 15 } } } });
  org = await buildOrg(h);
});
afterAll(() => h.close());

it('answers the policy wall refresh interval in /options', async () => {
  expect(loadPolicy().dashboards.wall.refreshSeconds).toBe(60);
  const options = await api(h.url, 'GET', '/api/v1/options', { token: org.token(org.directorEast) });
  expect(options.status).toBe(200);
  expect(options.body.wallRefreshSeconds).toBe(15);
});
