/**
 * What the API answers, as the app reads it: one definition in shared/ beside the schemas of what it
 * accepts, so the mini-program and the server's views cannot drift apart silently. Each answer is a zod
 * schema (the routes name it as `response`, and OpenAPI shows it) and its type is inferred from it: the
 * app's client and pages use these types, never a copy. Not checked at run time.
 */
import { z } from 'zod';
import { checkinSummarySchema } from './checkins';
import { locationProposalsSchema } from './signins';
import { ROLES } from './org';
import type { AnchorTextRules } from './visits';
import { STAGE_CODES } from './stages';

const isoTime = z.string().describe('ISO 8601 时间');
const nullableTime = isoTime.nullable();

export const namedRefSchema = z.object({ id: z.number().int(), name: z.string() });
export type NamedRef = z.output<typeof namedRefSchema>;
export const personRefSchema = namedRefSchema;
export type PersonRef = z.output<typeof personRefSchema>;

/**
 * A member as the API shows them (identities such as WeChat ids stay on the server). An object type, not
 * an interface, so it also fits the app's stored session, which allows extra keys.
 */
export const memberViewSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  phone: z.string(),
  role: z.enum(ROLES),
  teamId: z.number().int().nullable(),
  regionId: z.number().int().nullable(),
  managerId: z.number().int().nullable(),
  /** when the member joined (入职; defaults to when the member was created; an admin sets it) */
  joinedAt: z.string().optional(),
});
export type MemberView = z.output<typeof memberViewSchema>;

/** GET /api/v1/me: who is signed in, in words a person reads on 我的, and the 待办 badge count. */
export const meViewSchema = memberViewSchema.extend({
  /** 销售代表、直属主管… */
  roleLabel: z.string(),
  team: namedRefSchema.nullable(),
  region: namedRefSchema.nullable(),
  manager: namedRefSchema.nullable(),
  /** Open to-dos on the member's 待办 screen (the tab bar badge). */
  openTodos: z.number().int(),
  /** A supervisor (or above) with a team may invite people to it: the invite QR on 我的. */
  canInvite: z.boolean(),
  /** The task pools (policy taskPools) whose tasks the member acts on: the 任务 screen's 池 tab names them. */
  taskPools: z.array(z.object({ id: z.string(), label: z.string() })),
});
export type MeView = z.output<typeof meViewSchema>;

/** GET /api/v1/task-pools (admin): each pool of policy taskPools, and for a chosen pool who is picked. */
export const taskPoolViewSchema = z.object({
  id: z.string(),
  label: z.string(),
  roles: z.array(z.string()),
  roleLabels: z.array(z.string()),
  /** only the members an admin picks act (the others of its roles do not) */
  chosen: z.boolean(),
  /** picked members (chosen pools) */
  members: z.array(namedRefSchema),
  /** who may be picked: active members of its roles (chosen pools) */
  candidates: z.array(namedRefSchema),
  /** how many members act on its tasks now */
  actors: z.number().int(),
  /** a chosen pool nobody is picked for: everyone of its roles acts meanwhile */
  warning: z.string().nullable(),
});
export type TaskPoolView = z.output<typeof taskPoolViewSchema>;
export const taskPoolListSchema = z.object({ items: z.array(taskPoolViewSchema) });
export type TaskPoolList = z.output<typeof taskPoolListSchema>;

/** POST /api/v1/invites */
export const inviteViewSchema = z.object({
  code: z.string(),
  kind: z.enum(['team', 'member']),
  teamId: z.number().int(),
  memberId: z.number().int().nullable(),
  expiresAt: isoTime,
  url: z.string(),
});
export type InviteView = z.output<typeof inviteViewSchema>;

export const stageOptionSchema = z.object({ code: z.string(), label: z.string() });
export type StageOption = z.output<typeof stageOptionSchema>;

/** GET /api/v1/options: the lists a form offers, from config/. */
export const optionsSchema = z.object({
  /** IANA zone the app shows and reads wall-clock times in (policy timeZone; absent in an old cached copy). */
  timeZone: z.string().optional(),
  stages: z.array(stageOptionSchema),
  /** stages that never count as overdue (policy; absent in an old cached copy) */
  overdueExcludedStages: z.array(z.enum(STAGE_CODES)).optional(),
  grades: z.array(z.string()),
  industries: z.array(z.string()),
  visitObjectives: z.array(z.string()),
  bottlenecks: z.array(z.string()),
  agreedActions: z.array(z.string()),
  followUpForms: z.array(z.string()),
  firstTouchMethods: z.array(z.string()),
  /** 积极 / 中性 / 消极: a visit's customer feedback chips, the first the positive one (absent in an old cached copy) */
  customerFeedback: z.array(z.string()).optional(),
  /** 关闭/丢单 reasons (absent in an old cached copy) */
  lostReasons: z.array(z.string()).optional(),
  /** a contract line's product models (absent in an old cached copy) */
  productModels: z.array(z.string()).optional(),
  limits: z.object({ nextFollowUpHorizonDays: z.number(), overdueDays: z.number().optional() }).catchall(z.unknown()),
  /** Subscribe-message template for reminders; null when WeChat is not configured. */
  reminderTemplateId: z.string().nullable().optional(),
  /** Subscribe-message template for check-in reminders (asked when the rep checks in); null when not configured. */
  checkinTemplateId: z.string().nullable().optional(),
  /** the wall screen's reload interval in seconds (policy dashboards.wall; absent in an old cached copy) */
  wallRefreshSeconds: z.number().optional(),
  /** on-site sign-in: beyond this many metres (or accuracy) a sign-in is flagged (absent in an old cached copy) */
  signins: z.object({ farDistanceMeters: z.number() }).optional(),
  /** minimum lengths and placeholder answers for the text anchors (absent in an old cached copy) */
  anchors: z
    .custom<AnchorTextRules>()
    .optional()
    .meta({ type: 'object', properties: { minLength: { type: 'object', additionalProperties: { type: 'integer' } }, placeholders: { type: 'array', items: { type: 'string' } } } }),
});
export type Options = z.output<typeof optionsSchema>;

/** POST /api/v1/auth/…/login */
export const loginResultSchema = z.object({ token: z.string(), expiresAt: nullableTime, member: memberViewSchema });
export type LoginResult = z.output<typeof loginResultSchema>;

/** GET /api/v1/customers/:id (and each item of the list) */
export const customerSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    industry: z.string().nullable(),
    stage: z.string(),
    stageLabel: z.string(),
    owner: personRefSchema.nullable(),
    grade: z.string().nullable(),
    lastFollowUpAt: nullableTime,
    overdue: z.boolean(),
    createdAt: isoTime.optional(),
    firstTouchDueAt: nullableTime.optional(),
    firstTouchAt: nullableTime.optional(),
    city: z.string().nullable(),
    contactName: z.string().nullable(),
    contactPhone: z.string().nullable().optional(),
    contactTitle: z.string().nullable().optional(),
    address: z.string().nullable().optional(),
    /** 关闭/丢单: null while open */
    closed: z
      .object({ at: isoTime, reason: z.string(), note: z.string().nullable(), text: z.string(), by: personRefSchema.nullable() })
      .nullable()
      .optional(),
  })
  .catchall(z.unknown());
export type Customer = z.output<typeof customerSchema>;

const pageFields = {
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  /** a search counted its first 1000 matches and stopped: show 1000+ */
  totalCapped: z.boolean().optional(),
};
/** Every list endpoint answers one page of this shape. */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), ...pageFields });
export type Page<T> = { items: T[] } & z.output<z.ZodObject<typeof pageFields>>;

const visitEntry = z.object({
  type: z.literal('visit'), at: isoTime, id: z.number().int(), by: personRefSchema, status: z.enum(['pending', 'submitted']),
  objective: z.string().nullable(), painPoint: z.string().nullable(), agreedAction: z.string().nullable(), agreedActionText: z.string().optional(),
  nextFollowUpAt: nullableTime, alert: z.boolean(), photoIds: z.array(z.number().int()).optional(), savedAt: nullableTime.optional(), offlineNote: z.string().nullable().optional(),
  /** 积极 / 中性 / 消极, null when the rep gave none */
  customerFeedback: z.string().nullable().optional(),
  /** the agreed action marked done: when, and whether by the next follow-up time */
  actionDone: z.object({ at: isoTime, onTime: z.boolean(), by: personRefSchema }).nullable().optional(),
});
const firstTouchEntry = z.object({
  type: z.literal('first_touch'), at: isoTime, id: z.number().int(), by: personRefSchema, method: z.string(), verbatim: z.string(), onTime: z.boolean(), photoIds: z.array(z.number().int()).optional(),
});
const stageChangeEntry = z.object({
  type: z.literal('stage_change'), at: isoTime, id: z.number().int(), by: personRefSchema, from: z.string().nullable(), fromLabel: z.string().nullable(), to: z.string(), toLabel: z.string(),
  /** stage: a move; closed_lost: 关闭/丢单 at `to` (with its reason); reopened: a supervisor reopened it */
  kind: z.enum(['stage', 'closed_lost', 'reopened']).optional(),
  reason: z.string().nullable().optional(),
  note: z.string().nullable().optional(),
});
const todoEntry = z.object({
  type: z.literal('todo'), at: isoTime, id: z.number().int(), visitId: z.number().int().nullable().optional(), status: z.enum(['open', 'confirmed']), agreedAction: z.string(),
  agreedActionText: z.string().optional(), dueAt: isoTime, confirmedAt: nullableTime, escalatedAt: nullableTime,
});
/** A customer opened a material a rep shared (materials module): each open, with how long a video was watched. */
const materialOpenEntry = z.object({
  type: z.literal('material_open'), at: isoTime, id: z.number().int(), by: personRefSchema, shareId: z.number().int(), materialId: z.number().int(), title: z.string(),
  watchedSeconds: z.number().int().nullable(),
});
/** GET /api/v1/customers/:id/timeline: one entry per thing that happened to the customer */
export const timelineEntrySchema = z.discriminatedUnion('type', [visitEntry, firstTouchEntry, stageChangeEntry, todoEntry, materialOpenEntry]);
export type TimelineEntry = z.output<typeof timelineEntrySchema>;

/** GET /api/v1/todos/:id (and each item of GET /todos); what confirm and discuss answer */
export const todoSchema = z.object({
  id: z.number().int(),
  visitId: z.number().int().nullable().optional(),
  status: z.enum(['open', 'confirmed']),
  snapshot: z.object({
    customer: z.object({ id: z.number().int().optional(), name: z.string() }).catchall(z.unknown()),
    rep: z.object({ id: z.number().int().optional(), name: z.string() }),
    visit: z.object({ objective: z.string().nullable().optional(), painPoint: z.string().nullable().optional() }).catchall(z.unknown()),
    actionItems: z
      .object({ agreedAction: z.string(), note: z.string().nullable().optional(), nextFollowUpAt: nullableTime, nextFollowUpForm: z.string().nullable() })
      .catchall(z.unknown()),
  }),
  dueAt: isoTime,
  overdue: z.boolean(),
  confirmedAt: nullableTime,
  discussRequestedAt: nullableTime.optional(),
  reminderAt: nullableTime,
  escalatedAt: nullableTime.optional(),
  /** 已升级: past its deadline, the director was told */
  escalated: z.boolean().optional(),
  /** minutes past the confirm-by time */
  overdueMinutes: z.number().optional(),
  /** who confirms it */
  assignee: z.object({ id: z.number().int(), name: z.string(), role: z.string() }).nullable().optional(),
});
export type Todo = z.output<typeof todoSchema>;

/** GET /home: what waits for the caller today. */
export const homeSchema = z.object({
  pendingVisits: z.object({
    count: z.number().int(),
    items: z.array(z.object({ visitId: z.number().int(), customerId: z.number().int(), customerName: z.string(), since: isoTime })),
  }),
  leadsAwaitingFirstTouch: z.object({
    count: z.number().int(),
    items: z.array(z.object({ customerId: z.number().int(), customerName: z.string(), firstTouchDueAt: isoTime, overdue: z.boolean() })),
  }),
  todos: z.object({ toConfirm: z.number().int(), myOpen: z.number().int(), escalated: z.number().int() }),
  /** the caller's daily check-ins today (null for roles that do not check in) */
  checkins: checkinSummarySchema.nullable(),
  /** 位置待确认: customers whose proposed location the caller confirms (null for roles that do not) */
  locationProposals: locationProposalsSchema.nullable(),
});
export type Home = z.output<typeof homeSchema>;

/** What a visit records (null while it waits to be filled), as every answer that shows a visit has it. */
export const visitRecordFields = {
  objective: z.string().nullable(),
  painPoint: z.string().nullable(),
  dialogueSummary: z.string().nullable(),
  bottleneck: z.string().nullable(),
  valuePoint: z.string().nullable(),
  agreedAction: z.string().nullable(),
  agreedActionNote: z.string().nullable(),
};

/** POST /api/v1/visits: the stored visit (201; a replay answers the same) and the to-do it created. */
export const visitSubmittedSchema = z.object({
  id: z.number().int(),
  customerId: z.number().int(),
  memberId: z.number().int(),
  status: z.enum(['pending', 'submitted']),
  ...visitRecordFields,
  nextFollowUpAt: nullableTime,
  nextFollowUpForm: z.string().nullable(),
  alert: z.boolean(),
  customerVerbatim: z.string().nullable(),
  /** 积极 / 中性 / 消极 (policy options.customerFeedback), null when not given */
  customerFeedback: z.string().nullable().optional(),
  /** the winning play whose value point the rep copied (赢单打法), null when none */
  playKey: z.string().nullable().optional(),
  photoIds: z.array(z.number().int()),
  submittedAt: nullableTime,
  /** when the rep saved it (earlier than submittedAt for a visit saved offline) */
  savedAt: nullableTime,
  createdAt: isoTime,
  /** the supervisor's to-do this visit created (none when the rep has no supervisor) */
  todo: z.object({ assigneeId: z.number().int(), status: z.literal('open'), dueAt: isoTime }).nullable().optional(),
  /** the sign-in the visit links (外勤签到), when the rep picked one */
  signin: z.object({ id: z.number().int(), distance: z.number().int().nullable(), tooFar: z.boolean(), chip: z.string() }).nullable().optional(),
});
export type VisitSubmitted = z.output<typeof visitSubmittedSchema>;
