import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seedDemo } from '../../server/src/demo/seed';
import { Customer } from '../../server/src/modules/customers/customer.entity';
import { CustomerGrade } from '../../server/src/modules/grading/customer-grade.entity';
import { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildWorkbook } from '../support/xlsx';
import { launchBrowser, requireH5Build } from './browser';

/**
 * 客户分级 in Chromium on the demo company: a rep opens a customer, reads the grade with its four
 * sub-scores, the weights, what was missing and a month of history (newest first), taps 重新分级 and sees
 * the new run on top; a supervisor imports a grading input sheet (one bad row first, then a good one) and
 * the customer's history shows the import. At phone and console sizes; screenshots in /work/shots/grading.
 */
const SHOTS = process.env.GRADING_SHOTS ?? '/work/shots/grading';

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  requireH5Build();
  mkdirSync(SHOTS, { recursive: true });
  h = await startHarness();
  await seedDemo(h.db, h.policy, h.clock);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function openAs(phone: string, viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; member: Member; token: string }> {
  const member = await h.db.getRepository(Member).findOneByOrFail({ phone });
  const token = (await h.services.auth.issueSession(member, 'wechat')).token;
  const me = (await api(h.url, 'GET', '/api/v1/me', { token })).body;
  const context = await browser.newContext({ viewport });
  const session = JSON.stringify({ data: { token, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), member: me } });
  await context.addInitScript(`window.localStorage.setItem('anchor.session', ${JSON.stringify(session)})`);
  return { context, page: await context.newPage(), member, token };
}
const snap = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
/** The whole grade section, however far it scrolls (the page's own scroller keeps it out of a full-page shot). */
const snapSection = (page: Page, name: string) => page.locator('#customer-grade').screenshot({ path: path.join(SHOTS, `${name}.png`) });

/** A customer of this rep whose history has a grade change in it (what the section should make visible). */
async function customerWithChange(ownerId: number, skip: number): Promise<Customer> {
  const customers = await h.db.getRepository(Customer).find({ where: { ownerId }, order: { id: 'ASC' } });
  const found: Customer[] = [];
  for (const c of customers) {
    const grades = new Set((await h.db.getRepository(CustomerGrade).find({ where: { customerId: c.id } })).map((r) => r.grade));
    if (grades.size > 1) found.push(c);
  }
  return found[skip]!;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

for (const viewport of [{ width: 390, height: 844, tag: 'phone' }, { width: 1440, height: 900, tag: 'desktop' }]) {
  describe(`客户分级 at ${viewport.width}×${viewport.height}`, () => {
    it('a rep reads the grade, its sub-scores, weights, what was missing and the history, and regrades on the spot', async () => {
      const { context, page, member, token } = await openAs('13800000101', viewport); // 王小明
      try {
        const customer = await customerWithChange(member.id, viewport.tag === 'phone' ? 0 : 1);
        const history = (await api(h.url, 'GET', `/api/v1/customers/${customer.id}/grades`, { token })).body;
        const runs = history.items.length as number;
        expect(runs).toBeGreaterThan(5);
        await page.goto(`${h.url}/app/#/pages/customer/index?id=${customer.id}`);
        await page.waitForSelector('#customer-grade-latest', { timeout: 20_000 });
        const latest = history.items[0];
        const head = await page.textContent('#customer-grade-latest');
        expect(head).toContain(latest.grade);
        expect(head).toContain(`${latest.score} 分`);
        // the profile's grade tag agrees with the newest run
        expect(await page.textContent('.customer__tags')).toContain(`${customer.grade} 级`);
        expect(customer.grade).toBe(latest.grade);
        // four dimensions with their weights; payment history is missing (no receivables yet) and says so
        const dims = await page.$$eval('#customer-grade-dims .grade__dim:not(.grade__dim--head)', (rows) => rows.map((r: any) => (r.innerText as string).replace(/\s+/g, ' ').trim()));
        expect(dims).toHaveLength(4);
        expect(dims[0]).toBe(`回款准时率 缺失（按中性分） 30% ${latest.subScores.paymentHistory}`);
        expect(dims[1]).toBe(`库存消耗速度 25% ${latest.subScores.inventorySpeed}`);
        expect(dims[2]).toBe(`医院等级与科室活跃度 25% ${latest.subScores.hospitalLevelActivity}`);
        expect(dims[3]).toBe(`竞品渗透率（越低得分越高） 20% ${latest.subScores.competitorPenetration}`);
        // the history, newest first, with a change marked as from → to
        expect(await page.textContent('#customer-grade-history .grade__history-title')).toContain(`共 ${runs} 次`);
        const first = await page.textContent('#customer-grade-history .grade__run');
        expect(first).toContain(`${latest.score} 分`);
        await page.click('#customer-grade-more');
        const shownRuns = await page.$$eval('#customer-grade-history .grade__run', (rows) => rows.map((r: any) => (r.innerText as string).replace(/\s+/g, ' ')));
        expect(shownRuns).toHaveLength(runs);
        expect(shownRuns.some((r) => r.includes('→'))).toBe(true);
        expect(shownRuns.some((r) => r.includes('定时分级'))).toBe(true);
        await snap(page, `${viewport.tag}-1-grade-section`);
        await snapSection(page, `${viewport.tag}-1b-grade-section-whole`);

        await page.click('#customer-regrade');
        await page.waitForSelector(`#customer-grade-history .grade__history-title:has-text("共 ${runs + 1} 次")`, { timeout: 20_000 });
        expect(await page.textContent('#customer-grade-history .grade__run')).toContain('手动重新分级');
        expect(await page.textContent('#customer-grade-latest')).toContain('手动重新分级');
        await snap(page, `${viewport.tag}-2-regraded`);
        await snapSection(page, `${viewport.tag}-2b-regraded-whole`);
      } finally {
        await context.close();
      }
    });

    it('a supervisor imports a grading input sheet: a bad row is shown and nothing imported, then the good sheet regrades the customer', async () => {
      const { context, page, member } = await openAs('13800000011', viewport); // 陈主管
      try {
        const rep = await h.db.getRepository(Member).findOneByOrFail({ phone: viewport.tag === 'phone' ? '13800000102' : '13800000103' });
        const customer = await customerWithChange(rep.id, 0);
        const outside = (await h.db.getRepository(Customer).find({ where: { ownerId: (await h.db.getRepository(Member).findOneByOrFail({ phone: '13800000105' })).id }, take: 1 }))[0]!;
        expect(member.role).toBe('supervisor');
        await page.goto(`${h.url}/app/#/packages/import/index`);
        await page.waitForSelector('#import-tab-grading', { timeout: 20_000 });
        await page.click('#import-tab-grading');
        await page.waitForSelector('#grading-file', { state: 'attached' });
        const bad = await buildWorkbook([['客户名称', '库存消耗速度', '竞品渗透率'], [customer.name, 95, '5%'], [outside.name, 50, 50], ['不存在的医院', 150, '高']]);
        await page.setInputFiles('#grading-file', { name: '分级数据.xlsx', mimeType: XLSX, buffer: bad });
        await page.waitForSelector('#grading-errors', { timeout: 20_000 });
        const errors = await page.textContent('#grading-errors');
        expect(errors).toContain('第 3 行');
        expect(errors).toContain(`客户「${outside.name}」不在你可导入的客户范围内`);
        expect(errors).toContain('库存消耗速度须在 0–100 之间（填写的是 150）');
        // nothing can be committed while a row is wrong (Taro's H5 button writes disabled="false" when enabled)
        const disabled = await page.getAttribute('#commit-grading', 'disabled');
        expect(disabled !== null && disabled !== 'false').toBe(true);
        await snap(page, `${viewport.tag}-3-import-errors`);

        const good = await buildWorkbook([['客户名称', '库存消耗速度', '竞品渗透率'], [customer.name, 95, '5%']]);
        await page.setInputFiles('#grading-file', { name: '分级数据.xlsx', mimeType: XLSX, buffer: good });
        await page.waitForSelector('#grading-sample', { timeout: 20_000 });
        expect(await page.textContent('#grading-sample')).toContain(customer.name);
        expect(await page.textContent('#grading-sample')).toMatch(/→ 95/);
        await snap(page, `${viewport.tag}-4-import-preview`);
        await page.click('#commit-grading');
        await page.waitForSelector('#grading-done', { timeout: 20_000 });
        expect(await page.textContent('#grading-done')).toContain('已更新 1 家客户的分级数据，已重新分级 1 家');
        await snap(page, `${viewport.tag}-5-import-done`);

        await page.goto(`${h.url}/app/#/pages/customer/index?id=${customer.id}`);
        await page.waitForSelector('#customer-grade-latest:has-text("分级数据导入")', { timeout: 20_000 });
        const stored = await h.db.getRepository(Customer).findOneByOrFail({ id: customer.id });
        expect(stored.gradingInputs).toMatchObject({ inventoryConsumptionSpeed: 95, competitorPenetration: 5 });
      } finally {
        await context.close();
      }
    });
  });
}
