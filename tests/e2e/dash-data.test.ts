import type { BrowserContext, Page } from 'playwright-core';
import { loginAs as loginAsIn, openTab, shot } from './browser';
import { productInBrowser } from './product';

// What the dashboards read, entered where people work (issue 14): the customer's feedback chips on the
// visit form, 标记完成 of the agreed action on the rep's 待办 card, and 关闭/丢单 with its reopening.
const app = productInBrowser();
const loginAs = (context: BrowserContext, phone: string) => loginAsIn(context, app.product.server.url, phone);
const REP = '13800000101'; // 王小明
const SUPERVISOR = '13800000011'; // 陈主管

/** Taro's H5 picker (as in visit-flow.test.ts): tap rows until each column's row is in the middle, then 确定. */
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
      const target = items.find((i) => i.text === rows[c]);
      if (!target) throw new Error(`${id}: no row ${rows[c]}`);
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

async function openCustomer(page: Page, id: number) {
  await page.goto(`${app.product.server.url}/app/#/pages/customer/index?id=${id}`);
  await page.waitForSelector('#customer-name', { timeout: 15_000 });
}

describe('a rep at 390 × 844: feedback on the visit, the agreed action marked done, a customer lost', () => {
  let context: BrowserContext;
  let page: Page;
  let customer: { id: number; name: string };
  let visitId: number;

  beforeAll(async () => {
    context = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
    page = await loginAs(context, REP);
    const [row] = await app.product.query<{ id: number; name: string }>(
      "SELECT c.id, c.name FROM customer c JOIN member m ON m.id = c.ownerId WHERE m.phone = ? AND c.stage = 'proposal' AND c.closedAt IS NULL ORDER BY c.id LIMIT 1",
      [REP],
    );
    customer = row!;
  });
  afterAll(() => context.close());

  it('taps 积极 among three chips (none chosen before, a second tap clears) and the visit keeps it', async () => {
    await openCustomer(page, customer.id);
    await page.click('#new-visit');
    await page.waitForSelector('#voice-text', { timeout: 10_000 });
    expect(await page.$$eval('#customerFeedback .chip', (els) => els.map((e: any) => e.innerText.trim()))).toEqual(['积极', '中性', '消极']);
    expect(await page.$('#customerFeedback .chip--on')).toBeNull();
    await page.fill('#voice-text textarea', '客户王总说安装太慢，下周二演示新方案');
    await page.click('#voice-parse');
    await page.waitForFunction(() => ((globalThis as any).document.querySelector('#painPoint textarea') as any)?.value === '安装太慢', undefined, { timeout: 5_000 });
    await page.fill('#painPoint textarea', '安装调试太慢，影响排期');
    await pick(page, 'objective', ['推进方案']);
    await page.fill('#dialogueSummary textarea', '王总认可快速安装，希望看三甲医院案例');
    await pick(page, 'bottleneck', ['集采降价压力']);
    await page.fill('#valuePoint input, #valuePoint textarea', '48 小时完成安装调试');
    await page.click('#feedback-中性');
    await page.click('#feedback-中性'); // a second tap clears it
    expect(await page.$('#customerFeedback .chip--on')).toBeNull();
    await page.click('#feedback-积极');
    expect((await page.textContent('#customerFeedback .chip--on'))?.trim()).toBe('积极');
    await pick(page, 'nextFollowUpTime', ['14 时', '30 分']);
    await pick(page, 'nextFollowUpForm', ['上门']);
    await page.locator('#customerFeedback').scrollIntoViewIfNeeded();
    await shot(page, 'dash-data-visit-feedback');
    await page.click('#submit-visit');
    await page.waitForSelector('.timeline-item--visit', { timeout: 15_000 });
    const [visit] = await app.product.query<{ id: number; customerFeedback: string | null }>(
      'SELECT id, customerFeedback FROM visit WHERE customerId = ? AND submittedAt IS NOT NULL ORDER BY id DESC LIMIT 1',
      [customer.id],
    );
    expect(visit!.customerFeedback).toBe('积极');
    visitId = visit!.id;
    expect(await page.textContent('.timeline-item--visit >> nth=0')).toContain('客户反馈：积极');
  });

  it('marks the agreed action done from the 待办 card, with a note; the card and the visit say 已完成 · 按时', async () => {
    // from the customer page (no tab bar there) to the 待办 tab, as the app's back does
    await page.goto(`${app.product.server.url}/app/#/pages/customers/index`);
    await page.waitForSelector('.customer-item', { timeout: 15_000 });
    await openTab(page, '待办');
    const button = page.locator(`#mark-done-${visitId}`);
    await button.waitFor({ state: 'visible', timeout: 15_000 });
    await button.click();
    await page.fill(`#action-done-note-${visitId} textarea`, '演示已约好，方案已发主任微信');
    await shot(page, 'dash-data-todo-mark-done');
    await page.click(`#confirm-done-${visitId}`);
    await page.waitForSelector(`#action-done-${visitId} .action-done__tag`, { timeout: 10_000 });
    expect(await page.textContent(`#action-done-${visitId}`)).toContain('已完成 · 按时');
    expect(await page.$(`#mark-done-${visitId}`)).toBeNull();
    await shot(page, 'dash-data-todo-done');
    const [row] = await app.product.query<{ actionDoneAt: Date | null; actionDoneOnTime: number; actionDoneNote: string }>(
      'SELECT actionDoneAt, actionDoneOnTime, actionDoneNote FROM visit WHERE id = ?',
      [visitId],
    );
    expect(row!.actionDoneAt).not.toBeNull();
    expect([Number(row!.actionDoneOnTime), row!.actionDoneNote]).toEqual([1, '演示已约好，方案已发主任微信']);

    await page.goto(`${app.product.server.url}/app/#/pages/visit-detail/index?id=${visitId}`);
    await page.waitForSelector('#visit-action', { timeout: 15_000 });
    expect(await page.textContent('#visit-action')).toContain('已完成 · 按时');
    expect(await page.textContent('#visit-action')).toContain('演示已约好');
    expect(await page.textContent('#detail-customerFeedback')).toContain('积极');
    await shot(page, 'dash-data-visit-detail');
  });

  it('closes a customer as lost with a reason; it says why, leaves 逾期 behind, and the rep cannot reopen it', async () => {
    const [lost] = await app.product.query<{ id: number }>(
      "SELECT c.id FROM customer c JOIN member m ON m.id = c.ownerId WHERE m.phone = ? AND c.stage = 'quote' AND c.closedAt IS NULL ORDER BY c.id LIMIT 1",
      [REP],
    );
    await openCustomer(page, lost!.id);
    await page.click('#close-customer');
    await page.waitForSelector('#close-form');
    await page.click('#confirm-close'); // no reason: refused, naming it
    await page.waitForSelector('#close-form .state--error');
    expect(await page.textContent('#close-form')).toContain('请选择丢单原因');
    await page.click('#lost-reason-竞品锁定');
    expect(await page.$('#close-form .state--error')).toBeNull(); // picking one clears the complaint
    await page.fill('#lost-note input', '竞品签了三年独家');
    await shot(page, 'dash-data-close-form');
    await page.click('#confirm-close');
    await page.waitForSelector('#customer-closed', { timeout: 10_000 });
    expect(await page.textContent('#customer-closed-reason')).toContain('竞品锁定 · 竞品签了三年独家');
    expect(await page.$('#reopen-customer')).toBeNull();
    await page.waitForSelector('.timeline-item--stage_change:has-text("关闭（丢单）")', { timeout: 10_000 });
    await shot(page, 'dash-data-customer-lost');
    const [row] = await app.product.query<{ closedReason: string; kind: string }>(
      "SELECT c.closedReason, h.kind FROM customer c JOIN customer_stage_change h ON h.customerId = c.id AND h.kind = 'closed_lost' WHERE c.id = ?",
      [lost!.id],
    );
    expect(row).toEqual({ closedReason: '竞品锁定', kind: 'closed_lost' });

    // the supervisor reopens it
    const boss = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const supervisorPage = await loginAs(boss, SUPERVISOR);
      await supervisorPage.goto(`${app.product.server.url}/app/#/pages/customer/index?id=${lost!.id}`);
      await supervisorPage.waitForSelector('#reopen-customer', { timeout: 15_000 });
      await supervisorPage.click('#reopen-customer');
      await supervisorPage.waitForSelector('#close-customer', { timeout: 10_000 });
      expect(await supervisorPage.$('#customer-closed')).toBeNull();
      await supervisorPage.waitForSelector('.timeline-item--stage_change:has-text("重新打开")', { timeout: 10_000 });
      await shot(supervisorPage, 'dash-data-customer-reopened');
    } finally {
      await boss.close();
    }
    const [after] = await app.product.query<{ closedAt: Date | null }>('SELECT closedAt FROM customer WHERE id = ?', [lost!.id]);
    expect(after!.closedAt).toBeNull();
  });
});
