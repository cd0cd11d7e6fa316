import type { Page } from 'playwright-core';
import { loginAs, openTab, shot } from './browser';
import { productInBrowser } from './product';
import { api } from '../support/http';
import { completeVisit } from '../support/visit-fixture';

const app = productInBrowser();
const SUPERVISOR = '13800000011';
const REP = '13800000101';
const PHONE = { width: 390, height: 844 };
const DESK = { width: 1440, height: 900 };

/** Every visible piece of text with its computed font size in CSS px, smallest first. */
async function textSizes(page: Page): Promise<Array<{ size: number; text: string }>> {
  const found = (await page.evaluate(`(() => {
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      const text = [...el.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim()).map((n) => n.textContent.trim()).join('');
      if (!text) continue;
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (!box.width || !box.height || style.visibility === 'hidden' || style.display === 'none') continue;
      out.push({ size: parseFloat(style.fontSize), text: text.slice(0, 20) });
    }
    return out.sort((a, b) => a.size - b.size);
  })()`)) as Array<{ size: number; text: string }>;
  return found;
}

async function waitForText(page: Page, text: string, timeout = 15_000) {
  await page.waitForFunction((t) => (globalThis as any).document.body.innerText.includes(t), text, { timeout });
}

/** The open to-dos the server counts for a member (what the badge must say). */
async function openTodos(phone: string): Promise<number> {
  const login = await api(app.product.server.url, 'POST', '/api/v1/auth/dev-login', { json: { phone } });
  return (await api(app.product.server.url, 'GET', '/api/v1/me', { token: login.body.token })).body.openTodos as number;
}

/** The session token the app keeps (Taro's H5 storage wraps values as { data }). */
async function storedToken(page: Page): Promise<string> {
  const raw = (await page.evaluate(`localStorage.getItem('anchor.session')`)) as string;
  const parsed = JSON.parse(raw) as { data?: { token: string }; token?: string };
  return parsed.data?.token ?? parsed.token!;
}

/** A visit by the rep leaves an open to-do for the supervisor and a next action for the rep. */
async function visitLeavingATodo(): Promise<void> {
  const url = app.product.server.url;
  const rep = (await api(url, 'POST', '/api/v1/auth/dev-login', { json: { phone: REP } })).body.token as string;
  const customer = (await api(url, 'GET', '/api/v1/customers?pageSize=1', { token: rep })).body.items[0].id as number;
  const tomorrow = new Date(Date.now() + 36 * 3600_000).toISOString().slice(0, 10);
  const res = await api(url, 'POST', '/api/v1/visits', { token: rep, json: { ...completeVisit(customer), nextFollowUpDate: tomorrow }, headers: { 'idempotency-key': `console-${Date.now()}` } });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  await visitLeavingATodo();
  await visitLeavingATodo();
});

describe('at phone width (390×844): the tab bar', () => {
  it('客户 · 待办 · 我的 at the bottom, the 待办 count as a badge, no console navigation, readable type', async () => {
    const context = await app.browser.newContext({ viewport: PHONE });
    try {
      const page = await loginAs(context, app.product.server.url, SUPERVISOR);
      const tabs = await page.$$eval('.taro-tabbar__tabbar .weui-tabbar__label', (els) => els.map((e: any) => e.textContent.trim()));
      expect(tabs).toEqual(['客户', '待办', '我的']);
      expect(await page.isVisible('#console-nav')).toBe(false);
      // lists are cards here, not a table
      expect(await page.isVisible('#customers-table')).toBe(false);
      expect(await page.isVisible('.card.customer-item >> nth=0')).toBe(true);

      const count = await openTodos(SUPERVISOR);
      expect(count).toBeGreaterThanOrEqual(2);
      await page.waitForFunction((n) => (globalThis as any).document.querySelector('.taro-tabbar__tabbar .weui-badge')?.textContent.trim() === String(n), count, { timeout: 10_000 });

      const small = (await textSizes(page)).filter((t) => t.size < 12);
      expect(small).toEqual([]);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      await shot(page, 'console-phone-customers');

      await openTab(page, '待办');
      await page.waitForSelector('.confirm-todo', { timeout: 15_000 });
      expect((await textSizes(page)).filter((t) => t.size < 12)).toEqual([]);
      await shot(page, 'console-phone-todos');
    } finally {
      await context.close();
    }
  });

  it('我的: name, role in Chinese, team; a supervisor shows a team invite QR', async () => {
    const context = await app.browser.newContext({ viewport: PHONE });
    try {
      const page = await loginAs(context, app.product.server.url, SUPERVISOR);
      await openTab(page, '我的');
      await page.waitForSelector('#me-name', { timeout: 15_000 });
      expect(await page.textContent('#me-name')).toBe('陈主管');
      expect(await page.textContent('#me-role')).toBe('直属主管');
      expect((await page.textContent('#me-team'))!.length).toBeGreaterThan(0);
      await page.click('#invite-create');
      await page.waitForFunction(() => ((globalThis as any).document.querySelector('#invite-qr img')?.naturalWidth ?? 0) > 0, undefined, { timeout: 15_000 });
      expect(await page.textContent('#invite-code')).toMatch(/^邀请码：\S+/);
      expect((await textSizes(page)).filter((t) => t.size < 12)).toEqual([]);
      await shot(page, 'console-phone-me-supervisor');
    } finally {
      await context.close();
    }
  });

  it('a rep’s 我的 has no invite; 退出登录 ends the session on the server', async () => {
    const context = await app.browser.newContext({ viewport: PHONE });
    try {
      const page = await loginAs(context, app.product.server.url, REP);
      const token = await storedToken(page);
      await openTab(page, '我的');
      await page.waitForSelector('#me-name', { timeout: 15_000 });
      expect(await page.textContent('#me-role')).toBe('销售代表');
      expect(await page.$('#invite-card')).toBeNull();
      await shot(page, 'console-phone-me-rep');
      await page.click('#logout');
      expect((await page.textContent('.taro__modal .taro-model__confirm'))!.trim()).toBe('退出');
      await page.click('.taro__modal .taro-model__confirm');
      await page.waitForSelector('#phone input', { timeout: 15_000 });
      expect((await api(app.product.server.url, 'GET', '/api/v1/me', { token })).status).toBe(401);
    } finally {
      await context.close();
    }
  });

  it('an expired or revoked session says 「登录已过期，请重新登录」 before the login page', async () => {
    const context = await app.browser.newContext({ viewport: PHONE });
    try {
      const page = await loginAs(context, app.product.server.url, REP);
      // signed out elsewhere (another phone, an admin): the next request is refused
      expect((await api(app.product.server.url, 'POST', '/api/v1/auth/logout', { token: await storedToken(page), json: {} })).status).toBe(200);
      await openTab(page, '待办');
      await waitForText(page, '登录已过期，请重新登录');
      await shot(page, 'console-phone-session-expired');
      expect((await page.textContent('.taro__modal .taro-model__confirm'))!.trim()).toBe('重新登录');
      await page.click('.taro__modal .taro-model__confirm');
      await page.waitForSelector('#phone input', { timeout: 15_000 });
      expect(await page.evaluate(`localStorage.getItem('anchor.session')`)).toBeNull();
    } finally {
      await context.close();
    }
  });
});

describe('at console width (1440×900): the web console', () => {
  it('navigation beside the content, the customers list as a table, readable type, a max width', async () => {
    const context = await app.browser.newContext({ viewport: DESK });
    try {
      const page = await loginAs(context, app.product.server.url, SUPERVISOR);
      await page.waitForSelector('#customers-table', { timeout: 15_000 });
      const nav = (await page.$('#console-nav'))!;
      const navBox = (await nav.boundingBox())!;
      expect(navBox).toMatchObject({ x: 0, y: 0, height: DESK.height });
      expect(await page.$$eval('#console-nav .console-nav__item', (els) => els.map((e: any) => e.textContent.replace(/\d+/g, '').trim()))).toEqual(['仪表盘', '客户', '待办', '任务', '合同', '专项任务', '专项看板', '营销素材', '回款', '返点计算', 'Excel 导入 / 导出', '每日打卡', '我的']); // 任务: the demo's 客户降级复核 for this supervisor
      expect(await page.isVisible('.taro-tabbar__tabbar')).toBe(false);

      // the table names its columns; every row is a customer, beside (not under) the navigation
      const titles = await page.$$eval('#customers-table .data-table__head .data-table__title', (els) => els.map((e: any) => e.textContent));
      expect(titles).toEqual(['客户名称', '阶段', '等级', '行业', '城市', '联系人', '负责人', '最近跟进']);
      const rows = await page.$$('#customers-table .data-table__row.customer-item');
      expect(rows.length).toBeGreaterThan(3);
      const table = (await page.$('#customers-table'))!;
      const tableBox = (await table.boundingBox())!;
      expect(tableBox.x).toBeGreaterThanOrEqual(navBox.width);
      const content = (await (await page.$('.taro_page_show .page'))!.boundingBox())!;
      expect(content.width).toBeLessThanOrEqual(1200);
      // one row per line: a row is as tall as one line of text plus padding, not a phone card
      const rowBox = (await rows[0]!.boundingBox())!;
      expect(rowBox.height).toBeLessThan(60);

      const sizes = await textSizes(page);
      expect(sizes.filter((t) => t.size < 12)).toEqual([]);
      // desk reading size, not a phone scaled up to 30 px text
      expect(sizes.find((t) => t.text.startsWith('客户名称'))!.size).toBeLessThanOrEqual(16);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(DESK.width);

      // the 待办 count beside its entry
      const count = await openTodos(SUPERVISOR);
      await page.waitForFunction((n) => (globalThis as any).document.querySelector('#console-nav-badge')?.textContent.trim() === String(n), count, { timeout: 10_000 });
      await shot(page, 'console-desk-customers');

      // a row opens the customer
      const name = (await rows[0]!.$eval('.customer-item__name', (e: any) => e.textContent))!;
      await rows[0]!.click();
      await page.waitForFunction((n) => (globalThis as any).document.querySelector('.taro_page_show #customer-name')?.textContent.includes(n), name, { timeout: 15_000 });
      expect(await page.isVisible('#console-nav')).toBe(true);
      expect(await page.getAttribute('#console-nav-customers', 'class')).toContain('console-nav__item--active'); // still under 客户
      await shot(page, 'console-desk-customer');

      await openTab(page, '待办');
      await page.waitForSelector('.confirm-todo', { timeout: 15_000 });
      expect((await page.getAttribute('#console-nav-todos', 'class'))!).toContain('console-nav__item--active');
      expect((await textSizes(page)).filter((t) => t.size < 12)).toEqual([]);
      await shot(page, 'console-desk-todos');

      await openTab(page, '我的');
      await page.waitForSelector('#me-name', { timeout: 15_000 });
      await shot(page, 'console-desk-me');
    } finally {
      await context.close();
    }
  });

  it('the login page has no navigation; resizing to phone width brings back cards and the tab bar', async () => {
    const context = await app.browser.newContext({ viewport: DESK });
    try {
      const login = await context.newPage();
      await login.goto(`${app.product.server.url}/app/`);
      await login.waitForSelector('#phone input', { timeout: 20_000 });
      expect(await login.isVisible('#console-nav')).toBe(false);
      // a form's width in the middle, not a 1 440 px wide input
      const form = (await (await login.$('#phone'))!.boundingBox())!;
      expect(form.width).toBeLessThanOrEqual(480);
      expect(Math.abs(form.x + form.width / 2 - DESK.width / 2)).toBeLessThan(40);
      expect((await textSizes(login)).filter((t) => t.size < 12)).toEqual([]);
      await shot(login, 'console-desk-login');
      await login.close();

      const page = await loginAs(context, app.product.server.url, REP);
      await page.waitForSelector('#customers-table', { timeout: 15_000 });
      await page.setViewportSize(PHONE);
      await page.waitForSelector('.card.customer-item', { timeout: 10_000 });
      expect(await page.isVisible('#console-nav')).toBe(false);
      expect(await page.isVisible('.taro-tabbar__tabbar')).toBe(true);
    } finally {
      await context.close();
    }
  });
});

describe('campaign task flows (专项任务): the rep at 390, the director at 1440', () => {
  const DIRECTOR = '13800000001';
  it("a rep's targets with the next step and a reported blocker; the director's board with it, answered there", async () => {
    const base = app.product.server.url;
    // the demo's running campaign: a rep holding an open target with no exception waiting
    const [held] = await app.product.query<{ phone: string; targetId: number; campaignId: number }>(
      `SELECT m.phone AS phone, t.id AS targetId, t.campaignId AS campaignId FROM campaign_target t JOIN member m ON m.id = t.ownerId
        WHERE t.droppedAt IS NULL AND NOT EXISTS (SELECT 1 FROM campaign_exception e WHERE e.targetId = t.id) ORDER BY t.id LIMIT 1`,
    );
    expect(held).toBeDefined();
    const phone = await app.browser.newContext({ viewport: PHONE });
    try {
      const page = await loginAs(phone, base, held!.phone);
      await openTab(page, '我的');
      await page.click('#campaigns-entry');
      await page.waitForSelector(`#campaign-${held!.campaignId} .target`, { timeout: 20_000 });
      expect(await page.textContent(`#campaign-${held!.campaignId} .campaign__name`)).toBe('Q1 骨科关节置换专项攻坚');
      // every target says what to do next (or that it is done); the script is one tap away
      const nexts = await page.$$eval('.target__next', (els) => els.map((e: any) => e.textContent));
      expect(nexts.every((t: string) => t.startsWith('下一步：') || t.startsWith('全部步骤已完成'))).toBe(true);
      expect(await page.isVisible(`#campaign-${held!.campaignId}-script`)).toBe(true);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      expect((await textSizes(page)).filter((t) => t.size < 12)).toEqual([]);
      await shot(page, 'campaign-rep-390');
      await page.click(`#target-${held!.targetId}-report`);
      await page.click('#reason-客户拒绝');
      await page.fill('#report-note textarea', '主任明确表示今年不考虑更换');
      await page.click('#report-submit');
      await page.waitForSelector(`#target-${held!.targetId} .target__exception`, { timeout: 15_000 });
      await shot(page, 'campaign-rep-390-reported');
    } finally {
      await phone.close();
    }
    const [reported] = await app.product.query<{ id: number; taskId: number }>('SELECT id, taskId FROM campaign_exception WHERE targetId = ?', [held!.targetId]);
    expect(reported!.taskId).toBeGreaterThan(0);

    const desk = await app.browser.newContext({ viewport: DESK });
    try {
      const page = await loginAs(desk, base, DIRECTOR);
      await page.click('#console-nav .console-nav__item:has-text("专项看板")');
      await page.click(`#campaign-card-${held!.campaignId}`, { timeout: 15_000 });
      await page.waitForSelector('#board-reps .data-table__row', { timeout: 20_000 });
      const reps = await page.$$('#board-reps .data-table__row');
      expect(reps.length).toBeGreaterThan(1);
      expect(await page.textContent('#board-figures')).toContain('推进到报价');
      await page.waitForSelector(`#exception-${reported!.id}:has-text("客户拒绝")`);
      expect((await textSizes(page)).filter((t) => t.size < 12)).toEqual([]);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(DESK.width);
      await shot(page, 'campaign-board-1440');
      // the first step drills down to the targets stopped there, each step with its record or due time
      await page.click('.board__funnel-step >> nth=0');
      await page.waitForSelector('#board-drill .board__drill-row', { timeout: 15_000 });
      await shot(page, 'campaign-board-1440-drill');
      await page.fill(`#exception-${reported!.id}-text textarea`, '先放一放，下月带科室主任再去');
      await page.click(`#exception-${reported!.id}-answer`);
      await page.waitForSelector(`#exception-${reported!.id}:has-text("已答复")`, { timeout: 15_000 });
      // 新建专项 at the console: a plan without targets is refused, saying so
      await page.click('.taro_page_show #board-all');
      await page.click('.taro_page_show #campaign-new', { timeout: 15_000 });
      await page.fill('.taro_page_show #campaign-name input', '二季度新品导入');
      await page.click('.taro_page_show #campaign-launch');
      await page.waitForSelector('.taro_page_show #campaign-edit-error:has-text("没有目标客户")', { timeout: 15_000 });
      expect((await textSizes(page)).filter((t) => t.size < 12)).toEqual([]);
      await shot(page, 'campaign-create-1440');
    } finally {
      await desk.close();
    }
    const [task] = await app.product.query<{ completedAt: Date | null }>('SELECT completedAt FROM task WHERE id = ?', [reported!.taskId]);
    expect(task!.completedAt).not.toBeNull();
  }, 120_000);
});
