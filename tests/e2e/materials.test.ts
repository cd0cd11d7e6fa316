import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { loginAs, shot } from './browser';
import { productInBrowser } from './product';

// The material center as people use it: marketing uploads a PDF with a tag at the console; a rep finds
// it on the phone, shares it; the customer opens the link in a browser with no session (a second
// context), and the open is recorded and shown to the rep.
const app = productInBrowser();
const MARKETING = '13800000031';
const REP = '13800000101';
const SHOTS = '/work/shots/materials';
mkdirSync(SHOTS, { recursive: true });
const both = async (page: Page, name: string) => {
  await shot(page, `materials-${name}`);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
};
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const TITLE = '端到端快装方案';

it('marketing uploads at the console; a rep finds and shares it on the phone; the customer opens it without a login and the rep sees it', async () => {
  const base = app.product.server.url;

  // ── marketing, 1440 × 900 ─────────────────────────────────────────────────────────────────────
  const desk = await app.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const m = await loginAs(desk, base, MARKETING);
  await m.click('#console-nav-materials');
  await m.waitForSelector('#material-list .material-card', { timeout: 20_000 });
  await m.click('#materials-manage');
  await m.waitForSelector('#material-form', { timeout: 20_000 });
  await m.click('.kind-chip[data-kind="pdf"]');
  await m.fill('#material-title-input input', TITLE);
  const [chooser] = await Promise.all([m.waitForEvent('filechooser'), m.click('#material-pick')]);
  await chooser.setFiles({ name: 'quick-install.pdf', mimeType: 'application/pdf', buffer: PDF });
  await m.waitForSelector('#material-file-name:has-text("quick-install.pdf")');
  await m.click('#material-tags .chip[data-value="集采替代方案沟通"]');
  await m.click('#material-bottlenecks .chip[data-value="集采降价压力"]');
  await m.click('#material-save');
  await m.waitForSelector(`#manage-notice:has-text("已上架「${TITLE}」")`, { timeout: 20_000 });
  await m.waitForSelector(`#manage-materials .manage__row:has-text("${TITLE}")`);
  await m.waitForSelector('#usage-by-material');
  await both(m, 'manage-1440');
  const [row] = await app.product.query<{ id: number; kind: string }>('SELECT id, kind FROM material WHERE title = ?', [TITLE]);
  expect(row).toMatchObject({ kind: 'pdf' });

  // ── the rep, 390 × 844 ────────────────────────────────────────────────────────────────────────
  const phone = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
  const r = await loginAs(phone, base, REP);
  await r.goto(`${base}/app/#/pages/me/index`);
  await r.click('#materials-entry');
  await r.waitForSelector('#material-list .material-card', { timeout: 20_000 });
  await r.fill('#materials-q input', '快装');
  await r.click('#materials-search');
  await r.waitForSelector(`#material-list .material-card:has-text("${TITLE}")`, { timeout: 20_000 });
  await both(r, 'list-390');
  await r.click(`#material-list .material-card:has-text("${TITLE}")`);
  await r.waitForSelector(`#material-title:has-text("${TITLE}")`, { timeout: 20_000 });
  expect(await r.locator('#material-open').innerText()).toContain('PDF');
  await r.click('#material-share');
  const card = r.locator('.share-card').first();
  await card.waitFor({ timeout: 20_000 });
  await r.waitForSelector('.share-card img.share-card__qr, .share-card .share-card__qr img', { timeout: 20_000 }).catch(() => undefined);
  expect(await card.innerText()).toContain('尚无人打开');
  await both(r, 'detail-390');
  const token = (await card.getAttribute('data-token'))!;
  expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  // opening it was a view (the page reloads after sharing: another), sharing it one share
  const used = await app.product.query<{ action: string; n: number }>('SELECT action, COUNT(*) AS n FROM material_usage WHERE materialId = ? GROUP BY action', [row!.id]);
  expect(Number(used.find((u) => u.action === 'share')!.n)).toBe(1);
  expect(Number(used.find((u) => u.action === 'view')!.n)).toBeGreaterThanOrEqual(1);

  // ── the customer: a second browser context, no session ─────────────────────────────────────────
  const customer = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
  const c = await customer.newPage();
  const opened = await c.goto(`${base}/api/v1/s/${token}`);
  expect(opened!.status()).toBe(200);
  await c.waitForSelector(`h1:has-text("${TITLE}")`);
  expect(await c.locator('a.btn').innerText()).toContain('打开 PDF');
  await both(c, 'share-page-390');
  const [share] = await app.product.query<{ openCount: number; firstOpenedAt: Date | null }>('SELECT openCount, firstOpenedAt FROM material_share WHERE token = ?', [token]);
  expect(share).toMatchObject({ openCount: 1 });
  expect(share!.firstOpenedAt).not.toBeNull();
  expect(await app.product.query('SELECT o.id FROM material_share_open o JOIN material_share s ON s.id = o.shareId WHERE s.token = ?', [token])).toHaveLength(1);

  // the rep sees the open
  await r.reload();
  await r.waitForSelector('.share-card', { timeout: 20_000 });
  expect(await r.locator(`.share-card[data-token="${token}"]`).innerText()).toContain('已打开 1 次');

  // revoked: the customer's next open is a Chinese 410 page
  await r.locator(`.share-card[data-token="${token}"] .share-card__revoke`).click();
  await r.waitForSelector(`.share-card[data-token="${token}"]:has-text("已撤回")`, { timeout: 20_000 });
  const gone = await c.goto(`${base}/api/v1/s/${token}`);
  expect(gone!.status()).toBe(410);
  expect(await c.textContent('h1')).toBe('该分享链接已被撤回');
  await both(c, 'share-revoked-390');

  // the other sizes: the library and the material at the console, the usage page on the phone
  const deskRep = await app.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const rd = await loginAs(deskRep, base, REP);
  await rd.click('#console-nav-materials');
  await rd.waitForSelector(`#material-list .material-card:has-text("${TITLE}")`, { timeout: 20_000 });
  await both(rd, 'list-1440');
  await rd.click(`#material-list .material-card:has-text("${TITLE}")`);
  await rd.waitForSelector('.share-card', { timeout: 20_000 });
  await both(rd, 'detail-1440');
  const phoneM = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
  const mp = await loginAs(phoneM, base, MARKETING);
  await mp.goto(`${base}/app/#/packages/materials/manage/index`);
  await mp.waitForSelector('#usage-by-material', { timeout: 20_000 });
  await both(mp, 'manage-390');
  for (const ctx of [desk, phone, customer, deskRep, phoneM]) await ctx.close();
}, 240_000);
