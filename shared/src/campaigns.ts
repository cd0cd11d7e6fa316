import { z } from 'zod';
import type { StageCode } from './stages';
import { STAGE_CODES } from './stages';
import { dbId, isoDate, labelled } from './validation';

/**
 * Campaign task flows (专项任务流, SPEC §10): a director's (or a supervisor's) plan turned into each rep's
 * target list with ordered progress steps. A step is completed only by the record it names — a visit with
 * an objective, a material shared, a stage reached, a photo on a visit — made after the launch by the
 * target's rep; never by a checkbox.
 */

/** The evidence a step needs. */
export const CAMPAIGN_STEP_KINDS = ['visit', 'share', 'stage', 'photo'] as const;
export type CampaignStepKind = (typeof CAMPAIGN_STEP_KINDS)[number];
export const CAMPAIGN_STEP_KIND_LABELS: Record<CampaignStepKind, string> = {
  visit: '拜访（指定目标）',
  share: '分享素材',
  stage: '推进到阶段',
  photo: '拜访照片',
};

export const CAMPAIGN_STATES = ['draft', 'running', 'closed'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];
export const CAMPAIGN_STATE_LABELS: Record<CampaignState, string> = { draft: '草稿', running: '进行中', closed: '已结束' };

/** What the owner did with a rep's exception report. */
export const CAMPAIGN_RESOLUTIONS = ['answer', 'reassign', 'drop'] as const;
export type CampaignResolution = (typeof CAMPAIGN_RESOLUTIONS)[number];
export const CAMPAIGN_EXCEPTION_STATE_LABELS: Record<'open' | 'answered' | 'reassigned' | 'dropped', string> = {
  open: '待处理',
  answered: '已答复',
  reassigned: '已改派',
  dropped: '已移出专项',
};

export const CAMPAIGN_LABELS = {
  name: '专项名称',
  startsOn: '开始日期',
  endsOn: '结束日期',
  goal: '目标',
  goalStage: '目标阶段',
  goalCount: '目标客户数',
  filter: '筛选条件',
  customerIds: '目标客户',
  scriptMaterialId: '话术包',
  materialIds: '素材',
  steps: '进度步骤',
  title: '步骤名称',
  kind: '凭证类型',
  objective: '拜访目标',
  materialId: '素材',
  stage: '阶段',
  dueDays: '期限（启动后第几天）',
  reason: '原因',
  note: '说明',
  photoId: '照片',
  action: '处理方式',
  text: '答复',
  toMemberId: '接手人',
} as const;
const L = CAMPAIGN_LABELS;

const MAX_TARGET_IDS = 2000;
const id = (label: string) => dbId(label);
const textList = (label: string, max = 20) => labelled(z.array(z.string().trim().min(1).max(40)).max(max, `${label}最多 ${max} 个`), label);

/** Customers picked by their fields (each list: any of; empty or absent: not filtered). */
export const campaignFilterSchema = z
  .object({
    industries: textList('行业').optional(),
    grades: textList('客户等级').optional(),
    stages: labelled(z.array(z.enum(STAGE_CODES)).max(6), '客户阶段').optional(),
    cities: textList('城市', 100).optional(),
    hospitalLevels: textList('医院等级').optional(),
  })
  .strict();
export type CampaignFilter = z.output<typeof campaignFilterSchema>;

export const campaignStepSchema = z
  .object({
    title: labelled(z.string().trim().min(1, '请填写步骤名称').max(40, '步骤名称最多 40 个字'), L.title),
    kind: labelled(z.enum(CAMPAIGN_STEP_KINDS), L.kind),
    objective: labelled(z.string().trim().max(20), L.objective).nullable().optional(),
    materialId: labelled(z.number().int().min(1).max(2147483647), L.materialId).nullable().optional(),
    stage: labelled(z.string().trim().max(20), L.stage).nullable().optional(),
    dueDays: labelled(z.number().int('须为整数（天）').max(366, '不能超过 366 天'), L.dueDays),
  })
  .strict();
export type CampaignStepInput = z.output<typeof campaignStepSchema>;

/** POST /campaigns: a draft (or launched at once with `launch: true`). */
export const campaignCreateSchema = z
  .object({
    name: labelled(z.string().trim().min(1, '请填写专项名称').max(60, '专项名称最多 60 个字'), L.name),
    startsOn: isoDate(L.startsOn),
    endsOn: isoDate(L.endsOn),
    goalStage: labelled(z.enum(STAGE_CODES), L.goalStage),
    goalCount: labelled(z.number().int('须为整数').min(1, '至少 1 位客户').max(100000), L.goalCount),
    filter: campaignFilterSchema.nullable().optional(),
    customerIds: labelled(z.array(z.number().int().min(1).max(2147483647)).max(MAX_TARGET_IDS, `目标客户最多 ${MAX_TARGET_IDS} 位`), L.customerIds).default([]),
    scriptMaterialId: labelled(z.number().int().min(1).max(2147483647), L.scriptMaterialId).nullable().default(null),
    materialIds: labelled(z.array(z.number().int().min(1).max(2147483647)).max(20, '素材最多 20 个'), L.materialIds).default([]),
    steps: labelled(z.array(campaignStepSchema).min(1, '至少需要一个进度步骤').max(10, '进度步骤最多 10 个'), L.steps),
    launch: z.boolean().default(false),
  })
  .strict();
export type CampaignCreateInput = z.output<typeof campaignCreateSchema>;

/** POST /campaigns/targets/preview: who a filter picks (in the caller's reach). */
export const campaignTargetPreviewSchema = z.object({ filter: campaignFilterSchema.nullable().optional(), customerIds: labelled(z.array(z.number().int().min(1).max(2147483647)).max(MAX_TARGET_IDS), L.customerIds).default([]) }).strict();

/** POST /campaign-targets/:id/exceptions: the rep's blocker on a target. */
export const campaignExceptionSchema = z
  .object({
    reason: labelled(z.string().trim().min(1, '请选择原因').max(20), L.reason),
    note: labelled(z.string().trim().max(200, '说明最多 200 个字'), L.note).default(''),
    photoId: id(L.photoId).nullable().default(null),
  })
  .strict();
export type CampaignExceptionInput = z.output<typeof campaignExceptionSchema>;

/** POST /campaign-exceptions/:id/resolve: the owner answers, reassigns the target, or drops it. */
export const campaignResolveSchema = z
  .object({
    action: labelled(z.enum(CAMPAIGN_RESOLUTIONS), L.action),
    text: labelled(z.string().trim().max(200, '答复最多 200 个字'), L.text).default(''),
    toMemberId: id(L.toMemberId).nullable().default(null),
  })
  .strict();
export type CampaignResolveInput = z.output<typeof campaignResolveSchema>;

// ── what the app reads ───────────────────────────────────────────────────────────────────────

export interface CampaignStepView {
  seq: number;
  title: string;
  kind: CampaignStepKind;
  objective: string | null;
  materialId: number | null;
  stage: StageCode | null;
  dueDays: number;
  /** what the step asks, in words: 「拜访 · 目标「推进方案」」 */
  evidence: string;
}

export interface CampaignSummary {
  id: number;
  name: string;
  state: CampaignState;
  startsOn: string;
  endsOn: string;
  goalStage: StageCode;
  goalCount: number;
  owner: { id: number; name: string };
  targetCount: number;
  launchedAt: string | null;
  closedAt: string | null;
}

export interface CampaignMaterialRef {
  id: number;
  title: string;
  kind: string;
}

export interface CampaignDetail extends CampaignSummary {
  steps: CampaignStepView[];
  script: CampaignMaterialRef | null;
  materials: CampaignMaterialRef[];
  filter: CampaignFilter | null;
}

/** One step of one target: done by which record, or due when. */
export interface TargetStepState {
  seq: number;
  done: boolean;
  /** the record that completed it: a visit (its id), a share, a stage change */
  record: { kind: 'visit' | 'share' | 'stage'; id: number; at: string } | null;
  dueAt: string | null;
  overdue: boolean;
}

export interface CampaignTargetView {
  id: number;
  customer: { id: number; name: string; stage: StageCode };
  owner: { id: number; name: string; teamId: number | null };
  state: 'open' | 'done' | 'dropped';
  /** the first step not done yet (null: all done or dropped) */
  nextStep: number | null;
  steps: TargetStepState[];
  converted: boolean;
  openException: { id: number; reason: string } | null;
}

export interface CampaignRepFigures {
  id: number;
  name: string;
  teamId: number | null;
  targets: number;
  /** per step (index = seq − 1): targets that completed it */
  done: number[];
  /** per step: targets whose next step it is */
  atStep: number[];
  completed: number;
  overdueSteps: number;
  openExceptions: number;
  converted: number;
}

export interface CampaignBoard {
  campaign: CampaignSummary & { steps: CampaignStepView[] };
  /** true once the campaign is closed: the figures are the snapshot stored then */
  frozen: boolean;
  asOf: string;
  totals: Omit<CampaignRepFigures, 'id' | 'name' | 'teamId'> & { dropped: number };
  goal: { stage: StageCode; stageLabel: string; count: number; reached: number; rate: number };
  reps: CampaignRepFigures[];
  teams: Array<Omit<CampaignRepFigures, 'teamId'>>;
  exceptions: CampaignExceptionView[];
}

export interface CampaignExceptionView {
  id: number;
  targetId: number;
  customer: { id: number; name: string };
  reportedBy: { id: number; name: string };
  reason: string;
  note: string;
  photoId: number | null;
  state: 'open' | 'answered' | 'reassigned' | 'dropped';
  answer: string | null;
  taskId: number | null;
  createdAt: string;
  resolvedAt: string | null;
}

/** GET /campaigns/mine: the rep's task flow across running campaigns. */
export interface MyCampaignFlow {
  reasons: string[];
  campaigns: Array<{
    campaign: CampaignDetail;
    targets: CampaignTargetView[];
  }>;
}

/** What a step asks, in words. */
export function stepEvidence(step: Pick<CampaignStepView, 'kind' | 'objective' | 'stage'> & { materialTitle?: string | null }, stageLabel: (s: StageCode) => string): string {
  switch (step.kind) {
    case 'visit':
      return step.objective ? `拜访 · 目标「${step.objective}」` : '拜访';
    case 'share':
      return step.materialTitle ? `分享素材「${step.materialTitle}」` : '分享专项素材';
    case 'stage':
      return step.stage ? `客户推进到「${stageLabel(step.stage as StageCode)}」` : '推进阶段';
    case 'photo':
      return '拜访时拍照';
  }
}
