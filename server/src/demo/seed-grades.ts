import type { EntityManager } from 'typeorm';
import { DAY_MS, HOUR_MS } from '../clock';
import type { Policy } from '../config/policy';
import type { Customer } from '../modules/customers/customer.entity';
import { scoreCustomer } from '../modules/grading';
import { CustomerGrade } from '../modules/grading/customer-grade.entity';

type Inputs = { inventoryConsumptionSpeed: number; competitorPenetration: number };
interface Run {
  at: Date;
  reason: 'scheduled' | 'on_demand' | 'import';
  inputs: Inputs;
}

const clamp = (v: number) => Math.max(0, Math.min(100, Math.round(v)));

/**
 * A month of grade history, consistent with the model: a scheduled regrade every `limits.regradeIntervalHours`
 * over the last 30 days, each scored with the grading model from the inputs the customer had then (they drift
 * towards today's, so some customers changed grade along the way); an inventory sheet imported two weeks ago,
 * and a rep's on-demand regrade here and there. The newest run scores today's inputs, so the customer's
 * grade is that run's and the next scheduled regrade changes nothing. Payment history is missing (neutral),
 * as the regrade reads it today.
 *
 * Called before the customers are inserted: it sets each customer's `grade` and answers the history rows
 * once their ids are known.
 */
export function planGradeHistory(customers: Partial<Customer>[], policy: Policy, now: Date, random: () => number) {
  const every = policy.limits.regradeIntervalHours * HOUR_MS;
  // the scheduled runs of the last month, oldest first; the newest a few hours ago
  const scheduled: Date[] = [];
  for (let at = now.getTime() - 5 * HOUR_MS; at > now.getTime() - 30 * DAY_MS; at -= every) scheduled.unshift(new Date(at));
  const importedAt = new Date(now.getTime() - 14 * DAY_MS - 3 * HOUR_MS);
  const plans = customers.map((c) => {
    // A few top hospitals are A+ customers (with payment history neutral until receivables exist, A+ takes
    // top marks in the other three); most of them got there during the month.
    if (c.hospitalLevel === policy.options.hospitalLevels[0] && random() < 0.15) {
      c.departmentActivity = policy.options.departmentActivity[0]!;
      c.gradingInputs = { ...c.gradingInputs, inventoryConsumptionSpeed: 100, competitorPenetration: 0 };
    }
    const today = c.gradingInputs as Inputs;
    // where this customer's inputs stood a month ago: most moved a little, a quarter a lot (either way)
    const swing = random() < 0.25 ? 25 + random() * 20 : random() * 8;
    const sign = random() < 0.5 ? -1 : 1;
    const start: Inputs = { inventoryConsumptionSpeed: clamp(today.inventoryConsumptionSpeed - sign * swing), competitorPenetration: clamp(today.competitorPenetration + sign * swing) };
    const at = (t: Date): Inputs => {
      const f = Math.min(1, (t.getTime() - scheduled[0]!.getTime()) / (now.getTime() - scheduled[0]!.getTime()));
      return {
        inventoryConsumptionSpeed: clamp(start.inventoryConsumptionSpeed + (today.inventoryConsumptionSpeed - start.inventoryConsumptionSpeed) * f),
        competitorPenetration: clamp(start.competitorPenetration + (today.competitorPenetration - start.competitorPenetration) * f),
      };
    };
    const runs: Run[] = scheduled.filter((t) => t.getTime() > c.createdAt!.getTime()).map((t) => ({ at: t, reason: 'scheduled' as const, inputs: at(t) }));
    if (importedAt.getTime() > c.createdAt!.getTime() && random() < 0.6) runs.push({ at: importedAt, reason: 'import', inputs: at(importedAt) });
    if (random() < 0.15) {
      const t = new Date(now.getTime() - (1 + random() * 20) * DAY_MS);
      if (t.getTime() > c.createdAt!.getTime()) runs.push({ at: t, reason: 'on_demand', inputs: at(t) });
    }
    runs.sort((a, b) => a.at.getTime() - b.at.getTime());
    // the newest run grades today's inputs exactly
    if (runs.length) runs[runs.length - 1]!.inputs = { ...today };
    const graded = runs.map((r) => ({ run: r, result: scoreCustomer({ ...r.inputs, paymentOnTimeRate: null, hospitalLevel: c.hospitalLevel, departmentActivity: c.departmentActivity }, policy) }));
    const latest = graded[graded.length - 1] ?? { result: scoreCustomer({ ...today, paymentOnTimeRate: null, hospitalLevel: c.hospitalLevel, departmentActivity: c.departmentActivity }, policy) };
    c.grade = latest.result.grade;
    return graded;
  });

  return async (m: EntityManager, idOf: (c: Partial<Customer>) => number) => {
    const rows = customers.flatMap((c, i) =>
      plans[i]!.map(({ run, result }) => ({
        customerId: idOf(c),
        ...result.subScores,
        score: result.score,
        grade: result.grade,
        missing: result.missing.join(','),
        reason: run.reason,
        gradedAt: run.at,
      })),
    );
    for (let i = 0; i < rows.length; i += 500) await m.createQueryBuilder().insert().into(CustomerGrade).values(rows.slice(i, i + 500)).updateEntity(false).execute();
  };
}
