import type { Policy } from '../../config/policy';

/**
 * The grading model, pure: inputs in, four sub-scores, the weighted score and the grade out.
 * Used the same way by the on-demand route and the 72 h regrade (which computes it in SQL batches
 * from the same policy; see README "Customer grading").
 *
 * Dimensions (each 0–100):
 * - paymentHistory: on-time payment rate (0–100), the receivables module's `onTimeRates`: of the
 *   instalments due by today (or paid), the share paid in full by their due day; none due → missing.
 * - inventorySpeed: inventory consumption speed, 0–100 as imported.
 * - hospitalLevelActivity: mean of the hospital level's points and the department activity's points
 *   (policy grading.optionPoints; an option not listed scores by position, first 100 … last 0).
 *   With only one of the two known, that one alone; with neither, missing.
 * - competitorPenetration: 100 − penetration (lower penetration scores higher).
 * A missing input scores policy grading.neutralScore (default 50) and is listed in `missing`.
 */
export type Dimension = 'paymentHistory' | 'inventorySpeed' | 'hospitalLevelActivity' | 'competitorPenetration';
export const DIMENSIONS: readonly Dimension[] = ['paymentHistory', 'inventorySpeed', 'hospitalLevelActivity', 'competitorPenetration'];

export interface GradeInputs {
  paymentOnTimeRate?: number | null;
  inventoryConsumptionSpeed?: number | null;
  competitorPenetration?: number | null;
  hospitalLevel?: string | null;
  departmentActivity?: string | null;
}

export interface GradeResult {
  subScores: Record<Dimension, number>;
  missing: Dimension[];
  score: number;
  grade: string;
  weights: Record<Dimension, number>;
}

const known = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100;
const round1 = (v: number) => Math.round(v * 10) / 10;

/** Points for an option: the policy mapping, else its position in the list (first 100, last 0). */
export function optionPoints(option: string | null | undefined, list: readonly string[], mapping: Record<string, number> | undefined): number | null {
  if (option == null) return null;
  if (mapping && Object.prototype.hasOwnProperty.call(mapping, option)) return mapping[option]!;
  const at = list.indexOf(option);
  if (at < 0) return null;
  return list.length === 1 ? 100 : round1(100 * (1 - at / (list.length - 1)));
}

export function gradeFor(score: number, grades: Policy['grading']['grades']): string {
  return (grades.find((g) => score >= g.minScore) ?? grades[grades.length - 1]!).grade;
}

export function scoreCustomer(inputs: GradeInputs, policy: Policy): GradeResult {
  const g = policy.grading;
  const neutral = g.neutralScore ?? 50;
  const level = optionPoints(inputs.hospitalLevel, policy.options.hospitalLevels, g.optionPoints?.hospitalLevels);
  const activity = optionPoints(inputs.departmentActivity, policy.options.departmentActivity, g.optionPoints?.departmentActivity);
  const raw: Record<Dimension, number | null> = {
    paymentHistory: known(inputs.paymentOnTimeRate) ? inputs.paymentOnTimeRate : null,
    inventorySpeed: known(inputs.inventoryConsumptionSpeed) ? inputs.inventoryConsumptionSpeed : null,
    hospitalLevelActivity: level != null && activity != null ? (level + activity) / 2 : (level ?? activity),
    competitorPenetration: known(inputs.competitorPenetration) ? 100 - inputs.competitorPenetration : null,
  };
  const missing = DIMENSIONS.filter((d) => raw[d] == null);
  const subScores = Object.fromEntries(DIMENSIONS.map((d) => [d, round1(raw[d] ?? neutral)])) as Record<Dimension, number>;
  const weights = { ...g.weights };
  const score = round1(DIMENSIONS.reduce((sum, d) => sum + subScores[d] * weights[d], 0));
  return { subScores, missing, score, grade: gradeFor(score, g.grades), weights };
}
