import type { Browser, BrowserContext, Page } from 'playwright-core';
import { h5Link } from '@anchor/shared';
import { loadPolicy, type Policy } from '../../server/src/config/policy';
import { serverModules } from '../../server/src/modules';
import type { Member } from '../../server/src/modules/org/member.entity';
import { defineModule } from '../../server/src/modules/module';
import { purchaseKind, purchaseModule } from '../fixtures/purchase-module';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { launchBrowser, requireH5Build, shot } from './browser';

/**
 * The 任务 screen: a purchase approval waits in the finance pool; a finance member finds it (from 待办's
 * 「审批任务」 on a phone, from the console's 任务 entry on a desktop), cannot reject it without a reason,
 * rejects it with one and sees the outcome; a task a colleague decided first says so; a chat card's link
 * opens the screen on its task with the history.
 */
/** A contract approval as the shipped policy chains it (approvals: contract): supervisor, director from ¥500 000, the finance pool. */
const contractModule = defineModule({
  name: 'contracts_e2e', entities: [], migrations: [], errors: {}, permissions: [], messages: {},
  taskKinds: [{ ...purchaseKind, name: 'test_contract', label: '合同审批', onApproved: async () => undefined, onRejected: async () => undefined }],
  services: () => ({}),
});
const policy: Policy = {
  ...loadPolicy(),
  approvals: { ...loadPolicy().approvals, test_purchase: [{ assignee: 'pool', pool: 'finance' }], test_contract: loadPolicy().approvals.contract! },
};

let h: Harness;
let org: OrgFixture;
let browser: Browser;
let finance2: Member;
let seq = 0;

beforeAll(async () => {
  requireH5Build();
  h = await startHarness({ modules: [...serverModules(), purchaseModule, contractModule], policy, now: new Date() });
  org = await buildOrg(h);
  finance2 = await h.services.org.createMember({ name: '财务二', phone: '13900099101', role: 'finance' });
  org.tokens.set(finance2.id, (await h.services.auth.issueSession(finance2, 'wechat')).token);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function purchase(item: string, amountFen: number): Promise<{ approvalId: number; taskId: number }> {
  const approval = await h.services.approvals.start({ kind: 'test_purchase', subjectType: 'purchase', subjectId: ++seq, requesterId: org.repA.id, amountFen, snapshot: { item, requester: org.repA.name } });
  const [row] = await h.db.query('SELECT id FROM task WHERE approvalId = ? AND stepIndex = ?', [approval.id, 0]);
  return { approvalId: approval.id, taskId: Number(row.id) };
}

/** A member signed in (the session as the app stores it after login: Taro's H5 storage wraps it as { data }). */
async function openAs(member: Member, viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  const token = org.token(member);
  const me = (await api(h.url, 'GET', '/api/v1/me', { token })).body;
  const context = await browser.newContext({ viewport });
  const session = JSON.stringify({ data: { token, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), member: me } });
  await context.addInitScript(`window.localStorage.setItem('anchor.session', ${JSON.stringify(session)})`);
  return { context, page: await context.newPage() };
}

const openAsFinance = (viewport: { width: number; height: number }) => openAs(org.finance, viewport);
const card = (taskId: number) => `#task-${taskId}`;

async function contract(item: string, amountFen: number): Promise<number> {
  const approval = await h.services.approvals.start({ kind: 'test_contract', subjectType: 'contract', subjectId: ++seq, requesterId: org.repA.id, amountFen, snapshot: { item, requester: org.repA.name, amountFen } });
  return approval.id;
}
async function stepOf(approvalId: number, stepIndex: number): Promise<number> {
  const [row] = await h.db.query('SELECT id FROM task WHERE approvalId = ? AND stepIndex = ?', [approvalId, stepIndex]);
  if (!row) throw new Error(`no step ${stepIndex} of approval ${approvalId}`);
  return Number(row.id);
}

for (const viewport of [{ width: 390, height: 844, tag: 'phone' }, { width: 1440, height: 900, tag: 'desktop' }]) {
  describe(`任务 at ${viewport.width}×${viewport.height}`, () => {
    it('a finance member rejects a pool approval: refused without a reason (field named), done with one, the outcome shown', async () => {
      const item = `采购 ${viewport.tag} 内窥镜耗材`;
      const { approvalId, taskId } = await purchase(item, 356_000);
      const { context, page } = await openAsFinance(viewport);
      try {
        if (viewport.tag === 'phone') {
          await page.goto(`${h.url}/app/#/pages/todos/index`);
          await page.waitForSelector('#todos-tasks-link', { timeout: 20_000 });
          expect(await page.textContent('#todos-tasks-link')).toContain('审批任务（1）');
          await page.click('#todos-tasks-link');
        } else {
          await page.goto(`${h.url}/app/#/pages/customers/index`);
          await page.waitForSelector('#console-nav-tasks', { timeout: 20_000 });
          await page.click('#console-nav-tasks');
        }
        await page.waitForSelector('#tasks-tab-pool', { timeout: 20_000 });
        // the tab names the pool (policy taskPools label), not a role
        expect(await page.textContent('#tasks-tab-pool')).toBe('任务池 · 财务');
        await page.click('#tasks-tab-pool');
        await page.waitForSelector(card(taskId), { timeout: 20_000 });
        expect(await page.textContent(`#task-${taskId}-pool`)).toBe('任务池：财务');
        const text = await page.textContent(card(taskId));
        expect(text).toContain('采购审批');
        expect(text).toContain(item);
        expect(text).toContain(`申请人：${org.repA.name}`);
        expect(text).toContain('金额：¥3560.00');
        expect(text).toContain('截止');
        expect(await page.isVisible(`#task-${taskId}-approve`)).toBe(true);
        await shot(page, `task-screen-${viewport.tag}-pool`);

        await page.click(`#task-${taskId}-reject`);
        await page.waitForSelector(`#task-${taskId}-reason textarea`);
        await page.click(`#task-${taskId}-reject-send`);
        await page.waitForSelector(`#task-${taskId}-error`);
        expect(await page.textContent(`#task-${taskId}-error`)).toContain('驳回理由');
        await shot(page, `task-screen-${viewport.tag}-reason-required`);
        expect((await h.services.approvals.get(approvalId)).state).toBe('open');

        await page.fill(`#task-${taskId}-reason textarea`, '预算已超，下季度再报');
        await page.click(`#task-${taskId}-reject-send`);
        await page.waitForSelector(`#task-${taskId}-outcome`, { timeout: 20_000 });
        expect(await page.textContent(`#task-${taskId}-outcome`)).toBe('已驳回：预算已超，下季度再报');
        expect(await page.isVisible(`#task-${taskId}-reject`)).toBe(false);
        expect(await page.isVisible(`#task-${taskId}-approve`)).toBe(false);
        await shot(page, `task-screen-${viewport.tag}-rejected`);
        expect(await h.services.approvals.get(approvalId)).toMatchObject({ state: 'rejected', reason: '预算已超，下季度再报' });
      } finally {
        await context.close();
      }
    });

    it('a task a colleague decided first says so; the card link opens the task with its history', async () => {
      const { approvalId, taskId } = await purchase(`采购 ${viewport.tag} 监护仪`, 120_000);
      const { context, page } = await openAsFinance(viewport);
      try {
        await page.goto(h5Link(h.url, 'tasks', { id: taskId }));
        await page.waitForSelector(`#task-${taskId}-approve`, { timeout: 20_000 });
        // a pool task: the screen opens on 任务池 tab
        expect(await page.getAttribute('#tasks-tab-pool', 'class')).toContain('chip--on');
        // the other finance member approves from their phone while this screen is open
        const other = await api(h.url, 'POST', `/api/v1/tasks/${taskId}/actions`, { token: org.token(finance2), json: { action: 'approve' } });
        expect(other.status).toBe(200);
        await page.click(`#task-${taskId}-approve`);
        await page.waitForSelector(`#task-${taskId}-outcome`, { timeout: 20_000 });
        expect(await page.textContent(`#task-${taskId}-outcome`)).toBe('已由他人处理（已同意）');
        expect(await page.isVisible(`#task-${taskId}-approve`)).toBe(false);
        expect(await h.services.approvals.get(approvalId)).toMatchObject({ state: 'approved' });
        await page.waitForSelector(`#task-${taskId}-history`, { timeout: 20_000 });
        const history = await page.textContent(`#task-${taskId}-history`);
        expect(history).toContain('财务二 同意（应用）');
        await shot(page, `task-screen-${viewport.tag}-decided-elsewhere`);
      } finally {
        await context.close();
      }
    });

    it('a contract from ¥500 000 walks its chain: the supervisor comments and approves, the director approves, finance hands it to a colleague who approves', async () => {
      const tag = viewport.tag;
      const approvalId = await contract(`合同 ${tag} 华山医院影像中心`, 60_000_000);
      const first = await stepOf(approvalId, 0);

      // the supervisor: 评论 refused empty (named), sent with words; then 同意
      let { context, page } = await openAs(org.supervisor1, viewport);
      try {
        await page.goto(`${h.url}/app/#/pages/tasks/index`);
        await page.waitForSelector(`#task-${first}-approve`, { timeout: 20_000 });
        expect(await page.textContent(card(first))).toContain('金额：¥600000.00');
        for (const b of ['approve', 'reject', 'comment', 'reassign']) expect(await page.isVisible(`#task-${first}-${b}`)).toBe(true);
        await page.click(`#task-${first}-comment`);
        await page.click(`#task-${first}-comment-send`);
        expect(await page.textContent(`#task-${first}-error`)).toBe('请填写评论');
        await page.fill(`#task-${first}-comment-text textarea`, '报价单已核对，请总监关注付款节点');
        await shot(page, `task-screen2-${tag}-supervisor-comment`);
        await page.click(`#task-${first}-comment-send`);
        await page.waitForSelector(`#task-${first}-said`, { timeout: 20_000 });
        expect(await page.textContent(`#task-${first}-said`)).toBe('我的评论：报价单已核对，请总监关注付款节点');
        await shot(page, `task-screen2-${tag}-supervisor`);
        await page.click(`#task-${first}-approve`);
        await page.waitForSelector(`#task-${first}-outcome`, { timeout: 20_000 });
        expect(await page.textContent(`#task-${first}-outcome`)).toBe('已同意');
        await page.click('#tasks-tab-handled');
        await page.waitForSelector(`#task-${first}-by`, { timeout: 20_000 });
        expect(await page.textContent(`#task-${first}-outcome`)).toBe('已同意');
        expect(await page.textContent(`#task-${first}-by`)).toMatch(/^一组主管 · \d\d-\d\d \d\d:\d\d · 通过应用$/);
        await shot(page, `task-screen2-${tag}-supervisor-handled`);
      } finally {
        await context.close();
      }

      // the director above: the amount-threshold step; nobody of their standing in the region to hand it to
      const second = await stepOf(approvalId, 1);
      ({ context, page } = await openAs(org.directorEast, viewport));
      try {
        await page.goto(`${h.url}/app/#/pages/tasks/index`);
        await page.waitForSelector(`#task-${second}-approve`, { timeout: 20_000 });
        await page.click(`#task-${second}-reassign`);
        await page.waitForSelector(`#task-${second}-nobody`, { timeout: 20_000 });
        expect(await page.isVisible(`#task-${second}-reassign-send`)).toBe(false);
        await shot(page, `task-screen2-${tag}-director-nobody`);
        await page.click(`#task-${second}-reassign-cancel`);
        await shot(page, `task-screen2-${tag}-director`);
        await page.click(`#task-${second}-approve`);
        await page.waitForSelector(`#task-${second}-outcome`, { timeout: 20_000 });
        expect(await page.textContent(`#task-${second}-outcome`)).toBe('已同意');
        await page.click('#tasks-tab-handled');
        await page.waitForSelector(`#task-${second}-by`, { timeout: 20_000 });
        expect(await page.textContent(`#task-${second}-by`)).toContain('东区总监');
        await shot(page, `task-screen2-${tag}-director-handled`);
      } finally {
        await context.close();
      }

      // finance: the pool step, handed to a colleague by name, who approves it; the chain is done
      const last = await stepOf(approvalId, 2);
      ({ context, page } = await openAs(org.finance, viewport));
      try {
        await page.goto(h5Link(h.url, 'tasks', { id: last }));
        await page.waitForSelector(`#task-${last}-reassign`, { timeout: 20_000 });
        await page.click(`#task-${last}-reassign`);
        await page.click(`#task-${last}-reassign-send`);
        expect(await page.textContent(`#task-${last}-error`)).toBe('请选择接手人');
        await page.click(`#task-${last}-to-${finance2.id}`);
        await page.click(`#task-${last}-reassign-send`);
        await page.waitForSelector(`#task-${last}-history`, { timeout: 20_000 });
        await page.waitForFunction(`document.querySelector('#task-${last}-history')?.textContent?.includes('转交 → 财务二')`, undefined, { timeout: 20_000 });
        expect(await page.isVisible(`#task-${last}-approve`)).toBe(false);
        expect(await page.textContent(`#task-${last}-outcome`)).toBe('已转交给 财务二');
        await shot(page, `task-screen2-${tag}-finance-reassigned`);
      } finally {
        await context.close();
      }
      expect(await api(h.url, 'POST', `/api/v1/tasks/${last}/actions`, { token: org.token(org.finance), json: { action: 'approve' } })).toMatchObject({ status: 404 });
      ({ context, page } = await openAs(finance2, viewport));
      try {
        await page.goto(`${h.url}/app/#/pages/tasks/index`);
        await page.waitForSelector(`#task-${last}-approve`, { timeout: 20_000 });
        await page.click(`#task-${last}-approve`);
        await page.waitForSelector(`#task-${last}-outcome`, { timeout: 20_000 });
        expect(await page.textContent(`#task-${last}-outcome`)).toBe('已同意');
      } finally {
        await context.close();
      }
      expect(await h.services.approvals.get(approvalId)).toMatchObject({ state: 'approved' });

      // finance's 已处理: decided by the colleague, handed over by me
      ({ context, page } = await openAs(org.finance, viewport));
      try {
        await page.goto(`${h.url}/app/#/pages/tasks/index`);
        await page.waitForSelector('#tasks-tab-handled', { timeout: 20_000 });
        await page.click('#tasks-tab-handled');
        await page.waitForSelector(`#task-${last}-by`, { timeout: 20_000 });
        expect(await page.textContent(`#task-${last}-outcome`)).toBe('已同意');
        expect(await page.textContent(`#task-${last}-by`)).toMatch(/^财务二 · .* · 通过应用$/);
        expect(await page.textContent(`#task-${last}-passed`)).toMatch(/^我于 .* 转交给 财务二（应用）$/);
        await shot(page, `task-screen2-${tag}-finance-handled`);
      } finally {
        await context.close();
      }
    });
  });
}
