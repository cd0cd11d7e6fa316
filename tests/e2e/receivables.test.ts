import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addDays, localDay } from '@anchor/shared';
import { withTransaction } from '../../server/src/db/transaction';
import type { Member } from '../../server/src/modules/org/member.entity';
import { NOTIFY_PATH } from '../../server/src/modules/payments';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { WechatPaySimulator } from '../simulators/wechatpay-sim';
import { launchBrowser, requireH5Build } from './browser';

/**
 * 回款 in Chromium: the list in every state, a rep shows the WeChat Pay QR, the customer pays (the
 * simulator notifies the server) and the page turns 已回款 by itself; finance records a bank transfer.
 * At phone and console sizes, screenshots in /work/shots/payments.
 */
const SHOTS = process.env.PAYMENT_SHOTS ?? '/work/shots/payments';

let h: Harness;
let org: OrgFixture;
let sim: WechatPaySimulator;
let browser: Browser;
let seq = 0;

beforeAll(async () => {
  requireH5Build();
  mkdirSync(SHOTS, { recursive: true });
  sim = await new WechatPaySimulator().start();
  h = await startHarness({ env: sim.env(), now: new Date() });
  sim.notifyTarget = `${h.url}${NOTIFY_PATH}`;
  org = await buildOrg(h);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
  await sim?.stop();
});

const today = () => localDay(h.clock.now(), h.policy.timeZone);
async function contract(owner: Member, instalments: { seq: number; dueDate: string; amountFen: number }[]): Promise<number[]> {
  const customer = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.admin), json: { name: `瑞金医院回款${++seq}号`, industry: '公立医院', ownerId: owner.id, stage: 'signed' } });
  return withTransaction(h.db, (m) => h.services.receivables.createForContract(m, { contractId: 5000 + seq, customerId: customer.body.id, ownerId: owner.id, instalments }));
}
async function openAs(who: Member, viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  const token = org.token(who);
  const me = (await api(h.url, 'GET', '/api/v1/me', { token })).body;
  const context = await browser.newContext({ viewport });
  const session = JSON.stringify({ data: { token, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), member: me } });
  await context.addInitScript(`window.localStorage.setItem('anchor.session', ${JSON.stringify(session)})`);
  return { context, page: await context.newPage() };
}
const snap = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

for (const viewport of [{ width: 390, height: 844, tag: 'phone' }, { width: 1440, height: 900, tag: 'desktop' }]) {
  describe(`回款 at ${viewport.width}×${viewport.height}`, () => {
    it('lists receivables in every state; the rep shows the pay QR, the customer pays, the page turns 已回款', async () => {
      const ids = await contract(org.repA, [
        { seq: 1, dueDate: addDays(today(), -40), amountFen: 30_000_00 },
        { seq: 2, dueDate: addDays(today(), -5), amountFen: 30_000_00 },
        { seq: 3, dueDate: addDays(today(), 12), amountFen: 45_678_90 },
      ]);
      await withTransaction(h.db, (m) => h.services.receivables.credit(m, { receivableId: ids[0]!, amountFen: 30_000_00, method: 'bank_transfer', reference: `E2E-${ids[0]}`, paidAt: h.clock.now(), byId: org.finance.id }));
      await withTransaction(h.db, (m) => h.services.receivables.credit(m, { receivableId: ids[1]!, amountFen: 12_000_00, method: 'bank_transfer', reference: `E2E-${ids[1]}`, paidAt: h.clock.now(), byId: org.finance.id }));
      const { context, page } = await openAs(org.repA, viewport);
      try {
        await page.goto(`${h.url}/app/#/packages/receivables/index`);
        await page.locator('.receivable-row').first().waitFor();
        for (const label of ['已回款', '部分回款', '待回款']) await page.getByText(label, { exact: true }).first().waitFor();
        await snap(page, `receivables-list-${viewport.tag}`);
        await page.goto(`${h.url}/app/#/packages/receivables/index?id=${ids[2]}`);
        await page.locator('#pay-order').click();
        await page.locator('#pay-qr img, img#pay-qr, #pay-qr').first().waitFor();
        await page.getByText('¥45,678.90').first().waitFor();
        await page.waitForTimeout(300);
        await snap(page, `receivable-qr-${viewport.tag}`);
        const [order] = await h.services.payments.ordersOf(ids[2]!);
        sim.pay(order!.outTradeNo);
        await page.locator('#receivable-remaining', { hasText: '¥0.00' }).waitFor({ timeout: 10_000 });
        await page.getByText('已回款', { exact: true }).first().waitFor();
        await snap(page, `receivable-paid-${viewport.tag}`);
      } finally {
        await context.close();
      }
    });

    it('finance records a bank transfer: a missing voucher is named, then the record lands', async () => {
      const [id] = await contract(org.repB, [{ seq: 1, dueDate: addDays(today(), -3), amountFen: 8_000_00 }]);
      const { context, page } = await openAs(org.finance, viewport);
      try {
        await page.goto(`${h.url}/app/#/packages/receivables/index?id=${id}`);
        await page.locator('#record-amount input, input#record-amount').first().fill('3000');
        await page.locator('#record-reference input, input#record-reference').first().fill(`ICBC-20261203-${viewport.tag}`);
        await page.locator('#record-submit').click();
        await page.getByText('请上传回款凭证').waitFor();
        await snap(page, `receivable-record-form-${viewport.tag}`);
        const chooser = page.waitForEvent('filechooser');
        await page.locator('#record-voucher').click();
        await (await chooser).setFiles({ name: 'voucher.png', mimeType: 'image/png', buffer: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64') });
        await page.getByText('已上传，重新选择').waitFor({ timeout: 5000 }).catch(async (e) => {
          await snap(page, `debug-${viewport.tag}`);
          throw e;
        });
        await page.locator('#record-submit').click();
        await page.locator('#receivable-paid', { hasText: '¥3,000.00' }).waitFor();
        await snap(page, `receivable-recorded-${viewport.tag}`);
      } finally {
        await context.close();
      }
    });
  });
}
