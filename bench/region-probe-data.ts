// The region-sized data set both dashboard probes read (bench/dashboards-probe.ts, bench/weekly-digest-probe.ts):
// PROBE_TEAMS (50) teams × 10 reps under one director, 50 customers and PROBE_VISITS_PER_REP (1 000) visits a year per
// rep, a to-do per visit for six months and two check-ins a day for 250 days, written with multi-row inserts.
import { startHarness } from '../tests/support/harness';

const TEAMS = Number(process.env.PROBE_TEAMS ?? 50);
const REPS = 10;
const CUSTOMERS_PER_REP = 50;
const VISITS_PER_REP = Number(process.env.PROBE_VISITS_PER_REP ?? 1000);
export const NOW = new Date('2026-11-20T02:00:00Z');
const PAINS = ['安装调试太慢影响手术排期', '耗材库存积压占用资金', '物流时效不稳定经常延误', '集采降价压力大', '预算审批周期长', '科室使用意愿低', '竞品已入院价格更低', '售后响应慢设备故障多', '操作培训不足', '回款周期长资金紧张'];
const OBJECTIVES = ['建立联系', '推进方案', '促成签约', '处理异议', '收集反馈'];
const STAGES = ['lead', 'visit', 'proposal', 'quote', 'signed', 'delivered'];
const pad = (n: number) => String(n).padStart(2, '0');
const at = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

/** Builds the data set on a fresh harness at NOW; answers the harness, the region's director and one team's supervisor. */
export async function buildRegionProbe() {
  const h = await startHarness({ now: NOW });
  const q = (sql: string, params: unknown[]) => h.db.query(sql, params);
  const many = async (table: string, cols: string[], rows: unknown[][]) => {
    for (let i = 0; i < rows.length; i += 2000) {
      const chunk = rows.slice(i, i + 2000);
      await q(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${chunk.map(() => `(${cols.map(() => '?').join(', ')})`).join(', ')}`, chunk.flat());
    }
  };
  const t0 = performance.now();
  const region = await h.services.org.createRegion('华东');
  const director = await h.services.org.createMember({ name: '总监', phone: '13700000000', role: 'director', regionId: region.id });
  const reps: Array<{ id: number; teamId: number }> = [];
  let supervisor = director;
  for (let t = 0; t < TEAMS; t++) {
    const team = await h.services.org.createTeam(`第${t + 1}组`, region.id);
    const sup = await h.services.org.createMember({ name: `主管${t}`, phone: `1370001${String(t).padStart(4, '0')}`, role: 'supervisor', teamId: team.id, regionId: region.id, managerId: director.id });
    if (t === 0) supervisor = sup;
    for (let r = 0; r < REPS; r++) {
      const rep = await h.services.org.createMember({ name: `代表${t}-${r}`, phone: `1370002${String(t * REPS + r).padStart(4, '0')}`, role: 'rep', teamId: team.id, regionId: region.id, managerId: sup.id });
      reps.push({ id: rep.id, teamId: team.id });
    }
  }
  // customers
  const customerRows: unknown[][] = [];
  let n = 0;
  for (const rep of reps) for (let i = 0; i < CUSTOMERS_PER_REP; i++) {
    n++;
    const assigned = new Date(NOW.getTime() - (n % 365) * 86_400_000);
    customerRows.push([`探针医院${n}`, `probe${n}`, '公立医院', STAGES[n % 6], at(assigned), rep.id, rep.id, at(new Date(NOW.getTime() - (n % 9) * 86_400_000)), at(assigned), at(assigned), at(assigned), n % 5 ? at(new Date(assigned.getTime() + (n % 72) * 3_600_000)) : null]);
  }
  await many('customer', ['name', 'nameKey', 'industry', 'stage', 'stageChangedAt', 'ownerId', 'createdById', 'lastFollowUpAt', 'createdAt', 'updatedAt', 'leadAssignedAt', 'firstTouchAt'], customerRows);
  const [{ first }] = await q('SELECT MIN(id) AS first FROM customer', []);
  // visits: spread over the past year; a rep's customers in turn
  const visitRows: unknown[][] = [];
  reps.forEach((rep, ri) => {
    for (let i = 0; i < VISITS_PER_REP; i++) {
      const submitted = new Date(NOW.getTime() - ((i * 365) / VISITS_PER_REP) * 86_400_000 - (ri % 8) * 3_600_000);
      const customerId = Number(first) + ri * CUSTOMERS_PER_REP + (i % CUSTOMERS_PER_REP);
      visitRows.push([customerId, rep.id, OBJECTIVES[(i + ri) % 5], PAINS[(i * 7 + ri) % PAINS.length], '双方沟通了下一步安排', '其他', '快速响应', '发送方案', at(new Date(submitted.getTime() + 2 * 86_400_000)), '电话', 0, at(submitted), at(submitted), at(submitted)]);
    }
  });
  await many('visit', ['customerId', 'memberId', 'objective', 'painPoint', 'dialogueSummary', 'bottleneck', 'valuePoint', 'agreedAction', 'nextFollowUpAt', 'nextFollowUpForm', 'alert', 'submittedAt', 'savedAt', 'createdAt'], visitRows);
  // to-dos for the last six months' visits
  const taskRows = visitRows
    .filter((v) => new Date(`${String(v[11]).replace(' ', 'T')}Z`).getTime() > NOW.getTime() - 183 * 86_400_000)
    .map((v, i) => ['visit_next_action', 'visit', null, v[0], v[1], supervisor.id, '{}', v[11], 'manager', i % 7 ? v[11] : null, i % 7 ? 'done' : null, v[11]]);
  await many('task', ['kind', 'subjectType', 'subjectId', 'customerId', 'requesterId', 'assigneeId', 'snapshot', 'dueAt', 'escalationTarget', 'completedAt', 'outcome', 'createdAt'], taskRows);
  // check-ins: morning and evening for 250 days
  const checkinRows: unknown[][] = [];
  for (const rep of reps) for (let d = 0; d < 250; d++) {
    const day = new Date(NOW.getTime() - d * 86_400_000);
    const ymd = `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}`;
    for (const kind of ['morning', 'evening']) checkinRows.push([rep.id, rep.teamId, ymd, kind, kind, (d + rep.id) % 10 ? 'on_time' : 'missing', kind === 'morning' ? JSON.stringify({ coreNeed: PAINS[d % PAINS.length] }) : null, at(day), at(day), at(day)]);
  }
  await many('checkin', ['memberId', 'teamId', 'day', 'kind', 'slot', 'status', 'answers', 'checkedInAt', 'windowClosesAt', 'createdAt'], checkinRows);
  const built = performance.now() - t0;
  console.log(`built ${reps.length} reps, ${customerRows.length} customers, ${visitRows.length} visits, ${taskRows.length} to-dos, ${checkinRows.length} check-ins in ${(built / 1000).toFixed(0)} s`);

  return { h, q, director, supervisor };
}
