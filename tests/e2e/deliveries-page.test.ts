import type { Page } from 'playwright-core';
import { loginAs, openTab, shot } from './browser';
import { productInBrowser } from './product';
import { api } from '../support/http';
import { completeVisit } from '../support/visit-fixture';

// 消息投递 as an admin uses it: a card that kept failing is listed as 死信 with its reason, and
// 重新发送 puts it back in the queue; the same card (same task_id) then goes out.
const app = productInBrowser();
const ADMIN = '13800000000';
const REP = '13800000101';

async function until<T>(probe: () => Promise<T | undefined | null | false>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** A visit's card to the supervisor, delivered through the demo's WeCom sandbox, then marked as a dead letter. */
async function deadCard(key: string, reason: string): Promise<number> {
  const url = app.product.server.url;
  const rep = (await api(url, 'POST', '/api/v1/auth/dev-login', { json: { phone: REP } })).body.token as string;
  const customer = (await api(url, 'GET', '/api/v1/customers?pageSize=1', { token: rep })).body.items[0].id as number;
  const tomorrow = new Date(Date.now() + 36 * 3600_000).toISOString().slice(0, 10);
  const res = await api(url, 'POST', '/api/v1/visits', { token: rep, json: { ...completeVisit(customer), nextFollowUpDate: tomorrow }, headers: { 'idempotency-key': key } });
  expect(res.status).toBe(201);
  const [todo] = await app.product.query<{ id: number }>('SELECT id FROM todo WHERE visitId = ?', [res.body.id]);
  const delivery = await until(async () => (await app.product.query<{ id: number; status: string }>("SELECT id, status FROM delivery WHERE subject = ? AND channel = 'wecom_app' AND status <> 'pending'", [`todo:${todo!.id}`]))[0]);
  await app.product.query("UPDATE delivery SET status = 'dead', attempts = 12, lastError = ? WHERE id = ?", [reason, delivery.id]);
  return delivery.id;
}
const statusOf = async (id: number) => (await app.product.query<{ status: string }>('SELECT status FROM delivery WHERE id = ?', [id]))[0]!.status;

async function resendInPage(page: Page, id: number, reason: string): Promise<void> {
  const row = page.locator(`.delivery-row--dead[data-id="${id}"]`);
  await row.waitFor({ timeout: 15_000 });
  expect(await row.innerText()).toContain(reason);
  await row.locator('.deliveries__resend').click();
  await page.waitForSelector('#deliveries-notice', { timeout: 10_000 });
  expect(await page.textContent('#deliveries-notice')).toContain('已重新排队');
  await row.waitFor({ state: 'detached', timeout: 10_000 });
  expect(await statusOf(id)).not.toBe('dead');
  // the outbox sends it again (the sandbox knows its task_id: counted as sent, shown once)
  await until(async () => (await statusOf(id)) === 'sent');
}

it('at console width an admin finds 消息投递 in the navigation, sees the dead card with its reason and re-sends it', async () => {
  const reason = '503 service unavailable（网关故障）';
  const id = await deadCard('e2e-dead-desk', reason);
  const context = await app.browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    // a queue that has waited two hours behind a failing head message
    await app.product.query(
      `INSERT INTO delivery (outboxId, channel, target, body, status, attempts, nextAttemptAt, lastError, createdAt, pendingSince)
       VALUES ((SELECT MIN(id) FROM outbox_message), 'wecom_app', 'wecom_app:demo_queue_probe', '{}', 'pending', 3,
               UTC_TIMESTAMP(3) + INTERVAL 1 HOUR, '502 bad gateway（探测）', UTC_TIMESTAMP(3) - INTERVAL 2 HOUR, UTC_TIMESTAMP(3) - INTERVAL 2 HOUR)`,
    );
    const page = await loginAs(context, app.product.server.url, ADMIN);
    await page.click('#console-nav-deliveries');
    await page.waitForSelector('#delivery-list', { timeout: 15_000 });
    // channel-health is not there (404): no banner
    expect(await page.locator('.deliveries__banner').count()).toBe(0);
    await page.locator(`.delivery-row--dead[data-id="${id}"]`).waitFor();
    // the row names the supervisor, not only the WeCom id
    expect(await page.locator(`.delivery-row--dead[data-id="${id}"]`).innerText()).toContain('陈主管');
    const queue = await page.locator('.target-row[data-target="wecom_app:demo_queue_probe"]').innerText();
    expect(queue).toContain('最久等待 2 小时');
    expect(queue).toContain('502 bad gateway（探测）');
    expect(queue).toContain('排队 1 条');
    await shot(page, 'deliveries-console-1440');
    await resendInPage(page, id, reason);
  } finally {
    await context.close();
  }
});

it('at phone width an admin reaches it from 我的 and re-sends a dead card', async () => {
  const reason = 'connect ETIMEDOUT（连接超时）';
  const id = await deadCard('e2e-dead-phone', reason);
  const context = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const page = await loginAs(context, app.product.server.url, ADMIN);
    // GET /admin/channel-health comes from another change: here it answers as specified, one channel down
    await page.route('**/api/v1/admin/channel-health*', (route) =>
      route.fulfill({ json: [
        { channel: 'wecom', healthy: false, reason: '40001 凭证无效', since: new Date().toISOString(), pendingCount: 7 },
        { channel: 'dingtalk', healthy: true, reason: null, since: null, pendingCount: 0 },
      ] }),
    );
    await openTab(page, '我的');
    await page.click('#deliveries-entry');
    await page.locator(`.delivery-row--dead[data-id="${id}"]`).waitFor({ timeout: 15_000 });
    // a red banner for the unhealthy channel only
    expect(await page.locator('.deliveries__banner').count()).toBe(1);
    const banner = await page.textContent('#health-wecom');
    expect(banner).toContain('企业微信 暂不可用');
    expect(banner).toContain('40001 凭证无效');
    expect(banner).toContain('7 条消息排队等待');
    await shot(page, 'deliveries-phone-390');
    await resendInPage(page, id, reason);
  } finally {
    await context.close();
  }
});

it('others see no 消息投递 entry', async () => {
  const context = await app.browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await loginAs(context, app.product.server.url, '13800000011');
    expect(await page.locator('#console-nav-deliveries').count()).toBe(0);
    await openTab(page, '我的');
    await page.waitForSelector('#me-name');
    expect(await page.locator('#deliveries-entry').count()).toBe(0);
  } finally {
    await context.close();
  }
});
