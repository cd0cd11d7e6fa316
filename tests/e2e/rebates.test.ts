import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { loginAs, shot } from './browser';
import { productInBrowser } from './product';

// The rebate calculator as people use it, on the demo (its rule table and requests in every state are
// seeded): a rep calculates on the phone and submits; finance sends it back for a document from the
// console queue; finance's rule table refuses an overlapping band naming the rows. Screenshots of each
// screen at 390 × 844 and 1440 × 900.
const app = productInBrowser();
const REP = '13800000101';
const FINANCE = '13800000021';
const SHOTS = '/work/shots/rebates';
mkdirSync(SHOTS, { recursive: true });
const both = async (page: Page, name: string) => {
  await shot(page, `rebates-${name}`);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
};

it('a rep calculates and submits on the phone; finance sends it back for a document and keeps the rule table at the console', async () => {
  const base = app.product.server.url;
  const [rep] = await app.product.query<{ id: number }>('SELECT id FROM member WHERE phone = ?', [REP]);
  const [customer] = await app.product.query<{ id: number; name: string }>('SELECT id, name FROM customer WHERE ownerId = ? ORDER BY id LIMIT 1', [rep!.id]);

  // ── the rep, 390 × 844 ────────────────────────────────────────────────────────────────────────
  const phone = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
  const r = await loginAs(phone, base, REP);
  await r.goto(`${base}/app/#/pages/me/index`);
  await r.click('#rebates-entry');
  await r.waitForSelector('#rebate-customer-q', { timeout: 20_000 });
  await r.fill('#rebate-customer-q input', customer!.name.slice(0, 6));
  await r.click(`.rebates__match[data-id="${customer!.id}"]`, { timeout: 20_000 });
  await r.waitForSelector(`#rebate-customer-name:has-text("${customer!.name}")`);
  // the model from the policy's list (options.productModels, as on a contract): the demo's sharper rule is for the first
  expect(await r.locator('#rebate-models .chip').count()).toBeGreaterThan(1);
  await r.click('#rebate-model-0');
  await r.fill('#rebate-amount input', '120000');
  await r.click('#rebate-cycle-1');
  await r.waitForSelector('#rebate-result', { timeout: 20_000 });
  // the demo table: ¥100,000–¥500,000 of an ungraded or graded customer, the range and its amount in yuan
  const range = await r.locator('#rebate-range').innerText();
  expect(range).toMatch(/^\d+(\.\d+)?% – \d+(\.\d+)?%$/);
  expect(await r.locator('#rebate-money').innerText()).toMatch(/^¥\d{1,3}(,\d{3})*\.\d{2} – ¥\d{1,3}(,\d{3})*\.\d{2}$/);
  expect(await r.locator('#rebate-docs').innerText()).toContain('发票');
  expect(await r.locator('#rebate-payout').innerText()).toMatch(/^\d{4}-\d{2}-\d{2}（审核通过后 \d+ 个工作日）$/);
  expect(await r.locator('#rebate-rule').innerText()).toContain('第 ');
  await both(r, 'calculator-390');
  // a rate outside the range cannot be submitted
  await r.fill('#rebate-rate input', '99');
  await r.waitForSelector('#rebate-result .field__message:has-text("须在")');
  expect(await r.locator('#rebate-submit').getAttribute('disabled')).not.toBeNull();
  const max = range.split(' – ')[1]!.replace('%', '');
  await r.fill('#rebate-rate input', max);
  await r.click('#rebate-submit');
  await r.waitForSelector('#rebate-done:has-text("已提交")', { timeout: 20_000 });
  const [made] = await app.product.query<{ id: number; state: string; amountFen: number | string }>('SELECT id, state, amountFen FROM rebate_request WHERE requesterId = ? ORDER BY id DESC LIMIT 1', [rep!.id]);
  expect(made).toMatchObject({ state: 'pending' });
  expect(Number(made!.amountFen)).toBe(12_000_000);
  await r.waitForSelector(`#rebate-requests .rebates__request[data-id="${made!.id}"]`, { timeout: 20_000 });
  expect(await r.locator('#rebate-requests-title').innerText()).toBe('我的返点申请');
  await both(r, 'requests-390');

  // ── finance at the console, 1440 × 900 ─────────────────────────────────────────────────────────
  const desk = await app.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const f = await loginAs(desk, base, FINANCE);
  await f.click('#console-nav-rebateQueue');
  await f.waitForSelector(`#queue-table [data-id="${made!.id}"]`, { timeout: 20_000 });
  await f.click(`#queue-table [data-id="${made!.id}"]`);
  await f.waitForSelector('#queue-detail #queue-missing', { timeout: 20_000 });
  await f.click('#queue-missing');
  await f.click('#queue-detail .chip:has-text("签收单")');
  await f.fill('#queue-reason textarea', '请补签收单');
  await f.click('#queue-confirm');
  await f.waitForSelector('#queue-message:has-text("已更新：待补资料")', { timeout: 20_000 });
  const [after] = await app.product.query<{ state: string; documentsMissing: string }>('SELECT state, documentsMissing FROM rebate_request WHERE id = ?', [made!.id]);
  expect(after).toMatchObject({ state: 'documents_missing', documentsMissing: '["签收单"]' });
  // the rep's message, once
  expect(await app.product.query("SELECT id FROM outbox_message WHERE kind = 'rebate.changed' AND payload LIKE ?", [`%"requestId":${made!.id},%`])).toHaveLength(1);
  await both(f, 'queue-1440');

  // the rule table: the demo's version in force; an overlapping band is named before anything is saved
  await f.click('#console-nav-rebateRules');
  await f.waitForSelector('#rules-table tbody tr', { timeout: 20_000 });
  await both(f, 'rules-1440');
  const versions = (await app.product.query<{ n: number }>('SELECT COUNT(*) AS n FROM rebate_rule_version'))[0]!.n;
  await f.click('#rules-new');
  await f.waitForSelector('#rule-1-min');
  await f.fill('#rule-1-min', '50000');
  await f.click('#rules-save');
  await f.waitForSelector('#rules-message:has-text("有误")');
  expect(await f.locator('.rules__problem').first().innerText()).toContain('第 1 行（¥0.00–¥100,000.00）与第 2 行（¥50,000.00–¥500,000.00）的金额区间重叠');
  await both(f, 'rules-edit-1440');
  expect(Number((await app.product.query<{ n: number }>('SELECT COUNT(*) AS n FROM rebate_rule_version'))[0]!.n)).toBe(Number(versions));
  // fixed, it saves as a new version; the old one stays
  await f.fill('#rule-1-min', '100000');
  await f.click('#rules-save');
  await f.waitForSelector('#rules-message:has-text("已保存为第")', { timeout: 20_000 });
  expect(Number((await app.product.query<{ n: number }>('SELECT COUNT(*) AS n FROM rebate_rule_version'))[0]!.n)).toBe(Number(versions) + 1);

  // ── the other sizes: the calculator at the console, the queue and the table on a phone ───────────────
  const deskRep = await app.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const rd = await loginAs(deskRep, base, REP);
  await rd.click('#console-nav-rebates');
  await rd.waitForSelector(`#rebate-requests .rebates__request[data-id="${made!.id}"]`, { timeout: 20_000 });
  await rd.click(`#rebate-requests .rebates__request[data-id="${made!.id}"] .row`);
  await rd.waitForSelector(`#rebate-requests .rebates__request[data-id="${made!.id}"] .rebates__doc--missing:has-text("签收单")`, { timeout: 20_000 });
  await both(rd, 'calculator-1440');
  const phoneF = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
  const fp = await loginAs(phoneF, base, FINANCE);
  await fp.goto(`${base}/app/#/packages/rebates/queue/index`);
  await fp.waitForSelector('#queue-table', { timeout: 20_000 });
  await both(fp, 'queue-390');
  await fp.goto(`${base}/app/#/packages/rebates/rules/index`);
  await fp.waitForSelector('#rules-table tbody tr', { timeout: 20_000 });
  await both(fp, 'rules-390');
  for (const ctx of [phone, desk, deskRep, phoneF]) await ctx.close();
}, 300_000);
