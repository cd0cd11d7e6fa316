import type { BrowserContext, Page } from 'playwright-core';
import { loginAs as loginAsIn, openTab, shot, TINY_PNG } from './browser';
import { productInBrowser } from './product';
import { api } from '../support/http';

const app = productInBrowser();

/** Submitted visits of the customer, as the API reports them (search by name, then its timeline). */
async function visitsOf(customerName: string): Promise<number> {
  const login = await api(app.product.server.url, 'POST', '/api/v1/auth/dev-login', { json: { phone: '13800000101' } });
  const found = await api(app.product.server.url, 'GET', `/api/v1/customers?q=${encodeURIComponent(customerName)}`, { token: login.body.token });
  const customer = found.body.items.find((c: { name: string }) => c.name === customerName);
  const timeline = await api(app.product.server.url, 'GET', `/api/v1/customers/${customer.id}/timeline?pageSize=100`, { token: login.body.token });
  return timeline.body.items.filter((e: { type: string; status: string }) => e.type === 'visit' && e.status === 'submitted').length;
}

const loginAs = (context: BrowserContext, phone: string) => loginAsIn(context, app.product.server.url, phone);

/**
 * Opens a Taro picker, brings each column's row to the middle by tapping rows (a tap on a row
 * scrolls it to the indicator; rows off screen are reached by tapping the edge row), then 确定.
 * `rows` empty: open and confirm straight away, as a rep who taps 确定 without choosing.
 */
async function pick(page: Page, id: string, rows: string[] = []) {
  // a tap on the box (dispatched: inside the inline picker host the hit test lands on the host)
  await page.locator(`#${id} .picker-box`).scrollIntoViewIfNeeded();
  await page.locator(`#${id} .picker-box`).dispatchEvent('click');
  // Taro moves each picker's sheet to <body>; the closed ones are display: none
  const overlay = page.locator('.weui-picker__overlay:not([style*="none"])');
  await overlay.locator('.weui-picker__action', { hasText: '确定' }).waitFor({ state: 'visible', timeout: 5_000 });
  await page.waitForTimeout(400); // the sheet slides up
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
      if (!target) throw new Error(`${id}: no row ${rows[c]} in ${items.map((i) => i.text).join(', ')}`);
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
  await page.waitForTimeout(300); // the sheet slides away
}

const boxText = async (page: Page, name: string) => ((await page.textContent(`#field-${name} .picker-box`)) ?? '').trim();

/** Opens the new-visit form of the first customer whose name contains `fragment`. */
async function openVisitForm(page: Page, fragment: string): Promise<string> {
  await page.fill('#search input', fragment);
  await page.waitForFunction((f) => [...(globalThis as any).document.querySelectorAll('.customer-item')].every((e: any) => e.innerText.includes(f)), fragment, { timeout: 10_000 });
  await page.click('.customer-item >> nth=0');
  await page.waitForSelector('#new-visit', { timeout: 10_000 });
  const name = (await page.textContent('#customer-name'))!.trim();
  await page.click('#new-visit');
  await page.waitForSelector('#voice-text', { timeout: 10_000 });
  return name;
}

describe('a rep on the phone (H5 at 375 px)', () => {
  let context: BrowserContext;
  let page: Page;
  let customerName: string;

  beforeAll(async () => {
    context = await app.browser.newContext({ viewport: { width: 375, height: 760 } });
    page = await loginAs(context, '13800000101');
  });
  afterAll(() => context.close());

  it('logs in (demo) and finds a customer by a Chinese name fragment', async () => {
    await shot(page, 'customers');
    await page.fill('#search input', '人民');
    await page.waitForFunction(() => {
      const items = [...(globalThis as any).document.querySelectorAll('.customer-item')] as any;
      return items.length > 0 && items.every((e: any) => e.innerText.includes('人民'));
    }, undefined, { timeout: 10_000 });
    const names = await page.$$eval('.customer-item', (items) => items.map((e: any) => e.innerText));
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n.includes('人民'))).toBe(true);
  });

  it('a visit missing its anchors is refused on the phone, and nothing is stored', async () => {
    customerName = await openVisitForm(page, '医院');
    const before = await visitsOf(customerName);
    await page.click('#submit-visit');
    await page.waitForSelector('#visit-error', { timeout: 5_000 });
    expect(await page.textContent('#visit-error')).toContain('动作未闭环，请补全');
    expect(await page.$('#field-painPoint.field-error')).not.toBeNull();
    expect(await page.textContent('#field-agreedAction')).toContain('请选择约定动作'); // nothing preselected
    expect(await page.textContent('#field-dialogueSummary')).toContain('请填写关键对话摘要'); // on the form, not under 更多
    await shot(page, 'visit-refused');
    expect(await visitsOf(customerName)).toBe(before);
  });

  it('a picker confirmed without a choice chooses nothing: no option, no date, no time', async () => {
    await pick(page, 'agreedAction');
    expect(await boxText(page, 'agreedAction')).toBe('请选择…');
    await pick(page, 'nextFollowUpDate');
    expect(await boxText(page, 'nextFollowUpDate')).toBe('请选择日期');
    await pick(page, 'nextFollowUpTime');
    expect(await boxText(page, 'nextFollowUpTime')).toBe('请选择时间');
    await pick(page, 'nextFollowUpTime', ['09 时']); // an hour alone is not a time
    expect(await boxText(page, 'nextFollowUpTime')).toBe('请选择时间');
    await pick(page, 'objective', ['推进方案']);
    expect(await boxText(page, 'objective')).toBe('推进方案');
    await shot(page, 'visit-pickers');
  });

  it('the voice text box fills the anchors from 「客户王总说安装太慢，下周二演示新方案」 without submitting', async () => {
    const before = await visitsOf(customerName);
    await page.fill('#voice-text textarea', '客户王总说安装太慢，下周二演示新方案');
    await page.click('#voice-parse');
    await page.waitForFunction(() => ((globalThis as any).document.querySelector('#painPoint textarea') as any)?.value === '安装太慢', undefined, { timeout: 5_000 });
    const formText = await page.textContent('#field-agreedAction');
    expect(formText).toContain('安排演示');
    const date = await page.textContent('#field-nextFollowUpDate');
    // Tuesday of next week, in Shanghai time
    const now = new Date(Date.now() + 8 * 3_600_000);
    const daysToNextMonday = ((8 - now.getUTCDay()) % 7) || 7;
    const tuesday = new Date(now.getTime() + (daysToNextMonday + 1) * 86_400_000).toISOString().slice(0, 10);
    expect(date).toContain(`${tuesday.slice(5)} 周二`);
    expect(await boxText(page, 'nextFollowUpTime')).toBe('请选择时间'); // no time was said
    await shot(page, 'visit-voice-filled');
    expect(await visitsOf(customerName)).toBe(before);
  });

  it('a complete visit is stored, shows in the timeline and becomes the supervisor\u2019s to-do', async () => {
    const before = await visitsOf(customerName);
    await page.fill('#dialogueSummary textarea', '王总认可快速安装，希望看三甲医院案例');
    expect(await page.textContent('#dialogueSummary-count')).toBe('18 / 300');
    await pick(page, 'bottleneck', ['集采降价压力']);
    await page.fill('#valuePoint input, #valuePoint textarea', '48 小时完成安装调试');
    await pick(page, 'nextFollowUpTime', ['14 时', '30 分']);
    expect(await boxText(page, 'nextFollowUpTime')).toBe('14:30');
    await pick(page, 'nextFollowUpForm', ['上门']);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#visit-photo-add')]);
    await chooser.setFiles({ name: 'site.png', mimeType: 'image/png', buffer: TINY_PNG });
    await page.waitForSelector('.visit-photo-item', { timeout: 10_000 });
    await page.waitForFunction(() => !(globalThis as any).document.querySelector('.visit-photo-item')?.innerText.includes('上传中'), undefined, { timeout: 10_000 });
    await page.click('#submit-visit');
    await page.waitForSelector('#new-visit', { timeout: 15_000 });
    await page.waitForSelector('.timeline-item--visit', { timeout: 10_000 });
    // the photo shows with its visit (fetched with the session token, shown from a blob)
    await page.waitForSelector('.timeline-item--visit .photo-thumbs img[src^="blob:"]', { timeout: 10_000 });
    await shot(page, 'customer-timeline');
    expect(await visitsOf(customerName)).toBe(before + 1);
    const photos = await app.product.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM attachment p JOIN visit v ON p.ownerKind = 'visit' AND v.id = p.ownerId JOIN customer c ON c.id = v.customerId WHERE c.name = ? AND v.id = (SELECT MAX(id) FROM visit WHERE customerId = c.id AND submittedAt IS NOT NULL)",
      [customerName],
    );
    expect(Number(photos[0]!.n)).toBe(1);
    const todos = await app.product.query<{ assigneeId: number }>(
      'SELECT t.assigneeId FROM todo t JOIN customer c ON c.id = t.customerId WHERE c.name = ? ORDER BY t.id DESC LIMIT 1',
      [customerName],
    );
    const supervisor = await app.product.query<{ id: number }>("SELECT id FROM member WHERE phone = '13800000011'");
    expect(todos[0]?.assigneeId).toBe(supervisor[0]!.id);
  });

  it('offline: the visit waits as 待同步 and is stored exactly once when the network returns', async () => {
    const before = await visitsOf(customerName);
    await page.click('#new-visit');
    await page.waitForSelector('#voice-text', { timeout: 10_000 });
    await page.fill('#voice-text textarea', '客户李主任说预算审批太慢，明天下午三点电话沟通发送方案');
    await page.click('#voice-parse');
    await page.waitForFunction(() => !!((globalThis as any).document.querySelector('#painPoint textarea') as any)?.value, undefined, { timeout: 5_000 });
    await pick(page, 'objective', ['处理异议']);
    await page.fill('#dialogueSummary textarea', '李主任说今年预算已批，下季度招标');
    await pick(page, 'bottleneck', ['预算审批周期长']);
    await page.fill('#valuePoint input, #valuePoint textarea', '分期付款方案');
    await context.setOffline(true);
    await page.click('#submit-visit');
    await page.waitForSelector('.pending-sync', { timeout: 15_000 });
    await shot(page, 'visit-pending-sync');
    expect(await visitsOf(customerName)).toBe(before);
    await context.setOffline(false);
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('.pending-sync').length === 0, undefined, { timeout: 30_000 });
    expect(await visitsOf(customerName)).toBe(before + 1);
  });
});

describe('the supervisor', () => {
  it('confirms the to-do with one tap', async () => {
    const context = await app.browser.newContext({ viewport: { width: 375, height: 760 } });
    try {
      const page = await loginAs(context, '13800000011');
      await openTab(page, '待办');
      await page.waitForSelector('.confirm-todo', { timeout: 15_000 });
      // the page slides in: wait until the previous one has left the screen
      await page.waitForFunction(() => (globalThis as any).document.documentElement.scrollWidth <= 375, undefined, { timeout: 5_000 });
      await shot(page, 'todos');
      const id = Number((await page.getAttribute('.confirm-todo >> nth=0', 'id'))!.replace('confirm-todo-', ''));
      await page.click('.confirm-todo >> nth=0');
      await page.waitForFunction((todoId) => ((globalThis as any).document.querySelector(`#confirm-todo-${todoId}`) === null), id, { timeout: 10_000 }).catch(() => undefined);
      await page.waitForFunction(() => (globalThis as any).document.body.innerText.includes('已确认'), undefined, { timeout: 10_000 });
      const rows = await app.product.query<{ confirmedAt: Date | null; confirmedVia: string }>('SELECT confirmedAt, confirmedVia FROM todo WHERE id = ?', [id]);
      expect(rows[0]!.confirmedAt).not.toBeNull();
      expect(rows[0]!.confirmedVia).toBe('app');
    } finally {
      await context.close();
    }
  });

  it('asks the rep to talk first (需要沟通); the card stays open and the rep sees the request', async () => {
    const context = await app.browser.newContext({ viewport: { width: 375, height: 760 } });
    try {
      const page = await loginAs(context, '13800000011');
      await openTab(page, '待办');
      // the seeded team has other reps' to-dos too: ask 王小明 (13800000101), who then opens his list
      const card = page.locator('.todo-item', { hasText: '销售：王小明' }).filter({ has: page.locator('.discuss-todo') }).first();
      await card.waitFor({ timeout: 15_000 });
      const id = Number((await card.locator('.discuss-todo').getAttribute('id'))!.replace('discuss-todo-', ''));
      await page.click(`#discuss-todo-${id}`);
      await page.waitForFunction(() => (globalThis as any).document.body.innerText.includes('已请销售沟通'), undefined, { timeout: 10_000 });
      const rows = await app.product.query<{ confirmedAt: Date | null; discussRequestedVia: string | null }>('SELECT confirmedAt, discussRequestedVia FROM todo WHERE id = ?', [id]);
      expect(rows[0]).toEqual({ confirmedAt: null, discussRequestedVia: 'app' });
      expect(await page.isVisible(`#confirm-todo-${id}`)).toBe(true);
      const repContext = await app.browser.newContext({ viewport: { width: 375, height: 760 } });
      try {
        const rep = await loginAs(repContext, '13800000101');
        await rep.goto(`${app.product.server.url}/app/#/pages/todos/index`);
        await rep.waitForFunction(() => (globalThis as any).document.body.innerText.includes('主管希望先和你沟通'), undefined, { timeout: 10_000 });
        await shot(rep, 'todos-rep-discuss');
      } finally {
        await repContext.close();
      }
    } finally {
      await context.close();
    }
  });
});

describe('winning plays (赢单打法)', () => {
  /** The plays the product's recurring job mined from the demo's visits (it runs at start; a few seconds at most). */
  async function minedPlays(): Promise<number> {
    for (let i = 0; i < 60; i++) {
      const [row] = await app.product.query<{ n: number }>('SELECT COUNT(*) AS n FROM play');
      if (Number(row!.n) > 0) return Number(row!.n);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return 0;
  }

  it('a rep picks the bottleneck, sees what worked, copies a play into the value point, and the visit records it (390 px)', async () => {
    expect(await minedPlays()).toBeGreaterThan(0);
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const page = await loginAs(context, '13800000101');
      const customerName = await openVisitForm(page, '医院');
      await page.fill('#voice-text textarea', '客户王总说集采压价太狠，下周二演示新方案');
      await page.click('#voice-parse');
      await page.waitForFunction(() => !!((globalThis as any).document.querySelector('#painPoint textarea') as any)?.value, undefined, { timeout: 5_000 });
      await pick(page, 'objective', ['推进方案']);
      await page.fill('#dialogueSummary textarea', '王总关心集采后的价格，想看中标价格对比');
      expect(await page.$('#play-suggestions')).toBeNull(); // nothing until a bottleneck is picked
      await pick(page, 'bottleneck', ['集采降价压力']);
      await page.waitForSelector('#play-suggestions .plays__item', { timeout: 10_000 });
      const first = (await page.textContent('#play-suggestions .plays__item >> nth=0 >> .plays__value'))!.trim();
      expect(await page.textContent('#play-suggestions .plays__item >> nth=0 >> .plays__figure')).toMatch(/^近 90 天 \d+ 次拜访后推进到下一阶段 · 成功率 \d+ %$/);
      // shown, not filled in
      expect(await page.inputValue('#valuePoint input')).toBe('');
      await page.locator('#play-suggestions').scrollIntoViewIfNeeded();
      await shot(page, 'visit-play-suggestions-390');
      await page.click('#copy-play-0');
      expect(await page.inputValue('#valuePoint input')).toBe(first);
      expect(await page.textContent('#copy-play-0')).toBe('已复制');
      await pick(page, 'nextFollowUpTime', ['14 时', '30 分']);
      await pick(page, 'nextFollowUpForm', ['上门']);
      await page.click('#submit-visit');
      await page.waitForSelector('#new-visit', { timeout: 15_000 });
      const [visit] = await app.product.query<{ valuePoint: string; playKey: string | null }>(
        'SELECT v.valuePoint, v.playKey FROM visit v JOIN customer c ON c.id = v.customerId WHERE c.name = ? AND v.submittedAt IS NOT NULL ORDER BY v.id DESC LIMIT 1',
        [customerName],
      );
      const [play] = await app.product.query<{ playKey: string }>("SELECT playKey FROM play WHERE valuePoint = ? AND bottleneck = '集采降价压力' AND objective = '推进方案'", [first]);
      expect(visit).toEqual({ valuePoint: first, playKey: play!.playKey });
    } finally {
      await context.close();
    }
  });

  it('the director reads the plays table per bottleneck and hides a play (1 440 px)', async () => {
    const context = await app.browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      const page = await loginAs(context, '13800000001');
      await page.goto(`${app.product.server.url}/app/#/packages/plays/index`);
      await page.waitForSelector('#plays-table .data-table__row', { timeout: 15_000 });
      expect(await page.textContent('#plays-effect')).toMatch(/参考了打法\s*\d+ %/);
      const rows = await page.locator('#plays-table .data-table__row').count();
      expect(rows).toBeGreaterThan(0);
      const value = (await page.textContent('#plays-table .data-table__row >> nth=0 >> .plays-page__value'))!.trim();
      await page.click('#plays-table .data-table__row >> nth=0 >> [id^="play-toggle-"]');
      await page.waitForSelector('#plays-message', { timeout: 10_000 });
      expect(await page.textContent('#plays-message')).toContain(`已隐藏「${value}」`);
      await page.waitForFunction(() => (globalThis as any).document.querySelector('#plays-table .data-table__row')?.innerText.includes('已隐藏'), undefined, { timeout: 10_000 });
      const hidden = await app.product.query<{ valuePoint: string }>('SELECT valuePoint FROM play_hidden');
      expect(hidden.map((h) => h.valuePoint)).toEqual([value]);
      await shot(page, 'plays-table-1440');
    } finally {
      await context.close();
    }
  });
});
