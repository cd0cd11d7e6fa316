import type { CampaignBoard, CampaignSummary } from '@anchor/shared';
import { seedDemo } from '../../server/src/demo/seed';
import { seedMaterialsForDemo } from '../../server/src/modules/materials';
import { seedCampaignsForDemo } from '../../server/src/modules/campaigns';
import { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';

// The demo's campaign, seeded as main.ts seeds it (after the company's visits and the materials). Its seed
// gives up quietly when something it needs is missing (a demo without matching customers still starts),
// so this is what notices when a change leaves the demo without its campaign, its done and overdue
// steps, or the exception waiting in the director's tasks.
let h: Harness;
let director: Member;
let token: string;
beforeAll(async () => {
  h = await startHarness({ now: new Date() });
  await seedDemo(h.db, h.policy, h.clock);
  await seedMaterialsForDemo(h.db, h.clock, h.services, h.policy.grading.strategies.supportPack?.tag ?? null);
  await seedCampaignsForDemo(h.db, h.policy, h.clock, h.services);
  director = await h.db.getRepository(Member).findOneByOrFail({ role: 'director' });
  token = (await h.services.auth.issueSession(director, 'wechat')).token;
});
afterAll(() => h.close());

describe('the demo campaign', () => {
  let campaign: CampaignSummary;
  let board: CampaignBoard;
  beforeAll(async () => {
    const list = await api(h.url, 'GET', '/api/v1/campaigns', { token });
    expect(list.status).toBe(200);
    campaign = (list.body.items as CampaignSummary[]).find((c) => c.name === 'Q1 骨科关节置换专项攻坚')!;
    expect(campaign).toBeDefined();
    const res = await api(h.url, 'GET', `/api/v1/campaigns/${campaign.id}/board`, { token });
    expect(res.status).toBe(200);
    board = res.body;
  });

  it("is the director's, running since 12 days ago over hospitals of the region", () => {
    expect(campaign).toMatchObject({ state: 'running', owner: { id: director.id } });
    const days = (Date.now() - new Date(campaign.launchedAt!).getTime()) / 86_400_000;
    expect(days).toBeGreaterThan(11.9);
    expect(days).toBeLessThan(12.1);
    expect(campaign.targetCount).toBeGreaterThanOrEqual(5);
    expect(board.reps.length).toBeGreaterThanOrEqual(2);
  });

  it('shows progress a director can read: first steps done by the demo visits, others overdue', () => {
    expect(board.campaign.steps[0]).toMatchObject({ title: '上门推进方案' });
    expect(board.totals.done[0]).toBeGreaterThan(0);
    expect(board.totals.done[0]).toBeLessThan(board.totals.targets);
    expect(board.totals.overdueSteps).toBeGreaterThan(0);
  });

  it("has one 竞品锁定 exception open, waiting as a task of the director's", async () => {
    const open = board.exceptions.filter((e) => e.state === 'open');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ reason: '竞品锁定', answer: null });
    expect(board.totals.openExceptions).toBe(1);
    const tasks = await h.services.tasks.ofSubject('campaign_exception', open[0]!.id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ id: open[0]!.taskId, assigneeId: director.id, completedAt: null });
  });
});
