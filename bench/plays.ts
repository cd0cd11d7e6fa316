// Winning plays (赢单打法) at the issue's scale: play mining over 2 000 000 visits, all inside the mining window
// (the worst case: every visit is read), 2 000 reps in 4 regions, 200 000 customers, a third of them moved forward
// a stage in the window (some back again). Value points: 20 plays × 3 wordings, and one visit in ten with a number
// appended (「…（第 37 版）」) — distinct texts whose words are the same, for the merge to work through. Generated
// set-based in MariaDB (INSERT … SELECT from the sequence tables). The mining runs as the recurring job runs it: one
// transaction, chunked statements. Printed: its time, the slowest statement, and this process's peak RSS during it.
// BENCH_PLAYS_KEEP=1 keeps the database (its URL is logged); BENCH_PLAYS_REUSE=<that URL> mines it again.
import { loadPolicy } from '../server/src/config/policy';
import { withSqlTransaction } from '../server/src/db/sql';
import { startHarness } from '../tests/support/harness';

const REGIONS = 4;
const TEAMS = 250;
const REPS = 2000;
const CUSTOMERS = Number(process.env.BENCH_PLAYS_CUSTOMERS ?? 200_000);
const VISITS = Number(process.env.BENCH_PLAYS_VISITS ?? 2_000_000);
const DAY_S = 86_400;

const BOTTLENECKS = ['集采降价压力', '预算审批周期长', '科室使用意愿低', '竞品已入院', '库存积压', '回款周期长', '操作培训不足'];
const OBJECTIVES = ['建立联系', '推进方案', '促成签约', '处理异议', '收集反馈'];
const ACTIONS = ['发送方案', '安排演示', '提供样品'];
const VALUE_POINTS = [
  '提供集采中标价格对比表', '提供集采中标价格的对比表', '集采中标价格对比',
  '耗材三年价格锁定', '耗材价格三年锁定不变', '三年锁定耗材价格',
  '协助科室准备预算申报材料', '帮科室准备预算申报材料', '预算申报材料代准备',
  '分期付款降低一次性预算', '分期付款减少一次性预算压力', '分期付款方案',
  '安排科室主任参观样板医院', '邀请科室主任参观样板医院', '样板医院参观',
  '免费操作培训与考核', '提供免费操作培训和考核', '免费培训考核',
  '三甲医院同型号案例', '提供三甲医院同型号使用案例', '同型号三甲案例',
  '本地工程师 2 小时响应', '本地工程师两小时上门响应', '工程师快速响应',
  '48 小时完成安装调试', '安装调试 48 小时完成', '快速安装调试',
  '库存寄售减少资金占用', '寄售库存降低资金压力', '寄售模式',
  '回款账期延长到 180 天', '延长回款账期', '账期延长',
  '临床数据对比报告', '提供临床数据对比报告', '临床对比数据',
  '专家学术会邀请', '邀请参加专家学术会议', '学术会议邀请',
  '以旧换新补贴', '旧设备以旧换新', '以旧换新方案',
  '设备免费试用一个月', '免费试用设备一个月', '试用一个月',
  '驻场工程师支持', '提供驻场工程师', '工程师驻场',
  '耗材配送次日达', '次日达耗材配送', '配送次日达',
  '科室耗材使用分析', '提供科室耗材使用分析报告', '耗材使用分析',
  '医保控费方案解读', '解读医保控费政策方案', '医保控费解读',
  '术后随访关怀方案', '提供术后随访关怀', '随访关怀',
];
const elt = (list: readonly string[], expr: string) => `ELT((${expr}) % ${list.length} + 1, ${list.map((s) => `'${s}'`).join(', ')})`;

export interface PlaysBench {
  visits: number;
  customers: number;
  generateSeconds: number;
  reused: boolean;
  mineSeconds: number;
  slowestChunkMs: number;
  sqlSeconds: number;
  chunks: number;
  plays: number;
  distinctTexts: number;
  regions: number;
  baseRssMb: number;
  loadBefore: number;
  peakRssMb: number;
  peakHeapMb: number;
}

export async function playsBench(): Promise<PlaysBench> {
  const now = new Date();
  const base = loadPolicy();
  const reuse = process.env.BENCH_PLAYS_REUSE;
  // the seed's statements get 5 minutes; the mining below keeps each of its statements far under the product's 10 s
  const h = await startHarness({ now, policy: { ...base, database: { ...base.database, queryTimeoutSeconds: 300 } }, keepDatabase: process.env.BENCH_PLAYS_KEEP === '1' || !!reuse, sharedDatabaseUrl: reuse });
  const q = (text: string, params: unknown[] = []) => h.db.query(text, params) as Promise<Array<Record<string, unknown>>>;
  const log = (s: string) => console.error(`[plays bench ${new Date().toISOString().slice(11, 19)}] ${s}`);
  try {
    const t0 = performance.now();
    if (process.env.BENCH_PLAYS_KEEP === '1') log(`the data set stays in ${h.dbUrl}`);
    if (!reuse) {
      const regionIds: number[] = [];
      for (let r = 0; r < REGIONS; r++) regionIds.push((await h.services.org.createRegion(`打法大区${r + 1}`)).id);
      await q(`INSERT INTO team (name, regionId) SELECT CONCAT('打法组', seq), ELT((seq - 1) % ${REGIONS} + 1, ${regionIds.join(', ')}) FROM seq_1_to_${TEAMS}`);
      // one rep in ten joined 30 days ago (a new rep), the others 400 days ago
      await q(
        `INSERT INTO member (name, phone, role, teamId, regionId, managerId, joinedAt, createdAt, updatedAt)
         SELECT CONCAT('打法代表', s.seq), CONCAT('1373', LPAD(s.seq, 7, '0')), 'rep', t.id, t.regionId, NULL,
                IF(s.seq % 10 = 0, DATE_SUB(?, INTERVAL 30 DAY), DATE_SUB(?, INTERVAL 400 DAY)), ?, ?
         FROM seq_1_to_${REPS} s JOIN team t ON t.name = CONCAT('打法组', (s.seq - 1) % ${TEAMS} + 1)`,
        [now, now, now, now],
      );
      await q('CREATE TABLE bench_rep (n INT PRIMARY KEY, memberId INT NOT NULL)');
      await q(`INSERT INTO bench_rep (n, memberId) SELECT CAST(SUBSTRING(name, 5) AS UNSIGNED), id FROM member WHERE name LIKE '打法代表%'`);
      await q('CREATE TABLE bench_customer (n INT PRIMARY KEY, id INT NOT NULL)');
      for (let from = 1; from <= CUSTOMERS; from += 50_000) {
        const to = Math.min(CUSTOMERS, from + 49_999);
        await q(
          `INSERT INTO customer (name, nameKey, industry, hospitalLevel, stage, stageChangedAt, ownerId, createdById, lastFollowUpAt, createdAt, updatedAt)
           SELECT CONCAT('打法医院', s.seq), CONCAT('plays', s.seq), ${elt(['公立医院', '民营医院', '基层医疗机构'], 's.seq')}, ${elt(['三级甲等', '三级乙等', '二级甲等', '二级乙等'], 's.seq DIV 3')},
                  'proposal', DATE_SUB(?, INTERVAL 200 DAY), r.memberId, r.memberId, ?, DATE_SUB(?, INTERVAL 200 DAY), ?
           FROM seq_${from}_to_${to} s JOIN bench_rep r ON r.n = (s.seq - 1) % ${REPS} + 1`,
          [now, now, now, now],
        );
      }
      await q(`INSERT INTO bench_customer (n, id) SELECT CAST(SUBSTRING(nameKey, 6) AS UNSIGNED), id FROM customer WHERE nameKey LIKE 'plays%'`);
      log('org and customers built');
      // a third of the customers moved forward (方案 → 报价) 1–85 days ago; one in six of those back again 10 days later
      await q(
        `INSERT INTO customer_stage_change (customerId, fromStage, toStage, kind, changedById, changedAt)
         SELECT c.id, 'proposal', 'quote', 'stage', c.ownerId, DATE_SUB(?, INTERVAL (c.n % 85 + 1) DAY) FROM (SELECT b.n, b.id, cu.ownerId FROM bench_customer b JOIN customer cu ON cu.id = b.id) c WHERE c.n % 3 = 0`,
        [now],
      );
      await q(
        `INSERT INTO customer_stage_change (customerId, fromStage, toStage, kind, changedById, changedAt)
         SELECT c.id, 'quote', 'proposal', 'stage', c.ownerId, DATE_ADD(DATE_SUB(?, INTERVAL (c.n % 85 + 1) DAY), INTERVAL 10 DAY)
         FROM (SELECT b.n, b.id, cu.ownerId FROM bench_customer b JOIN customer cu ON cu.id = b.id) c WHERE c.n % 18 = 0 AND c.n % 85 >= 10`,
        [now],
      );
      // visits: customer seq % CUSTOMERS, by its owner, spread over the last 88 days
      const spacing = Math.floor((88 * DAY_S) / Math.ceil(VISITS / CUSTOMERS));
      for (let from = 1; from <= VISITS; from += 100_000) {
        const to = Math.min(VISITS, from + 99_999);
        await q(
          `INSERT INTO visit (customerId, memberId, objective, painPoint, dialogueSummary, bottleneck, valuePoint, agreedAction, nextFollowUpAt, nextFollowUpForm, alert, submittedAt, savedAt, createdAt, playKey)
           SELECT c.id, cu.ownerId, ${elt(OBJECTIVES, 'x.seq DIV 7')}, '集采后价格压力很大', '主任关心集采之后的价格和服务', ${elt(BOTTLENECKS, 'x.seq')},
                  IF(x.seq % 10 = 0, CONCAT(${elt(VALUE_POINTS, 'x.seq DIV 35')}, '（第 ', x.seq % 97, ' 版）'), ${elt(VALUE_POINTS, 'x.seq DIV 35')}),
                  ${elt(ACTIONS, 'x.seq DIV 11')}, DATE_ADD(x.at, INTERVAL 3 DAY), '电话', 0, x.at, x.at, x.at, IF(x.seq % 20 = 0, LPAD(HEX(x.seq % 60), 16, '0'), NULL)
           FROM (SELECT seq, (seq - 1) % ${CUSTOMERS} + 1 AS n, DATE_SUB(?, INTERVAL ((seq - 1) DIV ${CUSTOMERS}) * ${spacing} + (seq % 28800) + 600 SECOND) AS at FROM seq_${from}_to_${to}) x
           JOIN bench_customer c ON c.n = x.n JOIN customer cu ON cu.id = c.id`,
          [now],
        );
        if ((to / 100_000) % 5 === 0) log(`visits ${to}`);
      }
      await q('ANALYZE TABLE customer, visit, customer_stage_change, member, team');
      log('visits built');
    }
    const generateSeconds = (performance.now() - t0) / 1000;
    const count = async (table: string) => Number((await q(`SELECT COUNT(*) AS n FROM ${table}`))[0]!.n);
    const [visits, customers] = [await count('visit'), await count('customer')];

    global.gc?.();
    const loadBefore = (require('node:os') as typeof import('node:os')).loadavg()[0]!;
    const baseRss = process.memoryUsage().rss;
    let peakRss = baseRss;
    let peakHeap = process.memoryUsage().heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 20);
    const t1 = performance.now();
    const result = await withSqlTransaction(h.db, (sql) => h.services.plays.mine(sql, new Date()));
    const mineSeconds = (performance.now() - t1) / 1000;
    clearInterval(sampler);
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    log(`mined in ${mineSeconds.toFixed(1)} s (load average ${loadBefore.toFixed(1)} before): ${JSON.stringify(result)}`);
    const mb = (b: number) => b / 2 ** 20;
    return {
      visits, customers, generateSeconds, reused: !!reuse, mineSeconds, slowestChunkMs: result.slowestChunkMs, sqlSeconds: result.sqlMs / 1000, chunks: result.chunks, plays: result.plays,
      distinctTexts: result.distinctTexts, regions: result.regions, loadBefore, baseRssMb: mb(baseRss), peakRssMb: mb(peakRss), peakHeapMb: mb(peakHeap),
    };
  } finally {
    await h.close();
  }
}
