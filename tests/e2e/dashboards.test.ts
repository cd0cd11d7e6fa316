import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadPolicy } from '../../server/src/config/policy';
import { seedDemo } from '../../server/src/demo/seed';
import { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { launchBrowser, pickOption, requireH5Build } from './browser';

/**
 * 仪表盘 in Chromium on the demo company: a supervisor on the phone and a director in the console open the
 * dashboards, change the period, tap a heatmap cell → the visits behind it → one visit; 导出 Excel
 * downloads an xlsx; the director's wall screen at 1 920×1 080 shows the figures without scrolling.
 * Screenshots at 390×844, 1 440×900 and 1 920×1 080 in /work/shots/dashboards.
 */
const SHOTS = process.env.DASHBOARD_SHOTS ?? '/work/shots/dashboards';
const SHOTS2 = process.env.DASHBOARD_SHOTS2 ?? '/work/shots/dashboards2';
const SUPERVISOR = '13800000011'; // 陈主管, 上海一组
const DIRECTOR = '13800000001'; // 周建国, 华东大区

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  requireH5Build();
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(SHOTS2, { recursive: true });
  // the wall's reload interval set apart from the app's 60 s fallback, so the wall shows it came from policy
  const policy = loadPolicy();
  h = await startHarness({ policy: { ...policy, dashboards: { ...policy.dashboards, wall: { refreshSeconds: 30 } } } });
  await seedDemo(h.db, h.policy, h.clock);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function openAs(phone: string, viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; token: string }> {
  const member = await h.db.getRepository(Member).findOneByOrFail({ phone });
  const token = (await h.services.auth.issueSession(member, 'wechat')).token;
  const me = (await api(h.url, 'GET', '/api/v1/me', { token })).body;
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  // the browser's today is the demo's (the server's clock stands at the seed time): 本月 means the same month to both
  await context.clock.setSystemTime(h.clock.now());
  const session = JSON.stringify({ data: { token, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), member: me } });
  await context.addInitScript(`window.localStorage.setItem('anchor.session', ${JSON.stringify(session)})`);
  return { context, page: await context.newPage(), token };
}
const snap = (page: Page, name: string, dir = SHOTS) => page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
/** The whole dashboard page in one picture: the H5 page scrolls inside itself, so the window grows for the shot. */
async function snapAll(page: Page, name: string, dir = SHOTS) {
  const size = page.viewportSize()!;
  const height = await page.evaluate(() => Math.ceil(((globalThis as any).document.querySelector('.dash, .drill') as any)?.scrollHeight ?? 0));
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, height + 40) });
  await page.waitForTimeout(500);
  await snap(page, name, dir);
  await page.setViewportSize(size);
  await page.waitForTimeout(300);
}
const text = async (page: Page, selector: string) => (await page.textContent(selector)) ?? '';

/** The demo's clock is its seed time: 本月 runs from the 1st to that day. */
function monthOf(now: Date): { from: string; to: string; lastFrom: string; lastTo: string } {
  const local = new Date(now.getTime() + 8 * 3600_000);
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth();
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  return { from: iso(new Date(Date.UTC(y, m, 1))), to: iso(local), lastFrom: iso(new Date(Date.UTC(y, m - 1, 1))), lastTo: iso(new Date(Date.UTC(y, m, 0))) };
}

async function waitForCards(page: Page) {
  for (const id of ['dash-pipeline', 'dash-behaviour', 'dash-quality', 'dash-penetration', 'dash-checkins', 'dash-words', 'dash-counters']) {
    await page.waitForSelector(`#${id} .dash-card__body`, { timeout: 30_000 });
  }
}

/** A red heatmap cell (a rep whose follow-up is slow): its element id and what the API says it holds. */
async function redCell(token: string, query = ''): Promise<{ id: string; name: string; objective: string; visits: number }> {
  const b = (await api(h.url, 'GET', `/api/v1/dashboards/behaviour${query}`, { token })).body;
  for (const r of b.rows) {
    const i = r.cells.findIndex((c: { status: string }) => c.status === 'red');
    if (i >= 0) return { id: `#heat-${r.memberId}-${i}`, name: r.name, objective: b.objectives[i], visits: r.cells[i].visits };
  }
  throw new Error('the demo has no red cell');
}

async function exportDownloads(page: Page, board: string): Promise<Buffer> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.click(`#export-${board}`)]);
  expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
  const file = await download.path();
  return readFileSync(file);
}

describe('仪表盘', () => {
  it('a supervisor on the phone: opens the dashboards from 我的, changes the period, taps a red cell → its visits → a visit, exports', async () => {
    const { context, page, token } = await openAs(SUPERVISOR, { width: 390, height: 844 });
    try {
      const month = monthOf(h.clock.now());
      // the home screen has the way in at its top; so has 我的
      await page.goto(`${h.url}/app/#/pages/customers/index`);
      await page.waitForSelector('#home-dashboards', { timeout: 20_000 });
      expect(await page.isVisible('#home-dashboards')).toBe(true);
      await page.goto(`${h.url}/app/#/pages/me/index`);
      await page.waitForSelector('#dashboards-entry', { timeout: 20_000 });
      expect(await text(page, '#dashboards-entry')).toBe('仪表盘');
      await page.click('#dashboards-entry');
      await waitForCards(page);
      expect(await text(page, '#dash-scope')).toContain('本团队');
      // the team's pipeline as the API counts it, in words
      const pipeline = (await api(h.url, 'GET', '/api/v1/dashboards/pipeline', { token })).body;
      expect(await text(page, '#pipeline-overdue .dash-overdue__num')).toBe(`${pipeline.overdue}`);
      expect(await text(page, '#pipeline-overdue')).toContain('逾期未跟进');
      // a supervisor narrows to a rep of the team, never to another team
      expect(await page.$('#filter-team')).toBeNull();
      expect(await page.$('#filter-rep')).not.toBeNull();
      await page.waitForSelector('#chart-pipeline canvas', { timeout: 20_000 });
      await snapAll(page, 'phone-supervisor-1-month');
      for (const id of ['dash-pipeline', 'dash-penetration', 'dash-behaviour', 'dash-quality', 'dash-checkins', 'dash-words', 'dash-counters']) {
        await page.locator(`#${id}`).screenshot({ path: path.join(SHOTS, `phone-card-${id.slice(5)}.png`) });
      }

      // 上月: every card asks again for October's days
      const asked: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/api/v1/dashboards/behaviour?')) asked.push(r.url());
      });
      await page.click('#period-lastMonth');
      await page.waitForFunction((want) => ((globalThis as any).document.querySelector('#dash-scope')?.textContent ?? '').includes(want), `${month.lastFrom.slice(5)} 至 ${month.lastTo.slice(5)}`);
      await waitForCards(page);
      await page.waitForFunction(() => !(globalThis as any).document.querySelector('.dash-card__body--stale'), undefined, { timeout: 20_000 });
      expect(asked.some((u) => u.includes(`from=${month.lastFrom}`) && u.includes(`to=${month.lastTo}`))).toBe(true);
      await snap(page, 'phone-supervisor-2-last-month');
      await page.click('#period-month');
      await page.waitForFunction((want) => ((globalThis as any).document.querySelector('#dash-scope')?.textContent ?? '').includes(want), `${month.from.slice(5)} 至 ${month.to.slice(5)}`);
      await page.waitForSelector('#dash-behaviour .heat', { timeout: 20_000 });

      // a red cell → the visits behind it → one visit
      const cell = await redCell(token);
      expect(await page.getAttribute(cell.id, 'class')).toContain('heat__cell--red');
      await page.locator(cell.id).scrollIntoViewIfNeeded();
      await page.click(cell.id);
      await page.waitForSelector('#drill-title', { timeout: 20_000 });
      expect(await text(page, '#drill-title')).toBe(`${cell.name} · ${cell.objective}的拜访`);
      await page.waitForFunction(() => /\d+ 条拜访/.test((globalThis as any).document.querySelector('#drill-count')?.textContent ?? ''), undefined, { timeout: 20_000 });
      expect(await text(page, '#drill-count')).toContain(`${cell.visits} 条拜访`);
      expect(await page.locator('.drill__item').count()).toBe(cell.visits);
      await snap(page, 'phone-supervisor-3-drill');
      const customer = (await text(page, '.drill__item >> nth=0 >> .drill__name')).trim();
      await page.click('.drill__item >> nth=0');
      await page.waitForSelector('#visit-customer-name', { timeout: 20_000 });
      expect(await text(page, '#visit-customer-name')).toContain(customer);
      await snap(page, 'phone-supervisor-4-visit');

      // back to the dashboards: 导出 Excel downloads the heatmap's table
      await page.goBack();
      await page.goBack();
      await page.waitForSelector('#export-behaviour', { timeout: 20_000 });
      const xlsx = await exportDownloads(page, 'behaviour');
      expect(xlsx.subarray(0, 2).toString()).toBe('PK');
    } finally {
      await context.close();
    }
  });

  it('a director in the console: 仪表盘 in the navigation, a team filter, the overdue drill-down → a customer, an export', async () => {
    const { context, page, token } = await openAs(DIRECTOR, { width: 1440, height: 900 });
    try {
      await page.goto(`${h.url}/app/#/pages/customers/index`);
      await page.waitForSelector('#console-nav-dashboards', { timeout: 20_000 });
      await page.click('#console-nav-dashboards');
      await waitForCards(page);
      expect(await text(page, '#dash-scope')).toContain('本大区');
      await page.waitForSelector('#chart-pipeline canvas', { timeout: 20_000 });
      await page.waitForSelector('#chart-penetration canvas', { timeout: 20_000 });
      await snapAll(page, 'desktop-director-1-region');

      // one team
      const teams = (await api(h.url, 'GET', '/api/v1/dashboards/behaviour', { token })).body.rows.map((r: { teamName: string }) => r.teamName);
      expect(teams).toContain('江浙二组');
      await pickOption(page, 'filter-team', '江浙二组');
      await page.waitForFunction(() => ((globalThis as any).document.querySelector('#filter-team')?.textContent ?? '').includes('江浙二组'));
      const teamId = (await api(h.url, 'GET', '/api/v1/dashboards/behaviour', { token })).body.rows.find((r: { teamName: string }) => r.teamName === '江浙二组').teamId;
      const teamPipeline = (await api(h.url, 'GET', `/api/v1/dashboards/pipeline?teamId=${teamId}`, { token })).body;
      await page.waitForFunction((n) => (globalThis as any).document.querySelector('#pipeline-overdue .dash-overdue__num')?.textContent === String(n), teamPipeline.overdue, { timeout: 20_000 });
      // the rep filter now offers that team's members only
      await page.waitForTimeout(300);
      await snap(page, 'desktop-director-2-team');

      // 导出 Excel: the pipeline's table with the team filter
      const xlsx = await exportDownloads(page, 'pipeline');
      expect(xlsx.subarray(0, 2).toString()).toBe('PK');

      // the overdue customers → one customer
      await page.click('#pipeline-overdue');
      await page.waitForSelector('#drill-title', { timeout: 20_000 });
      expect(await text(page, '#drill-title')).toBe('逾期客户');
      await page.waitForFunction((n) => ((globalThis as any).document.querySelector('#drill-count')?.textContent ?? '').includes(`${n} 条客户`), teamPipeline.overdue, { timeout: 20_000 });
      await snap(page, 'desktop-director-3-overdue');
      const name = (await text(page, '.drill__item >> nth=0 >> .drill__name')).trim();
      await page.click('.drill__item >> nth=0');
      await page.waitForFunction(() => (globalThis as any).location.hash.includes('pages/customer/index'), undefined, { timeout: 20_000 });
      await page.waitForSelector('#customer-name', { timeout: 20_000 });
      expect(await text(page, '#customer-name')).toContain(name);
    } finally {
      await context.close();
    }
  });

  it('a rep reads their own row against the team, without team or rep filters', async () => {
    const { context, page, token } = await openAs('13800000101', { width: 390, height: 844 }); // 王小明
    try {
      await page.goto(`${h.url}/app/#/pages/me/index`);
      await page.waitForSelector('#dashboards-entry', { timeout: 20_000 });
      expect(await text(page, '#dashboards-entry')).toBe('我的仪表盘');
      await page.click('#dashboards-entry');
      await waitForCards(page);
      expect(await text(page, '#dash-scope')).toContain('我的数据');
      expect(await page.$('#filter-team')).toBeNull();
      expect(await page.$('#filter-rep')).toBeNull();
      const heat = (await api(h.url, 'GET', '/api/v1/dashboards/behaviour', { token })).body;
      expect(heat.rows.map((r: { name: string }) => r.name)).toEqual(['王小明']);
      expect(await page.locator('#dash-behaviour .heat__name').allTextContents()).toEqual(['王小明']);
      expect(await page.locator('#dash-quality .qtable__row').count()).toBe(1);
      await snapAll(page, 'phone-rep');
    } finally {
      await context.close();
    }
  });

  it('marketing reads the demand dashboards only: the word cloud and the counters, each drilling to its records', async () => {
    const { context, page, token } = await openAs('13800000031', { width: 390, height: 844 });
    try {
      await page.goto(`${h.url}/app/#/pages/me/index`);
      await page.waitForSelector('#dashboards-entry', { timeout: 20_000 });
      expect(await text(page, '#dashboards-entry')).toBe('客户需求与业务计数');
      await page.click('#dashboards-entry');
      await page.waitForSelector('#dash-words .dash-card__body', { timeout: 20_000 });
      await page.waitForSelector('#dash-counters .dash-card__body', { timeout: 20_000 });
      for (const id of ['dash-pipeline', 'dash-behaviour', 'dash-quality', 'dash-penetration', 'dash-checkins']) expect(await page.$(`#${id}`)).toBeNull();
      const counters = (await api(h.url, 'GET', '/api/v1/dashboards/counters', { token })).body.counters;
      const quote = counters.find((c: { counter: string }) => c.counter === 'second_quote');
      expect(quote.customers).toBeGreaterThan(0); // the demo has customers asking for a new quote
      expect(await text(page, '#counter-second_quote .counters__num')).toBe(String(quote.customers));
      await snapAll(page, 'phone-marketing');
      await page.click('#counter-second_quote');
      await page.waitForFunction((n) => ((globalThis as any).document.querySelector('#drill-count')?.textContent ?? '').startsWith(`${n} 条客户`), quote.customers, { timeout: 20_000 });
      expect(await text(page, '.drill__item >> nth=0')).toContain('重新报价');
      await snap(page, 'phone-marketing-second-quote');
    } finally {
      await context.close();
    }
  });

  it('the dashboards at 1 920×1 080 and the wall screen: the figures, no vertical scrollbar, dark', async () => {
    const { context, page, token } = await openAs(DIRECTOR, { width: 1920, height: 1080 });
    try {
      await page.goto(`${h.url}/app/#/packages/dashboards/index`);
      await waitForCards(page);
      await page.waitForSelector('#chart-pipeline canvas', { timeout: 20_000 });
      await snapAll(page, 'wide-director-dashboards');

      const wallLoads: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/api/v1/dashboards/pipeline')) wallLoads.push(r.url());
      });
      await page.goto(`${h.url}/app/#/packages/dashboards/wall/index`);
      await page.waitForSelector('#wall-overdue-count', { timeout: 30_000 });
      await page.waitForSelector('#wall-chart-pipeline canvas', { timeout: 20_000 });
      await page.waitForFunction((every) => (globalThis as any).document.querySelector('#wall').innerText.includes(every), `每 ${h.policy.dashboards.wall.refreshSeconds} 秒刷新`, { timeout: 10_000 });
      await page.waitForTimeout(800);
      // opened once: the policy's interval arriving restarts the timer, it does not load the figures again
      expect(wallLoads).toHaveLength(1);
      const pipeline = (await api(h.url, 'GET', '/api/v1/dashboards/pipeline', { token })).body;
      expect(await text(page, '#wall-overdue-count')).toBe(String(pipeline.overdue));
      expect(await text(page, '#wall-pipeline')).toContain(`共 ${pipeline.total} 位`);
      // the red cells, counted, the worst first
      const heat = (await api(h.url, 'GET', '/api/v1/dashboards/behaviour', { token })).body;
      const reds = heat.rows.flatMap((r: any) => r.cells.map((c: any, i: number) => ({ name: r.name, objective: heat.objectives[i], ratio: c.ratio, status: c.status }))).filter((c: any) => c.status === 'red');
      reds.sort((a: any, b: any) => b.ratio - a.ratio);
      expect(reds.length).toBeGreaterThan(0);
      expect(await text(page, '#wall-red')).toContain(`红格 ${reds.length} 个`);
      expect(await text(page, '#wall-red .wall__row >> nth=0')).toBe(`${reds[0].name} · ${reds[0].objective}${reds[0].ratio.toFixed(2)} 倍`);
      expect(await text(page, '#wall-checkins')).toMatch(/\d+%|还没有应打卡/);
      const words = (await api(h.url, 'GET', '/api/v1/dashboards/word-cloud', { token })).body;
      expect(await text(page, '#wall-terms')).toContain(words.terms[0].term);
      // the reload interval is the policy's (dashboards.wall.refreshSeconds), not a constant of the app
      expect(await page.locator('#wall').innerText()).toContain(`每 ${h.policy.dashboards.wall.refreshSeconds} 秒刷新`);
      // no navigation beside it, nothing to scroll, dark
      expect(await page.$('#console-nav')).toBeNull();
      const layout = await page.evaluate(() => {
        const d = (globalThis as any).document;
        const w = globalThis as any;
        const wall = d.querySelector('#wall').getBoundingClientRect();
        return {
          scroll: Math.max(d.documentElement.scrollHeight, d.body.scrollHeight),
          inner: w.innerHeight,
          scrollbar: w.innerWidth - d.documentElement.clientWidth,
          wallBottom: wall.bottom,
          background: w.getComputedStyle(d.querySelector('#wall')).backgroundColor,
          bigFont: parseFloat(w.getComputedStyle(d.querySelector('#wall-overdue-count')).fontSize),
          labelFont: parseFloat(w.getComputedStyle(d.querySelector('.wall__label')).fontSize),
        };
      });
      expect(layout.scroll).toBeLessThanOrEqual(layout.inner);
      expect(layout.scrollbar).toBe(0);
      expect(layout.wallBottom).toBeLessThanOrEqual(1080);
      expect(layout.background).toBe('rgb(11, 18, 32)');
      expect(layout.bigFont).toBeGreaterThanOrEqual(120); // the key figure, from three metres
      expect(layout.labelFont).toBeGreaterThanOrEqual(24);
      await page.screenshot({ path: path.join(SHOTS, 'wall-1920x1080.png') });
    } finally {
      await context.close();
    }
  });

  it('a director compares two periods: the board table\'s four rows (last month vs this month), change coloured, a number → its records, an export', async () => {
    const { context, page, token } = await openAs(DIRECTOR, { width: 1440, height: 900 });
    try {
      const month = monthOf(h.clock.now());
      await page.goto(`${h.url}/app/#/packages/dashboards/index`);
      await page.waitForSelector('#dash-board .btable', { timeout: 30_000 });
      await page.waitForSelector('#dash-trends .dash-card__body', { timeout: 30_000 });
      await page.waitForSelector('#dash-efficiency .dash-card__body', { timeout: 30_000 });
      // the default comparison: the whole of last month against this month so far
      expect(await text(page, '#board-before')).toContain(`${month.lastFrom}`);
      expect(await text(page, '#board-before')).toContain(`${month.lastTo}`);
      expect(await text(page, '#board-after')).toContain(`${month.from}`);
      expect(await text(page, '#board-after')).toContain(`${month.to}`);
      const q = `beforeFrom=${month.lastFrom}&beforeTo=${month.lastTo}&afterFrom=${month.from}&afterTo=${month.to}`;
      const board = (await api(h.url, 'GET', `/api/v1/dashboards/board?${q}`, { token })).body;
      expect(await page.locator('#board-table .btable__row').count()).toBe(4);
      expect(await page.locator('#board-table .btable__row .btable__name').allTextContents()).toEqual(board.rows.map((r: { label: string; better: string }) => `${r.label}${r.better === 'up' ? '越高越好' : '越低越好'}`));
      for (const r of board.rows) {
        const cls = (await page.getAttribute(`#board-${r.metric}-change`, 'class')) ?? '';
        // green when it got better, red when worse, neither when unchanged or not comparable
        expect(cls.includes('btable__change--better')).toBe(r.improved === true);
        expect(cls.includes('btable__change--worse')).toBe(r.improved === false);
        expect(await text(page, `#board-${r.metric}-after`)).toContain(`${r.after.numerator}/${r.after.denominator}`);
      }
      await page.waitForSelector('#chart-trends canvas', { timeout: 20_000 });
      await page.waitForTimeout(1000);
      await page.locator('#dash-board').scrollIntoViewIfNeeded();
      await page.locator('#dash-board').screenshot({ path: path.join(SHOTS2, 'desktop-director-board.png') });
      await page.locator('#dash-trends').screenshot({ path: path.join(SHOTS2, 'desktop-director-trends.png') });
      await snapAll(page, 'desktop-director-all', SHOTS2);

      // 导出 Excel: the board table for these two periods
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.click('#export-board')]);
      expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
      expect(readFileSync(await download.path()).subarray(0, 2).toString()).toBe('PK');

      // one number → the records behind it (a row whose after-side has any)
      const row = board.rows.find((r: { after: { denominator: number } }) => r.after.denominator > 0);
      expect(row).toBeDefined();
      const records = (await api(h.url, 'GET', row.after.drillDown.replace(/^\/api\/v1/, '/api/v1') + '&pageSize=1', { token })).body;
      await page.click(`#board-${row.metric}-after`);
      await page.waitForSelector('#drill-title', { timeout: 20_000 });
      expect(await text(page, '#drill-title')).toContain(row.label);
      await page.waitForFunction((n) => ((globalThis as any).document.querySelector('#drill-count')?.textContent ?? '').startsWith(`${n} 条`), records.total, { timeout: 20_000 });
      expect(await page.locator('.drill__item').count()).toBe(Math.min(20, records.total));
      await page.screenshot({ path: path.join(SHOTS2, 'desktop-director-board-drill.png') });
    } finally {
      await context.close();
    }
  });

  it('a supervisor on the phone: the efficiency card per member and the quality card\'s agreed-action completion, each drilling down', async () => {
    const { context, page, token } = await openAs(SUPERVISOR, { width: 390, height: 844 });
    try {
      await page.goto(`${h.url}/app/#/packages/dashboards/index`);
      await waitForCards(page);
      await page.waitForSelector('#dash-efficiency .dash-card__body', { timeout: 30_000 });
      await page.waitForSelector('#dash-trends .dash-card__body', { timeout: 30_000 });
      await page.waitForSelector('#dash-board .btable', { timeout: 30_000 }); // the route allows a supervisor their team
      const eff = (await api(h.url, 'GET', '/api/v1/dashboards/efficiency', { token })).body;
      const shown = eff.rows.filter((r: { workingDays: number }) => r.workingDays > 0);
      expect(await page.locator('#dash-efficiency .qtable__row').count()).toBe(shown.length);
      expect(await text(page, '#efficiency-total')).toContain(`${eff.total.effectiveContacts} 次有效接触`);
      const quality = (await api(h.url, 'GET', '/api/v1/dashboards/visit-quality', { token })).body;
      expect(await text(page, '#dash-quality .qtable__head')).toContain('约定动作');
      const due = quality.rows.find((r: { agreedActionsDue: number }) => r.agreedActionsDue > 0);
      expect(due).toBeDefined(); // the demo's visits have agreed actions falling due this month
      expect(await text(page, `#agreed-${due.memberId}`)).toContain(`${due.agreedActionsDone}/${due.agreedActionsDue}`);
      for (const r of quality.rows) expect((await page.$(`#realpush-${r.memberId}`)) !== null).toBe(r.realPush);
      await page.waitForSelector('#chart-trends canvas', { timeout: 20_000 });
      await page.locator('#dash-trends').scrollIntoViewIfNeeded();
      await page.waitForTimeout(1500); // the lines draw in after the axes
      await page.locator('#dash-efficiency').screenshot({ path: path.join(SHOTS2, 'phone-supervisor-efficiency.png') });
      await page.locator('#dash-quality').screenshot({ path: path.join(SHOTS2, 'phone-supervisor-quality.png') });
      await page.locator('#dash-trends').screenshot({ path: path.join(SHOTS2, 'phone-supervisor-trends.png') });
      await page.locator('#dash-board').screenshot({ path: path.join(SHOTS2, 'phone-supervisor-board.png') });

      // the completion rate → that member's agreed actions (not the row's visits)
      await page.locator(`#agreed-${due.memberId}`).scrollIntoViewIfNeeded();
      await page.click(`#agreed-${due.memberId}`);
      await page.waitForSelector('#drill-title', { timeout: 20_000 });
      expect(await text(page, '#drill-title')).toBe(`${due.name}的约定动作`);
      await page.waitForFunction((n) => ((globalThis as any).document.querySelector('#drill-count')?.textContent ?? '').startsWith(`${n} 条约定动作`), due.agreedActionsDue, { timeout: 20_000 });
      await page.screenshot({ path: path.join(SHOTS2, 'phone-supervisor-agreed-drill.png') });
      await page.goBack();

      // a member's efficiency → their effective contacts only
      const member = shown.find((r: { effectiveContacts: number }) => r.effectiveContacts > 0);
      expect(member).toBeDefined();
      await page.waitForSelector(`#efficiency-${member.memberId}`, { timeout: 20_000 });
      await page.locator(`#efficiency-${member.memberId}`).scrollIntoViewIfNeeded();
      await page.click(`#efficiency-${member.memberId}`);
      await page.waitForFunction((n) => ((globalThis as any).document.querySelector('#drill-count')?.textContent ?? '').startsWith(`${n} 条拜访`), member.effectiveContacts, { timeout: 20_000 });
      expect(await page.locator('.drill__item .tag').allTextContents()).not.toContain('未计入');
      await page.screenshot({ path: path.join(SHOTS2, 'phone-supervisor-efficiency-drill.png') });
    } finally {
      await context.close();
    }
  });

  it('screenshots of the new cards for a supervisor at 1 440×900', async () => {
    const { context, page } = await openAs(SUPERVISOR, { width: 1440, height: 900 });
    try {
      await page.goto(`${h.url}/app/#/packages/dashboards/index`);
      await waitForCards(page);
      await page.waitForSelector('#dash-board .btable', { timeout: 30_000 });
      await page.waitForSelector('#chart-trends canvas', { timeout: 20_000 });
      await page.waitForTimeout(500);
      await snapAll(page, 'desktop-supervisor-all', SHOTS2);
      for (const id of ['dash-quality', 'dash-efficiency', 'dash-trends', 'dash-board']) await page.locator(`#${id}`).screenshot({ path: path.join(SHOTS2, `desktop-supervisor-${id.slice(5)}.png`) });
    } finally {
      await context.close();
    }
  });
});
