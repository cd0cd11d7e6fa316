import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { h5Link, wgs84ToGcj02 } from '@anchor/shared';
import { loginAs } from './browser';
import { productInBrowser } from './product';

/**
 * Walk 13: the check-ins, sign-ins and materials as each person meets them, on the product as `npm start`
 * runs it in demo mode, at 390×844 and 1440×900. Screenshots in /work/shots/walk13 (each screen, and in
 * screen-sized parts below it). Each assertion stands for something a person found broken or confusing:
 * - a supervisor finds 位置待确认 on the home screen and confirms one in a tap;
 * - a director's or admin's 团队打卡 shows the team's day (it answered 「不能每日打卡」 with a useless 重试);
 * - a reminder's link opens 打卡 with its visit listed, even a visit from the day before;
 * - a role without a screen reached by link is told so, with 返回 and no 重试;
 * - the admin is told on 我的 which policy dates to fill (checkins.holidays);
 * - 团队今日打卡 keeps its title on one line beside its totals; the proposals list starts collapsed.
 */
const app = productInBrowser();
const SHOTS = process.env.WALK13_SHOTS ?? '/work/shots/walk13';
mkdirSync(SHOTS, { recursive: true });

const PHONES = { rep: '13800000101', supervisor: '13800000011', director: '13800000001', finance: '13800000021', marketing: '13800000031', admin: '13800000000' } as const;
const VIEWPORTS = [
  { tag: '390', width: 390, height: 844 },
  { tag: '1440', width: 1440, height: 900 },
] as const;
type Viewport = (typeof VIEWPORTS)[number];

/**
 * The screen as the person sees it; with WALK_SHOTS=1 (a walk to look at), then the rest of the page in
 * screen-sized parts (Taro scrolls inside its page). The parts re-lay the page out twice at full height,
 * which is most of a screenshot's cost, and nobody looks at them in CI.
 */
async function snap(page: Page, name: string) {
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  if (process.env.WALK_SHOTS !== '1') return;
  const size = page.viewportSize()!;
  const tall = Number(
    await page.evaluate(`Math.max(...[document.documentElement, document.body, ...document.querySelectorAll('.taro_page, .taro-tabbar__panel, .console-main')].map((e) => e.scrollHeight))`),
  );
  if (tall <= size.height + 20) return;
  await page.setViewportSize({ width: size.width, height: Math.min(tall + 60, 6000) });
  await page.waitForTimeout(300);
  for (let y = size.height, part = 2; y < tall && part <= 5; y += size.height, part++) {
    await page.screenshot({ path: path.join(SHOTS, `${name}-p${part}.png`), clip: { x: 0, y, width: size.width, height: Math.min(size.height, tall - y) } });
  }
  await page.setViewportSize(size);
}

async function open(v: Viewport, phone: string, extra: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await app.browser.newContext({ viewport: { width: v.width, height: v.height }, ...extra });
  return { context, page: await loginAs(context, app.product.server.url, phone) };
}
const go = (page: Page, route: string) => page.goto(`${app.product.server.url}/app/#/${route}`);

for (const v of VIEWPORTS) {
  describe(`at ${v.tag}`, () => {
    it('rep: 打卡 from the home line, the morning one, a reminder link with its visit, sign-in at a customer, a material shared and opened', async () => {
      const base = app.product.server.url;
      // where the rep's customer with a confirmed location is, as the browser reports it (WGS-84, ~60 m off)
      const [place] = await app.product.query<{ id: number; name: string; lat: number; lng: number }>(
        `SELECT c.id, c.name, l.lat, l.lng FROM customer c JOIN customer_location l ON l.customerId = c.id JOIN member m ON m.id = c.ownerId
         WHERE m.phone = ? AND l.confirmedAt IS NOT NULL ORDER BY c.id LIMIT 1`,
        [PHONES.rep],
      );
      const shift = wgs84ToGcj02({ lat: Number(place!.lat), lng: Number(place!.lng) });
      const wgs = { latitude: 2 * Number(place!.lat) - shift.lat + 0.0005, longitude: 2 * Number(place!.lng) - shift.lng };
      const { context, page } = await open(v, PHONES.rep, { geolocation: { ...wgs, accuracy: 20 }, permissions: ['geolocation'] });
      try {
        await snap(page, `rep-${v.tag}-1-home`);
        await page.waitForSelector('#home-checkins', { timeout: 20_000 });
        await page.click('#home-checkins');
        await page.waitForSelector('#checkin-morning', { timeout: 20_000 });
        // (the demo may have it done already, as a team's day in progress; before 07:00 local it is not open yet:
        // the card says when it opens and offers nothing to submit — the walk runs at any hour)
        const fresh = (await page.locator('#submit-morning').count()) > 0;
        const done = (await page.locator('#checkin-morning .checkins__answers').count()) > 0;
        if (!fresh && !done) {
          expect(await page.locator('#checkin-morning').innerText()).toContain('07:00–10:00');
        } else {
          if (fresh) {
            await page.fill('#core-need textarea', '确认科室下周的试用安排');
            await page.click('#submit-morning');
          }
          await page.waitForSelector('#checkin-morning .checkins__answers', { timeout: 20_000 });
          if (fresh) expect(await page.locator('#checkin-morning').innerText()).toContain('确认科室下周的试用安排');
          expect(await page.locator('#checkin-morning').innerText()).toContain('核心需求');
        }
        // the evening's customer names keep one line (they broke as 芜湖红十字会医 / 院 beside their flags)
        for (const name of await page.locator('.checkins__candidate-name').all()) expect((await name.boundingBox())!.height).toBeLessThan(50);
        await snap(page, `rep-${v.tag}-2-checkins`);

        // A check-in reminder's link names its visit: built as the server builds it (h5Link) for this rep's
        // latest visit before today — the case that opened a page without it — and any the outbox delivered.
        const [yesterdays] = await app.product.query<{ id: number }>(
          `SELECT v.id FROM visit v JOIN member m ON m.id = v.memberId WHERE m.phone = ? AND v.submittedAt IS NOT NULL AND v.submittedAt < ? ORDER BY v.submittedAt DESC LIMIT 1`,
          [PHONES.rep, new Date(Date.now() - 24 * 3600_000)],
        );
        const sent = await app.product.query<{ target: string; body: string }>(
          "SELECT d.target, d.body FROM delivery d JOIN outbox_message o ON o.id = d.outboxId WHERE o.kind = 'checkin.reminder' AND d.channel = 'wecom_app' AND d.status = 'sent' ORDER BY d.id DESC LIMIT 2",
        );
        const links = [
          { phone: PHONES.rep, link: h5Link(base, 'checkins', { visit: yesterdays!.id }) },
          ...sent.map((d) => ({ phone: d.target.replace('wecom_app:demo_', ''), link: /https?:\/\/[^\s"\\]+/.exec(d.body)![0] })),
        ];
        for (const [i, { phone, link }] of links.entries()) {
          expect(link).toContain('/app/#/packages/checkins/index');
          const visit = /\?visit=(\d+)/.exec(link)?.[1];
          const who = await open(v, phone);
          try {
            await who.page.goto(link.replace(/^https?:\/\/[^/]+/, base));
            await who.page.waitForSelector(visit ? `#visit-checkin-${visit}` : '#checkin-morning', { timeout: 20_000 });
            if (visit) {
              expect(await who.page.getAttribute(`#visit-checkin-${visit}`, 'class')).toContain('checkins__visit--on');
              // brought into view: the person lands on the visit the reminder was about, not on the morning card
              await who.page.waitForTimeout(800);
              const box = (await who.page.locator(`#visit-checkin-${visit}`).boundingBox())!;
              expect(box.y).toBeGreaterThanOrEqual(-1);
              expect(box.y).toBeLessThan(v.height - 100);
            }
            await snap(who.page, `rep-${v.tag}-3-reminder-link-${i + 1}`);
          } finally {
            await who.context.close();
          }
        }

        // sign in at the customer: the distance shows
        await go(page, `pages/customer/index?id=${place!.id}`);
        await page.waitForSelector('#signin-now', { timeout: 20_000 });
        await page.click('#signin-now');
        await page.waitForSelector('#signin-today:has-text("已签到 ·")', { timeout: 20_000 });
        expect(await page.innerText('#signin-today')).toMatch(/已签到 · \d+ m/);
        await snap(page, `rep-${v.tag}-4-customer-signed-in`);

        // a material for this customer, shared; the customer opens it with no session; the rep sees it
        await page.waitForSelector('#customer-materials', { timeout: 20_000 });
        if (await page.locator('#customer-materials .customer-materials__item').count()) await page.click('#customer-materials .customer-materials__item');
        else {
          await page.click('#customer-materials-all');
          await page.click('#material-list .material-card');
        }
        await page.waitForSelector('#material-share', { timeout: 20_000 });
        await page.waitForSelector('#material-shares', { state: 'attached', timeout: 20_000 });
        const earlier = await page.locator('.share-card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-token')));
        await page.click('#material-share');
        for (let i = 0; i < 40 && (await page.locator('.share-card').count()) <= earlier.length; i++) await page.waitForTimeout(500);
        const now = await page.locator('.share-card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-token')));
        const token = now.find((t) => t && !earlier.includes(t))!;
        expect(token).toBeTruthy();
        await snap(page, `rep-${v.tag}-5-material-shared`);
        const stranger = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
        const c = await stranger.newPage();
        expect((await c.goto(`${base}/api/v1/s/${token}`))!.status()).toBe(200);
        await snap(c, `rep-${v.tag}-6-share-opened-by-customer`);
        await stranger.close();
        await page.reload();
        await page.waitForSelector(`.share-card[data-token="${token}"]:has-text("已打开 1 次")`, { timeout: 20_000 });
        // the WeCom text about the open links to the customer's page, whose timeline shows it
        let told: { body: string } | undefined;
        for (let i = 0; i < 40 && !told; i++) {
          [told] = await app.product.query<{ body: string }>(
            "SELECT d.body FROM delivery d JOIN outbox_message o ON o.id = d.outboxId WHERE o.kind = 'material.share_opened' ORDER BY d.id DESC LIMIT 1",
          );
          if (!told) await page.waitForTimeout(500);
        }
        const link = /https?:\/\/[^\s"\\]+/.exec(told!.body)![0];
        expect(link).toContain(`pages/customer/index?id=${place!.id}`);
        await page.goto(link.replace(/^https?:\/\/[^/]+/, base));
        await page.waitForSelector(`text=客户打开了《`, { timeout: 20_000 });
        await snap(page, `rep-${v.tag}-7-customer-timeline`);
      } finally {
        await context.close();
      }
    }, 180_000);

    it('supervisor: 位置待确认 on the home screen, confirmed in one tap; 团队今日打卡 keeps its title on one line', async () => {
      const { context, page } = await open(v, PHONES.supervisor);
      try {
        await page.waitForSelector('#location-proposals', { timeout: 20_000 });
        const before = Number(/位置待确认 (\d+)/.exec(await page.innerText('#location-proposals'))![1]);
        expect(before).toBeGreaterThan(0);
        // three shown at first, the rest a tap away, so the customer list stays in reach
        expect(await page.locator('#location-proposals .location-proposal').count()).toBeLessThanOrEqual(3);
        await snap(page, `supervisor-${v.tag}-1-home`);
        const first = page.locator('#location-proposals .location-proposal').first();
        const customerId = Number(await first.getAttribute('data-id'));
        await page.click(`#confirm-location-${customerId}`);
        await page.waitForSelector(`#location-proposals .location-proposal[data-id="${customerId}"]`, { state: 'detached', timeout: 20_000 });
        expect(await page.innerText('#location-proposals')).toContain(`位置待确认 ${before - 1}`);
        const [row] = await app.product.query<{ confirmedAt: Date | null }>('SELECT confirmedAt FROM customer_location WHERE customerId = ?', [customerId]);
        expect(row!.confirmedAt).not.toBeNull();
        if (await page.locator('#location-proposals-more').count()) {
          await page.click('#location-proposals-more');
          expect(await page.locator('#location-proposals .location-proposal').count()).toBeGreaterThan(3);
        }
        await snap(page, `supervisor-${v.tag}-2-home-confirmed`);

        await go(page, 'packages/checkins/index');
        await page.waitForSelector('#checkins-team', { timeout: 20_000 });
        const title = await page.locator('#checkins-team .checkins__title').boundingBox();
        expect(title!.height).toBeLessThan(60); // one line (it wrapped as 团队今日打 / 卡)
        await snap(page, `supervisor-${v.tag}-3-checkins`);
      } finally {
        await context.close();
      }
    }, 120_000);

    it("director: 团队打卡 from 我的 shows the region's teams' day, switching team in a tap", async () => {
      const { context, page } = await open(v, PHONES.director);
      try {
        await go(page, 'pages/me/index');
        await page.waitForSelector('#checkins-entry', { timeout: 20_000 });
        expect(await page.innerText('#checkins-entry')).toBe('团队打卡');
        await page.click('#checkins-entry');
        await page.waitForSelector('#checkins-team', { timeout: 20_000 });
        expect(await page.locator('#checkins-load-error').count()).toBe(0);
        const chips = page.locator('#checkins-teams .chip');
        expect(await chips.count()).toBeGreaterThanOrEqual(2);
        // the console names it as 我的 does: a director does not check in (it read 每日打卡)
        if (v.width >= 1024) expect(await page.innerText('#console-nav-checkins')).toBe('团队打卡');
        await snap(page, `director-${v.tag}-1-team-checkins`);
        const other = (await chips.nth(1).innerText()).trim();
        await chips.nth(1).click();
        await page.waitForSelector(`#checkins-team .checkins__title:has-text("${other}")`, { timeout: 20_000 });
        expect(await page.locator('#checkins-team .checkins__team-row').count()).toBeGreaterThan(0);
        await snap(page, `director-${v.tag}-2-other-team`);
        await go(page, 'packages/materials/index');
        await page.waitForSelector('#material-list .material-card', { timeout: 20_000 });
        await snap(page, `director-${v.tag}-3-materials`);
      } finally {
        await context.close();
      }
    }, 120_000);

    it('finance: no 打卡 or 素材 on 我的; reached by a link, each says why with 返回 and no 重试', async () => {
      const { context, page } = await open(v, PHONES.finance);
      try {
        await go(page, 'pages/me/index');
        await page.waitForSelector('#me-name', { timeout: 20_000 });
        expect(await page.locator('#checkins-entry, #materials-entry').count()).toBe(0);
        await snap(page, `finance-${v.tag}-1-me`);
        for (const [route, id, words] of [
          ['packages/materials/index', '#materials-forbidden', '你的岗位（财务）不使用营销素材'],
          ['packages/checkins/index', '#checkins-forbidden', '你的岗位（财务）不需要打卡'],
        ] as const) {
          await go(page, route);
          await page.waitForSelector(id, { timeout: 20_000 });
          expect(await page.innerText(id)).toContain(words);
          expect(await page.locator('button:has-text("重试"), .btn:has-text("重试")').count()).toBe(0);
          expect(await page.locator('#back').count()).toBe(1);
          await snap(page, `finance-${v.tag}-${route.includes('materials') ? '2-materials' : '3-checkins'}`);
        }
      } finally {
        await context.close();
      }
    }, 120_000);

    it('marketing: the material center with usage; 打卡 by link says marketing does not check in', async () => {
      const { context, page } = await open(v, PHONES.marketing);
      try {
        await go(page, 'packages/materials/index');
        await page.waitForSelector('#material-list .material-card', { timeout: 20_000 });
        await snap(page, `marketing-${v.tag}-1-materials`);
        await page.click('#materials-manage');
        await page.waitForSelector('#usage-by-material', { timeout: 20_000 });
        // every column can be reached: on a phone the tables scroll sideways (they hid 分享, 客户打开 and 从未打开的销售)
        for (const id of ['#usage-by-material', '#usage-by-rep']) {
          const table = page.locator(id);
          // (a string: the tests compile without the DOM's types)
          const { overflowX, scrollable } = (await table.evaluate(
            new Function('el', 'return { overflowX: getComputedStyle(el).overflowX, scrollable: el.scrollWidth > el.clientWidth }') as (el: unknown) => unknown,
          )) as { overflowX: string; scrollable: boolean };
          if (scrollable) expect(['auto', 'scroll']).toContain(overflowX);
          await table.locator('.data-table__title:has-text("客户打开")').scrollIntoViewIfNeeded();
          expect(await table.locator('.data-table__title:has-text("客户打开")').isVisible()).toBe(true);
          // the columns line up: every row as wide as the header
          const widths = await table.locator('.data-table__head, .data-table__row').evaluateAll((rows) => rows.map((r) => Math.round(r.getBoundingClientRect().width)));
          expect(new Set(widths).size).toBe(1);
          // and each row holds its cells (the last one ends inside its row, not past its background)
          const overflow = await table.locator('.data-table__row').first().evaluate(
            new Function('r', 'const last = r.lastElementChild; return last.getBoundingClientRect().right - r.getBoundingClientRect().right') as (r: unknown) => number,
          );
          expect(overflow).toBeLessThanOrEqual(1);
        }
        await snap(page, `marketing-${v.tag}-2-manage`);
        await go(page, 'packages/checkins/index');
        await page.waitForSelector('#checkins-forbidden', { timeout: 20_000 });
        expect(await page.innerText('#checkins-forbidden')).toContain('你的岗位（市场）不需要打卡');
      } finally {
        await context.close();
      }
    }, 120_000);

    it('admin: 我的 names the policy dates to fill (checkins.holidays); 团队打卡 shows every team', async () => {
      const { context, page } = await open(v, PHONES.admin);
      try {
        await go(page, 'pages/me/index');
        await page.waitForSelector('#policy-warnings', { timeout: 20_000 });
        const text = await page.innerText('#policy-warnings');
        expect(text).toContain('checkins.holidays');
        expect(text).toContain('国务院办公厅');
        await snap(page, `admin-${v.tag}-1-me`);
        await page.click('#checkins-entry');
        await page.waitForSelector('#checkins-team', { timeout: 20_000 });
        expect(await page.locator('#checkins-teams .chip').count()).toBeGreaterThanOrEqual(2);
        await snap(page, `admin-${v.tag}-2-team-checkins`);
      } finally {
        await context.close();
      }
    }, 120_000);
  });
}

describe('after the walks', () => {
it('every link the outbox delivered to a person opens a page with something on it, for that person', async () => {
  const base = app.product.server.url;
  const rows = await app.product.query<{ target: string; body: string }>("SELECT target, body FROM delivery WHERE channel = 'wecom_app' AND status = 'sent' ORDER BY id DESC LIMIT 500");
  const byPage = new Map<string, { phone: string; link: string }>();
  for (const r of rows) {
    for (const m of String(r.body).matchAll(/https?:\/\/[^\s"\\]+/g)) {
      const page = m[0].replace(/^https?:\/\/[^/]+/, '').split('?')[0]!;
      if (!byPage.has(page)) byPage.set(page, { phone: r.target.replace('wecom_app:demo_', ''), link: m[0] });
    }
  }
  expect(byPage.size).toBeGreaterThan(0);
  // one signed-in browser per person, a fresh tab per link (as a chat app opens each in the same browser)
  const people = new Map<string, BrowserContext>();
  try {
    for (const [page, { phone, link }] of byPage) {
      if (!people.has(phone)) {
        const who = await open(VIEWPORTS[0], phone);
        await who.page.close();
        people.set(phone, who.context);
      }
      const tab = await people.get(phone)!.newPage();
      try {
        await tab.goto(link.replace(/^https?:\/\/[^/]+/, base));
        await tab.waitForSelector('.page', { timeout: 20_000 });
        await tab.waitForTimeout(1500);
        const broken = await tab.locator('.state--error:visible, [id$="not-found"]:visible, [id$="-forbidden"]:visible').count();
        expect({ page, broken }).toEqual({ page, broken: 0 });
        await snap(tab, `link-${page.replace(/[^a-z]+/gi, '-').replace(/^-|-$/g, '')}`);
      } finally {
        await tab.close();
      }
    }
  } finally {
    for (const context of people.values()) await context.close();
  }
}, 180_000);
});
