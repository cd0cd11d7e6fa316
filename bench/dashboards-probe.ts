// A first probe of the dashboards at one region's size (not the full bench): 50 teams × 10 reps,
// 50 customers and 1 000 visits a year per rep (500 000 visits), a to-do per visit for six months and three
// check-ins a working day. Times each dashboard for the region's director and one team's supervisor,
// sequentially (no concurrency), through the service (no HTTP). Run: node scripts/with-mariadb.mjs npx tsx bench/dashboards-probe.ts
import { buildRegionProbe } from './region-probe-data';
import { median } from './stats';

async function main() {
  const { h, director, supervisor } = await buildRegionProbe();
  const d = h.services.dashboards;
  const dashboards: Array<[string, (m: typeof director) => Promise<unknown>]> = [
    ['pipeline', (m) => d.pipeline(m, {})],
    ['behaviour', (m) => d.behaviour(m, {})],
    ['visit-quality', (m) => d.visitQuality(m, {})],
    ['penetration', (m) => d.penetration(m, {})],
    ['checkins', (m) => d.checkins(m, {})],
    ['word-cloud', (m) => d.wordCloud(m, {})],
    ['counters', (m) => d.counters(m, {})],
  ];
  console.log('dashboard        | director p50 / max ms | supervisor p50 / max ms');
  for (const [name, run] of dashboards) {
    const times = async (m: typeof director) => {
      const ms: number[] = [];
      for (let i = 0; i < 5; i++) {
        const s = performance.now();
        await run(m);
        ms.push(performance.now() - s);
      }
      return `${median(ms).toFixed(0)} / ${Math.max(...ms).toFixed(0)}`;
    };
    console.log(`${name.padEnd(16)} | ${(await times(director)).padEnd(21)} | ${await times(supervisor)}`);
  }
  await h.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
