// The rebate calculator's latency over HTTP (target p95 < 50 ms): a 1 440-rule table (4 grades × 6 customer
// types × 20 models × 3 bands), 60 customers of one rep, calculations 8 at a time; then the first
// calculation after a new version is saved (the cache's version check reloads the table once).
import { loadavg } from 'node:os';
import type { RebateRuleInput } from '@anchor/shared';
import { loadPolicy } from '../server/src/config/policy';
import { startHarness } from '../tests/support/harness';
import { api } from '../tests/support/http';
import { buildOrg } from '../tests/support/org-fixture';
import { percentile } from './stats';

export async function rebateBench(calculations = Number(process.env.BENCH_REBATE_CALCULATIONS ?? 4000)) {
  // 20 product models listed in the policy (options.productModels: rules and the calculator take only those)
  const models = Array.from({ length: 20 }, (_, i) => `GX-${100 + i}`);
  const policy = loadPolicy();
  const h = await startHarness({ now: new Date(), policy: { ...policy, options: { ...policy.options, productModels: models } } });
  try {
    const org = await buildOrg(h);
    const grades = h.policy.grading.grades.map((g) => g.grade);
    const types = h.policy.options.industries;
    const rules: RebateRuleInput[] = [];
    for (const grade of grades) for (const customerType of types) for (const productModel of models) {
      const edges: Array<[number, number | null]> = [[0, 10_000_000], [10_000_000, 50_000_000], [50_000_000, null]];
      for (const [i, [minFen, maxFen]] of edges.entries()) {
        rules.push({ grade, customerType, productModel, deliveryCycle: '', minFen, maxFen, rateMinBp: 100 + i * 50, rateMaxBp: 300 + i * 50, documents: ['合同扫描件', '发票'], payoutDelayDays: 10 });
      }
    }
    const today = h.services.rebateRules.today();
    await h.services.rebateRules.saveVersion(org.finance, { effectiveFrom: today, note: 'bench', rules });
    const token = org.token(org.repA);
    const customers: number[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.admin), json: { name: `返点基准医院${i}号`, industry: types[i % types.length], ownerId: org.repA.id, grade: grades[i % grades.length] } });
      customers.push(res.body.id);
    }
    const one = async (i: number) => {
      const t0 = performance.now();
      const res = await api(h.url, 'POST', '/api/v1/rebates/calculate', {
        token, json: { customerId: customers[i % customers.length], productModel: models[i % models.length], amountFen: 1_000_000 + ((i * 7919) % 90_000_000), deliveryCycle: '30天' },
      });
      if (res.status !== 200) throw new Error(`calculate failed: ${res.status} ${JSON.stringify(res.body)}`);
      return performance.now() - t0;
    };
    for (let i = 0; i < 50; i++) await one(i); // warm-up
    // statements the database answered (all connections: the job runner's and outbox's polls count too) and
    // this process's CPU (server and load generator) per calculation: figures the machine's load moves less than latency
    const questions = async () => Number(((await h.db.query("SHOW GLOBAL STATUS LIKE 'Questions'")) as Array<{ Value: string }>)[0]!.Value);
    const q0 = await questions();
    const cpu0 = process.cpuUsage();
    const load = loadavg()[0]!;
    const latencies: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < calculations) latencies.push(await one(next++));
    }));
    const elapsed = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const statements = ((await questions()) - q0 - 1) / calculations;
    latencies.sort((a, b) => a - b);
    // a new version saved (as another server would): the next calculation reloads the version list once
    await h.services.rebateRules.saveVersion(org.finance, { effectiveFrom: today, note: 'bench 2', rules });
    const afterSave = await one(1);
    const alone: number[] = [];
    for (let i = 0; i < 200; i++) alone.push(await one(i));
    alone.sort((a, b) => a - b);
    return {
      rules: rules.length, calculations, throughput: (calculations / elapsed) * 1000,
      p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99),
      aloneP50: percentile(alone, 50), aloneP95: percentile(alone, 95), afterSave,
      statements, cpuMs: (cpu.user + cpu.system) / 1000 / calculations, load,
    };
  } finally {
    await h.close();
  }
}
