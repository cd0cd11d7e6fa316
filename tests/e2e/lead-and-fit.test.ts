import type { BrowserContext, Page } from 'playwright-core';
import { api } from '../support/http';
import { loginAs as loginAsIn, pickOption as pick, shot, TINY_PNG } from './browser';
import { productInBrowser } from './product';

const app = productInBrowser();
const REP_PHONE = '13800000101';

const loginAs = (context: BrowserContext, phone: string) => loginAsIn(context, app.product.server.url, phone);

describe('a new lead: 首次触达 from the phone', () => {
  let leadId: number;
  let context: BrowserContext;
  let page: Page;
  const firstTouches = async () =>
    Number((await app.product.query<{ n: number }>('SELECT COUNT(*) AS n FROM first_touch WHERE customerId = ?', [leadId]))[0]!.n);

  beforeAll(async () => {
    const login = await api(app.product.server.url, 'POST', '/api/v1/auth/dev-login', { json: { phone: REP_PHONE } });
    const options = await api(app.product.server.url, 'GET', '/api/v1/options', { token: login.body.token });
    const created = await api(app.product.server.url, 'POST', '/api/v1/customers', {
      token: login.body.token,
      json: { name: '滨江口腔诊所', industry: options.body.industries[0], stage: 'lead' },
    });
    expect(created.status).toBe(201);
    leadId = created.body.id;
    context = await app.browser.newContext({ viewport: { width: 375, height: 760 } });
    page = await loginAs(context, REP_PHONE);
  });
  afterAll(() => context.close());

  it('the lead shows its first-touch deadline; an incomplete record is refused and nothing is stored', async () => {
    await page.goto(`${app.product.server.url}/app/#/pages/customer/index?id=${leadId}`);
    await page.waitForSelector('#first-touch', { timeout: 10_000 });
    expect(await page.textContent('.customer__first-touch')).toContain('完成首次触达');
    await page.click('#first-touch');
    await page.waitForSelector('#verbatim textarea', { timeout: 15_000 });
    await page.click('#submit-first-touch');
    await page.waitForSelector('#first-touch-error');
    expect(await page.$('#field-verbatim.field-error')).not.toBeNull();
    expect(await page.textContent('#field-evidenceText .field__message')).toBe('请上传截图或粘贴聊天记录作为凭证');
    await shot(page, 'first-touch-refused');
    expect(await firstTouches()).toBe(0);
  });

  it('the supervisor sees the deadline but cannot record the rep\u2019s first touch', async () => {
    const supervisor = await app.browser.newContext({ viewport: { width: 375, height: 760 } });
    try {
      const page = await loginAs(supervisor, '13800000011');
      await page.goto(`${app.product.server.url}/app/#/pages/customer/index?id=${leadId}`);
      await page.waitForSelector('.customer__first-touch', { timeout: 10_000 });
      expect(await page.textContent('.customer__first-touch')).toContain('完成首次触达');
      expect(await page.$('#first-touch')).toBeNull();
    } finally {
      await supervisor.close();
    }
  });

  it('method, the customer\u2019s words and a screenshot are stored once and appear in the timeline', async () => {
    await pick(page, 'method', '微信');
    await page.fill('#verbatim textarea', '先发资料看看, 下周再约');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#evidence-photo-add')]);
    await chooser.setFiles({ name: 'chat.png', mimeType: 'image/png', buffer: TINY_PNG });
    await page.waitForSelector('.evidence-photo-item', { timeout: 10_000 });
    await page.waitForFunction(() => !(globalThis as any).document.querySelector('.evidence-photo-item')?.innerText.includes('上传中'), undefined, { timeout: 10_000 });
    await shot(page, 'first-touch-filled');
    await page.click('#submit-first-touch');
    await page.waitForSelector('.timeline-item--first_touch', { timeout: 15_000 });
    expect(await page.textContent('.timeline-item--first_touch')).toContain('首次触达（微信）');
    await page.waitForSelector('.timeline-item--first_touch .photo-thumbs img[src^="blob:"]', { timeout: 10_000 });
    expect(await page.$('#first-touch')).toBeNull();
    const rows = await app.product.query<{ method: string; verbatim: string; evidencePhotoId: number | null }>(
      'SELECT method, verbatim, evidencePhotoId FROM first_touch WHERE customerId = ?',
      [leadId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ method: '微信', verbatim: '先发资料看看, 下周再约' });
    const photo = await app.product.query<{ firstTouchId: number | null; mimeType: string }>("SELECT CASE WHEN ownerKind = 'first_touch' THEN ownerId END AS firstTouchId, contentType AS mimeType FROM attachment WHERE id = ?", [rows[0]!.evidencePhotoId]);
    expect(photo[0]).toMatchObject({ mimeType: 'image/png' });
    expect(photo[0]!.firstTouchId).not.toBeNull();
  });
});

describe('my customers: filters', () => {
  it('the grade filter shows only that grade, and the list counts them', async () => {
    const context = await app.browser.newContext({ viewport: { width: 375, height: 760 } });
    try {
      const page = await loginAs(context, REP_PHONE);
      await pick(page, 'grade-filter', 'A 级');
      await page.waitForFunction(() => {
        const items = [...(globalThis as any).document.querySelectorAll('.customer-item')] as any[];
        return items.length > 0 && items.every((e) => e.innerText.includes('A 级'));
      }, undefined, { timeout: 10_000 });
      const [rep] = await app.product.query<{ id: number }>('SELECT id FROM member WHERE phone = ?', [REP_PHONE]);
      const [count] = await app.product.query<{ n: number }>("SELECT COUNT(*) AS n FROM customer WHERE ownerId = ? AND grade = 'A'", [rep!.id]);
      expect(await page.textContent('.customers__total')).toContain(`共 ${Number(count!.n)} 家`);
    } finally {
      await context.close();
    }
  });
});

describe('fit on a 320 px phone', () => {
  const SUPERVISOR_PHONE = '13800000011';

  /** Every screen of `phone`'s round: nothing scrolls sideways, taps are ≥ 44 px, enabled buttons look enabled. */
  async function checkScreens(phone: string, screens: [string, string, string][]) {
    const context = await app.browser.newContext({ viewport: { width: 320, height: 640 } });
    try {
      const page = await loginAs(context, phone);
      for (const [name, url, ready] of screens) {
        await page.goto(`${app.product.server.url}${url}`);
        await page.waitForSelector(ready, { timeout: 15_000 });
        if (name === 'visit') await page.click('#more-toggle');
        await shot(page, `320-${name}`);
        const layout = await page.evaluate(() => {
          const doc = (globalThis as any).document;
          const targets = [...doc.querySelectorAll('.btn, .chip, .picker-box, .input, .photo-picker__add, #more-toggle')]
            .map((e: any) => ({ what: e.id || e.className, rect: e.getBoundingClientRect() }))
            .filter((t: any) => t.rect.width > 0);
          const small = targets
            .filter((t: any) => t.rect.height < 43.5 || t.rect.width < 43.5)
            .map((t: any) => `${t.what} ${Math.round(t.rect.width)}×${Math.round(t.rect.height)}`);
          const faded = [...doc.querySelectorAll('.btn')]
            .filter((e: any) => e.getAttribute('disabled') !== 'true' && (globalThis as any).getComputedStyle(e).opacity !== '1')
            .map((e: any) => e.id || e.innerText);
          const wide = [...doc.querySelectorAll('body *')]
            .filter((e: any) => e.getBoundingClientRect().right > 320.5)
            .slice(0, 3)
            .map((e: any) => `${e.tagName.toLowerCase()}.${e.className} → ${Math.round(e.getBoundingClientRect().right)}`);
          return { scrollWidth: doc.documentElement.scrollWidth as number, wide, small, faded, measured: targets.length };
        });
        expect(layout.measured).toBeGreaterThan(0);
        expect({ name, scrollWidth: layout.scrollWidth, wide: layout.wide, small: layout.small, faded: layout.faded }).toEqual({ name, scrollWidth: 320, wide: [], small: [], faded: [] });
      }
    } finally {
      await context.close();
    }
  }

  it('the rep’s screens', async () => {
    const [customer] = await app.product.query<{ id: number }>('SELECT c.id FROM customer c JOIN member m ON m.id = c.ownerId WHERE m.phone = ? LIMIT 1', [REP_PHONE]);
    await checkScreens(REP_PHONE, [
      ['customers', `/app/#/pages/customers/index`, '.customer-item'],
      ['customer', `/app/#/pages/customer/index?id=${customer!.id}`, '#new-visit'],
      ['visit', `/app/#/pages/visit/index?customerId=${customer!.id}`, '#submit-visit'],
      ['todos-rep', `/app/#/pages/todos/index`, '.page'],
    ]);
  });

  it('the supervisor’s to-do cards', async () => {
    // one visit from the rep, so the supervisor has a card to confirm
    const login = await api(app.product.server.url, 'POST', '/api/v1/auth/dev-login', { json: { phone: REP_PHONE } });
    const [customer] = await app.product.query<{ id: number }>('SELECT c.id FROM customer c JOIN member m ON m.id = c.ownerId WHERE m.phone = ? LIMIT 1', [REP_PHONE]);
    const tomorrow = new Date(Date.now() + 8 * 3_600_000 + 86_400_000).toISOString().slice(0, 10);
    const visit = await api(app.product.server.url, 'POST', '/api/v1/visits', {
      token: login.body.token,
      headers: { 'idempotency-key': `fit-${Date.now()}` },
      json: {
        customerId: customer!.id, objective: '推进方案', painPoint: '设备安装调试太慢', dialogueSummary: '主任希望看到三甲医院的案例',
        bottleneck: '集采降价压力', valuePoint: '48 小时装好', agreedAction: '安排演示', nextFollowUpDate: tomorrow,
        nextFollowUpTime: '10:00', nextFollowUpForm: '上门', alert: false,
      },
    });
    expect(visit.status).toBe(201);
    await checkScreens(SUPERVISOR_PHONE, [['todos-supervisor', `/app/#/pages/todos/index`, '.confirm-todo']]);
  });
});
