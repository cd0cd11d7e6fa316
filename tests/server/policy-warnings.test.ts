import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { holidayWarnings, localDay } from '@anchor/shared';
import { DEFAULT_POLICY_PATH, loadPolicy } from '../../server/src/config/policy';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { spawnServer } from '../support/spawn-server';

// The holiday list is a placeholder until a person fills each year's dates from the State Council's notice:
// admins are told where they look (我的 in the app, the start-up log) when this year's, or from December
// next year's, dates are missing — naming the key path and what to fill. Nothing invents the dates.

describe('holidayWarnings (the rule)', () => {
  const only = (...holidays: string[]) => ({ holidays });
  it('a year without any holiday date is named; a year with one is not', () => {
    expect(holidayWarnings(only(), '2026-05-04').map((w) => w.message)).toEqual([expect.stringContaining('没有 2026 年的日期')]);
    expect(holidayWarnings(only('2026-10-01'), '2026-05-04')).toEqual([]);
    expect(holidayWarnings(only('2025-10-01', '2027-01-01'), '2026-05-04')).toHaveLength(1);
  });
  it('from December on, next year is needed too (before then it is not)', () => {
    expect(holidayWarnings(only('2026-10-01'), '2026-11-30')).toEqual([]);
    const december = holidayWarnings(only('2026-10-01'), '2026-12-01');
    expect(december).toEqual([{ key: 'checkins.holidays', message: expect.stringContaining('没有 2027 年的日期') }]);
    expect(december[0]!.message).toContain('checkins.makeUpWorkdays');
    expect(december[0]!.message).toContain('国务院办公厅');
    expect(holidayWarnings(only('2026-10-01', '2027-01-01'), '2026-12-31')).toEqual([]);
    expect(holidayWarnings(only(), '2026-12-15').map((w) => w.message)).toEqual([expect.stringContaining('2026'), expect.stringContaining('2027')]);
  });
  it('December starts in the policy time zone (00:30 on 1 Dec in Shanghai is still 30 Nov in UTC)', () => {
    const tz = 'Asia/Shanghai';
    expect(holidayWarnings(only('2026-10-01'), localDay(new Date('2026-11-30T15:59:00Z'), tz))).toEqual([]);
    expect(holidayWarnings(only('2026-10-01'), localDay(new Date('2026-11-30T16:30:00Z'), tz))).toHaveLength(1);
  });
});

describe('GET /admin/policy-warnings', () => {
  let h: Harness;
  let org: OrgFixture;
  beforeAll(async () => {
    // the shipped policy (2026 dates only), on 3 December 2026 local
    h = await startHarness({ now: new Date('2026-12-03T02:00:00Z'), policy: { ...loadPolicy(), checkins: { ...loadPolicy().checkins, holidays: ['2026-01-01', '2026-10-01'] } } });
    org = await buildOrg(h);
  });
  afterAll(() => h?.close());

  it('tells the admin next year is missing, with the key path', async () => {
    const res = await api(h.url, 'GET', '/api/v1/admin/policy-warnings', { token: org.token(org.admin) });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([{ key: 'checkins.holidays', message: expect.stringContaining('checkins.holidays 里没有 2027 年的日期') }]);
  });
  it('says nothing in November', async () => {
    h.clock.set(new Date('2026-11-20T02:00:00Z'));
    expect((await api(h.url, 'GET', '/api/v1/admin/policy-warnings', { token: org.token(org.admin) })).body).toEqual({ items: [] });
  });
  it('is the admin\'s: other roles are refused', async () => {
    for (const who of [org.repA, org.supervisor1, org.directorEast, org.finance, org.marketing]) {
      expect((await api(h.url, 'GET', '/api/v1/admin/policy-warnings', { token: org.token(who) })).status).toBe(403);
    }
  });
});

describe('start-up log', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  async function startWith(holidays: string[]): Promise<string> {
    const dir = mkdtempSync(path.join(tmpdir(), 'anchor-holidays-'));
    dirs.push(dir);
    const file = path.join(dir, 'policy.yaml');
    const policy = parse(readFileSync(DEFAULT_POLICY_PATH, 'utf8'));
    policy.checkins.holidays = holidays;
    writeFileSync(file, stringify(policy));
    const server = await spawnServer({ ANCHOR_POLICY: file, ANCHOR_DATA_DIR: dir });
    await server.stop();
    return server.output();
  }
  it('an empty holiday list is named at start-up with what to fill (this year is always missing then)', async () => {
    const year = localDay(new Date(), 'Asia/Shanghai').slice(0, 4);
    const out = await startWith([]);
    expect(out).toContain(`policy todo checkins.holidays 里没有 ${year} 年的日期`);
  }, 90_000);
  it('a list covering this year and the next says nothing', async () => {
    const year = Number(localDay(new Date(), 'Asia/Shanghai').slice(0, 4));
    const out = await startWith([`${year}-10-01`, `${year + 1}-01-01`]);
    expect(out).not.toContain('checkins.holidays');
  }, 90_000);
});
