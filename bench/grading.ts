// Regrading every customer at scale: BENCH_GRADING_CUSTOMERS (default 200 000) customers with grading
// inputs, one full regrade as the recurring job runs it; time, the run's RSS growth and the process's peak RSS.
// Every customer starts ungraded, so every one gets its first grade; one in 50 scores A+ and pushes the support
// pack (a first grade of C is not a drop: no reviews).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { customerNameKey } from '@anchor/shared';
import { startHarness } from '../tests/support/harness';
import { buildOrg } from '../tests/support/org-fixture';

// A full collection before each reading, so a figure is what is held, not garbage not yet collected
// (tsx starts node without --expose-gc; the flag can still be turned on for a fresh context).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mb = (bytes: number) => bytes / 2 ** 20;
const settledRss = () => {
  gc();
  return process.memoryUsage().rss;
};

export async function gradingBench(count = Number(process.env.BENCH_GRADING_CUSTOMERS ?? 200_000)) {
  const phases: Record<string, number> = { start: mb(settledRss()) };
  const h = await startHarness({ now: new Date() });
  try {
    phases.server = mb(settledRss());
    const org = await buildOrg(h);
    const owners = [org.repA, org.repB, org.repC, org.repE];
    const levels = h.policy.options.hospitalLevels;
    const activity = h.policy.options.departmentActivity;
    const now = new Date();
    // The name's key as the app folds it: these names have no width, case, space or punctuation to fold.
    if (customerNameKey('分级基准客户1号') !== '分级基准客户1号') throw new Error('the seed needs the name key the app computes');
    const t0 = performance.now();
    // Seeded set-based in the database (MariaDB's sequence tables): nothing of the 200 000 passes through
    // this process, so its memory before the run is the server's, not the seed's.
    const pick = (list: readonly string[], expr: string) => `ELT(${expr} % ${list.length} + 1, ${list.map(() => '?').join(', ')})`;
    for (let from = 1; from <= count; from += 50_000) {
      const to = Math.min(count, from + 49_999);
      await h.db.query(
        `INSERT INTO customer (name, nameKey, industry, stage, stageChangedAt, ownerId, hospitalLevel, departmentActivity, gradingInputs, createdById, createdAt, updatedAt)
         SELECT CONCAT('分级基准客户', seq, '号'), CONCAT('分级基准客户', seq, '号'), '公立医院', 'visit', ?, ${pick(owners.map(String), 'seq')},
                IF(seq % 50 = 1, ?, ${pick(levels, 'seq')}), IF(seq % 50 = 1, ?, ${pick(activity, 'seq')}),
                IF(seq % 50 = 1, '{"inventoryConsumptionSpeed":100,"competitorPenetration":0}',
                  IF(seq % 7 = 0, NULL, CONCAT('{"inventoryConsumptionSpeed":', seq % 101, ',"competitorPenetration":', (seq * 37) % 101, '}'))),
                ?, ?, ?
         FROM seq_${from}_to_${to}`,
        [now, ...owners.map((o) => o.id), levels[0], ...levels, activity[0], ...activity, owners[0]!.id, now, now],
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
    const baseRss = settledRss();
    phases.seeded = mb(baseRss);
    let peakRss = baseRss;
    let peakHeap = process.memoryUsage().heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 20);
    const t1 = performance.now();
    const result = await h.services.grading.regradeAll('scheduled');
    const seconds = (performance.now() - t1) / 1000;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    phases.after = mb(settledRss());
    return {
      customers: count,
      ...result,
      seconds,
      insertSeconds,
      baseRssMb: mb(baseRss),
      peakRssMb: mb(peakRss),
      runDeltaMb: mb(peakRss - baseRss),
      peakHeapMb: mb(peakHeap),
      phases,
    };
  } finally {
    await h.close();
  }
}
