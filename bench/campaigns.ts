// The campaign board's latency over HTTP: one campaign over 500 target customers held by 20 reps (a team's
// reps and its supervisor's region), four steps, with the records it reads — a visit with the objective on
// every target, shares on half, a stage change on a fifth — then GET /campaigns/:id/board 4 at a time, and a
// rep's own flow (GET /campaigns/mine). The board is computed from the records at read time (no rollup).
import { addDays, localDay } from '@anchor/shared';
import type { Member } from '../server/src/modules/org/member.entity';
import { startHarness } from '../tests/support/harness';
import { api } from '../tests/support/http';
import { buildOrg } from '../tests/support/org-fixture';
import { completeVisit, submitVisit } from '../tests/support/visit-fixture';
import { percentile } from './stats';

async function pool<T>(n: number, total: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < total) {
      const i = next++;
      out[i] = await work(i);
    }
  }));
  return out;
}

export async function campaignBench(targets = Number(process.env.BENCH_CAMPAIGN_TARGETS ?? 500), repCount = 20, reads = Number(process.env.BENCH_CAMPAIGN_READS ?? 200)) {
  const h = await startHarness({ now: new Date() });
  try {
    const org = await buildOrg(h);
    const reps: Member[] = [];
    for (let i = 0; i < repCount; i++) {
      reps.push(await h.services.org.createMember({ name: `专项代表${i + 1}`, phone: `1370000${String(1000 + i)}`, role: 'rep', teamId: org.teamIds.team1, regionId: org.regionIds.east, managerId: org.supervisor1.id }));
    }
    const token = new Map<number, string>();
    for (const r of reps) token.set(r.id, (await h.services.auth.issueSession(r, 'wechat')).token);
    const admin = org.token(org.admin);
    const customers = await pool(8, targets, async (i) => {
      const owner = reps[i % repCount]!;
      const res = await api(h.url, 'POST', '/api/v1/customers', { token: admin, json: { name: `专项基准医院${String(i).padStart(4, '0')}号`, industry: '公立医院', ownerId: owner.id, stage: 'visit', hospitalLevel: '三级甲等', city: '上海市' } });
      if (res.status !== 201) throw new Error(`customer: ${res.status} ${JSON.stringify(res.body)}`);
      return { id: res.body.id as number, owner };
    });
    const material = (await h.services.materials.create(org.marketing, { kind: 'script', title: '基准话术', description: '', attachmentId: null, scriptText: '话术', tagIds: [], stages: [], industries: [], bottlenecks: [] })).id;
    const campaign = await h.services.campaigns.create(org.directorEast, {
      name: '基准专项', startsOn: localDay(h.clock.now(), h.policy.timeZone), endsOn: addDays(localDay(h.clock.now(), h.policy.timeZone), 60), goalStage: 'proposal', goalCount: 100,
      filter: { cities: ['上海市'], stages: ['visit'] }, customerIds: [], scriptMaterialId: material, materialIds: [material],
      steps: [
        { title: '拜访', kind: 'visit', objective: '推进方案', dueDays: 3 },
        { title: '分享', kind: 'share', materialId: null, dueDays: 7 },
        { title: '方案', kind: 'stage', stage: 'proposal', dueDays: 14 },
        { title: '拍照', kind: 'photo', dueDays: 14 },
      ],
      launch: true,
    });
    const tomorrow = addDays(localDay(h.clock.now(), h.policy.timeZone), 2);
    await pool(8, targets, async (i) => {
      const c = customers[i]!;
      const t = token.get(c.owner.id)!;
      const v = await submitVisit(h, t, { ...completeVisit(c.id), nextFollowUpDate: tomorrow });
      if (v.status !== 201) throw new Error(`visit: ${v.status} ${JSON.stringify(v.body)}`);
      if (i % 2 === 0) await api(h.url, 'POST', `/api/v1/materials/${material}/shares`, { token: t, json: { customerId: c.id } });
      if (i % 5 === 0) await api(h.url, 'PATCH', `/api/v1/customers/${c.id}`, { token: t, json: { stage: 'proposal' } });
    });
    const director = org.token(org.directorEast);
    const board = async () => {
      const t0 = performance.now();
      const res = await api(h.url, 'GET', `/api/v1/campaigns/${campaign.id}/board`, { token: director });
      if (res.status !== 200) throw new Error(`board: ${res.status}`);
      return { ms: performance.now() - t0, body: res.body };
    };
    const first = await board();
    for (let i = 0; i < 5; i++) await board(); // warm-up
    const t0 = performance.now();
    const latencies = (await pool(4, reads, async () => (await board()).ms)).sort((a, b) => a - b);
    const elapsed = performance.now() - t0;
    const alone: number[] = [];
    for (let i = 0; i < 50; i++) alone.push((await board()).ms);
    alone.sort((a, b) => a - b);
    const mine = (await pool(4, 100, async (i) => {
      const t1 = performance.now();
      const res = await api(h.url, 'GET', '/api/v1/campaigns/mine', { token: token.get(reps[i % repCount]!.id)! });
      if (res.status !== 200) throw new Error(`mine: ${res.status}`);
      return performance.now() - t1;
    })).sort((a, b) => a - b);
    return {
      targets: first.body.totals.targets as number, reps: first.body.reps.length as number, done: first.body.totals.done as number[], reads,
      p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), throughput: (reads / elapsed) * 1000,
      mineP50: percentile(mine, 50), mineP95: percentile(mine, 95), aloneP50: percentile(alone, 50), aloneP95: percentile(alone, 95),
    };
  } finally {
    await h.close();
  }
}
