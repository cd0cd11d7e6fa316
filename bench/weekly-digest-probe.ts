// The weekly digest's job at one region's size, on the data set of bench/dashboards-probe.ts (50 teams × 10
// reps, 500 000 visits, to-dos, check-ins): one run on Monday 08:30 computes and writes the digest of the
// director and the supervisors (50; PROBE_TEAMS=200 for 2 000 reps) in one transaction. Times that run (the handler, in its transaction), and
// a second run (nothing left to do). Run: node scripts/with-mariadb.mjs npx tsx bench/weekly-digest-probe.ts
import { buildRegionProbe } from './region-probe-data';
import { withSqlTransaction } from '../server/src/db/sql';
import { createLogger } from '../server/src/logger';
import { weeklyDigestJob } from '../server/src/modules/dashboards/weekly-digest.job';

async function main() {
  const { h, q } = await buildRegionProbe();
  const job = weeklyDigestJob(h.policy, false, createLogger('silent'));
  h.clock.set(new Date('2026-11-23T00:30:00Z')); // Monday 08:30 in Shanghai: last week is 11-16 … 11-22
  for (const label of ['first run', 'second run (none left)']) {
    const s = performance.now();
    await withSqlTransaction(h.db, (sql) => job.run([], sql, h.clock.now()));
    const [{ n }] = await q("SELECT COUNT(*) AS n FROM outbox_message WHERE kind = 'dashboards.weekly_digest'", []);
    console.log(`${label}: ${(performance.now() - s).toFixed(0)} ms, ${n} digest messages in the outbox`);
  }
  const [one] = await q("SELECT payload FROM outbox_message WHERE kind = 'dashboards.weekly_digest' ORDER BY id LIMIT 1", []);
  console.log(`a director's payload: ${one.payload}`);
  await h.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
