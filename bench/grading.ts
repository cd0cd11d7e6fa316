// Regrading every customer at scale: BENCH_GRADING_CUSTOMERS (default 200 000) customers with grading
// inputs, one full regrade as the recurring job runs it; time and the process's peak RSS during it.
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
        const inputs = j % 7 === 0 ? null : JSON.stringify({ inventoryConsumptionSpeed: j % 101, competitorPenetration: (j * 37) % 101 });
        values.push([name, customerNameKey(name), '公立医院', 'visit', now, owners[j % owners.length]!.id, levels[j % levels.length], activity[j % activity.length], inputs, owners[0]!.id, now, now]);
      }
      await h.db.query(
        `INSERT INTO customer (name, nameKey, industry, stage, stageChangedAt, ownerId, hospitalLevel, departmentActivity, gradingInputs, createdById, createdAt, updatedAt) VALUES ${values.map(() => '(?,?,?,?,?,?,?,?,?,?,?,?)').join(',')}`,
        values.flat(),
      );
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
