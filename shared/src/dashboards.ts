import { z } from 'zod';

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

/** 「真推进」: agreed actions done by their follow-up time ÷ due, above `above` (policy 0.92); nothing due: no. */
export function isRealPush(completionRate: number | null, above: number): boolean {
  return completionRate !== null && completionRate > above;
}

/**
 * The weeks (Monday to Sunday, local days) covering [from, to], each clipped to the period: the agreed-action and
 * check-in completion trends are counted per such week.
 */
export function weeksOf(fromDay: string, toDay: string): Array<{ week: string; from: string; to: string }> {
  const [y, m, d] = fromDay.split('-').map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay() || 7;
  const out: Array<{ week: string; from: string; to: string }> = [];
  for (let monday = shiftDay(fromDay, 1 - weekday); monday <= toDay; monday = shiftDay(monday, 7)) {
    const sunday = shiftDay(monday, 6);
    out.push({ week: monday, from: monday < fromDay ? fromDay : monday, to: sunday > toDay ? toDay : sunday });
  }
  return out;
}
function shiftDay(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/**
 * 客户接触效率比: effective contacts ÷ sales hours, per hour, rounded to 0.0001; no sales hours: null. Sales hours are
 * the member's working days in the period (the policy calendar) × `dashboards.efficiency.hoursPerDay`.
 */
export function contactEfficiency(effectiveContacts: number, salesHours: number): number | null {
  return salesHours > 0 ? Math.round((effectiveContacts / salesHours) * 10000) / 10000 : null;
}

/** The board table's rows (before / after), in the order shown. */
export const BOARD_METRICS = ['lead_touch', 'record_completeness', 'stage_misjudgment', 'new_rep_days'] as const;
export type BoardMetric = (typeof BOARD_METRICS)[number];
export const BOARD_METRIC_LABELS: Record<BoardMetric, string> = {
  lead_touch: '线索 48 小时内触达率',
  record_completeness: '拜访记录完整率',
  stage_misjudgment: '阶段误判率',
  new_rep_days: '新人首单天数',
};
/** Which way is better: a rate that should rise, or one (misjudgment, days) that should fall. */
export const BOARD_METRIC_BETTER: Record<BoardMetric, 'up' | 'down'> = { lead_touch: 'up', record_completeness: 'up', stage_misjudgment: 'down', new_rep_days: 'down' };

/** A board row's change: after − before (a rate in fraction points, days in days), rounded; and whether it improved. */
export function boardChange(metric: BoardMetric, before: number | null, after: number | null): { change: number | null; improved: boolean | null } {
  if (before === null || after === null) return { change: null, improved: null };
  const places = metric === 'new_rep_days' ? 10 : 10000;
  const change = Math.round((after - before) * places) / places;
  return { change, improved: change === 0 ? null : BOARD_METRIC_BETTER[metric] === 'up' ? change > 0 : change < 0 };
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

// ── the answers (the app reads them typed from here; OpenAPI documents them) ─────────────────────

const isoTime = z.string().describe('ISO 8601 时间');
const day = z.string().describe('YYYY-MM-DD（策略时区）');
const fraction = z.number().nullable().describe('比例 0–1，无分母时为 null');
const pageFields = { total: z.number().int(), page: z.number().int(), pageSize: z.number().int() };
const memberRow = { memberId: z.number().int(), name: z.string(), teamId: z.number().int().nullable(), teamName: z.string().nullable() };
const period = { from: day, to: day };

export const pipelineDashboardSchema = z.object({
  asOf: isoTime,
  overdueRule: z.object({ days: z.number(), excludedStages: z.array(z.string()) }),
  stages: z.array(z.object({ stage: z.string(), label: z.string(), customers: z.number().int(), overdue: z.number().int() })),
  total: z.number().int(),
  overdue: z.number().int(),
});
export const pipelineCustomersSchema = z.object({
  items: z.array(z.object({ id: z.number().int(), name: z.string(), stage: z.string(), stageLabel: z.string(), ownerId: z.number().int(), ownerName: z.string(), lastFollowUpAt: isoTime.nullable(), overdue: z.boolean() })),
  ...pageFields,
});
export const behaviourDashboardSchema = z.object({
  ...period,
  objectives: z.array(z.string()),
  redAbove: z.number(),
  minVisits: z.number().int(),
  rows: z.array(z.object({
    ...memberRow,
    cells: z.array(z.object({
      objective: z.string(), visits: z.number().int(), avgHours: z.number().nullable(), teamAvgHours: z.number().nullable(), ratio: z.number().nullable(),
      status: z.enum(['red', 'normal', 'too_few', 'none']),
    })),
  })),
});
export const visitQualityDashboardSchema = z.object({
  ...period,
  fakeBusyPainChars: z.number(),
  followUpGraceHours: z.number(),
  rows: z.array(z.object({
    ...memberRow, visits: z.number().int(), avgPainChars: z.number().nullable(), followUpsDue: z.number().int(), followUpsOnTime: z.number().int(),
    followUpOnTimeRate: fraction, teamMedianVisits: z.number().nullable(), fakeBusy: z.boolean(),
    agreedActionsDue: z.number().int(), agreedActionsDone: z.number().int(), agreedActionCompletionRate: fraction, realPush: z.boolean(),
  })),
  realPushAbove: z.number(),
  notYetMeasured: z.array(z.string()),
});
export const dashboardVisitsSchema = z.object({
  items: z.array(z.object({
    id: z.number().int(), customerId: z.number().int(), customerName: z.string(), objective: z.string(), painPoint: z.string(), painChars: z.number().int(),
    submittedAt: isoTime, nextFollowUpAt: isoTime.nullable(), nextContactAt: isoTime.nullable(), waiting: z.boolean(), followUpHours: z.number(), followUpOnTime: z.boolean().nullable(),
  })),
  ...pageFields,
});
export const penetrationDashboardSchema = z.object({
  months: z.array(z.string()),
  markAt: z.number(),
  actions: z.array(z.object({
    id: z.string(), label: z.string(), trigger: z.string(), completion: z.string(), deadlineHours: z.number(),
    months: z.array(z.object({ month: z.string(), due: z.number().int(), done: z.number().int(), rate: fraction, marked: z.boolean() })),
  })),
  notYetMeasured: z.array(z.object({ label: z.string(), reason: z.string() })),
});
export const penetrationRecordsSchema = z.object({
  action: z.object({ id: z.string(), label: z.string() }),
  month: z.string(),
  items: z.array(z.object({
    customerId: z.number().int().nullable(), customerName: z.string().nullable(), ownerId: z.number().int(), ownerName: z.string(),
    triggeredAt: isoTime, dueAt: isoTime, completedAt: isoTime.nullable(), onTime: z.boolean(),
  })),
  ...pageFields,
});
export const checkinsDashboardSchema = z.object({
  ...period,
  days: z.array(day),
  rows: z.array(z.object({ ...memberRow, cells: z.array(z.object({ day, onTime: z.number().int(), late: z.number().int(), missing: z.number().int(), completion: fraction })) })),
});
export const checkinRecordsSchema = z.object({
  items: z.array(z.object({
    id: z.number().int(), kind: z.string(), slot: z.string(), status: z.string(), checkedInAt: isoTime.nullable(), customerId: z.number().int().nullable(), customerName: z.string().nullable(), visitId: z.number().int().nullable(),
  })),
});
export const wordCloudDashboardSchema = z.object({ ...period, texts: z.number().int(), terms: z.array(z.object({ term: z.string(), count: z.number().int() })) });
export const wordCloudRecordsSchema = z.object({
  term: z.string(),
  items: z.array(z.object({
    kind: z.enum(['visit', 'checkin']), id: z.number().int(), memberId: z.number().int(), memberName: z.string(), customerId: z.number().int().nullable(), customerName: z.string().nullable(),
    at: isoTime.nullable(), text: z.string(),
  })),
  ...pageFields,
});
export const countersDashboardSchema = z.object({ ...period, counters: z.array(z.object({ counter: z.enum(DASHBOARD_COUNTERS), label: z.string(), customers: z.number().int() })) });
export const counterCustomersSchema = z.object({
  counter: z.enum(DASHBOARD_COUNTERS),
  label: z.string(),
  items: z.array(z.object({
    customerId: z.number().int(), customerName: z.string(), ownerId: z.number().int(), ownerName: z.string(),
    evidence: z.array(z.object({ reason: z.enum(['visit_text', 'quote_again']), at: isoTime, visitId: z.number().int().nullable(), text: z.string().nullable() })),
  })),
  ...pageFields,
});
const dueDone = z.object({ due: z.number().int(), done: z.number().int(), rate: fraction });
const completionCell = z.object({ done: z.number().int(), rows: z.number().int(), rate: fraction });
export const trendsDashboardSchema = z.object({
  ...period,
  weeks: z.array(z.object({ week: day, from: day, to: day })),
  total: z.object({ agreedActions: z.array(dueDone), checkins: z.array(completionCell) }),
  teams: z.array(z.object({ teamId: z.number().int().nullable(), teamName: z.string().nullable(), agreedActions: z.array(dueDone), checkins: z.array(completionCell) })),
  reps: z.array(z.object({ ...memberRow, agreedActions: z.array(dueDone), checkins: z.array(completionCell) })),
});
export const agreedActionRecordsSchema = z.object({
  items: z.array(z.object({
    visitId: z.number().int(), customerId: z.number().int(), customerName: z.string(), memberId: z.number().int(), memberName: z.string(), agreedAction: z.string().nullable(),
    nextFollowUpAt: isoTime, actionDoneAt: isoTime.nullable(), onTime: z.boolean(),
  })),
  ...pageFields,
});
export const efficiencyDashboardSchema = z.object({
  ...period,
  hoursPerDay: z.number(),
  salesHoursFrom: z.literal('working_calendar'),
  rows: z.array(z.object({
    ...memberRow, visits: z.number().int(), effectiveContacts: z.number().int(), workingDays: z.number().int(), salesHours: z.number(), perHour: z.number().nullable(),
  })),
  total: z.object({ visits: z.number().int(), effectiveContacts: z.number().int(), salesHours: z.number(), perHour: z.number().nullable() }),
});
export const efficiencyVisitsSchema = z.object({
  items: z.array(z.object({
    id: z.number().int(), customerId: z.number().int(), customerName: z.string(), memberId: z.number().int(), memberName: z.string(), submittedAt: isoTime,
    objective: z.string().nullable(), agreedAction: z.string().nullable(), nextFollowUpAt: isoTime.nullable(), customerFeedback: z.string().nullable(), effective: z.boolean(),
  })),
  ...pageFields,
});
const boardSide = z.object({
  from: day, to: day, value: z.number().nullable(), numerator: z.number(), denominator: z.number().int(),
  drillDown: z.string().describe('GET 该期的下钻记录（/api/v1/dashboards/board/records?…）'),
});
export const boardDashboardSchema = z.object({
  newRepDays: z.number().int(),
  rows: z.array(z.object({
    metric: z.enum(BOARD_METRICS), label: z.string(), unit: z.enum(['rate', 'days']), better: z.enum(['up', 'down']),
    before: boardSide, after: boardSide, change: z.number().nullable(), improved: z.boolean().nullable(),
  })),
});
export const boardRecordsSchema = z.object({
  metric: z.enum(BOARD_METRICS),
  items: z.array(z.object({
    kind: z.enum(['customer', 'visit', 'member']), id: z.number().int(), name: z.string(), memberId: z.number().int(), memberName: z.string(),
    customerId: z.number().int().nullable(), at: isoTime.nullable(), counted: z.boolean(), detail: z.string(),
  })),
  ...pageFields,
});
export type TrendsDashboard = z.output<typeof trendsDashboardSchema>;
export type EfficiencyDashboard = z.output<typeof efficiencyDashboardSchema>;
export type BoardDashboard = z.output<typeof boardDashboardSchema>;
export type PipelineDashboard = z.output<typeof pipelineDashboardSchema>;
export type BehaviourDashboard = z.output<typeof behaviourDashboardSchema>;
export type VisitQualityDashboard = z.output<typeof visitQualityDashboardSchema>;
export type PenetrationDashboard = z.output<typeof penetrationDashboardSchema>;
export type CheckinsDashboard = z.output<typeof checkinsDashboardSchema>;
export type WordCloudDashboard = z.output<typeof wordCloudDashboardSchema>;
export type CountersDashboard = z.output<typeof countersDashboardSchema>;
