import type { BrowserContext, Page, Request } from 'playwright-core';
import { loginAs, shot } from './browser';
import { productInBrowser } from './product';

// The server answers 503 服务暂时不可用 when its database is away (tests/server/db-unavailable.test.ts).
// Here the browser answers the visit POST with that 503, as the server does, to see what a rep sees:
// the message, and the visit kept on the phone as 待同步 — then sent by itself, once, when the server
// answers again, with no tap and no network change to prompt it.
const app = productInBrowser();
const UNAVAILABLE = '服务暂时不可用，请稍后重试';

async function visitsOf(customerName: string): Promise<number> {
  const rows = await app.product.query<{ n: number }>(
    "SELECT COUNT(*) AS n FROM visit v JOIN customer c ON c.id = v.customerId WHERE c.name = ? AND v.submittedAt IS NOT NULL",
    [customerName],
  );
  return Number(rows[0]!.n);
}

/** The visit-flow test's picker driver, for single-column pickers: tap the box, tap the row into the middle, 确定. */
async function pick(page: Page, id: string, row: string) {
  await page.locator(`#${id} .picker-box`).scrollIntoViewIfNeeded();
  await page.locator(`#${id} .picker-box`).dispatchEvent('click');
  const overlay = page.locator('.weui-picker__overlay:not([style*="none"])');
  await overlay.locator('.weui-picker__action', { hasText: '确定' }).waitFor({ state: 'visible', timeout: 5_000 });
  await page.waitForTimeout(400);
  const group = overlay.locator('.weui-picker__group').nth(0);
  for (let step = 0; ; step++) {
    if (step > 60) throw new Error(`${id}: row ${row} not reached`);
    const box = (await group.boundingBox())!;
    const items = await group.locator('.weui-picker__item').evaluateAll((els) =>
      els.map((e: any) => {
        const r = e.getBoundingClientRect();
        return { text: (e.textContent ?? '').trim(), x: r.left + r.width / 2, y: r.top + r.height / 2 };
      }),
    );
    const target = items.find((i) => i.text === row);
    if (!target) throw new Error(`${id}: no row ${row}`);
    const visible = items.filter((i) => i.y > box.y + 10 && i.y < box.y + box.height - 10);
    const middle = box.y + 102 + 17;
    if (Math.abs(target.y - middle) < 4) break;
    const tap = visible.includes(target) ? target : target.y > middle ? visible[visible.length - 1]! : visible[0]!;
    await page.mouse.click(tap.x, tap.y);
    await page.waitForTimeout(250);
  }
  await overlay.locator('.weui-picker__action', { hasText: '确定' }).click();
  await page.waitForFunction(() => ![...(globalThis as any).document.querySelectorAll('.weui-picker__overlay')].some((e: any) => e.offsetParent !== null || e.style.display !== 'none'), undefined, { timeout: 5_000 });
  await page.waitForTimeout(300);
}

describe('a rep submitting a visit while the server answers 503 (database away)', () => {
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    context = await app.browser.newContext({ viewport: { width: 375, height: 760 } });
    page = await loginAs(context, app.product.server.url, '13800000101');
  });
  afterAll(() => context.close());

  it('sees 服务暂时不可用, keeps the visit as 待同步, and it is stored once when the server is back', async () => {
    await page.fill('#search input', '医院');
    await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('.customer-item')].every((e: any) => e.innerText.includes('医院')), undefined, { timeout: 10_000 });
    await page.click('.customer-item >> nth=0');
    await page.waitForSelector('#new-visit', { timeout: 10_000 });
    const customerName = (await page.textContent('#customer-name'))!.trim();
    const before = await visitsOf(customerName);
    await page.click('#new-visit');
    await page.waitForSelector('#voice-text', { timeout: 10_000 });
    await page.fill('#voice-text textarea', '客户李主任说预算审批太慢，明天下午三点电话沟通发送方案');
    await page.click('#voice-parse');
    await page.waitForFunction(() => !!((globalThis as any).document.querySelector('#painPoint textarea') as any)?.value, undefined, { timeout: 5_000 });
    await pick(page, 'objective', '处理异议');
    await page.fill('#dialogueSummary textarea', '李主任说今年预算已批，下季度招标');
    await pick(page, 'bottleneck', '预算审批周期长');
    await page.fill('#valuePoint input, #valuePoint textarea', '分期付款方案');

    // the server is up, its database is not: every visit POST answers what the server answers then
    const refused: Request[] = [];
    const unavailable = async (route: import('playwright-core').Route) => {
      if (route.request().method() !== 'POST') return route.continue();
      refused.push(route.request());
      return route.fulfill({
        status: 503,
        headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': '2' },
        body: JSON.stringify({ error: { code: 'SERVICE_UNAVAILABLE', message: UNAVAILABLE } }),
      });
    };
    await page.route('**/api/v1/visits', unavailable);
    await page.click('#submit-visit');
    await page.waitForFunction((m) => (globalThis as any).document.body.innerText.includes(m), UNAVAILABLE, { timeout: 10_000 });
    await shot(page, 'visit-503-message');
    // back on the customer, the visit waits on the phone (not a form error, not lost)
    await page.waitForSelector('.pending-sync', { timeout: 15_000 });
    expect(await page.textContent('.pending-sync')).toContain('待同步');
    expect(await page.$('.pending-sync--failed')).toBeNull();
    await shot(page, 'visit-503-pending');
    expect(await visitsOf(customerName)).toBe(before);

    // while the server still answers 503 the app tries again by itself (after Retry-After) and keeps it
    const deadline = Date.now() + 15_000;
    while (refused.length < 3 && Date.now() < deadline) await page.waitForTimeout(250);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(await page.$$('.pending-sync')).toHaveLength(1);
    const keys = new Set(refused.map((r) => r.headers()['idempotency-key']));
    expect(keys.size).toBe(1); // every attempt is the same visit

    // the database is back: with no tap and no network change, the queued visit goes, once
    await page.unroute('**/api/v1/visits', unavailable);
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('.pending-sync').length === 0, undefined, { timeout: 20_000 });
    expect(await visitsOf(customerName)).toBe(before + 1);
    const stored = await app.product.query<{ key: string }>('SELECT `key` FROM idempotency_key WHERE `key` = ?', [[...keys][0]]);
    expect(stored).toHaveLength(1);
    const body = await page.innerText('body');
    expect(body).not.toMatch(/出错了|服务器内部错误|HTTP_5\d\d|请求失败/);
  });
});
