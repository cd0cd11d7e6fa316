import type { Browser, BrowserContext, Page } from 'playwright-core';
import { h5Link } from '@anchor/shared';
import type { Member } from '../../server/src/modules/org/member.entity';
import { withTransaction } from '../../server/src/db/transaction';
import { serverModules } from '../../server/src/modules';
import { purchaseModule } from '../fixtures/purchase-module';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { launchBrowser, requireH5Build, shot } from './browser';

/**
 * Task pools in the app: the admin sees on 我的 that nobody is picked as 市场负责人 (so every marketing
 * member acts meanwhile), picks one and saves; the marketing member who was not picked then sees only
 * 市场部 on the 任务 screen's pool tab and not the lead's task, the one picked sees both.
 */
let h: Harness;
let org: OrgFixture;
let browser: Browser;
let lead: Member;
let seq = 0;

beforeAll(async () => {
  requireH5Build();
  h = await startHarness({ modules: [...serverModules(), purchaseModule], now: new Date() });
  org = await buildOrg(h);
  lead = await h.services.org.createMember({ name: '市场甲', phone: '13900099201', role: 'marketing' });
  org.tokens.set(lead.id, (await h.services.auth.issueSession(lead, 'wechat')).token);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** Signed in as `member`, with the session as the app stores it after login (without taskPools: an older login). */
async function openAs(member: Member, viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  const token = org.token(member);
  const { taskPools: _pools, ...me } = (await api(h.url, 'GET', '/api/v1/me', { token })).body;
  const context = await browser.newContext({ viewport });
  const session = JSON.stringify({ data: { token, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), member: me } });
  await context.addInitScript(`window.localStorage.setItem('anchor.session', ${JSON.stringify(session)})`);
  return { context, page: await context.newPage() };
}

const leadTask = () =>
  withTransaction(h.db, (m) => h.services.tasks.create(m, { kind: 'test_notice', subjectType: 'campaign', subjectId: ++seq, requesterId: org.repA.id, assigneePool: 'marketing_lead', snapshot: { item: `春季活动 #${seq}` } }));

for (const viewport of [{ width: 390, height: 844, tag: 'phone' }, { width: 1440, height: 900, tag: 'desktop' }]) {
  describe(`任务池 at ${viewport.width}×${viewport.height}`, () => {
    it('the admin picks the marketing lead on 我的; the pool tab then names only the pools each member acts in', async () => {
      await api(h.url, 'PUT', '/api/v1/task-pools/marketing_lead/members', { token: org.token(org.admin), json: { memberIds: [] } });
      const task = await leadTask();
      const admin = await openAs(org.admin, viewport);
      try {
        const page = admin.page;
        await page.goto(h5Link(h.url, 'me', {}));
        await page.waitForSelector('#task-pool-marketing_lead-warning', { timeout: 20_000 });
        expect(await page.textContent('#task-pool-marketing_lead-warning')).toContain('尚未选定「市场负责人」的成员');
        expect(await page.textContent('#task-pool-finance')).toContain('全部财务');
        await shot(page, `task-pools-${viewport.tag}-unpicked`);
        await page.click(`#task-pool-marketing_lead-member-${lead.id}`);
        await page.click('#task-pool-marketing_lead-save');
        await page.waitForSelector('#task-pool-marketing_lead-saved', { timeout: 20_000 });
        expect(await page.isVisible('#task-pool-marketing_lead-warning')).toBe(false);
        expect(await page.getAttribute(`#task-pool-marketing_lead-member-${lead.id}`, 'class')).toContain('chip--on');
        await shot(page, `task-pools-${viewport.tag}-picked`);
      } finally {
        await admin.context.close();
      }
      expect((await api(h.url, 'GET', '/api/v1/task-pools', { token: org.token(org.admin) })).body.items.find((p: { id: string }) => p.id === 'marketing_lead').members).toEqual([{ id: lead.id, name: '市场甲' }]);

      const other = await openAs(org.marketing, viewport);
      try {
        await other.page.goto(h5Link(h.url, 'tasks', {}));
        await other.page.waitForSelector('#tasks-tab-pool', { timeout: 20_000 });
        expect(await other.page.textContent('#tasks-tab-pool')).toBe('任务池 · 市场部');
        await other.page.click('#tasks-tab-pool');
        await other.page.waitForSelector('#tasks-empty', { timeout: 20_000 });
        expect(await other.page.isVisible(`#task-${task.id}`)).toBe(false);
      } finally {
        await other.context.close();
      }

      const picked = await openAs(lead, viewport);
      try {
        await picked.page.goto(h5Link(h.url, 'tasks', {}));
        await picked.page.waitForSelector('#tasks-tab-pool', { timeout: 20_000 });
        expect(await picked.page.textContent('#tasks-tab-pool')).toBe('任务池 · 市场部、市场负责人');
        await picked.page.click('#tasks-tab-pool');
        await picked.page.waitForSelector(`#task-${task.id}`, { timeout: 20_000 });
        expect(await picked.page.textContent(`#task-${task.id}-pool`)).toBe('任务池：市场负责人');
        await shot(picked.page, `task-pools-${viewport.tag}-lead-tab`);
        await picked.page.click(`#task-${task.id}-confirm`);
        await picked.page.waitForSelector(`#task-${task.id}-outcome`, { timeout: 20_000 });
        expect(await picked.page.textContent(`#task-${task.id}-outcome`)).toBe('已确认');
      } finally {
        await picked.context.close();
      }
    });
  });
}
