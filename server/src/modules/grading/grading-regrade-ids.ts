import type { Policy } from '../../config/policy';
import type { Sql } from '../../db/sql';
import { customersForGradingByIds, setGradesStatement } from '../customers';
import { scoreCustomer } from './grading.score';
import type { GradeChange, GradeStrategies } from './grading.strategies';

/** The on-time payment rate (0–100) of each customer that has receivables due, read in the caller's transaction (receivables' export). */
export type PaymentRates = (sql: Sql, customerIds: number[]) => Promise<Map<number, number>>;

/** customers per statement pair (one history INSERT of this many rows), as the full regrade batches */
const BATCH = 1000;

/**
 * Regrades the customers with these ids inside the caller's transaction, set-based like the full regrade:
 * per 1000 customers one read, one multi-row history INSERT and one UPDATE per grade that changed.
 * The changed grades set off their strategies (support pack, review) in the same transaction, per batch.
 */
export async function regradeCustomers(
  sql: Sql, ids: readonly number[], reason: string, now: Date, policy: Policy, strategies: GradeStrategies, paymentRates: PaymentRates,
): Promise<{ graded: number; changed: GradeChange[] }> {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const changed: GradeChange[] = [];
  let graded = 0;
  for (let i = 0; i < sorted.length; i += BATCH) {
    const rows = await customersForGradingByIds(sql, sorted.slice(i, i + BATCH));
    if (!rows.length) continue;
    const rates = await paymentRates(sql, rows.map((c) => Number(c.id)));
    const history: Record<string, unknown>[] = [];
    const byGrade = new Map<string, number[]>();
    const moved: GradeChange[] = [];
    for (const c of rows) {
      const r = scoreCustomer({ ...(c.gradingInputs ?? {}), paymentOnTimeRate: rates.get(Number(c.id)) ?? null, hospitalLevel: c.hospitalLevel, departmentActivity: c.departmentActivity }, policy);
      history.push({ customerId: c.id, ...r.subScores, score: r.score, grade: r.grade, missing: r.missing.join(','), reason, gradedAt: now });
      if (r.grade !== c.grade) {
        moved.push({ customerId: Number(c.id), customerName: c.name, ownerId: Number(c.ownerId), from: c.grade, to: r.grade, score: r.score, subScores: r.subScores });
        byGrade.set(r.grade, [...(byGrade.get(r.grade) ?? []), c.id]);
      }
    }
    await sql.batch([sql.insertStatement('customer_grade', history), ...[...byGrade].map(([grade, gradeIds]) => setGradesStatement(gradeIds, grade, now))]);
    if (moved.length) await strategies.apply(sql, moved, now);
    changed.push(...moved);
    graded += rows.length;
  }
  return { graded, changed };
}
