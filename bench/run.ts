// `npm run bench`: load and scale figures, printed as a table. Not a test: nothing here asserts.
import { startHarness } from '../tests/support/harness';
import { buildOrg } from '../tests/support/org-fixture';
import { api, xlsxForm } from '../tests/support/http';
import { percentile } from './stats';

// Each part's own code (and what it pulls in: exceljs, playwright-core, the load generator) is loaded
// when that part runs, so a part measuring memory (grading) holds what a server holds, not the others' code.
const lazy = {
  ExcelJS: async () => (require('exceljs') as typeof import('exceljs')),
  visitThroughput: () => (require('./visit-throughput') as typeof import('./visit-throughput.js')).visitThroughput(),
  h5Timing: () => (require('./h5-timing') as typeof import('./h5-timing.js')).h5Timing(),
  escalationScale: () => (require('./escalation-scale') as typeof import('./escalation-scale.js')).escalationScale(),
  customerSearchBench: () => (require('./customer-search') as typeof import('./customer-search.js')).customerSearchBench(),
  deliveryRecovery: () => (require('./delivery-recovery') as typeof import('./delivery-recovery.js')).deliveryRecovery(),
  gradingBench: () => (require('./grading') as typeof import('./grading.js')).gradingBench(),
  paymentsNotify: () => (require('./payments-notify') as typeof import('./payments-notify.js')).paymentsNotifyBench(),
  dashboardsScale: () => (require('./dashboards-scale') as typeof import('./dashboards-scale.js')).dashboardsScale(),
  rebateBench: () => (require('./rebates') as typeof import('./rebates.js')).rebateBench(),
  playsBench: () => (require('./plays') as typeof import('./plays.js')).playsBench(),
  campaignBench: () => (require('./campaigns') as typeof import('./campaigns.js')).campaignBench(),
};

interface Figure {
  name: string;
  value: string;
  note?: string;
}
const figures: Figure[] = [];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const result = await work();
  return [result, performance.now() - t0];
}

async function customerWorkbook(rows: number, ownerPhones: string[]): Promise<Buffer> {
  const ExcelJS = await lazy.ExcelJS();
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('客户');
  sheet.addRow(['客户名称', '所属行业', '当前阶段', '负责人手机', '客户等级', '省份', '城市', '联系人', '联系电话', '医院等级', '最近跟进时间']);
  const stages = ['线索', '拜访', '方案', '报价', '签约', '交付'];
  for (let i = 0; i < rows; i++) {
    sheet.addRow([
      `基准测试医院${String(i).padStart(5, '0')}号`, '公立医院', stages[i % 6], ownerPhones[i % ownerPhones.length], ['A+', 'A', 'B', 'C'][i % 4],
      '浙江', '杭州市', '王主任', '13900000000', '三级甲等', new Date(Date.UTC(2026, 9, 1 + (i % 28), 9, 30)),
    ]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// BENCH_ONLY=visits (or customers, search, escalation, delivery, grading, dashboards, payments, rebates, plays, campaigns, h5; comma-separated) runs just those parts.
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const runs = (part: string) => !only || only.includes(part);

async function customerFigures() {
  const h = await startHarness({ now: new Date() });
  const org = await buildOrg(h);
  try {
    const token = org.token(org.supervisor1);
    const file = await customerWorkbook(10_000, [org.repA.phone, org.repB.phone, org.supervisor1.phone]);
    figures.push({ name: 'xlsx size, 10 000 rows', value: `${(file.length / 1024).toFixed(0)} KB` });

    const [preview, previewMs] = await timed(() => api(h.url, 'POST', '/api/v1/customers/import/preview', { token, form: xlsxForm(file) }));
    figures.push({ name: 'import preview, 10 000 rows (HTTP)', value: seconds(previewMs), note: `${preview.body.valid} valid` });
    const [commit, commitMs] = await timed(() => api(h.url, 'POST', '/api/v1/customers/import/commit', { token, form: xlsxForm(file) }));
    figures.push({ name: 'import commit, 10 000 rows (HTTP, one transaction)', value: seconds(commitMs), note: `status ${commit.status}, ${commit.body.imported} imported` });

    const [exported, exportMs] = await timed(() => api(h.url, 'GET', '/api/v1/customers/export.xlsx', { token }));
    figures.push({ name: 'export, 10 000 rows (HTTP)', value: seconds(exportMs), note: `${((exported.body as Buffer).length / 1024).toFixed(0)} KB` });

    // Search as you type: a Chinese fragment over the team's 10 000 customers, 16 at a time.
    const latencies: number[] = [];
    const queries = 400;
    let next = 0;
    const [, searchMs] = await timed(() =>
      Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < queries) {
            const i = next++;
            const t0 = performance.now();
            const res = await api(h.url, 'GET', `/api/v1/customers?q=${encodeURIComponent(`医院0${i % 100}`)}&pageSize=20`, { token });
            if (res.status !== 200) throw new Error(`search failed: ${res.status}`);
            latencies.push(performance.now() - t0);
          }
        }),
      ),
    );
    latencies.sort((a, b) => a - b);
    figures.push({
      name: 'search by name fragment, 10 000 customers, 16 concurrent',
      value: `${((queries / searchMs) * 1000).toFixed(0)} req/s`,
      note: `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    });
  } finally {
    await h.close();
  }
}

async function visitFigures() {
  const visits = await lazy.visitThroughput();
  const { http, raw } = visits;
  for (const run of [raw, http]) {
    figures.push({ name: `visit submit: ${run.label} (64 concurrent)`, value: `${run.throughput.toFixed(0)} tx/s`, note: `p50 ${run.p50.toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms, ${run.count} visits in ${visits.roundRatios.length} rounds` });
  }
  figures.push({
    name: 'visit submit: HTTP / raw throughput (target ≥ 0.5)',
    value: (http.throughput / raw.throughput).toFixed(2),
    note: `rounds: ${visits.roundRatios.map((r) => r.toFixed(2)).join(', ')}`,
  });
  figures.push({ name: 'visit submit: HTTP p99 / raw p99 (target ≤ 1.5)', value: (http.p99 / raw.p99).toFixed(2) });
  if (visits.baseline) {
    const b = visits.baseline;
    figures.push({ name: `visit submit: ${b.http.label} (64 concurrent)`, value: `${b.http.throughput.toFixed(0)} tx/s`, note: `p50 ${b.http.p50.toFixed(1)} ms, p99 ${b.http.p99.toFixed(1)} ms, ${b.http.count} visits` });
    figures.push({ name: 'visit submit, baseline: HTTP / raw throughput', value: (b.http.throughput / raw.throughput).toFixed(2), note: `rounds: ${b.roundRatios.map((r) => r.toFixed(2)).join(', ')}` });
    figures.push({ name: 'visit submit, baseline: HTTP p99 / raw p99', value: (b.http.p99 / raw.p99).toFixed(2) });
    if (b.http.cpu) {
      const c = b.http.cpu;
      figures.push({ name: 'visit submit CPU per visit, baseline HTTP: MariaDB + server + load generator', value: `${(c.database + c.server + c.client).toFixed(2)} ms`, note: `${c.database.toFixed(2)} ms + ${c.server.toFixed(2)} ms + ${c.client.toFixed(2)} ms` });
    }
  }
  if (raw.cpu && http.cpu) {
    const ms = (n: number) => `${n.toFixed(2)} ms`;
    figures.push({ name: 'visit submit CPU per visit, raw: MariaDB + mysql2 client', value: ms(raw.cpu.database + raw.cpu.client), note: `${ms(raw.cpu.database)} + ${ms(raw.cpu.client)}` });
    figures.push({
      name: 'visit submit CPU per visit, HTTP: MariaDB + server + load generator',
      value: ms(http.cpu.database + http.cpu.server + http.cpu.client),
      note: `${ms(http.cpu.database)} + ${ms(http.cpu.server)} + ${ms(http.cpu.client)}`,
    });
  }
}

async function escalationFigures() {
  // BENCH_ESCALATIONS overrides the 100 000 (e.g. 10000 for a quick run).
  const escalation = await lazy.escalationScale();
  figures.push({
    name: `escalation: ${grouped(escalation.total)} to-dos due at once, 2 servers`,
    value: escalation.finished ? `${escalation.seconds.toFixed(2)} s` : 'not finished',
    note: `${escalation.finished ? '' : `${escalation.escalated} escalated after ${escalation.seconds.toFixed(0)} s, `}duplicates ${escalation.duplicates}, messages ${escalation.messages} (target: all within 60 s)`,
  });
}

async function searchFigures() {
  // BENCH_SEARCH_CUSTOMERS overrides the 200 000 (e.g. 20000 for a quick run).
  const search = await lazy.customerSearchBench();
  figures.push({
    name: `search index: ${grouped(search.customers)} customers`,
    value: `${grouped(search.grams)} grams`,
    note: `insert ${search.insertSeconds.toFixed(0)} s, index ${search.indexSeconds.toFixed(0)} s`,
  });
  for (const f of search.figures) {
    const target = f.kind.startsWith('no search') ? '' : ' (target p95 < 50 ms)';
    figures.push({ name: `search ${grouped(search.customers)}: ${f.role}, ${f.kind}${target}`, value: `${f.p95.toFixed(1)} ms`, note: `p95; p50 ${f.p50.toFixed(1)} ms; ${f.matches}` });
  }
}

async function deliveryFigures() {
  // BENCH_OUTAGE_SECONDS overrides the 2-minute outage (real time).
  const d = await lazy.deliveryRecovery();
  figures.push({
    name: `delivery: ${grouped(d.messages)} messages to ${d.members} members after a ${d.outageSeconds} s outage, 2 servers`,
    value: `${d.drainSeconds.toFixed(0)} s`,
    note: `to drain after recovery${d.finished ? '' : ' (NOT finished)'}; minimum the limits allow ${d.minimumSeconds} s (busiest member ${d.busiest} messages, 30/min, 1000/h); ratio ${d.minimumSeconds ? (d.drainSeconds / d.minimumSeconds).toFixed(2) : '-'} (target ≤ 1.2)`,
  });
  figures.push({
    name: 'delivery: duplicates / losses / inversions (target 0 / 0 / 0)',
    value: `${d.duplicates} / ${d.losses} / ${d.inversions}`,
    note: `${d.delivered} shown; ${d.droppedByLimit} accepted but dropped over a member limit; ${d.failed} failed`,
  });
}

async function gradingFigures() {
  // BENCH_GRADING_CUSTOMERS overrides the 200 000 (e.g. 20000 for a quick run).
  const g = await lazy.gradingBench();
  figures.push({
    name: `grading: regrade ${grouped(g.customers)} customers (target < 20 s, < 300 MB)`,
    value: seconds(g.seconds * 1000),
    note: `${grouped(g.graded)} graded, ${grouped(g.changed)} changed (${grouped(g.pushed)} packs pushed, ${grouped(g.reviews)} reviews opened); seed ${g.insertSeconds.toFixed(0)} s (in SQL)`,
  });
  figures.push({
    name: 'grading: process peak RSS during the regrade (target < 300 MB)',
    value: `${g.peakRssMb.toFixed(0)} MB`,
    note: `the run's growth ${g.runDeltaMb.toFixed(0)} MB over ${g.baseRssMb.toFixed(0)} MB before it (peak JS heap ${g.peakHeapMb.toFixed(0)} MB); process RSS after a full GC: ${Object.entries(g.phases).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')} MB`,
  });
}

async function dashboardFigures() {
  const d = await lazy.dashboardsScale();
  figures.push({
    name: `dashboards: data set (${grouped(d.reps)} reps, ${grouped(d.customers)} customers, ${grouped(d.visits)} visits)`,
    value: `${(d.dataMb + d.indexMb).toFixed(0)} MB`,
    note: `on disk (information_schema): data ${d.dataMb.toFixed(0)} MB + indexes ${d.indexMb.toFixed(0)} MB; ${grouped(d.checkins)} check-ins, ${grouped(d.signins)} sign-ins, ${grouped(d.tasks)} to-dos; largest: ${d.tables.slice(0, 6).map((t) => `${t.table} ${t.mb.toFixed(0)}`).join(', ')} MB`,
  });
  figures.push({ name: d.reused ? 'dashboards: reused (BENCH_DASH_REUSE), not generated' : 'dashboards: generated in SQL', value: d.reused ? '-' : seconds(d.generateSeconds * 1000), note: d.rollupSeconds === null ? 'no rollups' : `first full rollup build ${d.rollupSeconds.toFixed(1)} s; a steady-state job run ${d.steadySeconds?.toFixed(2) ?? '-'} s` });
  for (const f of d.figures) {
    figures.push({ name: `dashboards ${f.role === 'director' ? 'director (region, 500 reps)' : 'supervisor (team, 8 reps)'}: ${f.path}`, value: `${f.p95.toFixed(0)} ms`, note: `p95 (goal < 200 ms), 16 asking the same; p50 ${f.p50.toFixed(0)} ms; 16 asking different periods p95 ${Number.isNaN(f.distinctP95) ? '-' : f.distinctP95.toFixed(0)} ms; one at a time ${f.alone.toFixed(0)} ms; ${f.status}` });
  }
  figures.push({ name: 'dashboards: load average before / after', value: '', note: `${d.loadBefore} / ${d.loadAfter}` });
  console.log('\n| endpoint | director p50 / p95 ms (alone) | supervisor p50 / p95 ms (alone) |\n|---|---|---|');
  for (const path of [...new Set(d.figures.map((f) => f.path))]) {
    const of = (role: string) => d.figures.find((f) => f.path === path && f.role === role);
    const cell = (f: (typeof d.figures)[number] | undefined) => (f ? `${f.p50.toFixed(0)} / ${f.p95.toFixed(0)} (${f.alone.toFixed(0)})${f.status.startsWith('200×') && !f.status.includes(' ') ? '' : ` (${f.status})`}` : '-');
    console.log(`| ${path} | ${cell(of('director'))} | ${cell(of('supervisor'))} |`);
  }
}

async function paymentFigures() {
  const p = await lazy.paymentsNotify();
  figures.push({
    name: `WeChat Pay notifications, 2 instances, ${grouped(p.notifications)} (${grouped(p.orders)} orders × 4)`,
    value: `${p.perSecond.toFixed(0)} /s`,
    note: `p50 ${p.p50.toFixed(0)} ms, p95 ${p.p95.toFixed(0)} ms; answers ${p.statuses}${p.resets ? ` (+${p.resets} redelivered after a reset socket)` : ''}; credited ${grouped(p.credited)}, double credits ${p.doubleCredits}`,
  });
}

async function rebateFigures() {
  // BENCH_REBATE_CALCULATIONS overrides the 4 000 calculations.
  const r = await lazy.rebateBench();
  figures.push({
    name: `rebate calculator: ${grouped(r.rules)}-rule table, 8 concurrent (target p95 < 50 ms)`,
    value: `${r.p95.toFixed(1)} ms`,
    note: `p95; p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms; ${r.throughput.toFixed(0)} req/s over ${grouped(r.calculations)} calculations; load average ${r.load.toFixed(1)} at the start`,
  });
  figures.push({
    name: 'rebate calculator: cost of one calculation',
    value: `${r.statements.toFixed(2)} statements`,
    note: `answered by the database per calculation (polls of the job runner and outbox included); ${r.cpuMs.toFixed(2)} ms CPU of the bench process (server and load generator)`,
  });
  figures.push({
    name: 'rebate calculator: one at a time',
    value: `${r.aloneP95.toFixed(1)} ms`,
    note: `p95; p50 ${r.aloneP50.toFixed(1)} ms; the first after a new version was saved ${r.afterSave.toFixed(1)} ms (the table reloaded once)`,
  });
}

async function playFigures() {
  // BENCH_PLAYS_VISITS / BENCH_PLAYS_CUSTOMERS override the 2 000 000 / 200 000; BENCH_PLAYS_KEEP=1 / BENCH_PLAYS_REUSE=<url> keep and reuse the data set
  const p = await lazy.playsBench();
  figures.push({
    name: `plays: mining ${grouped(p.visits)} visits, all in the window (target < 60 s)`,
    value: seconds(p.mineSeconds * 1000),
    note: `${p.sqlSeconds.toFixed(1)} s in ${p.chunks} statements (slowest ${(p.slowestChunkMs / 1000).toFixed(2)} s; limit database.queryTimeoutSeconds), the rest adding up, merging, writing; load average ${p.loadBefore.toFixed(1)} before; ${grouped(p.distinctTexts)} distinct value points → ${p.plays} plays in ${p.regions} regions; ${p.reused ? 'data set reused' : `data set generated in ${p.generateSeconds.toFixed(0)} s`}`,
  });
  figures.push({
    name: 'plays: process peak RSS during the mining (target < 500 MB)',
    value: `${p.peakRssMb.toFixed(0)} MB`,
    note: `${p.baseRssMb.toFixed(0)} MB before it (the whole server process); peak JS heap ${p.peakHeapMb.toFixed(0)} MB`,
  });
}

async function campaignFigures() {
  // BENCH_CAMPAIGN_TARGETS / BENCH_CAMPAIGN_READS override the 500 targets and 200 board reads.
  const c = await lazy.campaignBench();
  figures.push({
    name: `campaign board: ${grouped(c.targets)} targets × ${c.reps} reps, 4 steps, 4 concurrent`,
    value: `${c.p95.toFixed(1)} ms`,
    note: `p95; p50 ${c.p50.toFixed(1)} ms, p99 ${c.p99.toFixed(1)} ms; ${c.throughput.toFixed(0)} req/s over ${c.reads} reads; steps done ${c.done.join('/')}`,
  });
  figures.push({ name: 'campaign board: one at a time', value: `${c.aloneP95.toFixed(1)} ms`, note: `p95; p50 ${c.aloneP50.toFixed(1)} ms` });
  figures.push({ name: 'campaign: a rep\'s own flow (GET /campaigns/mine)', value: `${c.mineP95.toFixed(1)} ms`, note: `p95; p50 ${c.mineP50.toFixed(1)} ms` });
}

async function h5Figures() {
  const h5 = await lazy.h5Timing();
  figures.push({ name: 'weapp main package (target < 1.5 MB, WeChat limit 2 MB)', value: `${(h5.weappMainBytes / 1024).toFixed(0)} KB` });
  figures.push({ name: 'weapp total with subpackages', value: `${(h5.weappBytes / 1024).toFixed(0)} KB` });
  figures.push({ name: `H5 first screen, cold context, median of ${h5.runs} (target < 1.5 s)`, value: seconds(h5.firstScreenMs) });
  figures.push({ name: `H5 visit form interactive from a link, median of ${h5.runs} (target < 1.5 s)`, value: seconds(h5.visitFormMs) });
}

async function main() {
  const parts: [string, () => Promise<void>][] = [['customers', customerFigures], ['search', searchFigures], ['visits', visitFigures], ['escalation', escalationFigures], ['delivery', deliveryFigures], ['grading', gradingFigures], ['dashboards', dashboardFigures], ['payments', paymentFigures], ['rebates', rebateFigures], ['plays', playFigures], ['campaigns', campaignFigures], ['h5', h5Figures]];
  let failed = false;
  for (const [part, measure] of parts) {
    if (!runs(part)) continue;
    try {
      await measure();
    } catch (error) {
      // one part failing still prints what the others measured
      console.error(error);
      figures.push({ name: `${part}: FAILED`, value: '-', note: (error as Error).message });
      failed = true;
    }
  }
  process.exitCode = failed ? 1 : 0;
  const width = Math.max(...figures.map((f) => f.name.length)) + 2;
  console.log('\nAnchor benchmark (MariaDB over loopback, this machine)\n');
  for (const f of figures) console.log(`${f.name.padEnd(width)}${f.value.padStart(12)}   ${f.note ?? ''}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
