import { loginAs, shot } from './browser';
import { productInBrowser } from './product';

// The grading strategies as the demo plays them at start-up: 王小明's 三级甲等 hospital became A+ (he was
// pushed the 「A+客户支持包」 pack) and one customer of 陈主管's team slipped to C (a 客户降级复核 task for him).
const app = productInBrowser();
const REP = '13800000101';
const SUPERVISOR = '13800000011';

it('the rep finds the pushed 支持包 on the customer page and opens a material from it; the supervisor completes the review with 复核完成', async () => {
  const base = app.product.server.url;
  const [push] = await app.product.query<{ customerId: number }>('SELECT p.customerId FROM grade_pack_push p JOIN member m ON m.id = p.ownerId WHERE m.phone = ? ORDER BY p.id LIMIT 1', [REP]);
  expect(push).toBeDefined();

  // ── the rep, 390 × 844 ────────────────────────────────────────────────────────────────────────
  const phone = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
  const r = await loginAs(phone, base, REP);
  await r.goto(`${base}/app/#/pages/customer/index?id=${push!.customerId}`);
  await r.waitForSelector('#customer-support-pack .customer__pack-item', { timeout: 20_000 });
  const block = await r.locator('#customer-support-pack').innerText();
  for (const shown of ['支持包', '升为 A+ 客户时推送', '3 份素材', '快装方案', '安装周期对比图', '耗材三年价格锁定说明']) expect([shown, block.includes(shown)]).toEqual([shown, true]);
  await shot(r, 'grade-support-pack-390');
  await r.click('#customer-support-pack .customer__pack-item:has-text("快装方案")');
  await r.waitForSelector('#material-title:has-text("快装方案")', { timeout: 20_000 });
  // opened from the pack, for that customer: the view counts for it
  const views = await app.product.query<{ n: number }>("SELECT COUNT(*) AS n FROM material_usage u JOIN material m ON m.id = u.materialId WHERE m.title = '快装方案' AND u.customerId = ? AND u.action = 'view'", [push!.customerId]);
  expect(Number(views[0]!.n)).toBe(1);

  // ── the supervisor, 390 × 844 ─────────────────────────────────────────────────────────────────
  const [task] = await app.product.query<{ id: number }>("SELECT t.id FROM task t JOIN member m ON m.id = t.assigneeId WHERE t.kind = 'customer_grade_review' AND m.phone = ? ORDER BY t.id LIMIT 1", [SUPERVISOR]);
  expect(task).toBeDefined();
  const sup = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
  const s = await loginAs(sup, base, SUPERVISOR);
  await s.goto(`${base}/app/#/pages/tasks/index?id=${task!.id}`);
  const button = s.locator(`#task-${task!.id}-confirm`);
  await button.waitFor({ timeout: 20_000 });
  expect(await button.innerText()).toContain('复核完成');
  const card = await s.locator(`#task-${task!.id}`).innerText();
  for (const shown of ['客户降级复核', '等级：B → C', '负责人：', '总分：', '回款准时率：']) expect([shown, card.includes(shown)]).toEqual([shown, true]);
  await shot(s, 'grade-review-task-390');
  await button.click();
  await s.waitForSelector(`#task-${task!.id}-outcome:has-text("已确认")`, { timeout: 20_000 });
  const [settled] = await app.product.query<{ outcome: string }>('SELECT outcome FROM task WHERE id = ?', [task!.id]);
  expect(settled).toMatchObject({ outcome: 'done' });
});
