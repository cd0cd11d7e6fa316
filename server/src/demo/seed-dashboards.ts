import type { EntityManager } from 'typeorm';
import { DAY_MS, HOUR_MS } from '../clock';
import type { Policy } from '../config/policy';
import { Visit } from '../modules/visits/visit.entity';

/**
 * History the dashboards read, added after the rest of the demo (its own random stream, so everything else
 * stays as it was):
 * - an **earlier visit** for about half of the visited customers, 3–12 days before the one on record, whose
 *   promised next follow-up came true on time for most (within the policy's grace) and late for a quarter —
 *   so 拜访质量's 跟进按时率 and the heatmap's follow-up durations have closed follow-ups, not only waiting ones;
 * - the **customer's words** on a few of this month's visits: quote-stage customers asking for a new quote
 *   (要求二次报价) and just-signed customers asking when the goods arrive (签约后询问交付), each in a phrase of
 *   the policy's lists.
 */
export async function seedDashboardHistory(m: EntityManager, policy: Policy, now: Date, random: () => number): Promise<void> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const o = policy.options;
  const rows: Array<{ id: number; customerId: number; memberId: number; submittedAt: Date | string; createdAt: Date | string; stage: string; customerCreatedAt: Date | string; painPoint: string }> = await m.query(
    `SELECT v.id AS id, v.customerId AS customerId, v.memberId AS memberId, v.submittedAt AS submittedAt, v.createdAt AS createdAt, c.stage AS stage, c.createdAt AS customerCreatedAt, v.painPoint AS painPoint
       FROM visit v JOIN customer c ON c.id = v.customerId
      WHERE v.submittedAt IS NOT NULL ORDER BY v.id`,
  );
  const grace = policy.dashboards.visitQuality.followUpGraceHours * HOUR_MS;
  const earlier: Partial<Visit>[] = [];
  for (const r of rows) {
    if (random() >= 0.5) continue;
    const next = new Date(r.submittedAt).getTime();
    // in working hours, Shanghai (UTC+8): 09:00–18:00 is 01:00–10:00 UTC
    const atDay = new Date(next - (3 + Math.floor(random() * 9)) * DAY_MS);
    atDay.setUTCHours(1 + Math.floor(random() * 9), Math.floor(random() * 60), 0, 0);
    const at = atDay.getTime();
    if (at < new Date(r.customerCreatedAt).getTime() + HOUR_MS || at >= next - DAY_MS) continue;
    // promised for 10:00 of a day: the day the next contact came (on time, within the policy's grace, for three
    // in four), or one to three days before it (late)
    const late = random() < 0.25;
    const promisedDay = new Date(next + 8 * HOUR_MS - (late ? (1 + Math.floor(random() * 3)) * DAY_MS : 0));
    const promised = Date.UTC(promisedDay.getUTCFullYear(), promisedDay.getUTCMonth(), promisedDay.getUTCDate(), 2);
    if (promised <= at + HOUR_MS || (!late && next > promised + grace)) continue;
    const action = pick(o.agreedActions);
    earlier.push({
      customerId: r.customerId, memberId: r.memberId, objective: pick(o.visitObjectives),
      painPoint: pick(EARLIER_PAIN_POINTS), dialogueSummary: pick(EARLIER_SUMMARIES), bottleneck: pick(o.bottlenecks.filter((b) => b !== '其他')),
      valuePoint: pick(['48 小时完成安装调试', '本地工程师 2 小时响应', '耗材三年价格锁定']), agreedAction: action, agreedActionNote: action === '其他' ? '约主任下周看演示' : null,
      nextFollowUpAt: new Date(promised), nextFollowUpForm: pick(o.followUpForms), alert: false, customerVerbatim: null, submittedAt: new Date(at), createdAt: new Date(at),
      // most reps answer 客户反馈, mostly positive (as on the demo's other visits)
      customerFeedback: feedback(random(), o.customerFeedback),
    });
  }
  for (let i = 0; i < earlier.length; i += 200) await m.createQueryBuilder().insert().into(Visit).values(earlier.slice(i, i + 200)).updateEntity(false).execute();

  // this month's customer words the business counters recognise
  const monthStart = new Date(now.getTime() - 25 * DAY_MS);
  const recent = rows.filter((r) => new Date(r.submittedAt).getTime() >= monthStart.getTime());
  const quote = policy.dashboards.counters.secondQuotePhrases[1] ?? policy.dashboards.counters.secondQuotePhrases[0]!;
  for (const r of recent.filter((v) => v.stage === 'quote').slice(0, 4)) {
    await m.getRepository(Visit).update({ id: r.id }, { customerVerbatim: `价格比预算高了一截，你们${quote}吧，我们再上会` });
  }
  const signed: Array<{ customerId: number; changedAt: Date | string }> = await m.query(`SELECT customerId, changedAt FROM customer_stage_change WHERE toStage = 'signed' ORDER BY changedAt DESC`);
  const within = policy.dashboards.counters.deliveryWithinDays * DAY_MS;
  let asked = 0;
  for (const s of signed) {
    if (asked >= 3) break;
    const at = new Date(s.changedAt).getTime();
    const visit = rows.find((r) => r.customerId === s.customerId && new Date(r.submittedAt).getTime() > at && new Date(r.submittedAt).getTime() <= at + within);
    if (!visit) continue;
    await m.getRepository(Visit).update({ id: visit.id }, { customerVerbatim: '合同签完了，设备什么时候到？科室等着发货排期' });
    asked += 1;
  }
}

const EARLIER_PAIN_POINTS = [
  '主任对现有设备的稳定性不满意，想了解我们的故障率数据', '设备科在做明年预算，需要参数和报价区间', '科室新来的医生多，担心操作复杂',
  '竞品刚做过一次演示，主任想横向比较', '去年的耗材还有库存，想先消化再说', '财务那边回款节奏慢，想知道能否分期',
];
const EARLIER_SUMMARIES = [
  '初次详细沟通，主任愿意看资料，约了下次带参数对比表再来。',
  '设备科长认可方案方向，要求补充同级医院案例，下次一并汇报。',
  '护士长提出培训需求，我们承诺安排演示，时间待定。',
];

function feedback(r: number, options: readonly string[]): string | null {
  if (r < 0.12) return null;
  return (r < 0.65 ? options[0] : r < 0.9 ? options[1] : options[2]) ?? options[0] ?? null;
}
