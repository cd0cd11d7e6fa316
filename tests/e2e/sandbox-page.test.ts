import type { BrowserContext, Page } from 'playwright-core';
import { loginAs, shot } from './browser';
import { productInBrowser } from './product';
import { api } from '../support/http';

/** The sandbox as a newcomer uses it: logged in to the app, then /sandbox/ in the same browser, under the CSP. */
const app = productInBrowser();

/** Console errors and CSP violations a page reports: the app must load whole under its policy. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  return problems;
}

/** Submits a visit for the rep's first 方案-stage customer; returns that customer's name (its card names it). */
async function submitVisit(agreedAction: string, key: string): Promise<string> {
  const url = app.product.server.url;
  const rep = (await api(url, 'POST', '/api/v1/auth/dev-login', { json: { phone: '13800000101' } })).body.token;
  const customers = await api(url, 'GET', '/api/v1/customers?stage=proposal&pageSize=1', { token: rep });
  const date = new Date(Date.now() + 3 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
  const visit = await api(url, 'POST', '/api/v1/visits', {
    token: rep,
    headers: { 'idempotency-key': key },
    json: { customerId: customers.body.items[0].id, objective: '推进方案', painPoint: '安装调试太慢', dialogueSummary: '主任希望看到三甲医院的案例', bottleneck: '集采降价压力', valuePoint: '48 小时完成安装', agreedAction, nextFollowUpDate: date, nextFollowUpTime: '10:00', nextFollowUpForm: '上门' },
  });
  expect(visit.status).toBe(201);
  return customers.body.items[0].name as string;
}

describe('the sandbox page in Chromium', () => {
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let visitCustomer: string;

  beforeAll(async () => {
    context = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
  });
  afterAll(() => context.close());

  it('without a session it asks to log in and shows no message', async () => {
    visitCustomer = await submitVisit('安排演示', 'e2e-sandbox-visit-1');
    const anonymous = await context.newPage();
    const response = await anonymous.goto(`${app.product.server.url}/sandbox/`);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    await anonymous.waitForSelector('.login', { timeout: 10_000 });
    expect(await anonymous.textContent('#messages')).toContain('请先登录');
    expect(await anonymous.locator('.card').count()).toBe(0);
    await anonymous.close();
  });

  it('the app loads under its content security policy; the supervisor sees and confirms the card as themself', async () => {
    page = await loginAs(context, app.product.server.url, '13800000011');
    problems = watch(page);
    await page.reload();
    await page.waitForSelector('.customer-item', { timeout: 20_000 });
    expect(problems).toEqual([]);

    await page.goto(`${app.product.server.url}/sandbox/`);
    // the visit's to-do card (the supervisor's sandbox also holds other cards: contract steps, reviews)
    const visitCard = `.card:has-text("${visitCustomer}") button[data-key^="confirm:"]`;
    await page.waitForSelector(visitCard, { timeout: 20_000 });
    expect(await page.textContent('#who')).toContain('陈主管');
    // shown in Asia/Shanghai: the latest message's minute is the Shanghai clock's, not UTC's
    const at = (await page.locator('li time').first().textContent())!;
    const shanghai = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(5, 16).replace('T', ' ');
    expect(Math.abs(Date.parse(`2026-${at}:00Z`) - Date.parse(`2026-${shanghai}:00Z`))).toBeLessThan(5 * 60_000);
    await shot(page, 'sandbox-supervisor-390');
    await page.click(`${visitCard} >> nth=0`);
    await page.waitForSelector('.done:has-text("已确认 · 陈主管")', { timeout: 20_000 });
    expect(problems).toEqual([]);
  });

  it('the 48 h simulation button disappears once used, also after a reload', async () => {
    await submitVisit('发送方案', 'e2e-sandbox-visit-2');
    await page.reload();
    await page.waitForSelector('button.fast', { timeout: 20_000 });
    const before = await page.locator('button.fast').count();
    await page.click('button.fast >> nth=0');
    // the to-do's button goes from every card that carried it (the supervisor's and the group's)
    await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('button.fast').length < n, before, { timeout: 20_000 });
    await page.waitForTimeout(5_500); // one refresh of the list from the server
    const after = await page.locator('button.fast').count();
    expect(after).toBeLessThan(before);
    await page.reload();
    await page.waitForSelector('.card', { timeout: 20_000 });
    expect(await page.locator('button.fast').count()).toBe(after);
    await shot(page, 'sandbox-after-simulation-390');
  });
});
