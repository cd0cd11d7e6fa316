/**
 * The dashboards' decision rules (SPEC §5), one definition each: the server's dashboards module applies
 * them to the numbers its SQL counts, and the app may apply them to the same numbers. The words are
 * README's «Metrics» section; every threshold comes from config/policy.yaml `dashboards:`.
 */

/** How one cell of the behaviour-health heatmap reads. */
export type HeatStatus = 'red' | 'normal' | 'too_few' | 'none';

export interface BehaviourCellRules {
  /** ratio above this is red (policy dashboards.behaviour.redAbove, 1.3) */
  redAbove: number;
  /** fewer visits than this: 样本不足, not coloured (policy dashboards.behaviour.minVisits, 3) */
  minVisits: number;
}

/**
 * A rep's cell for one objective: their average follow-up duration ÷ the team's average for that
 * objective (both over visits in the period). No visits: `none`; fewer than `minVisits`: `too_few`
 * (the ratio is still given, not coloured); above `redAbove`: `red`. A team average of 0 (every visit
 * followed up at once) gives no ratio.
 */
export function behaviourCell(repAvgSeconds: number | null, visits: number, teamAvgSeconds: number | null, rules: BehaviourCellRules): { ratio: number | null; status: HeatStatus } {
  if (visits === 0 || repAvgSeconds === null) return { ratio: null, status: 'none' };
  const ratio = teamAvgSeconds && teamAvgSeconds > 0 ? Math.round((repAvgSeconds / teamAvgSeconds) * 100) / 100 : null;
  if (visits < rules.minVisits) return { ratio, status: 'too_few' };
  return { ratio, status: ratio !== null && ratio > rules.redAbove ? 'red' : 'normal' };
}

/** The median of a list of numbers (the mean of the middle two for an even count); null for none. */
export function medianOrNull(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * 「假忙」: more visits than the team's median (over every member of the team counted, those with no
 * visit as 0) and pain summaries averaging fewer than `painChars` characters (policy 15).
 */
export function isFakeBusy(visits: number, avgPainChars: number | null, teamMedianVisits: number | null, painChars: number): boolean {
  return teamMedianVisits !== null && visits > teamMedianVisits && avgPainChars !== null && avgPainChars < painChars;
}

/** A rate as a fraction rounded to 4 places (0.8571), or null when nothing was due. */
export function rate(done: number, due: number): number | null {
  return due > 0 ? Math.round((done / due) * 10000) / 10000 : null;
}

/**
 * Action penetration's mark: a month is marked when its on-time rate and the previous month's are both
 * at least `markAt` (policy 0.85). `rates` are consecutive months, oldest first, with one month before
 * the first shown (`previous`); a month with nothing due (null) breaks the run.
 */
export function penetrationMarks(previous: number | null, rates: readonly (number | null)[], markAt: number): boolean[] {
  return rates.map((r, i) => {
    const before = i === 0 ? previous : rates[i - 1]!;
    return r !== null && before !== null && r >= markAt && before >= markAt;
  });
}

/** The months (YYYY-MM) from `from`'s month to `to`'s, inclusive. */
export function monthsBetween(fromDay: string, toDay: string): string[] {
  const out: string[] = [];
  let [y, m] = fromDay.split('-').map(Number) as [number, number];
  const [ty, tm] = toDay.split('-').map(Number) as [number, number];
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m === 13) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

/** The month before `month` (YYYY-MM). */
export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** The check-in completion of one member's day: done (on time or late) ÷ every check-in row of the day. */
export function checkinCompletion(onTime: number, late: number, missing: number): number | null {
  return rate(onTime + late, onTime + late + missing);
}

/** The key actions the dashboards can measure today: a trigger, the completion that answers it. */
export const KEY_ACTION_KINDS = ['lead_assigned:first_touch', 'visit_submitted:supervisor_confirmed'] as const;
export type KeyActionKind = (typeof KEY_ACTION_KINDS)[number];

/** Which business counter. */
export const DASHBOARD_COUNTERS = ['second_quote', 'delivery_ask'] as const;
export type DashboardCounter = (typeof DASHBOARD_COUNTERS)[number];
export const DASHBOARD_COUNTER_LABELS: Record<DashboardCounter, string> = {
  second_quote: '本期要求二次报价的客户',
  delivery_ask: '签约后不久即询问交付的客户',
};
