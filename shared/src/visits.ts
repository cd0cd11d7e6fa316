import { z } from 'zod';
import { wallClockToInstant } from './time-zone';
import { labelled, validate, type FieldErrors, type Validated } from './validation';

export const ACTION_NOT_CLOSED_MESSAGE = '动作未闭环,请补全';
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
} as const;

export interface VisitOptions {
  visitObjectives: string[];
  bottlenecks: string[];
  agreedActions: string[];
  followUpForms: string[];
  firstTouchMethods: string[];
}

export interface FollowUpRules {
  now: () => Date;
  timeZone: string;
  horizonDays: number;
}

const L = VISIT_FIELD_LABELS;
const oneOf = (values: readonly string[]) => z.enum(values as [string, ...string[]]);
const required = (max: number, label: string) => labelled(z.string().trim().min(1).max(max), label);

/** The agreed action 其他 needs a word on what it is. */
export const OTHER_ACTION = '其他';

/** The next follow-up as the rep picked it (local date and time) → the instant, or why it is refused. */
export function nextFollowUpInstant(date: string, time: string, rules: FollowUpRules): { at: Date } | { error: string } {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return { error: '格式不正确' };
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
  return z
    .object({
      customerId: labelled(z.number().int().positive(), L.customerId),
      objective: labelled(oneOf(options.visitObjectives), L.objective),
      painPoint: required(200, L.painPoint),
      dialogueSummary: required(300, L.dialogueSummary),
      bottleneck: labelled(oneOf(options.bottlenecks), L.bottleneck),
      valuePoint: required(50, L.valuePoint),
      agreedAction: labelled(oneOf(options.agreedActions), L.agreedAction),
      agreedActionNote: labelled(z.string().trim().max(100).optional(), L.agreedActionNote),
      nextFollowUpDate: labelled(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '格式应为 YYYY-MM-DD'), L.nextFollowUpDate),
      nextFollowUpTime: labelled(z.string().regex(/^\d{2}:\d{2}$/, '格式应为 HH:mm'), L.nextFollowUpTime),
      nextFollowUpForm: labelled(oneOf(options.followUpForms), L.nextFollowUpForm),
      alert: labelled(z.boolean(), L.alert).default(false),
      customerVerbatim: labelled(z.string().trim().max(300).optional(), L.customerVerbatim),
      photoIds: labelled(z.array(z.number().int().positive()).max(MAX_VISIT_PHOTOS), L.photoIds).default([]),
    })
    .strict();
}

/**
 * Schema plus the checks across fields (the note for 其他; the follow-up in the future and within
 * the horizon), all reported at once: a rep should see every gap in one go, not one per submit.
 */
export function checkVisit(schema: VisitSchema, raw: unknown, rules: FollowUpRules): Validated<VisitInput> {
  const result = validate(schema, raw);
  const fields: FieldErrors = result.ok ? {} : { ...result.fields };
  const input = (raw ?? {}) as Record<string, unknown>;
  if (input.agreedAction === OTHER_ACTION && !(typeof input.agreedActionNote === 'string' && input.agreedActionNote.trim())) {
    fields.agreedActionNote ??= `${L.agreedActionNote}为必填项 (约定动作选择「其他」时)`;
  }
  if (typeof input.nextFollowUpDate === 'string' && typeof input.nextFollowUpTime === 'string' && !fields.nextFollowUpDate && !fields.nextFollowUpTime) {
    const next = nextFollowUpInstant(input.nextFollowUpDate, input.nextFollowUpTime, rules);
    if ('error' in next) fields.nextFollowUpDate = `下次跟进时间${next.error}`;
  }
  if (Object.keys(fields).length) return { ok: false, fields };
  return result;
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
      evidencePhotoId: labelled(z.number().int().positive().optional(), '截图'),
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
