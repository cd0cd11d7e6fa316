import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { api } from '../support/http';
import { buildWorkbook } from '../support/xlsx';
import { loginAs as loginAsIn, pickOption as pick, shot } from './browser';
import { productInBrowser } from './product';

/**
 * rep → supervisor → director in the demo product, at a phone's and a desktop's size: the rep creates a
 * customer, a visit is logged, the supervisor confirms it; another goes past its 48 h and the director
 * sees it escalated, naming rep and supervisor; the director confirms a supervisor's own visit.
 */
const app = productInBrowser();
const REP = { phone: '13800000101', name: '王小明' };
const SUPERVISOR = { phone: '13800000011', name: '陈主管' };
const DIRECTOR = { phone: '13800000001', name: '周建国' };
const FINANCE = '13800000021';

const loginAs = (context: BrowserContext, phone: string) => loginAsIn(context, app.product.server.url, phone);
const url = (hash: string) => `${app.product.server.url}/app/#/${hash}`;

async function tokenOf(phone: string): Promise<string> {
  const login = await api(app.product.server.url, 'POST', '/api/v1/auth/dev-login', { json: { phone } });
  expect(login.status).toBe(200);
  return login.body.token;
}

/**
 * A complete visit through the API: the visit form has its own end-to-end test, this one is about what
 * each role sees after it.
 */
async function logVisit(token: string, customerId: number): Promise<{ visitId: number; todoId: number }> {
  const options = await api(app.product.server.url, 'GET', '/api/v1/options', { token });
  const o = options.body;
  const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const res = await api(app.product.server.url, 'POST', '/api/v1/visits', {
    token,
    headers: { 'idempotency-key': randomUUID() },
    json: {
      customerId, objective: o.visitObjectives[1], painPoint: '科室反映现有设备安装调试太慢，影响手术排期',
      dialogueSummary: '王主任认可我们的快速安装服务，希望看到三甲医院的实际案例，并关心集采后的价格。', bottleneck: o.bottlenecks[0],
      valuePoint: '48 小时完成安装调试', agreedAction: o.agreedActions[1], nextFollowUpDate: tomorrow, nextFollowUpTime: '14:30', nextFollowUpForm: o.followUpForms[2], alert: false,
    },
  });
  expect(res.status).toBe(201);
  const [todo] = await app.product.query<{ id: number }>('SELECT id FROM todo WHERE visitId = ?', [res.body.id]);
  return { visitId: res.body.id, todoId: Number(todo!.id) };
}

/** 48 h pass for one to-do: its deadline and its timer move to now, and the server's job pass escalates it. */
async function letItGoOverdue(visitId: number, todoId: number): Promise<void> {
  const past = new Date(Date.now() - 3 * 3_600_000);
  await app.product.query('UPDATE todo SET dueAt = ? WHERE id = ?', [past, todoId]);
  await app.product.query("UPDATE job SET dueAt = ? WHERE kind = 'todo.escalate' AND subject = ?", [past, `visit:${visitId}`]);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const [row] = await app.product.query<{ escalatedAt: Date | null }>('SELECT escalatedAt FROM todo WHERE id = ?', [todoId]);
    if (row?.escalatedAt) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`to-do ${todoId} was not escalated within 20 s`);
}

for (const viewport of [{ width: 390, height: 844, tag: 'phone' }, { width: 1440, height: 900, tag: 'desktop' }]) {
  describe(`rep → supervisor → director at ${viewport.width}×${viewport.height}`, () => {
    const contexts: BrowserContext[] = [];
    const customerName = `西溪${viewport.tag === 'phone' ? '康复' : '口腔'}医院（角色测试）`;
    let customerId = 0;
    let confirmedTodo = 0;
    let escalatedTodo = 0;
    const open = async (phone: string) => {
      const context = await app.browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
      contexts.push(context);
      return loginAs(context, phone);
    };
    const screenshot = (page: Page, name: string) => shot(page, `roles-${viewport.tag}-${name}`);
    afterAll(async () => {
      for (const c of contexts) await c.close();
    });

    it('the rep sees what waits on their home, creates a customer and reaches its page with a dialable phone', async () => {
      const page = await open(REP.phone);
      await page.waitForSelector('#home-summary', { timeout: 10_000 });
      expect(await page.textContent('#home-leads')).toMatch(/待首次触达 \d+/);
      await screenshot(page, 'rep-home');

      await page.click('#new-customer');
      await page.waitForSelector('#save-customer', { timeout: 15_000 });
      await page.click('#save-customer');
      expect(await page.textContent('#field-name .field__message')).toBe('请填写客户名称');
      expect(await page.textContent('#field-industry .field__message')).toBe('请选择所属行业');
      await page.fill('#name input', customerName);
      await pick(page, 'industry', '公立医院');
      await page.fill('#contactName input', '王主任');
      await page.fill('#contactPhone input', '0571-8888 6666');
      await screenshot(page, 'rep-new-customer');
      await page.click('#save-customer');
      await page.waitForFunction((name) => (globalThis as any).document.querySelector('#customer-name')?.textContent?.includes(name), customerName, { timeout: 15_000 });
      expect(await page.getAttribute('#contact-phone', 'href')).toBe('tel:057188886666');
      expect(await page.$('#back')).not.toBeNull();
      expect(await page.$('#new-visit')).not.toBeNull();
      await page.click('#show-qr');
      await page.waitForSelector('#customer-qr-image', { timeout: 10_000 });
      expect(await page.textContent('#customer-qr')).toContain(customerName);
      await screenshot(page, 'rep-customer');
      const [row] = await app.product.query<{ id: number }>('SELECT id FROM customer WHERE name = ?', [customerName]);
      customerId = Number(row!.id);
    });

    it('a visit is logged; the supervisor sees the card naming the rep and confirms it', async () => {
      confirmedTodo = (await logVisit(await tokenOf(REP.phone), customerId)).todoId;
      const page = await open(SUPERVISOR.phone);
      await page.goto(url('pages/todos/index'));
      await page.waitForSelector(`#todo-${confirmedTodo}`, { timeout: 15_000 });
      const card = await page.textContent(`#todo-${confirmedTodo}`);
      expect(card).toContain(customerName);
      expect(card).toContain(`销售：${REP.name}`);
      await screenshot(page, 'supervisor-todos');
      await page.click(`#confirm-todo-${confirmedTodo}`);
      await page.waitForFunction((id) => (globalThis as any).document.querySelector(`#todo-${id}`)?.textContent?.includes('已确认'), confirmedTodo, { timeout: 10_000 });
      const [todo] = await app.product.query<{ confirmedById: number }>('SELECT confirmedById FROM todo WHERE id = ?', [confirmedTodo]);
      expect(todo!.confirmedById).not.toBeNull();
    });

    it('the supervisor moves the customer to 拜访; the rep finds the visit waiting on their home', async () => {
      const page = await open(SUPERVISOR.phone);
      await page.goto(url(`pages/customer-edit/index?id=${customerId}`));
      await page.waitForSelector('#save-customer', { timeout: 15_000 });
      await pick(page, 'stage', '拜访');
      expect(await page.textContent('#visit-hint')).toContain('负责人会立即收到待拜访提醒');
      await page.click('#save-customer');
      await page.waitForFunction(() => (globalThis as any).document.querySelector('.customer__stage')?.textContent?.includes('拜访'), undefined, { timeout: 15_000 });
      const [message] = await app.product.query<{ n: number }>("SELECT COUNT(*) AS n FROM outbox_message WHERE kind = 'customer.visit_waiting' AND JSON_EXTRACT(payload, '$.customerId') = ?", [customerId]);
      expect(Number(message!.n)).toBe(1);

      const rep = await open(REP.phone);
      await rep.waitForSelector('#home-pending-visits', { timeout: 10_000 });
      expect(await rep.textContent('#home-summary')).toContain(customerName);
      await screenshot(rep, 'rep-home-visit-waiting');
    });

    it('an unconfirmed to-do past 48 h reaches the director: rep, supervisor, how late, 已升级', async () => {
      const { visitId, todoId } = await logVisit(await tokenOf(REP.phone), customerId);
      escalatedTodo = todoId;
      await letItGoOverdue(visitId, todoId);
      const page = await open(DIRECTOR.phone);
      await page.goto(url('pages/todos/index'));
      await page.waitForSelector(`#todos-escalated #todo-${escalatedTodo}`, { timeout: 15_000 });
      const card = (await page.textContent(`#todos-escalated #todo-${escalatedTodo}`))!;
      expect(card).toContain(customerName);
      expect(card).toContain('已升级');
      expect(card).toContain(`销售：${REP.name}`);
      expect(card).toContain(`确认人：${SUPERVISOR.name}`);
      expect(card).toMatch(/已超时 \d+ 小时/);
      expect(await page.$(`#todos-escalated #confirm-todo-${escalatedTodo}`)).toBeNull();
      await screenshot(page, 'director-todos');

      // the rep's own list marks it too
      const rep = await open(REP.phone);
      await rep.goto(url('pages/todos/index'));
      await rep.waitForSelector(`#todo-${escalatedTodo}`, { timeout: 15_000 });
      expect(await rep.textContent(`#todo-${escalatedTodo}`)).toContain('已升级');
    });

    it("the director confirms a supervisor's own visit from 待我确认", async () => {
      const supervisorToken = await tokenOf(SUPERVISOR.phone);
      const own = await api(app.product.server.url, 'POST', '/api/v1/customers', { token: supervisorToken, json: { name: `${customerName}分院`, industry: '公立医院', stage: 'proposal' } });
      expect(own.status).toBe(201);
      const { todoId } = await logVisit(supervisorToken, own.body.id);
      const page = await open(DIRECTOR.phone);
      await page.goto(url('pages/todos/index'));
      await page.waitForSelector(`#todos-confirm #confirm-todo-${todoId}`, { timeout: 15_000 });
      expect(await page.textContent(`#todos-confirm #todo-${todoId}`)).toContain(`销售：${SUPERVISOR.name}`);
      await page.click(`#todos-confirm #confirm-todo-${todoId}`);
      await page.waitForFunction((id) => (globalThis as any).document.querySelector(`#todos-confirm #todo-${id}`)?.textContent?.includes('已确认'), todoId, { timeout: 10_000 });
      await screenshot(page, 'director-confirmed');
    });

    it('finance reads the customer without 新建拜访 or supervisor wording; a missing customer offers only 返回', async () => {
      const page = await open(FINANCE);
      await page.goto(url(`pages/customer/index?id=${customerId}`));
      await page.waitForFunction((name) => (globalThis as any).document.querySelector('#customer-name')?.textContent?.includes(name), customerName, { timeout: 15_000 });
      expect(await page.$('#new-visit')).toBeNull();
      expect(await page.$('#edit-customer')).toBeNull();
      await page.goto(url('pages/todos/index'));
      await page.waitForSelector('#todos-intro', { timeout: 10_000 });
      const todos = (await page.textContent('.todos'))!;
      expect(todos).not.toMatch(/下属|主管|确认/);
      expect(await page.$('.todo-item')).toBeNull();

      await page.goto(url('pages/customer/index?id=2147483000'));
      await page.waitForSelector('#customer-missing', { timeout: 15_000 });
      // pages behind this one stay in the DOM, hidden: count what the person can see
      const buttons = await page.$$eval('.customer button, .customer .btn', (els) => els.filter((e: any) => e.offsetParent !== null).map((e: any) => e.textContent.trim()));
      expect(buttons).toEqual(['返回']);
      await screenshot(page, 'customer-missing');
    });

    if (viewport.tag === 'desktop') {
      it('the web console previews an Excel import with its bad rows, then imports', async () => {
        const page = await open(SUPERVISOR.phone);
        await page.goto(url('packages/import/index'));
        await page.waitForSelector('#import-file', { timeout: 15_000 });
        const bad = await buildWorkbook([['客户名称', '所属行业', '当前阶段'], ['导入测试医院甲', '公立医院', '线索'], ['导入测试医院乙', '不存在的行业', '线索']]);
        await page.setInputFiles('#import-file', { name: 'customers.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: bad });
        await page.waitForSelector('#import-errors', { timeout: 15_000 });
        expect(await page.textContent('#import-summary')).toContain('有问题 1 行');
        expect(await page.textContent('#import-errors')).toContain('第 3 行');
        // Taro's H5 button writes disabled="false" when enabled
        const disabled = await page.getAttribute('#commit-import', 'disabled');
        expect(disabled !== null && disabled !== 'false').toBe(true);
        await screenshot(page, 'import-preview');

        const good = await buildWorkbook([['客户名称', '所属行业', '当前阶段'], ['导入测试医院甲', '公立医院', '线索']]);
        await page.setInputFiles('#import-file', { name: 'customers.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: good });
        await page.waitForSelector('#import-sample', { timeout: 15_000 });
        await page.click('#commit-import');
        await page.waitForSelector('#import-done', { timeout: 15_000 });
        expect(await page.textContent('#import-done')).toContain('已导入 1 家客户');
        const [row] = await app.product.query<{ n: number }>("SELECT COUNT(*) AS n FROM customer WHERE name = '导入测试医院甲'");
        expect(Number(row!.n)).toBe(1);
      });
    }
  });
}
