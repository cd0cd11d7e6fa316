import { z } from 'zod';
import { instantToWallClock, wallClockToInstant } from './time-zone';
import { dbId, isValidIsoDate, labelled, validate, type FieldErrors, type Validated } from './validation';

export const ACTION_NOT_CLOSED_MESSAGE = '动作未闭环，请补全';
export const MAX_VISIT_PHOTOS = 9;

export const VISIT_FIELD_LABELS = {
  customerId: '客户',
  objective: '本次核心目标',
  painPoint: '客户痛点摘要',
  dialogueSummary: '关键对话摘要',
  bottleneck: '客户最大业务瓶颈',
  valuePoint: '提供的价值点',
  agreedAction: '约定动作',
  agreedActionNote: '约定动作说明',
  nextFollowUpDate: '下次跟进日期',
  nextFollowUpTime: '下次跟进时间',
  nextFollowUpForm: '下次跟进形式',
  alert: '预警标记',
  customerVerbatim: '客户原话',
  photoIds: '照片',
  savedAt: '离线保存时间',
  signinId: '签到',
  customerFeedback: '客户反馈',
  playKey: '参考的赢单打法',
} as const;

/** The anchors a rep picks from a list (「请选择…」) and those written in words (「请填写…」). */
export const VISIT_CHOICE_FIELDS = ['objective', 'bottleneck', 'agreedAction', 'nextFollowUpDate', 'nextFollowUpTime', 'nextFollowUpForm'] as const;
export const VISIT_TEXT_ANCHORS = ['painPoint', 'dialogueSummary', 'valuePoint'] as const;
export type VisitTextAnchor = (typeof VISIT_TEXT_ANCHORS)[number];

/** Longest text each anchor holds (the column widths); the app's counters show e.g. 12 / 300. */
export const VISIT_TEXT_MAX: Record<VisitTextAnchor | 'agreedActionNote' | 'customerVerbatim', number> = {
  painPoint: 200,
  dialogueSummary: 300,
  valuePoint: 50,
  agreedActionNote: 100,
  customerVerbatim: 300,
};

/**
 * What makes a text anchor real (config/policy.yaml `anchors:`): a minimum length counted after
 * trimming, and answers that say nothing (「无」「同上」…) refused whatever their length.
 */
export interface AnchorTextRules {
  minLength: Record<VisitTextAnchor, number>;
  placeholders: string[];
}

export const DEFAULT_ANCHOR_RULES: AnchorTextRules = {
  minLength: { painPoint: 4, dialogueSummary: 10, valuePoint: 4 },
  placeholders: ['无', '同上', '暂无', 'xxx'],
};

/** Characters as a person counts them: one per code point (一个汉字 = 1), after trimming. */
export function textLength(text: string): number {
  return Array.from(text.trim()).length;
}

// Punctuation, symbols and spaces carry no content: 「。。。」「——」「？？」 say nothing.
const NOT_CONTENT = /[\p{P}\p{S}\p{Z}\s]/gu;
const contentOf = (text: string) => text.replace(NOT_CONTENT, '').toLowerCase();

/** Why this text is not a real answer for the anchor `label` (in the rep's words), or null when it is. */
export function anchorTextProblem(text: string, label: string, minLength: number, placeholders: readonly string[]): string | null {
  const trimmed = text.trim();
  if (!trimmed) return `请填写${label}`;
  const content = contentOf(trimmed);
  if (!content) return `${label}不能只有标点符号，请写出实际内容`;
  if (placeholders.some((p) => contentOf(p) === content)) return `${label}不能只写「${trimmed}」，请写出实际内容`;
  const chars = Array.from(content);
  if (chars.length > 1 && chars.every((c) => c === chars[0])) return `${label}不能只是同一个字重复，请写出实际内容`;
  const length = textLength(trimmed);
  if (length < minLength) return `${label}至少 ${minLength} 个字（现在 ${length} 个字）`;
  return null;
}

export interface VisitOptions {
  visitObjectives: string[];
  bottlenecks: string[];
  agreedActions: string[];
  followUpForms: string[];
  firstTouchMethods: string[];
  /** the customer's reaction (policy options.customerFeedback; the first is the positive one); the defaults when an old cached copy lacks it */
  customerFeedback?: string[];
  /** from policy `anchors:` (GET /options carries it); the defaults when an old cached copy lacks it */
  anchors?: AnchorTextRules;
}

export interface FollowUpRules {
  now: () => Date;
  timeZone: string;
  horizonDays: number;
}

const L = VISIT_FIELD_LABELS;
const oneOf = (values: readonly string[]) => z.enum(values as [string, ...string[]]);
const required = (max: number, label: string) => labelled(z.string().trim().min(1).max(max), label);

function textAnchor(field: VisitTextAnchor, rules: AnchorTextRules) {
  const label = L[field];
  return labelled(
    z
      .string()
      .trim()
      .max(VISIT_TEXT_MAX[field])
      .superRefine((value, ctx) => {
        const problem = anchorTextProblem(value, label, rules.minLength[field], rules.placeholders);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    label,
  );
}

/** The agreed action 其他 needs a word on what it is. */
export const OTHER_ACTION = '其他';

/** The next follow-up as the rep picked it (local date and time) → the instant, or why it is refused. */
export function nextFollowUpInstant(date: string, time: string, rules: FollowUpRules): { at: Date } | { error: string } {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return { error: '格式不正确' };
  if (!isValidIsoDate(date)) return { error: '不是有效的日期时间' }; // 2026-13-01 is not 2027-01-01
  const wall = new Date(Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2])));
  if (wall.getUTCDate() !== Number(d[3]) || Number(t[1]) > 23 || Number(t[2]) > 59) return { error: '不是有效的日期时间' };
  const at = wallClockToInstant(wall, rules.timeZone);
  const now = rules.now().getTime();
  if (at.getTime() <= now) return { error: '必须晚于现在' };
  if (at.getTime() > now + rules.horizonDays * 86_400_000) return { error: `不能晚于 ${rules.horizonDays} 天之后` };
  return { at };
}

/**
 * Every anchor of a visit. The server validates with it and the mini-program checks with it before
 * sending, so both name the same missing fields.
 */
export function makeVisitSchema(options: VisitOptions) {
  const anchors = options.anchors ?? DEFAULT_ANCHOR_RULES;
  return z
    .object({
      customerId: dbId(L.customerId),
      objective: labelled(oneOf(options.visitObjectives), L.objective),
      painPoint: textAnchor('painPoint', anchors),
      dialogueSummary: textAnchor('dialogueSummary', anchors),
      bottleneck: labelled(oneOf(options.bottlenecks), L.bottleneck),
      valuePoint: textAnchor('valuePoint', anchors),
      agreedAction: labelled(oneOf(options.agreedActions), L.agreedAction),
      agreedActionNote: labelled(z.string().trim().max(100).optional(), L.agreedActionNote),
      nextFollowUpDate: labelled(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '格式应为 YYYY-MM-DD'), L.nextFollowUpDate),
      nextFollowUpTime: labelled(z.string().regex(/^\d{2}:\d{2}$/, '格式应为 HH:mm'), L.nextFollowUpTime),
      nextFollowUpForm: labelled(oneOf(options.followUpForms), L.nextFollowUpForm),
      alert: labelled(z.boolean(), L.alert).default(false),
      customerVerbatim: labelled(z.string().trim().max(300).optional(), L.customerVerbatim),
      photoIds: labelled(z.array(dbId('照片')).max(MAX_VISIT_PHOTOS), L.photoIds).default([]),
      // when the rep pressed save (a visit saved offline is sent later); the server bounds it
      savedAt: labelled(z.iso.datetime({ offset: true }).optional(), L.savedAt),
      // the rep's sign-in at this customer on the visit's day (外勤签到), if they signed in
      signinId: dbId(L.signinId).optional(),
      // optional: one tap on the form, never chosen for the rep (see README, 客户反馈)
      customerFeedback: feedbackField(options.customerFeedback ?? DEFAULT_CUSTOMER_FEEDBACK).optional(),
      // the play whose value point the rep copied (赢单打法); sent only then, so effectiveness can be measured
      playKey: labelled(z.string().regex(/^[0-9a-f]{16}$/, '不是有效的打法编号'), L.playKey).optional(),
    })
    .strict();
}

/** policy options.customerFeedback as shipped; the first is the positive one */
export const DEFAULT_CUSTOMER_FEEDBACK = ['积极', '中性', '消极'];

/** 「只能选择 积极、中性 或 消极」: the choices in the refusal, so a rep (or a client) knows what is taken. */
export function choiceList(values: readonly string[]): string {
  return values.length === 1 ? values[0]! : `${values.slice(0, -1).join('、')} 或 ${values.at(-1)}`;
}

function feedbackField(values: readonly string[]) {
  return labelled(z.enum(values as [string, ...string[]], { error: `只能选择 ${choiceList(values)}` }), L.customerFeedback);
}

/** Is this feedback the positive one (the first of the policy's list)? An effective contact needs it. */
export function isPositiveFeedback(feedback: string | null | undefined, options: readonly string[] = DEFAULT_CUSTOMER_FEEDBACK): boolean {
  return !!feedback && feedback === options[0];
}

export const ACTION_DONE_FIELD_LABELS = { note: '完成说明', photoIds: '完成凭证照片' } as const;
export const MAX_ACTION_DONE_PHOTOS = 3;

/**
 * 标记完成 of a visit's agreed action: optional evidence, a note and/or photos (uploaded first with
 * POST /photos, as a visit's are).
 */
export const actionDoneSchema = z
  .object({
    note: labelled(z.string().trim().max(200), ACTION_DONE_FIELD_LABELS.note).optional(),
    photoIds: labelled(z.array(dbId('照片')).max(MAX_ACTION_DONE_PHOTOS), ACTION_DONE_FIELD_LABELS.photoIds).default([]),
  })
  .strict();
export type ActionDoneInput = z.output<typeof actionDoneSchema>;

/** On time ⇔ marked done no later than the visit's next follow-up time (both instants). */
export function actionDoneOnTime(doneAt: Date, nextFollowUpAt: Date): boolean {
  return doneAt.getTime() <= nextFollowUpAt.getTime();
}

/**
 * Schema plus the checks across fields (the note for 其他; the follow-up in the future and within
 * the horizon), all reported at once: a rep should see every gap in one go, not one per submit.
 */
export function checkVisit(schema: VisitSchema, raw: unknown, rules: FollowUpRules): Validated<VisitInput> {
  const result = validate(schema, raw);
  const fields: FieldErrors = result.ok ? {} : { ...result.fields };
  const input = (raw ?? {}) as Record<string, unknown>;
  // One wording for a missing anchor, whichever check noticed it.
  const blank = (key: string) => input[key] === undefined || input[key] === null || (typeof input[key] === 'string' && !(input[key] as string).trim());
  for (const key of VISIT_CHOICE_FIELDS) if (blank(key)) fields[key] = `请选择${L[key]}`;
  for (const key of VISIT_TEXT_ANCHORS) if (blank(key)) fields[key] = `请填写${L[key]}`;
  if (input.agreedAction === OTHER_ACTION && blank('agreedActionNote')) {
    fields.agreedActionNote ??= `请填写${L.agreedActionNote}（约定动作选择「其他」时）`;
  }
  if (typeof input.nextFollowUpDate === 'string' && typeof input.nextFollowUpTime === 'string' && !fields.nextFollowUpDate && !fields.nextFollowUpTime) {
    // A visit saved offline is judged as of when it was saved: its follow-up was in the future then.
    const savedAt = typeof input.savedAt === 'string' && !fields.savedAt ? new Date(input.savedAt) : null;
    const asOf = savedAt && savedAt.getTime() < rules.now().getTime() ? savedAt : null;
    const next = nextFollowUpInstant(input.nextFollowUpDate, input.nextFollowUpTime, asOf ? { ...rules, now: () => asOf } : rules);
    if ('error' in next) fields.nextFollowUpDate = `下次跟进时间${next.error}`;
  }
  if (Object.keys(fields).length) return { ok: false, fields };
  return result;
}

/**
 * A visit saved offline keeps when it was saved, bounded by when it arrived: a phone clock ahead
 * of the server's is clamped to the receipt, and a save older than `maxAgeDays` is refused.
 */
export function boundSavedAt(savedAt: string | undefined, receivedAt: Date, maxAgeDays: number): { savedAt: Date } | { tooOld: Date } {
  const at = savedAt ? new Date(savedAt) : receivedAt;
  if (Number.isNaN(at.getTime()) || at.getTime() > receivedAt.getTime()) return { savedAt: receivedAt };
  if (receivedAt.getTime() - at.getTime() > maxAgeDays * 86_400_000) return { tooOld: at };
  return { savedAt: at };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** An instant as a rep reads it in the team's zone: 「2026-12-01 18:05」. */
export function formatLocalDateTime(at: Date, timeZone: string): string {
  const wall = instantToWallClock(at, timeZone);
  return `${wall.getUTCFullYear()}-${pad2(wall.getUTCMonth() + 1)}-${pad2(wall.getUTCDate())} ${pad2(wall.getUTCHours())}:${pad2(wall.getUTCMinutes())}`;
}

/**
 * 「离线保存于 12-01 18:05，上传于 12-02 09:10」 when a visit reached the server more than `minutes`
 * after it was saved (month and day only, as the timeline shows times: it fits one line at 320 px).
 */
export function offlineSavedNote(savedAt: Date | null, receivedAt: Date, minutes: number, timeZone: string): string | null {
  if (!savedAt || receivedAt.getTime() - savedAt.getTime() <= minutes * 60_000) return null;
  const short = (at: Date) => formatLocalDateTime(at, timeZone).slice(5);
  return `离线保存于 ${short(savedAt)}，上传于 ${short(receivedAt)}`;
}

export function visitTooOldMessage(savedAt: Date, maxAgeDays: number, timeZone: string): string {
  return `这条拜访离线保存于 ${formatLocalDateTime(savedAt, timeZone)}，已超过 ${maxAgeDays} 天，无法上传；请重新填写`;
}

export type VisitSchema = ReturnType<typeof makeVisitSchema>;
export type VisitInput = z.output<VisitSchema>;
/** What a client sends (before defaults): the mini-program's request body and offline queue. */
export type VisitBody = z.input<VisitSchema>;

export function makeFirstTouchSchema(options: VisitOptions) {
  return z
    .object({
      method: labelled(oneOf(options.firstTouchMethods), '触达方式'),
      verbatim: required(300, '客户原话反应'),
      evidenceText: labelled(z.string().trim().max(1000).optional(), '聊天记录摘录'),
      evidencePhotoId: dbId('截图').optional(),
    })
    .strict()
    .refine((touch) => !!touch.evidenceText || !!touch.evidencePhotoId, { path: ['evidenceText'], message: '请上传截图或粘贴聊天记录作为凭证' });
}
export type FirstTouchInput = z.output<ReturnType<typeof makeFirstTouchSchema>>;

/** The agreed action as people read it: 「其他」 always with its note (card, chat, escalation, timeline). */
export function agreedActionText(action: string | null | undefined, note?: string | null): string {
  if (!action) return '';
  const said = note?.trim();
  return action === OTHER_ACTION && said ? `${action}（${said}）` : action;
}
