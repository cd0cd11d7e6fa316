import { randomUUID } from 'node:crypto';
import { launchBrowser, loginAs } from '../tests/e2e/browser';
import { startProduct } from '../tests/e2e/product';
import { api } from '../tests/support/http';
(async () => {
  const product = await startProduct();
  const browser = await launchBrowser();
  try {
    const base = product.server.url;
    const login = await api(base, 'POST', '/api/v1/auth/dev-login', { json: { phone: '13800000101' } });
    const token = login.body.token;
    const customers = await api(base, 'GET', '/api/v1/customers?pageSize=5', { token });
    const customer = customers.body.items[0];
    const tomorrow = new Date(Date.now() + 8 * 3600_000 + 86400_000).toISOString().slice(0, 10);
    const res = await api(base, 'POST', '/api/v1/visits', { token, headers: { 'idempotency-key': randomUUID() }, json: {
      customerId: customer.id, objective: '推进方案', painPoint: '设备安装调试太慢', dialogueSummary: '主任希望看到三甲医院的案例', bottleneck: '集采降价压力',
      valuePoint: '48 小时装好', agreedAction: '安排演示', nextFollowUpDate: tomorrow, nextFollowUpTime: '10:00', nextFollowUpForm: '上门', savedAt: new Date(Date.now() - 3 * 3600_000).toISOString() } });
    console.log('visit', res.status, JSON.stringify(res.body).slice(0, 200));
    const context = await browser.newContext({ viewport: { width: 320, height: 900 } });
    const page = await loginAs(context, base, '13800000101');
    await page.goto(`${base}/app/#/pages/customer/index?id=${customer.id}`);
    await page.waitForSelector('.timeline-item--visit', { timeout: 15000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: 'tmp-debug/customer.png', fullPage: false });
    console.log(await page.textContent('.timeline-item--visit'));
    await page.goto(`${base}/app/#/pages/visit/index?customerId=${customer.id}`);
    await page.waitForSelector('#submit-visit', { timeout: 15000 });
    await page.fill('#valuePoint input', '装得快');
    await page.fill('#dialogueSummary textarea', '王主任认可快速安装服务！');
    await page.waitForTimeout(300);
    await page.locator('#field-valuePoint').scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'tmp-debug/visit320.png', fullPage: true });
  } finally {
    await browser.close();
    await product.stop();
  }
})();
