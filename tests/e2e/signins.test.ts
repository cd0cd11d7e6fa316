import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { launchBrowser, requireH5Build } from './browser';

/**
 * 外勤签到 in Chromium, the browser's geolocation granted through the playwright context (WGS-84, as
 * every browser answers): a supervisor sets a customer's location from where they stand (a wrong
 * coordinate refused first, the field named); the rep signs in ~120 m away and sees 已签到 · 120 m on the
 * customer page and the visit form, submits the visit with it and finds the chip on the visit detail;
 * a location proposed from three sign-ins is confirmed by the supervisor; a denied permission says what
 * to do. Screenshots at 390×844 and 1440×900 go to /work/shots/signins/.
 */
const SHOTS = process.env.SIGNIN_SHOTS ?? '/work/shots/signins';
// 人民广场 as GPS gives it (WGS-84); the app converts to GCJ-02 on the server
const GPS = { latitude: 31.2284, longitude: 121.4693 };
const north = (meters: number) => ({ latitude: GPS.latitude + (meters / 6371000) * (180 / Math.PI), longitude: GPS.longitude });

let h: Harness;
let org: OrgFixture;
let browser: Browser;
let seq = 0;

beforeAll(async () => {
  requireH5Build();
  mkdirSync(SHOTS, { recursive: true });
  h = await startHarness({ now: new Date() });
  org = await buildOrg(h);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** A full-page screenshot; with WALK_SHOTS=1 (a walk to look at) once any toast has gone (they last 1.5 s). */
const shot = async (page: Page, name: string) => {
  if (process.env.WALK_SHOTS === '1') await page.waitForTimeout(1700);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
};

async function newCustomer(name: string): Promise<number> {
  const res = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name, industry: '公立医院', stage: 'proposal', contactName: '王主任', city: '上海' } });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** A member signed in (the session as the app stores it), in a context whose geolocation is `where` (or not granted). */
async function openAs(member: Member, viewport: { width: number; height: number }, where: { latitude: number; longitude: number; accuracy?: number } | null) {
  const token = org.token(member);
  const me = (await api(h.url, 'GET', '/api/v1/me', { token })).body;
  const context: BrowserContext = await browser.newContext({
    viewport,
    ...(where ? { geolocation: { accuracy: 25, ...where }, permissions: ['geolocation'] } : {}),
  });
  const session = JSON.stringify({ data: { token, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), member: me } });
  await context.addInitScript(`window.localStorage.setItem('anchor.session', ${JSON.stringify(session)})`);
  return { context, page: await context.newPage() };
}

async function openCustomer(page: Page, id: number) {
  await page.goto(`${h.url}/app/#/pages/customer/index?id=${id}`);
  await page.waitForSelector('#location-status', { timeout: 20_000 });
}

// The visit form's pickers (as in visit-flow.test.ts): tap rows to the indicator, then 确定.
async function pick(page: Page, id: string, rows: string[]) {
  await page.locator(`#${id} .picker-box`).scrollIntoViewIfNeeded();
  await page.locator(`#${id} .picker-box`).dispatchEvent('click');
  const overlay = page.locator('.weui-picker__overlay:not([style*="none"])');
  await overlay.locator('.weui-picker__action', { hasText: '确定' }).waitFor({ state: 'visible', timeout: 5_000 });
  await page.waitForTimeout(400);
  for (let c = 0; c < rows.length; c++) {
    const group = overlay.locator('.weui-picker__group').nth(c);
    for (let step = 0; ; step++) {
      if (step > 60) throw new Error(`${id}: row ${rows[c]} not reached`);
      const box = (await group.boundingBox())!;
      const items = await group.locator('.weui-picker__item').evaluateAll((els) =>
        els.map((e: any) => {
          const r = e.getBoundingClientRect();
          return { text: (e.textContent ?? '').trim(), x: r.left + r.width / 2, y: r.top + r.height / 2 };
        }),
      );
      const target = items.find((i) => i.text === rows[c])!;
      const visible = items.filter((i) => i.y > box.y + 10 && i.y < box.y + box.height - 10);
      const middle = box.y + 102 + 17;
      if (Math.abs(target.y - middle) < 4) break;
      const tap = visible.includes(target) ? target : target.y > middle ? visible[visible.length - 1]! : visible[0]!;
      await page.mouse.click(tap.x, tap.y);
      await page.waitForTimeout(250);
    }
  }
  await overlay.locator('.weui-picker__action', { hasText: '确定' }).click();
  await page.waitForFunction(() => ![...(globalThis as any).document.querySelectorAll('.weui-picker__overlay')].some((e: any) => e.offsetParent !== null || e.style.display !== 'none'), undefined, { timeout: 5_000 });
  await page.waitForTimeout(300);
}

for (const viewport of [{ width: 390, height: 844, tag: 'phone' }, { width: 1440, height: 900, tag: 'desktop' }]) {
  describe(`外勤签到 at ${viewport.width}×${viewport.height}`, () => {
    let customerId: number;
    const name = `签到${viewport.tag === 'phone' ? '手机' : '桌面'}医院${++seq}号`;

    it('the supervisor sets the location: a wrong latitude is refused with the field named, then 用我当前位置 and 保存', async () => {
      customerId = await newCustomer(name);
      const { context, page } = await openAs(org.supervisor1, viewport, GPS);
      try {
        await openCustomer(page, customerId);
        expect(await page.textContent('#location-status')).toContain('客户位置尚未设置');
        await page.click('#set-location');
        await page.fill('#location-lat input', '95');
        await page.fill('#location-lng input', '121.47');
        await page.click('#save-location');
        await page.waitForSelector('#location-form .field-error', { timeout: 5_000 });
        expect(await page.textContent('#location-form')).toContain('纬度必须在 -90 到 90 之间');
        await shot(page, `set-location-error-${viewport.tag}`);
        await page.click('#use-my-position');
        await page.waitForFunction(() => ((globalThis as any).document.querySelector('#location-lat input') as any)?.value?.startsWith('31.228'), undefined, { timeout: 10_000 });
        expect(await page.textContent('#location-form')).toContain('WGS-84');
        await shot(page, `set-location-form-${viewport.tag}`);
        await page.click('#save-location');
        await page.waitForSelector('#location-status.signin-panel__location--set', { timeout: 10_000 });
        // stored converted to GCJ-02: a few hundred metres from the GPS numbers
        const loc = (await api(h.url, 'GET', `/api/v1/customers/${customerId}/location`, { token: org.token(org.repA) })).body;
        expect(loc).toMatchObject({ status: 'set', coordSystem: 'gcj02', setBy: { id: org.supervisor1.id } });
        expect(loc.lat).not.toBeCloseTo(GPS.latitude, 3);
        expect(await page.textContent('#location-status')).toContain(`${org.supervisor1.name} 确认`);
        await shot(page, `customer-location-set-${viewport.tag}`);
      } finally {
        await context.close();
      }
    });

    it('the rep signs in 120 m away (已签到 · 120 m), the visit form picks it, the visit detail shows it', async () => {
      const { context, page } = await openAs(org.repA, viewport, north(120));
      try {
        await openCustomer(page, customerId);
        expect(await page.textContent('#signin-today')).toContain('未签到');
        await page.click('#signin-now');
        await page.waitForFunction(() => (globalThis as any).document.querySelector('#signin-today')?.textContent?.includes('已签到'), undefined, { timeout: 10_000 });
        expect(await page.textContent('#signin-today')).toMatch(/已签到 · 1(19|20|21) m/);
        await shot(page, `customer-signed-in-${viewport.tag}`);

        await page.click('#new-visit');
        await page.waitForSelector('#visit-signin-chip', { timeout: 20_000 });
        await page.waitForFunction(() => (globalThis as any).document.querySelector('#visit-signin-chip')?.textContent?.includes('已签到'), undefined, { timeout: 10_000 });
        expect(await page.textContent('#visit-signin-chip')).toMatch(/已签到 · 1(19|20|21) m/);
        await shot(page, `visit-form-signin-${viewport.tag}`);

        await page.fill('#voice-text textarea', '客户王总说安装太慢，下周二演示新方案');
        await page.click('#voice-parse');
        await page.waitForFunction(() => ((globalThis as any).document.querySelector('#painPoint textarea') as any)?.value === '安装太慢', undefined, { timeout: 5_000 });
        await pick(page, 'objective', ['推进方案']);
        await page.fill('#dialogueSummary textarea', '王总认可快速安装，希望看三甲医院案例');
        await pick(page, 'bottleneck', ['集采降价压力']);
        await page.fill('#valuePoint input, #valuePoint textarea', '48 小时完成安装调试');
        await pick(page, 'nextFollowUpTime', ['14 时', '30 分']);
        await pick(page, 'nextFollowUpForm', ['上门']);
        await page.click('#submit-visit');
        await page.waitForSelector('.timeline-item--visit', { timeout: 15_000 });

        const [row] = await h.db.query('SELECT v.id, s.distance FROM visit v JOIN signin s ON s.visitId = v.id WHERE v.customerId = ?', [customerId]);
        expect(row).toBeDefined();
        await page.goto(`${h.url}/app/#/pages/visit-detail/index?id=${row.id}`);
        await page.waitForSelector('#visit-detail-signin', { timeout: 20_000 });
        expect(await page.textContent('#visit-detail-signin')).toBe(`已签到 · ${row.distance} m`);
        await shot(page, `visit-detail-signin-${viewport.tag}`);
      } finally {
        await context.close();
      }
    });

    it('three sign-ins propose a location; the supervisor confirms it', async () => {
      const other = await newCustomer(`${name}（建议位置）`);
      for (const m of [0, 30, 60]) {
        const res = await api(h.url, 'POST', `/api/v1/customers/${other}/signins`, {
          token: org.token(org.repA), json: { lat: north(m).latitude, lng: north(m).longitude, accuracy: 20, coordSystem: 'wgs84' }, headers: { 'idempotency-key': `e2e-${viewport.tag}-${m}-${Date.now()}` },
        });
        expect(res.status).toBe(201);
      }
      const { context, page } = await openAs(org.supervisor1, viewport, GPS);
      try {
        await openCustomer(page, other);
        expect(await page.textContent('#location-status')).toContain('由前 3 次签到推算，待主管确认');
        await shot(page, `location-proposed-${viewport.tag}`);
        await page.click('#confirm-location');
        await page.waitForSelector('#location-status.signin-panel__location--set', { timeout: 10_000 });
        expect(await page.textContent('#location-status')).toContain(`由签到推算，${org.supervisor1.name} 确认`);
        // the three sign-ins are measured now
        const measured = await h.db.query('SELECT COUNT(*) AS n FROM signin WHERE customerId = ? AND distance IS NOT NULL', [other]);
        expect(Number(measured[0].n)).toBe(3);
      } finally {
        await context.close();
      }
    });

    it('location permission refused: the rep is told how to allow it, nothing is stored', async () => {
      const before = Number((await h.db.query('SELECT COUNT(*) AS n FROM signin'))[0].n);
      const { context, page } = await openAs(org.repA, viewport, null);
      try {
        await openCustomer(page, customerId);
        await page.click('#signin-now');
        await page.waitForSelector('#signin-error', { timeout: 20_000 });
        expect(await page.textContent('#signin-error')).toMatch(/未获得定位权限|暂时无法定位/);
        await shot(page, `signin-denied-${viewport.tag}`);
      } finally {
        await context.close();
      }
      expect(Number((await h.db.query('SELECT COUNT(*) AS n FROM signin'))[0].n)).toBe(before);
    });
  });
}
