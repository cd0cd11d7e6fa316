import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { loginAs } from './browser';
import { productInBrowser } from './product';

// Walk 13: check-ins, sign-ins and materials as each role would, at phone and console sizes.
const app = productInBrowser();
const SHOTS = process.env.WALK13_SHOTS ?? '/work/shots/walk13';
mkdirSync(SHOTS, { recursive: true });
/** The screen as the person sees it, and the whole page (Taro scrolls inside its page element, so a tall viewport shows all). */
async function snap(page: Page, name: string) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  const size = page.viewportSize()!;
  const tall = Number(await page.evaluate(`Math.max(...[document.documentElement, document.body, ...document.querySelectorAll('.taro_page, .taro-tabbar__panel, .console-main')].map((e) => e.scrollHeight))`));
  if (tall > size.height + 20) {
    await page.setViewportSize({ width: size.width, height: Math.min(tall + 60, 6000) });
    await page.waitForTimeout(300);
    // in screen-sized parts, to look at one by one
    for (let y = size.height, part = 2; y < tall && part <= 6; y += size.height, part++) {
      await page.screenshot({ path: path.join(SHOTS, `${name}-p${part}.png`), clip: { x: 0, y, width: size.width, height: Math.min(size.height, tall - y) } });
    }
    await page.setViewportSize(size);
  }
}

const ROLES = [
  { role: 'rep', phone: '13800000101' },
  { role: 'supervisor', phone: '13800000011' },
  { role: 'director', phone: '13800000001' },
  { role: 'finance', phone: '13800000021' },
  { role: 'marketing', phone: '13800000031' },
  { role: 'admin', phone: '13800000000' },
] as const;
const VIEWPORTS = [
  { tag: '390', width: 390, height: 844 },
  { tag: '1440', width: 1440, height: 900 },
] as const;

for (const v of VIEWPORTS) {
  for (const r of ROLES) {
    it(`explore ${r.role} at ${v.tag}`, async () => {
      const base = app.product.server.url;
      const context = await app.browser.newContext({ viewport: { width: v.width, height: v.height } });
      const page = await loginAs(context, base, r.phone);
      await page.waitForTimeout(1500);
      await snap(page, `${r.role}-${v.tag}-home`);
      await page.goto(`${base}/app/#/pages/me/index`);
      await page.waitForSelector('#me-name', { timeout: 20_000 });
      await page.waitForTimeout(800);
      await snap(page, `${r.role}-${v.tag}-me`);
      await page.goto(`${base}/app/#/packages/checkins/index`);
      await page.waitForTimeout(2500);
      await snap(page, `${r.role}-${v.tag}-checkins`);
      await page.goto(`${base}/app/#/packages/materials/index`);
      await page.waitForTimeout(2500);
      await snap(page, `${r.role}-${v.tag}-materials`);
      const card = page.locator('#material-list .material-card').first();
      if (await card.count()) {
        await card.click();
        await page.waitForTimeout(2500);
        await snap(page, `${r.role}-${v.tag}-material-detail`);
      }
      await page.goto(`${base}/app/#/pages/customers/index`);
      await page.waitForSelector('.customer-item', { timeout: 20_000 });
      await page.locator('.customer-item').first().click();
      await page.waitForTimeout(2500);
      await snap(page, `${r.role}-${v.tag}-customer`);
      await context.close();
    });
  }
}

it('lists links in deliveries', async () => {
  const rows = await app.product.query<{ channel: string; target: string; body: string; status: string }>('SELECT channel, target, body, status FROM delivery ORDER BY id DESC LIMIT 400');
  const links = new Map<string, string>();
  for (const row of rows) for (const m of String(row.body).matchAll(/https?:\/\/[^\s"\\)]+/g)) links.set(m[0], `${row.channel} ${row.target} ${row.status}`);
  console.log([...links].map(([l, w]) => `${w}  ${l}`).join('\n'));
  const kinds = await app.product.query<{ kind: string; n: number }>('SELECT kind, COUNT(*) AS n FROM outbox_message GROUP BY kind');
  console.log(JSON.stringify(kinds));
});
