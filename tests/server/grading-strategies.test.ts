import { readFileSync } from 'node:fs';
import { HOUR_MS } from '../../server/src/clock';
import { DEFAULT_POLICY_PATH, parsePolicy } from '../../server/src/config/policy';
import { withSqlTransaction } from '../../server/src/db/sql';
import type { Member } from '../../server/src/modules/org/member.entity';
import { OutboxMessage } from '../../server/src/outbox/outbox-message.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';

// What a grade change sets off (policy grading.strategies): to A+ the owner is pushed the support pack
// (materials tagged A+客户支持包) once, not again for the same pack within flapDays; to C the owner's
// supervisor gets a 客户降级复核 task, due in 48 h, escalating to the director. On demand and by the regrade.
const DAY_MS = 24 * HOUR_MS;
const start = new Date('2026-11-20T02:00:00Z');

let h: Harness;
let org: OrgFixture;
let seq = 0;

beforeAll(async () => {
  h = await startHarness({ now: start, env: { WECOM_CORP_ID: 'ww-grade', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 'grade-secret' } });
  org = await buildOrg(h);
  await h.db.query('UPDATE member SET wecomUserId = ? WHERE id = ?', ['rep-a-wecom', org.repA.id]);
  await h.db.query('UPDATE member SET wecomUserId = ? WHERE id = ?', ['sup-1-wecom', org.supervisor1.id]);
});
afterAll(() => h.close());

const rule = () => h.policy.grading.strategies;

// inputs that grade (payment history is always neutral 50 until receivables exist):
// A+: 15 + 25 + 25 + 20 = 85 · A: 15 + 20 + 25 + 20 = 80 · B: all neutral, 50 · C: 15 + 0 + 12.5 + 0 = 27.5
const INPUTS = {
  'A+': { departmentActivity: '高', gradingInputs: { inventoryConsumptionSpeed: 100, competitorPenetration: 0 } },
  A: { departmentActivity: '高', gradingInputs: { inventoryConsumptionSpeed: 80, competitorPenetration: 0 } },
  B: { departmentActivity: null, gradingInputs: null },
  C: { departmentActivity: '低', gradingInputs: { inventoryConsumptionSpeed: 0, competitorPenetration: 100 } },
} as const;
type Grade = keyof typeof INPUTS;

async function newCustomer(owner: Member = org.repA, grade: Grade = 'B'): Promise<number> {
  const res = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(owner), json: { name: `策略测试医院${++seq}号`, industry: '公立医院', hospitalLevel: '三级甲等', ...INPUTS[grade] } });
  expect(res.status).toBe(201);
  return res.body.id;
}
/** Sets the inputs for `grade` (the grade itself moves only when graded). */
async function inputsFor(id: number, grade: Grade, owner: Member = org.repA) {
  expect((await api(h.url, 'PATCH', `/api/v1/customers/${id}`, { token: org.token(owner), json: INPUTS[grade] })).status).toBe(200);
}
/** 重新分级 as the owner would tap it. */
async function gradeTo(id: number, grade: Grade, owner: Member = org.repA) {
  await inputsFor(id, grade, owner);
  const res = await api(h.url, 'POST', `/api/v1/customers/${id}/grade`, { token: org.token(owner), json: {} });
  expect([res.status, res.body.grade]).toEqual([200, grade]);
}

const pushesOf = async (customerId: number) =>
  (await h.db.getRepository(OutboxMessage).find({ where: { kind: 'grading.pack_pushed' }, order: { id: 'ASC' } })).map((m) => m.payload).filter((p) => p.customerId === customerId);
const reviewsOf = async (customerId: number) =>
  (await h.db.query("SELECT id, assigneeId, requesterId, dueAt, completedAt FROM task WHERE kind = 'customer_grade_review' AND subjectType = 'customer' AND subjectId = ? ORDER BY id", [customerId])) as Array<{ id: number; assigneeId: number; dueAt: Date | string }>;
const packsShown = async (customerId: number, who: Member = org.repA) => api(h.url, 'GET', `/api/v1/customers/${customerId}/support-packs`, { token: org.token(who) });

async function packMaterial(title: string, tagIds: number[]) {
  return h.services.materials.create(org.marketing, { kind: 'script', title, description: '', scriptText: `${title}：要点……`, attachmentId: null, tagIds, stages: [], industries: [], bottlenecks: [] });
}

describe('to A+: the owner is pushed the support pack', () => {
  let tagId: number;
  const pack: number[] = [];

  it('with no material carrying the tag nothing is pushed, and the grade change still succeeds', async () => {
    const id = await newCustomer();
    await gradeTo(id, 'A+');
    expect(await pushesOf(id)).toEqual([]);
    expect((await packsShown(id)).body).toEqual({ items: [] });
  });

  it('once the tag has materials, a change to A+ writes one WeCom text to the owner naming the customer and each material, with links, and the customer page shows the pack', async () => {
    tagId = (await h.services.materials.createTag(rule().supportPack!.tag)).id;
    pack.push((await packMaterial('A+客户服务承诺', [tagId])).id, (await packMaterial('三甲医院深度合作方案', [tagId])).id);
    const other = await h.services.materials.createTag('策略测试其他标签');
    await packMaterial('不在支持包里的素材', [other.id]);

    const id = await newCustomer();
    await gradeTo(id, 'A+');
    const pushes = await pushesOf(id);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toMatchObject({ customerId: id, ownerId: org.repA.id, grade: 'A+' });
    expect((pushes[0]!.materials as Array<{ id: number }>).map((m) => m.id).sort()).toEqual([...pack].sort());

    const [row] = await h.db.query("SELECT id, payload FROM outbox_message WHERE kind = 'grading.pack_pushed' ORDER BY id DESC LIMIT 1");
    const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
    const plan = await withSqlTransaction(h.db, (sql) => h.services.messages.plan(sql, { id: row.id, kind: 'grading.pack_pushed', teamId: null, payload }));
    expect(plan).toHaveLength(1);
    const text = (plan[0]!.body as { touser: string; text: { content: string } });
    expect(text.touser).toBe('rep-a-wecom');
    expect(text.text.content).toContain(`策略测试医院${seq}号 已升为 A+ 客户`);
    expect(text.text.content).toContain('《A+客户服务承诺》');
    expect(text.text.content).toContain('《三甲医院深度合作方案》');
    expect(text.text.content).not.toContain('不在支持包里的素材');
    expect(text.text.content).toContain(`#/packages/materials/detail/index?id=${pack[0]}&customerId=${id}`);
    expect(text.text.content).toContain(`#/pages/customer/index?id=${id}`);

    const shown = await packsShown(id);
    expect(shown.status).toBe(200);
    expect(shown.body.items).toHaveLength(1);
    expect(shown.body.items[0]).toMatchObject({ grade: 'A+', pushedAt: h.clock.now().toISOString() });
    expect(shown.body.items[0].materials.map((m: { title: string }) => m.title).sort()).toEqual(['A+客户服务承诺', '三甲医院深度合作方案'].sort());
    // the supervisor sees it on the customer page too; another team's supervisor does not reach the customer
    expect((await packsShown(id, org.supervisor1)).body.items).toHaveLength(1);
    expect((await packsShown(id, org.supervisor2)).status).toBe(404);

    // graded again, still A+: not a change, nothing more
    await gradeTo(id, 'A+');
    expect(await pushesOf(id)).toHaveLength(1);
  });

  it('A+ → A → A+ within the flap window pushes nothing new; after the window it pushes again', async () => {
    const id = await newCustomer();
    await gradeTo(id, 'A+');
    h.clock.advance(2 * DAY_MS);
    await gradeTo(id, 'A');
    h.clock.advance(2 * DAY_MS);
    await gradeTo(id, 'A+');
    expect(await pushesOf(id)).toHaveLength(1);
    await gradeTo(id, 'A');
    h.clock.advance((rule().supportPack!.flapDays - 4) * DAY_MS + HOUR_MS); // 7 days and an hour after the push
    await gradeTo(id, 'A+');
    expect(await pushesOf(id)).toHaveLength(2);
    expect((await packsShown(id)).body.items).toHaveLength(2);
  });

  it('within the window a pack with a new material is pushed; a retired material leaves the pack', async () => {
    const id = await newCustomer();
    await gradeTo(id, 'A+');
    await gradeTo(id, 'A');
    h.clock.advance(DAY_MS);
    const added = await packMaterial('新版支持包：年度服务报告', [tagId]);
    await gradeTo(id, 'A+');
    const pushes = await pushesOf(id);
    expect(pushes).toHaveLength(2);
    expect((pushes[1]!.materials as Array<{ id: number }>).map((m) => m.id)).toContain(added.id);

    await h.services.materials.retire(added.id, true);
    await gradeTo(id, 'A');
    await gradeTo(id, 'A+');
    const after = await pushesOf(id);
    expect(after).toHaveLength(3); // the set changed back (the retired one is out): a different pack than the last push
    expect((after[2]!.materials as Array<{ id: number }>).map((m) => m.id)).not.toContain(added.id);
  });
});

describe('to C: a review task for the owner\'s supervisor', () => {
  it('opens one 客户降级复核 task for the supervisor, due in 48 h, with the customer, old → new grade, score and sub-scores; a second regrade keeping C opens none', async () => {
    const id = await newCustomer(org.repA, 'B');
    await gradeTo(id, 'B');
    const at = h.clock.now();
    await gradeTo(id, 'C');
    const tasks = await reviewsOf(id);
    expect(tasks).toHaveLength(1);
    expect(Number(tasks[0]!.assigneeId)).toBe(org.supervisor1.id);
    expect(new Date(tasks[0]!.dueAt as string).getTime() - at.getTime()).toBe(rule().review!.dueHours * HOUR_MS);

    const mine = (await api(h.url, 'GET', '/api/v1/tasks?as=mine', { token: org.token(org.supervisor1) })).body.items as Array<Record<string, unknown>>;
    const task = mine.find((t) => t.id === Number(tasks[0]!.id));
    expect(task).toMatchObject({
      kind: 'customer_grade_review', kindLabel: '客户降级复核', title: `策略测试医院${seq}号`, customerId: id, state: 'open',
      actions: ['confirm', 'comment'], actionLabels: { confirm: '复核完成' },
    });
    expect(task!.lines).toEqual(['等级：B → C', '负责人：代表甲', '总分：27.5 分', '回款准时率：50 分', '库存消耗速度：0 分', '医院等级与科室活跃度：50 分', '竞品渗透率：0 分']);

    // the card in WeCom: 复核完成 as its button
    const [card] = await h.db.query("SELECT id, payload FROM outbox_message WHERE kind = 'task.card' AND payload LIKE ? ORDER BY id DESC LIMIT 1", [`%"taskId":${tasks[0]!.id}}%`]);
    const payload = typeof card.payload === 'string' ? JSON.parse(card.payload) : card.payload;
    const plan = await withSqlTransaction(h.db, (sql) => h.services.messages.plan(sql, { id: card.id, kind: 'task.card', teamId: null, payload }));
    const body = plan.find((p) => p.channel === 'wecom_app')!.body as { touser: string; template_card: { button_list: Array<{ text: string }> } };
    expect(body.touser).toBe('sup-1-wecom');
    expect(body.template_card.button_list.map((b) => b.text)).toEqual(['复核完成']);

    await gradeTo(id, 'C'); // graded again, still C
    await gradeTo(id, 'B');
    await gradeTo(id, 'C'); // C again while its review is open
    expect(await reviewsOf(id)).toHaveLength(1);
  });

  it('is seen by the supervisor, not by another team\'s supervisor; escalates once to the director when not done in 48 h', async () => {
    const id = await newCustomer(org.repA, 'B');
    await gradeTo(id, 'B');
    await gradeTo(id, 'C');
    const [task] = await reviewsOf(id);
    const taskId = Number(task!.id);
    const detail = (who: Member) => api(h.url, 'GET', `/api/v1/tasks/${taskId}`, { token: org.token(who) });
    expect((await detail(org.supervisor1)).status).toBe(200);
    expect((await detail(org.supervisor2)).status).toBe(404);
    expect((await detail(org.supervisor3)).status).toBe(404);
    expect((await api(h.url, 'POST', `/api/v1/tasks/${taskId}/actions`, { token: org.token(org.supervisor2), json: { action: 'confirm' } })).status).toBe(404);

    h.clock.advance(rule().review!.dueHours * HOUR_MS - 60_000);
    await h.services.jobs.runDue();
    const escalations = async () => (await h.db.getRepository(OutboxMessage).find({ where: { kind: 'task.escalation' } })).map((m) => m.payload).filter((p) => p.taskId === taskId);
    expect(await escalations()).toEqual([]);
    h.clock.advance(2 * 60_000);
    await h.services.jobs.runDue();
    await h.services.jobs.runDue();
    expect(await escalations()).toEqual([{ taskId, toId: org.directorEast.id }]);
    const escalated = (who: Member) => api(h.url, 'GET', '/api/v1/tasks?as=escalated', { token: org.token(who) });
    expect((await escalated(org.directorEast)).body.items.map((t: { id: number }) => t.id)).toContain(taskId);
    expect((await escalated(org.directorWest)).body.items.map((t: { id: number }) => t.id)).not.toContain(taskId);
    expect((await detail(org.directorWest)).status).toBe(404);

    // 复核完成 settles it; the next drop to C opens a new review
    const done = await api(h.url, 'POST', `/api/v1/tasks/${taskId}/actions`, { token: org.token(org.supervisor1), json: { action: 'confirm' } });
    expect([done.status, done.body.state]).toEqual([200, 'done']);
    await gradeTo(id, 'B');
    await gradeTo(id, 'C');
    expect(await reviewsOf(id)).toHaveLength(2);
  });

  it('two 重新分级 of one customer at the same moment open one review and push one pack', async () => {
    const down = await newCustomer(org.repA, 'B');
    const up = await newCustomer(org.repA, 'B');
    await gradeTo(down, 'B');
    await gradeTo(up, 'B');
    await inputsFor(down, 'C');
    await inputsFor(up, 'A+');
    const grade = (id: number) => api(h.url, 'POST', `/api/v1/customers/${id}/grade`, { token: org.token(org.repA), json: {} });
    const answers = await Promise.all([grade(down), grade(down), grade(down), grade(up), grade(up), grade(up)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await reviewsOf(down)).toHaveLength(1);
    expect(await pushesOf(up)).toHaveLength(1);
  });

  it('another team\'s customer goes to that team\'s supervisor', async () => {
    const id = await newCustomer(org.repE, 'B');
    await gradeTo(id, 'B', org.repE);
    await gradeTo(id, 'C', org.repE);
    const [task] = await reviewsOf(id);
    expect(Number(task!.assigneeId)).toBe(org.supervisor3.id);
  });
});

describe('by the recurring regrade (regradeAll, set-based in the job\'s transaction)', () => {
  it('pushes the pack and opens reviews for the customers whose grade moved, once; a second run changes nothing', async () => {
    const up = [await newCustomer(org.repA, 'B'), await newCustomer(org.repB, 'B')];
    const down = [await newCustomer(org.repA, 'B'), await newCustomer(org.repC, 'B')];
    await h.services.grading.regradeAll();
    for (const id of up) await inputsFor(id, 'A+', id === up[0] ? org.repA : org.repB);
    for (const id of down) await inputsFor(id, 'C', id === down[0] ? org.repA : org.repC);

    // the recurring job, as the server runs it: its row, claimed when due, the regrade in its transaction
    await h.services.jobs.seedRecurring();
    await h.services.jobs.runDue();
    for (const id of up) expect(await pushesOf(id)).toHaveLength(1);
    expect((await pushesOf(up[1]!))[0]).toMatchObject({ ownerId: org.repB.id });
    expect((await reviewsOf(down[0]!)).map((t) => Number(t.assigneeId))).toEqual([org.supervisor1.id]);
    expect((await reviewsOf(down[1]!)).map((t) => Number(t.assigneeId))).toEqual([org.supervisor2.id]);

    // nothing moved: no push, no review
    const again = await h.services.grading.regradeAll();
    expect(again.changed).toBe(0);
    for (const id of up) expect(await pushesOf(id)).toHaveLength(1);
    for (const id of down) expect(await reviewsOf(id)).toHaveLength(1);

    // A+ → A → A+ by the regrade within the window: no second message either
    await inputsFor(up[0]!, 'A');
    await h.services.grading.regradeAll();
    await inputsFor(up[0]!, 'A+');
    await h.services.grading.regradeAll();
    expect(await pushesOf(up[0]!)).toHaveLength(1);

    // … with a new material in the tag within the window: pushed
    await inputsFor(up[0]!, 'A');
    await h.services.grading.regradeAll();
    const tagId = (await h.services.materials.tags(org.marketing, true)).find((t) => t.name === rule().supportPack!.tag)!.id;
    await packMaterial('定时分级新增支持包素材', [tagId]);
    await inputsFor(up[0]!, 'A+');
    await h.services.grading.regradeAll();
    expect(await pushesOf(up[0]!)).toHaveLength(2);

    // … the same pack again after the window: pushed
    await inputsFor(up[0]!, 'A');
    await h.services.grading.regradeAll();
    h.clock.advance(rule().supportPack!.flapDays * DAY_MS + HOUR_MS);
    await inputsFor(up[0]!, 'A+');
    const run = await h.services.grading.regradeAll();
    expect(run).toMatchObject({ changed: 1, pushed: 1, reviews: 0 });
    expect(await pushesOf(up[0]!)).toHaveLength(3);
  });

  it('with no material carrying the tag (the tag retired) the regrade pushes nothing and still regrades', async () => {
    const tag = (await h.services.materials.tags(org.marketing, true)).find((t) => t.name === rule().supportPack!.tag)!;
    await h.services.materials.updateTag(tag.id, { retired: true });
    try {
      const id = await newCustomer(org.repA, 'B');
      await h.services.grading.regradeAll();
      await inputsFor(id, 'A+');
      const run = await h.services.grading.regradeAll();
      expect(run).toMatchObject({ changed: 1, pushed: 0 });
      expect((await h.db.query('SELECT grade FROM customer WHERE id = ?', [id]))[0].grade).toBe('A+');
      expect(await pushesOf(id)).toEqual([]);
    } finally {
      await h.services.materials.updateTag(tag.id, { retired: false });
    }
  });

  it('a review the regrade opened escalates to the director after 48 h, once', async () => {
    const id = await newCustomer(org.repC, 'B');
    await h.services.grading.regradeAll();
    await inputsFor(id, 'C', org.repC);
    expect(await h.services.grading.regradeAll()).toMatchObject({ changed: 1, reviews: 1 });
    const [task] = await reviewsOf(id);
    h.clock.advance(rule().review!.dueHours * HOUR_MS + 1000);
    await h.services.jobs.runDue();
    await h.services.jobs.runDue();
    const escalations = (await h.db.getRepository(OutboxMessage).find({ where: { kind: 'task.escalation' } })).map((m) => m.payload).filter((p) => p.taskId === Number(task!.id));
    expect(escalations).toEqual([{ taskId: Number(task!.id), toId: org.directorEast.id }]);
  });
});

describe('policy grading.strategies', () => {
  const yaml = readFileSync(DEFAULT_POLICY_PATH, 'utf8');
  it('a rule on a grade the model cannot give is refused at start-up, naming the key; a rule left out is off', () => {
    expect(() => parsePolicy(yaml.replace('    review:\n      grade: C', '    review:\n      grade: D'), 'policy.yaml')).toThrow(/grading\.strategies\.review\.grade：等级「D」不在 grading\.grades 中/);
    const off = parsePolicy(yaml.replace(/\n    review:\n      grade: C\n      dueHours: 48\n/, '\n'), 'policy.yaml');
    expect(off.grading.strategies.review).toBeUndefined();
    expect(off.grading.strategies.supportPack).toMatchObject({ grade: 'A+', tag: 'A+客户支持包', flapDays: 7 });
  });
});
