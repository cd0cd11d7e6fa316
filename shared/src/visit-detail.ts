/**
 * What GET /api/v1/visits/:id answers: the visit with every anchor, whose customer and rep it is, and
 * the to-do it created (with whether the caller may confirm it). The visit-detail page renders it.
 * A zod schema (the route's `response`, shown in OpenAPI) with its type inferred.
 */
import { z } from 'zod';
import { visitRecordFields } from './api-types';

const ref = z.object({ id: z.number().int(), name: z.string() });
const isoTime = z.string().describe('ISO 8601 时间');

export const visitDetailTodoSchema = z.object({
  id: z.number().int(),
  status: z.enum(['open', 'confirmed']),
  assignee: ref,
  dueAt: isoTime,
  overdue: z.boolean(),
  confirmedAt: isoTime.nullable(),
  confirmedBy: ref.nullable(),
  discussRequestedAt: isoTime.nullable(),
  escalatedAt: isoTime.nullable(),
  /** the caller is the one who confirms it (or asks to talk first) */
  canConfirm: z.boolean(),
});
export type VisitDetailTodo = z.output<typeof visitDetailTodoSchema>;

/** The agreed action marked done (标记完成): when, by whom, on time or not, with its evidence. */
export const actionDoneSchemaView = z.object({
  at: isoTime,
  by: ref,
  /** marked no later than the visit's next follow-up time */
  onTime: z.boolean(),
  note: z.string().nullable(),
  photoIds: z.array(z.number().int()),
});
export type ActionDoneView = z.output<typeof actionDoneSchemaView>;

export const visitDetailSchema = z.object({
  id: z.number().int(),
  status: z.enum(['pending', 'submitted']),
  customer: ref,
  rep: ref,
  ...visitRecordFields,
  /** agreedAction as read, 「其他」 with its note */
  agreedActionText: z.string(),
  nextFollowUpAt: isoTime.nullable(),
  nextFollowUpForm: z.string().nullable(),
  alert: z.boolean(),
  customerVerbatim: z.string().nullable(),
  photoIds: z.array(z.number().int()),
  submittedAt: isoTime.nullable(),
  /** when the rep pressed save, for a visit saved offline (null when sent at once) */
  savedAt: isoTime.nullable(),
  /** 「离线保存于 …，上传于 …」 when save and receipt are further apart than the policy allows */
  offlineNote: z.string().nullable(),
  createdAt: isoTime,
  /** the sign-in the visit links (外勤签到), null when the rep did not pick one */
  signin: z
    .object({ id: z.number().int(), distance: z.number().int().nullable(), tooFar: z.boolean(), inaccurate: z.boolean(), chip: z.string(), at: isoTime })
    .nullable()
    .optional(),
  /** 已签到 · 120 m, 距离客户 3.2 km, or 未签到 */
  signinChip: z.string().optional(),
  todo: visitDetailTodoSchema.nullable(),
  /** 积极 / 中性 / 消极, null when the rep gave none */
  customerFeedback: z.string().nullable().optional(),
  /** the agreed action marked done, null while it is not */
  actionDone: actionDoneSchemaView.nullable().optional(),
  /** the caller may mark it done now (the visit's rep or their supervisor; not yet done) */
  canCompleteAction: z.boolean().optional(),
});
export type VisitDetail = z.output<typeof visitDetailSchema>;
