// Regrading every customer at scale: BENCH_GRADING_CUSTOMERS (default 200 000) customers with grading
// inputs, one full regrade as the recurring job runs it; time and the process's peak RSS during it. Every
// customer starts ungraded, so every one changes: the worst case for the strategies (a support pack push for
// each new A+, a review task for each new C), all written by the regrade's batches.
import { customerNameKey } from '@anchor/shared';
import { startHarness } from '../tests/support/harness';
import { buildOrg } from '../tests/support/org-fixture';

export async function gradingBench(count = Number(process.env.BENCH_GRADING_CUSTOMERS ?? 200_000)) {
  const h = await startHarness({ now: new Date() });
  try {
    const org = await buildOrg(h);
    const owners = [org.repA, org.repB, org.repC, org.repE];
    const levels = h.policy.options.hospitalLevels;
    const activity = h.policy.options.departmentActivity;
    const now = new Date();
    const t0 = performance.now();
    for (let i = 0; i < count; i += 2000) {
      const values: unknown[][] = [];
      for (let j = i; j < Math.min(count, i + 2000); j++) {
        const name = `分级基准客户${j + 1}号`;
        // one in 50 scores the top grade (best inputs, best level, most active): it pushes the support pack
        const top = j % 50 === 1;
        const inputs = j % 7 === 0 ? null : JSON.stringify(top ? { inventoryConsumptionSpeed: 100, competitorPenetration: 0 } : { inventoryConsumptionSpeed: j % 101, competitorPenetration: (j * 37) % 101 });
        const [level, active] = top ? [levels[0], activity[0]] : [levels[j % levels.length], activity[j % activity.length]];
        values.push([name, customerNameKey(name), '公立医院', 'visit', now, owners[j % owners.length]!.id, level, active, inputs, owners[0]!.id, now, now]);
      }
      await h.db.query(
        `INSERT INTO customer (name, nameKey, industry, stage, stageChangedAt, ownerId, hospitalLevel, departmentActivity, gradingInputs, createdById, createdAt, updatedAt) VALUES ${values.map(() => '(?,?,?,?,?,?,?,?,?,?,?,?)').join(',')}`,
        values.flat(),
      );
    }
    // the A+ support pack (grading strategies): two materials carry its tag, so customers becoming A+ push it
    const tag = h.policy.grading.strategies.supportPack?.tag;
    if (tag) {
      const tagId = (await h.services.materials.createTag(tag)).id;
      for (const title of ['基准支持包一', '基准支持包二']) {
        await h.services.materials.create(org.marketing, { kind: 'script', title, description: '', scriptText: title, attachmentId: null, tagIds: [tagId], stages: [], industries: [], bottlenecks: [] });
      }
    }
    const insertSeconds = (performance.now() - t0) / 1000;
    global.gc?.();
    const baseRss = process.memoryUsage().rss;
    let peakRss = baseRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const t1 = performance.now();
    const result = await h.services.grading.regradeAll('scheduled');
    const seconds = (performance.now() - t1) / 1000;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    return { customers: count, ...result, seconds, insertSeconds, baseRssMb: baseRss / 2 ** 20, peakRssMb: peakRss / 2 ** 20 };
  } finally {
    await h.close();
  }
}
