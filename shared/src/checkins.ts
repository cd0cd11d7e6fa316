import { z } from 'zod';
import { instantToWallClock, wallClockToInstant } from './time-zone';
import { dbId, labelled } from './validation';

/**
 * Daily three check-ins (每日三打卡): the morning one (today's key customer and its one core need), one
 * after each visit (the customer's words and the action promised, prefilled from the visit), the evening
 * one (tomorrow's top-3 customers, each with an agreed action and a reminder set). The rules of time live
 * here, pure, so the server and the app say the same thing about a window.
 */
export const CHECKIN_KINDS = ['morning', 'visit', 'evening'] as const;
export type CheckinKind = (typeof CHECKIN_KINDS)[number];
export const CHECKIN_KIND_LABELS: Record<CheckinKind, string> = { morning: '早间打卡', visit: '拜访后打卡', evening: '晚间打卡' };

/** How a check-in stands: on time, late (after its window closed), missing (written when the window closed). */
export const CHECKIN_STATUSES = ['on_time', 'late', 'missing'] as const;
export type CheckinStatus = (typeof CHECKIN_STATUSES)[number];
/** What the home screen and the team view show per kind: the three above, or still open (not yet closed, not done). */
export type CheckinState = CheckinStatus | 'open' | 'not_open' | 'off';
export const CHECKIN_STATE_LABELS: Record<CheckinState, string> = {
  on_time: '已打卡', late: '迟到', missing: '缺卡', open: '待打卡', not_open: '未开始', off: '休息日',
};

export const CHECKIN_TEXT_MAX = { coreNeed: 100, customerWords: 300, promisedAction: 100 } as const;
/** How many customers the evening check-in names for tomorrow. */
export const EVENING_TOP = 3;

const L = { customerId: '重点客户', coreNeed: '核心需求', visitId: '拜访记录', customerWords: '客户原话', promisedAction: '承诺的动作', customerIds: '明日重点客户' };

const text = (max: number, label: string) => labelled(z.string().trim().min(1, `请填写${label}`).max(max, `${label}不能超过 ${max} 个字`), label);

export const morningCheckinSchema = z
  // customerId: required of a member who owns customers (the server checks; one without any names today's focus only)
  .object({ kind: z.literal('morning'), customerId: dbId(L.customerId).optional(), coreNeed: text(CHECKIN_TEXT_MAX.coreNeed, L.coreNeed) })
  .strict();
/** After a visit: omitted answers mean "as the visit says" (confirmed); given ones correct it. */
export const visitCheckinSchema = z
  .object({
    kind: z.literal('visit'),
    visitId: dbId(L.visitId),
    customerWords: text(CHECKIN_TEXT_MAX.customerWords, L.customerWords).optional(),
    promisedAction: text(CHECKIN_TEXT_MAX.promisedAction, L.promisedAction).optional(),
  })
  .strict();
export const eveningCheckinSchema = z
  .object({
    kind: z.literal('evening'),
    customerIds: labelled(
      z
        .array(dbId(L.customerIds))
        .max(EVENING_TOP, `明日重点客户最多 ${EVENING_TOP} 位`)
        .refine((ids) => new Set(ids).size === ids.length, '明日重点客户不能重复'),
      L.customerIds,
    ),
  })
  .strict();
export const checkinInputSchema = z.discriminatedUnion('kind', [morningCheckinSchema, visitCheckinSchema, eveningCheckinSchema], {
  error: () => ({ message: '打卡类型须为 morning（早间）、visit（拜访后）或 evening（晚间）' }),
});
export type CheckinInput = z.output<typeof checkinInputSchema>;

/** Evening fix on the spot: set a customer's agreed action and next follow-up (which sets its reminder). */
export const followUpFixSchema = z
  .object({
    customerId: dbId(L.customerId),
    agreedAction: labelled(z.string().trim().min(1).max(20), '约定动作'),
    agreedActionNote: labelled(z.string().trim().max(100).optional(), '约定动作说明'),
    nextFollowUpDate: labelled(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '格式应为 YYYY-MM-DD'), '下次跟进日期'),
    nextFollowUpTime: labelled(z.string().regex(/^\d{2}:\d{2}$/, '格式应为 HH:mm'), '下次跟进时间'),
    nextFollowUpForm: labelled(z.string().trim().min(1).max(10), '下次跟进形式'),
  })
  .strict();
export type FollowUpFixInput = z.output<typeof followUpFixSchema>;

// ── time rules ────────────────────────────────────────────────────────────────────────────────────
export interface CheckinWindowPolicy {
  opens: string;
  closes: string;
}
export interface CheckinPolicy {
  morning: CheckinWindowPolicy;
  afterVisitMinutes: number;
  evening: CheckinWindowPolicy;
  /** ISO weekdays that are working days (1 = Monday … 7 = Sunday) */
  workingWeekdays: number[];
  /** dates off although their weekday works (YYYY-MM-DD, policy time zone) */
  holidays: string[];
  /** dates that work although their weekday does not (调休) */
  makeUpWorkdays: string[];
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The local calendar day (YYYY-MM-DD) of an instant in the policy time zone. */
export function localDay(instant: Date, timeZone: string): string {
  const w = instantToWallClock(instant, timeZone);
  return `${w.getUTCFullYear()}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}`;
}

/** The instant a local wall-clock time `HH:mm` on `day` happens in the policy time zone. */
export function localInstant(day: string, hhmm: string, timeZone: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  const [hh, mm] = hhmm.split(':').map(Number);
  return wallClockToInstant(new Date(Date.UTC(y!, m! - 1, d!, hh!, mm!)), timeZone);
}

/** The day `n` days after `day` (negative: before). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const t = new Date(Date.UTC(y!, m! - 1, d! + n));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Working day by the policy calendar: a make-up day works, a holiday does not, else the weekday decides. */
export function isWorkingDay(day: string, calendar: Pick<CheckinPolicy, 'workingWeekdays' | 'holidays' | 'makeUpWorkdays'>): boolean {
  if (calendar.makeUpWorkdays.includes(day)) return true;
  if (calendar.holidays.includes(day)) return false;
  const [y, m, d] = day.split('-').map(Number);
  const weekday = new Date(Date.UTC(y!, m! - 1, d!)).getUTCDay() || 7;
  return calendar.workingWeekdays.includes(weekday);
}

/** A policy value that needs a person: its key path in config/policy.yaml and what to fill, in Chinese. */
export interface PolicyWarning {
  key: string;
  message: string;
}

/**
 * The holiday list has to be filled each year by a person (the State Council publishes the dates late in
 * the year before; nothing here can know them). Warns when it has no date in the current local year, and
 * from December on none in the next one either: otherwise reps are chased on Spring Festival.
 */
export function holidayWarnings(calendar: Pick<CheckinPolicy, 'holidays'>, today: string): PolicyWarning[] {
  const year = Number(today.slice(0, 4));
  const needed = Number(today.slice(5, 7)) === 12 ? [year, year + 1] : [year];
  return needed
    .filter((y) => !calendar.holidays.some((d) => d.startsWith(`${y}-`)))
    .map((y) => ({
      key: 'checkins.holidays',
      message:
        `checkins.holidays 里没有 ${y} 年的日期：请按国务院办公厅公布的 ${y} 年部分节假日安排，` +
        `把放假日期（YYYY-MM-DD）填入 checkins.holidays、调休上班的周末填入 checkins.makeUpWorkdays（config/policy.yaml）。` +
        `未填之前，春节、国庆等假日照常催打卡。`,
    }));
}

/** The first working day after `day` (the evening check-in names its customers); a fortnight off at most. */
export function nextWorkingDay(day: string, calendar: Pick<CheckinPolicy, 'workingWeekdays' | 'holidays' | 'makeUpWorkdays'>): string {
  for (let n = 1; n <= 14; n++) if (isWorkingDay(addDays(day, n), calendar)) return addDays(day, n);
  return addDays(day, 1);
}

/** The morning or evening window of a local day, as instants. On time: opens ≤ t ≤ closes. */
export function dayWindow(kind: 'morning' | 'evening', day: string, policy: CheckinPolicy, timeZone: string): { opens: Date; closes: Date } {
  const w = policy[kind];
  return { opens: localInstant(day, w.opens, timeZone), closes: localInstant(day, w.closes, timeZone) };
}

/** The window after a visit: from its submission to `afterVisitMinutes` later. */
export function visitWindow(submittedAt: Date, policy: Pick<CheckinPolicy, 'afterVisitMinutes'>): { opens: Date; closes: Date } {
  return { opens: submittedAt, closes: new Date(submittedAt.getTime() + policy.afterVisitMinutes * 60_000) };
}

/** Where `at` falls against a window: before it opens, within it (on time), or after it closed (late). */
export function timing(at: Date, window: { opens: Date; closes: Date }): 'before' | 'on_time' | 'late' {
  if (at.getTime() < window.opens.getTime()) return 'before';
  return at.getTime() <= window.closes.getTime() ? 'on_time' : 'late';
}

// ── answers ──────────────────────────────────────────────────────────────────────────────────────
const isoTime = z.string();

export const checkinSchema = z.object({
  id: z.number().int(),
  memberId: z.number().int(),
  day: z.string(),
  kind: z.enum(CHECKIN_KINDS),
  status: z.enum(CHECKIN_STATUSES),
  visitId: z.number().int().nullable(),
  customerId: z.number().int().nullable(),
  answers: z.record(z.string(), z.unknown()).nullable(),
  checkedInAt: isoTime.nullable(),
  windowClosesAt: isoTime,
});
export type CheckinView = z.output<typeof checkinSchema>;

const followUpStateSchema = z.object({
  customerId: z.number().int(),
  customerName: z.string(),
  /** the agreed action of its latest visit, as text (null: none agreed) */
  agreedAction: z.string().nullable(),
  /** its next follow-up, when still ahead: the reminder goes before it (null: no reminder set) */
  nextFollowUpAt: isoTime.nullable(),
  hasAction: z.boolean(),
  hasReminder: z.boolean(),
});
export type FollowUpState = z.output<typeof followUpStateSchema>;
export { followUpStateSchema };

/** GET /checkins/today: the caller's day, each kind's state, and what the screen prefills. */
export const checkinTodaySchema = z.object({
  day: z.string(),
  workingDay: z.boolean(),
  morning: z.object({
    state: z.enum(['on_time', 'late', 'missing', 'open', 'not_open', 'off']),
    opens: isoTime,
    closes: isoTime,
    checkin: checkinSchema.nullable(),
  }),
  evening: z.object({
    state: z.enum(['on_time', 'late', 'missing', 'open', 'not_open', 'off']),
    opens: isoTime,
    closes: isoTime,
    checkin: checkinSchema.nullable(),
    /** tomorrow's day, and the caller's customers to choose from, soonest follow-up first */
    tomorrow: z.string(),
    candidates: z.array(followUpStateSchema),
  }),
  /** today's visits, each with its check-in (or the prefill to confirm) */
  visits: z.array(
    z.object({
      visitId: z.number().int(),
      customerId: z.number().int(),
      customerName: z.string(),
      submittedAt: isoTime,
      closes: isoTime,
      state: z.enum(['on_time', 'late', 'missing', 'open', 'not_open', 'off']),
      prefill: z.object({ customerWords: z.string(), promisedAction: z.string() }),
      checkin: checkinSchema.nullable(),
    }),
  ),
});
export type CheckinToday = z.output<typeof checkinTodaySchema>;

/** The home screen's line: one state per kind (visits: how many done of how many). */
export const checkinSummarySchema = z.object({
  day: z.string(),
  workingDay: z.boolean(),
  morning: z.enum(['on_time', 'late', 'missing', 'open', 'not_open', 'off']),
  evening: z.enum(['on_time', 'late', 'missing', 'open', 'not_open', 'off']),
  visits: z.object({ total: z.number().int(), onTime: z.number().int(), late: z.number().int(), missing: z.number().int(), open: z.number().int() }),
});
export type CheckinSummary = z.output<typeof checkinSummarySchema>;

/** GET /checkins/team: the team's day at a glance, one line per member. */
export const checkinTeamSchema = z.object({
  day: z.string(),
  workingDay: z.boolean(),
  teamId: z.number().int().nullable(),
  teamName: z.string().optional(),
  /** the teams the caller may look at (a director's region's, every team for an admin), to switch between */
  teams: z.array(z.object({ id: z.number().int(), name: z.string() })).optional(),
  members: z.array(z.object({ memberId: z.number().int(), name: z.string(), role: z.string() }).extend(checkinSummarySchema.omit({ day: true, workingDay: true }).shape)),
  totals: z.object({ done: z.number().int(), late: z.number().int(), missing: z.number().int(), open: z.number().int() }),
});
export type CheckinTeam = z.output<typeof checkinTeamSchema>;
