import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { completeVisit, submitVisit } from '../support/visit-fixture';
import { launchBrowser, pickOption, requireH5Build } from './browser';

/**
 * 每日打卡 in Chromium: a rep does the morning check-in late (the window closed), confirms a visit's
 * prefilled words in one tap, and completes the evening one after fixing a customer's missing reminder on
 * the spot; the supervisor sees the team's day. At phone and console sizes, screenshots in /work/shots/checkins.
 */
const SHOTS = process.env.CHECKIN_SHOTS ?? '/work/shots/checkins';
const FRIDAY_1750 = new Date('2026-11-20T09:50:00Z'); // 17:50 in Asia/Shanghai

let h: Harness;
let org: OrgFixture;
let browser: Browser;
let seq = 0;

beforeAll(async () => {
  requireH5Build();
  mkdirSync(SHOTS, { recursive: true });
  h = await startHarness({ now: FRIDAY_1750 });
  org = await buildOrg(h);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function customerOf(owner: Member, name: string): Promise<number> {
  const res = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.admin), json: { name: `${name}${++seq}`, industry: '公立医院', ownerId: owner.id } });
  return res.body.id;
}

async function openAs(who: Member, viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  const token = org.token(who);
  const me = (await api(h.url, 'GET', '/api/v1/me', { token })).body;
  const context = await browser.newContext({ viewport });
  const session = JSON.stringify({ data: { token, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), member: me } });
  await context.addInitScript(`window.localStorage.setItem('anchor.session', ${JSON.stringify(session)})`);
  return { context, page: await context.newPage() };
}
const snap = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/** The browser's tomorrow as the date picker labels it ('12-03 周四（明天）'). */
function tomorrowLabel(): string {
  const t = new Date(Date.now() + 86_400_000 + 8 * 3600_000);
  const day = t.toISOString().slice(5, 10);
  return `${day} 周${['日', '一', '二', '三', '四', '五', '六'][t.getUTCDay()]}（明天）`;
}

for (const viewport of [{ width: 390, height: 844, tag: 'phone' }, { width: 1440, height: 900, tag: 'desktop' }]) {
  describe(`每日打卡 at ${viewport.width}×${viewport.height}`, () => {
    it('walks the three check-ins: morning (late), after a visit (one tap), evening (fix on the spot, then done)', async () => {
      const rep = viewport.tag === 'phone' ? org.repA : org.repB;
      h.clock.set(FRIDAY_1750);
      const ids = [await customerOf(rep, '协和医院'), await customerOf(rep, '瑞金医院'), await customerOf(rep, '华山医院')];
      // two visited with a follow-up ahead; the third's follow-up passes before the evening
      const visit = await submitVisit(h, org.token(rep), { ...completeVisit(ids[0]!), customerVerbatim: '价格合适就下周签' });
      expect(visit.status).toBe(201);
      await submitVisit(h, org.token(rep), completeVisit(ids[1]!));
      await submitVisit(h, org.token(rep), { ...completeVisit(ids[2]!), nextFollowUpDate: '2026-11-20', nextFollowUpTime: '17:55' });
      h.clock.set(new Date('2026-11-20T10:00:00Z')); // 18:00: the morning window closed, the evening one open

      const { context, page } = await openAs(rep, viewport);
      try {
        // the home line shows the day, and opens 打卡
        await page.goto(`${h.url}/app/#/pages/customers/index`);
        await page.waitForSelector('#home-checkins', { timeout: 20_000 });
        expect(await page.textContent('#home-checkins')).toContain('早间 缺卡');
        await page.click('#home-checkins');
        await page.waitForSelector('#checkin-morning', { timeout: 20_000 });
        await snap(page, `${viewport.tag}-1-open`);

        // morning, after its window: 补打卡, recorded as late
        expect(await page.textContent('#submit-morning')).toContain('记为迟到');
        await page.fill('#core-need textarea', '确认快装方案的演示时间');
        await page.click('#submit-morning');
        await page.waitForFunction(() => ((globalThis as any).document.querySelector('#morning-state')?.textContent ?? '').includes('迟到'), undefined, { timeout: 10_000 });

        // after the visit: prefilled, confirmed in one tap
        const visitCard = `#visit-checkin-${visit.body.id}`;
        expect(await page.textContent(visitCard)).toContain('价格合适就下周签');
        await page.click(`#visit-confirm-${visit.body.id}`);
        await page.waitForFunction((sel) => ((globalThis as any).document.querySelector(sel)?.textContent ?? '').includes('已打卡'), visitCard, { timeout: 10_000 });

        // evening: the third customer has no reminder; picked, the button says why it cannot finish yet
        await page.click(`#candidate-${ids[2]} .checkins__customer`);
        expect(await page.textContent(`#candidate-${ids[2]}`)).toContain('未设提醒');
        expect(await page.textContent('#submit-evening')).toContain('需都有约定动作和提醒');
        await snap(page, `${viewport.tag}-2-evening-missing`);
        await page.click(`#fix-open-${ids[2]}`);
        await pickOption(page, `fix-date-${ids[2]}`, tomorrowLabel());
        await page.click(`#fix-save-${ids[2]}`);
        await page.waitForFunction((sel) => !((globalThis as any).document.querySelector(sel)?.textContent ?? '').includes('未设提醒'), `#candidate-${ids[2]}`, { timeout: 10_000 });
        await page.click('#submit-evening');
        await page.waitForFunction(() => ((globalThis as any).document.querySelector('#evening-state')?.textContent ?? '').includes('已打卡'), undefined, { timeout: 10_000 });
        await page.waitForTimeout(1600); // the toast goes
        await snap(page, `${viewport.tag}-3-done`);
      } finally {
        await context.close();
      }
      const rows: Array<{ kind: string; status: string }> = await h.db.query('SELECT kind, status FROM checkin WHERE memberId = ? ORDER BY id', [rep.id]);
      expect(rows.map((r) => `${r.kind}:${r.status}`)).toEqual(['morning:late', 'visit:on_time', 'evening:on_time']);
    });

    it("the supervisor sees the team's day", async () => {
      const { context, page } = await openAs(org.supervisor1, viewport);
      try {
        await page.goto(`${h.url}/app/#/packages/checkins/index`);
        await page.waitForSelector('#checkins-team', { timeout: 20_000 });
        const text = (await page.textContent('#checkins-team')) ?? '';
        expect(text).toContain('代表甲');
        expect(text).toContain('一组主管');
        await snap(page, `${viewport.tag}-4-team`);
      } finally {
        await context.close();
      }
    });
  });
}
