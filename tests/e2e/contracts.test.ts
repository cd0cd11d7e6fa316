import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { loginAs, pickOption, shot } from './browser';
import { productInBrowser } from './product';

// A contract as people make it: a rep drafts it on the phone from the customer's page (instalments checked
// against the amount as they type, a scan uploaded) and submits it; the supervisor approves it at the
// console from the contract's page; the finance pool approves the last step; the rep's contract reads
// 已通过 and its customer 签约. The demo's contracts (every state) are in the list beside it.
const app = productInBrowser();
const REP = '13800000101';
const SUPERVISOR = '13800000011';
const FINANCE = '13800000021';
const SHOTS = '/work/shots/contracts';
mkdirSync(SHOTS, { recursive: true });
const both = async (page: Page, name: string) => {
  await shot(page, `contracts-${name}`);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
};
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

async function approveAtConsole(base: string, phone: string, contractId: number, taskId: number, name: string): Promise<void> {
  const desk = await app.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const p = await loginAs(desk, base, phone);
  await p.click('#console-nav-contracts');
  await p.waitForSelector(`#contract-${contractId}`, { timeout: 20_000 });
  await both(p, `list-${name}-1440`);
  await p.click(`#contract-${contractId}`);
  await p.waitForSelector('#contract-approvals', { timeout: 20_000 });
  await both(p, `detail-${name}-1440`);
  await p.click('#contract-approvals .link:has-text("打开审批任务")');
  await p.waitForSelector(`#task-${taskId}-approve`, { timeout: 20_000 });
  await p.click(`#task-${taskId}-approve`);
  await p.waitForSelector(`#task-${taskId}-outcome:has-text("已同意")`, { timeout: 20_000 });
  await desk.close();
}

it('a rep drafts and submits a contract on the phone; the supervisor and finance approve it at the console; it reads 已通过 and the customer 签约', async () => {
  const base = app.product.server.url;
  const [customer] = await app.product.query<{ id: number; name: string }>(
    "SELECT c.id, c.name FROM customer c JOIN member m ON m.id = c.ownerId WHERE m.phone = ? AND c.closedAt IS NULL AND c.stage IN ('proposal', 'quote', 'visit') ORDER BY c.id LIMIT 1",
    [REP],
  );
  expect(customer).toBeTruthy();

  // ── the rep, 390 × 844 ────────────────────────────────────────────────────────────────────────
  const phone = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
  const r = await loginAs(phone, base, REP);
  await r.goto(`${base}/app/#/pages/customer/index?id=${customer!.id}`);
  await r.click('#new-contract', { timeout: 20_000 });
  await r.waitForSelector('#contract-lines', { timeout: 20_000 });
  await r.fill('#contract-amount input', '120000');
  await pickOption(r, 'line-0-model', 'US-5000 超声诊断仪');
  await r.fill('#line-0-quantity-input input', '2');
  await r.fill('#instalment-0-amount input', '36000');
  await r.click('#add-instalment');
  await r.fill('#instalment-1-amount input', '80000');
  // the sum is checked as one types: ¥4 000 short
  await r.waitForSelector('#instalments-sum:has-text("少 ¥4,000.00")');
  await r.fill('#contract-key-terms textarea', '首付 30%，到货验收后 90 天内付清；质保 3 年');
  await both(r, 'form-short-390');
  await r.fill('#instalment-1-amount input', '84000');
  await r.waitForSelector('#instalments-sum:has-text("合计 ¥120,000.00 · 合同金额 ¥120,000.00")');
  const [chooser] = await Promise.all([r.waitForEvent('filechooser'), r.click('#add-scan')]);
  await chooser.setFiles({ name: 'signed-contract.pdf', mimeType: 'application/pdf', buffer: PDF });
  await r.waitForSelector('#contract-scans :text("signed-contract.pdf")', { timeout: 20_000 });
  await both(r, 'form-390');
  await r.click('#contract-submit');
  await r.waitForSelector('#contract-state:has-text("审批中")', { timeout: 20_000 });
  await r.waitForSelector('#contract-approvals :text("待审批")');
  await both(r, 'detail-submitted-390');
  const number = (await r.locator('#contract-number').innerText()).trim();
  const contractId = Number(number.replace(/^HT-0*/, ''));
  const [row] = await app.product.query<{ amountFen: number; state: string }>('SELECT amountFen, state FROM contract WHERE id = ?', [contractId]);
  expect(row).toMatchObject({ state: 'submitted' });
  expect(Number(row!.amountFen)).toBe(12_000_000);

  const openTask = async () =>
    Number((await app.product.query<{ id: number }>("SELECT id FROM task WHERE kind = 'contract' AND subjectId = ? AND completedAt IS NULL", [contractId]))[0]!.id);
  await approveAtConsole(base, SUPERVISOR, contractId, await openTask(), 'supervisor');
  await approveAtConsole(base, FINANCE, contractId, await openTask(), 'finance');

  await r.goto(`${base}/app/#/packages/contracts/index`);
  await r.waitForSelector(`#contract-${contractId}:has-text("已通过")`, { timeout: 20_000 });
  await both(r, 'list-390');
  await r.click(`#contract-${contractId}`);
  await r.waitForSelector('#contract-state:has-text("已通过")', { timeout: 20_000 });
  expect(await r.locator('#contract-approvals').innerText()).toMatch(/1\. 直属主管 · 陈主管[\s\S]*已同意[\s\S]*2\. 任务池 · 财务[\s\S]*已同意/);
  await both(r, 'detail-approved-390');
  const [signed] = await app.product.query<{ stage: string }>('SELECT stage FROM customer WHERE id = ?', [customer!.id]);
  expect(signed!.stage).toBe('signed');

  // ── the console at 1440 × 900: the list by state, a demo contract with marketing's answer, the form ──
  const desk = await app.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const d = await loginAs(desk, base, REP);
  await d.click('#console-nav-contracts');
  await d.waitForSelector('#contract-list .contract-card', { timeout: 20_000 });
  await both(d, 'list-rep-1440');
  await d.goto(`${base}/app/#/packages/contracts/detail/index?id=${contractId}`);
  await d.waitForSelector('#contract-approvals :text("已同意")', { timeout: 20_000 });
  await both(d, 'detail-approved-1440');
  await d.goto(`${base}/app/#/packages/contracts/edit/index?customerId=${customer!.id}`);
  await d.waitForSelector('#contract-lines', { timeout: 20_000 });
  await both(d, 'form-1440');
  const [answered] = await app.product.query<{ contractId: number }>('SELECT contractId FROM contract_support WHERE answeredAt IS NOT NULL LIMIT 1');
  const m = await loginAs(await app.browser.newContext({ viewport: { width: 1440, height: 900 } }), base, '13800000031');
  await m.goto(`${base}/app/#/packages/contracts/detail/index?id=${answered!.contractId}`);
  await m.waitForSelector('#contract-support-answer', { timeout: 20_000 });
  await both(m, 'detail-marketing-answer-1440');
  const [open] = await app.product.query<{ contractId: number }>('SELECT contractId FROM contract_support WHERE answeredAt IS NULL LIMIT 1');
  await m.goto(`${base}/app/#/packages/contracts/detail/index?id=${open!.contractId}`);
  await m.waitForSelector('#support-text', { timeout: 20_000 });
  await both(m, 'detail-marketing-to-answer-1440');
});
