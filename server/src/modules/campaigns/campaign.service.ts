import type { DataSource } from 'typeorm';
import {
  STAGE_CODES, addDays, localDay, stepEvidence,
  type CampaignBoard, type CampaignCreateInput, type CampaignDetail, type CampaignFilter, type CampaignMaterialRef, type CampaignRepFigures,
  type CampaignState, type CampaignStepView, type CampaignSummary, type CampaignTargetView, type MyCampaignFlow, type StageCode,
} from '@anchor/shared';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { SQL, placeholders, sqlDate, withSqlTransaction, type Sql } from '../../db/sql';
import { transaction } from '../../db/transaction';
import { notFound } from '../../http/errors';
import { outboxStatement, type NewMessage } from '../../outbox/outbox';
import { scopeIncludes, type Member, type OrgService, type Scope } from '../org';
import { campaignProgress, figuresOf, type ProgressCampaign, type ProgressStep, type TargetProgress } from './campaign.progress';
import { MAX_TARGETS, customersByFilter, customersByIds, filterNamesSomething, matchTargetSheet, type TargetCandidate, type XlsxTargetMatch } from './campaign-targets';
import { campaignError } from './campaigns.errors';

/** A campaign row as read raw. */
export interface CampaignRow extends ProgressCampaign {
  name: string;
  ownerId: number;
  startsOn: string;
  endsOn: string;
  goalCount: number;
  filter: CampaignFilter | null;
  scriptMaterialId: number | null;
  createdAt: Date;
}

const json = <T>(v: unknown, fallback: T): T => (v === null || v === undefined ? fallback : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

export async function readCampaign(sql: Sql, id: number): Promise<CampaignRow | null> {
  const [r] = await sql.rows<Record<string, unknown>>(
    SQL`SELECT id, name, ownerId, startsOn, endsOn, goalStage, goalCount, filter, scriptMaterialId, materialIds, launchedAt, closedAt, createdAt FROM campaign WHERE id = ?`,
    [id],
  );
  if (!r) return null;
  return {
    id: Number(r.id), name: String(r.name), ownerId: Number(r.ownerId), startsOn: String(r.startsOn), endsOn: String(r.endsOn), goalStage: r.goalStage as StageCode,
    goalCount: Number(r.goalCount), filter: json<CampaignFilter | null>(r.filter, null), scriptMaterialId: r.scriptMaterialId === null ? null : Number(r.scriptMaterialId),
    materialIds: json<number[]>(r.materialIds, []), launchedAt: sqlDate(r.launchedAt as string | null), closedAt: sqlDate(r.closedAt as string | null), createdAt: sqlDate(r.createdAt as string)!,
  };
}

/** A step as stored: what progress reads, and its name. */
export type StepRow = ProgressStep & { title: string };

export async function readSteps(sql: Sql, campaignId: number): Promise<StepRow[]> {
  const rows = await sql.rows<Record<string, unknown>>(SQL`SELECT id, seq, title, kind, objective, materialId, stage, dueDays FROM campaign_step WHERE campaignId = ? ORDER BY seq`, [campaignId]);
  return rows.map((r) => ({
    id: Number(r.id), seq: Number(r.seq), title: String(r.title), kind: r.kind as ProgressStep['kind'], objective: (r.objective as string | null) ?? null,
    materialId: r.materialId === null ? null : Number(r.materialId), stage: (r.stage as StageCode | null) ?? null, dueDays: Number(r.dueDays),
  }));
}

export const stateOf = (c: Pick<CampaignRow, 'launchedAt' | 'closedAt'>): CampaignState => (c.closedAt ? 'closed' : c.launchedAt ? 'running' : 'draft');

/**
 * Campaigns (专项任务): created by a director for the region or a supervisor for the team, launched to the
 * reps, read on a board computed from the records, closed with a frozen snapshot.
 */
export class CampaignService {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
  ) {}

  private stageLabel = (code: StageCode): string => this.policy.stages.find((s) => s.code === code)?.label ?? code;

  /** The reach a manager works in (campaigns.manage: a supervisor's team, a director's region). */
  manageScope(caller: Member): Promise<Scope> {
    return this.org.scopeOf(caller, 'campaigns.manage');
  }

  /** May the caller run this campaign (launch, close, answer its exceptions)? Its owner, or a manager whose reach holds the owner. */
  canRun(caller: Member, campaign: Pick<CampaignRow, 'ownerId'>, scope: Scope): boolean {
    return campaign.ownerId === caller.id || scopeIncludes(scope, campaign.ownerId);
  }

  /** A campaign the caller may see (its owner in their reach, or one of its targets held in their reach); else 404. */
  async visible(caller: Member, id: number, sql: Sql): Promise<{ campaign: CampaignRow; scope: Scope }> {
    const campaign = await readCampaign(sql, id);
    if (!campaign) throw notFound('专项任务');
    const scope = await this.manageScope(caller);
    if (this.canRun(caller, campaign, scope)) return { campaign, scope };
    if (scope.kind === 'owners' && scope.memberIds.length) {
      const [hit] = await sql.rows(SQL`SELECT id FROM campaign_target WHERE campaignId = ? AND ownerId IN (${placeholders(scope.memberIds.length)}) LIMIT 1`, [id, ...scope.memberIds]);
      if (hit) return { campaign, scope };
    }
    throw notFound('专项任务');
  }

  private async materialRefs(sql: Sql, ids: number[]): Promise<Map<number, CampaignMaterialRef & { retired: boolean }>> {
    const unique = [...new Set(ids)];
    if (!unique.length) return new Map();
    const rows = await sql.rows<Record<string, unknown>>(SQL`SELECT id, title, kind, retiredAt FROM material WHERE id IN (${placeholders(unique.length)})`, unique);
    return new Map(rows.map((r) => [Number(r.id), { id: Number(r.id), title: String(r.title), kind: String(r.kind), retired: r.retiredAt !== null }]));
  }

  private stepView(s: StepRow, materials: Map<number, CampaignMaterialRef>): CampaignStepView {
    return {
      seq: s.seq, title: s.title, kind: s.kind, objective: s.objective, materialId: s.materialId, stage: s.stage, dueDays: s.dueDays,
      evidence: stepEvidence({ ...s, materialTitle: s.materialId ? (materials.get(s.materialId)?.title ?? null) : null }, this.stageLabel),
    };
  }

  private async summaries(sql: Sql, rows: CampaignRow[]): Promise<CampaignSummary[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const counts = new Map(
      (await sql.rows<{ campaignId: number; n: number }>(
        SQL`SELECT campaignId, COUNT(*) AS n FROM campaign_target WHERE campaignId IN (${placeholders(ids.length)}) AND droppedAt IS NULL GROUP BY campaignId`,
        ids,
      )).map((r) => [Number(r.campaignId), Number(r.n)]),
    );
    const owners = await this.org.membersByIds(rows.map((r) => r.ownerId));
    return rows.map((r) => ({
      id: r.id, name: r.name, state: stateOf(r), startsOn: r.startsOn, endsOn: r.endsOn, goalStage: r.goalStage, goalCount: r.goalCount,
      owner: { id: r.ownerId, name: owners.get(r.ownerId)?.name ?? '' }, targetCount: counts.get(r.id) ?? 0,
      launchedAt: r.launchedAt?.toISOString() ?? null, closedAt: r.closedAt?.toISOString() ?? null,
    }));
  }

  private async detail(sql: Sql, campaign: CampaignRow): Promise<CampaignDetail> {
    const steps = await readSteps(sql, campaign.id);
    const materials = await this.materialRefs(sql, [...campaign.materialIds, ...(campaign.scriptMaterialId ? [campaign.scriptMaterialId] : []), ...steps.flatMap((s) => (s.materialId ? [s.materialId] : []))]);
    const ref = (id: number) => {
      const m = materials.get(id);
      return m ? { id: m.id, title: m.title, kind: m.kind } : null;
    };
    return {
      ...(await this.summaries(sql, [campaign]))[0]!,
      steps: steps.map((s) => this.stepView(s, materials)),
      script: campaign.scriptMaterialId ? ref(campaign.scriptMaterialId) : null,
      materials: campaign.materialIds.map(ref).filter((m): m is CampaignMaterialRef => m !== null),
      filter: campaign.filter,
    };
  }

  // ── targets ───────────────────────────────────────────────────────────────────────────────

  /** Who a filter and/or a list of ids picks in the caller's reach, and which listed ids lie outside it. */
  async previewTargets(caller: Member, filter: CampaignFilter | null | undefined, customerIds: number[]) {
    const scope = await this.manageScope(caller);
    const picked = await withSqlTransaction(this.db, (sql) => this.pickTargets(sql, scope, filter, customerIds));
    return {
      total: picked.targets.length,
      tooMany: picked.targets.length > MAX_TARGETS,
      outside: picked.outside,
      closed: picked.closed.map((c) => ({ id: c.id, name: c.name })),
      items: picked.targets.slice(0, 200).map((c) => ({ id: c.id, name: c.name, owner: { id: c.ownerId, name: c.ownerName }, stage: c.stage, industry: c.industry, grade: c.grade, city: c.city, hospitalLevel: c.hospitalLevel })),
    };
  }

  async matchSheet(caller: Member, file: Buffer): Promise<XlsxTargetMatch> {
    return matchTargetSheet((work) => withSqlTransaction(this.db, work), this.policy, await this.manageScope(caller), file);
  }

  private async pickTargets(sql: Sql, scope: Scope, filter: CampaignFilter | null | undefined, customerIds: number[]) {
    const byFilter = filterNamesSomething(filter) ? await customersByFilter(sql, scope, filter) : [];
    const listed = customerIds.length ? await customersByIds(sql, customerIds) : [];
    const known = new Map(listed.map((c) => [c.id, c]));
    const outside = [...new Set(customerIds)].filter((id) => {
      const c = known.get(id);
      return !c || !(scope.kind === 'all' || scope.memberIds.includes(c.ownerId));
    });
    const closed = listed.filter((c) => c.closed && !outside.includes(c.id));
    const targets = new Map<number, TargetCandidate>();
    for (const c of [...byFilter, ...listed]) if (!c.closed && !outside.includes(c.id)) targets.set(c.id, c);
    return { targets: [...targets.values()], outside, closed };
  }

  // ── create, launch, close ────────────────────────────────────────────────────────────────

  /**
   * Creates a campaign (and launches it with `launch`), or refuses the whole plan naming each bad field:
   * no targets, targets outside the creator's reach, steps with negative, out-of-order or circular
   * offsets, an objective, material or stage that does not exist.
   */
  async create(caller: Member, input: CampaignCreateInput): Promise<CampaignDetail> {
    const scope = await this.manageScope(caller);
    const now = this.clock.now();
    const today = localDay(now, this.policy.timeZone);
    const id = await transaction(this.db, async ({ sql }) => {
      const fields: Record<string, string> = {};
      if (input.endsOn < input.startsOn) fields.endsOn = `结束日期（${input.endsOn}）不能早于开始日期（${input.startsOn}）`;
      else if (input.endsOn < today) fields.endsOn = `结束日期不能早于今天（${today}）`;
      const picked = await this.pickTargets(sql, scope, input.filter, input.customerIds);
      if (picked.outside.length) {
        fields.customerIds = `客户编号 ${picked.outside.slice(0, 10).join('、')}${picked.outside.length > 10 ? ` 等 ${picked.outside.length} 位` : ''} 不存在或不在你的管理范围内`;
      } else if (picked.closed.length) {
        fields.customerIds = `客户「${picked.closed.slice(0, 5).map((c) => c.name).join('」「')}」已关闭（丢单），不能作为目标客户`;
      } else if (picked.targets.length === 0) {
        fields.targets = filterNamesSomething(input.filter) ? '筛选条件在你的管理范围内没有匹配的客户，请调整条件或上传客户名单' : '没有目标客户：请按条件筛选或上传客户名单';
      } else if (picked.targets.length > MAX_TARGETS) {
        fields.targets = `目标客户最多 ${MAX_TARGETS} 位（当前 ${picked.targets.length} 位以上），请缩小筛选条件`;
      } else if (input.goalCount > picked.targets.length) {
        fields.goalCount = `目标客户数（${input.goalCount}）不能多于目标客户总数（${picked.targets.length}）`;
      }
      const materials = await this.materialRefs(sql, [...input.materialIds, ...(input.scriptMaterialId ? [input.scriptMaterialId] : []), ...input.steps.flatMap((s) => (s.materialId ? [s.materialId] : []))]);
      const usable = (mid: number) => materials.has(mid) && !materials.get(mid)!.retired;
      const badMaterials = input.materialIds.filter((m) => !usable(m));
      if (badMaterials.length) fields.materialIds = `素材编号 ${badMaterials.join('、')} 不存在或已下架`;
      if (input.scriptMaterialId && !usable(input.scriptMaterialId)) fields.scriptMaterialId = `话术包（素材编号 ${input.scriptMaterialId}）不存在或已下架`;
      Object.assign(fields, this.checkSteps(input, materials, usable));
      if (Object.keys(fields).length) throw campaignError('CAMPAIGN_INVALID', { message: `专项任务设置有误，未保存：${Object.values(fields).join('；')}`, fields });

      const campaignId = await sql.insert('campaign', [{
        name: input.name, ownerId: caller.id, startsOn: input.startsOn, endsOn: input.endsOn, goalStage: input.goalStage, goalCount: input.goalCount,
        filter: filterNamesSomething(input.filter) ? JSON.stringify(input.filter) : null, scriptMaterialId: input.scriptMaterialId, materialIds: JSON.stringify(input.materialIds),
        launchedAt: null, closedAt: null, closedById: null, createdAt: now,
      }]);
      await sql.insert('campaign_step', input.steps.map((s, i) => ({
        campaignId, seq: i + 1, title: s.title, kind: s.kind, objective: s.kind === 'visit' ? (s.objective ?? null) : null,
        materialId: s.kind === 'share' ? (s.materialId ?? null) : null, stage: s.kind === 'stage' ? (s.stage ?? null) : null, dueDays: s.dueDays,
      })));
      for (let i = 0; i < picked.targets.length; i += 500) {
        await sql.insert('campaign_target', picked.targets.slice(i, i + 500).map((c) => ({ campaignId, customerId: c.id, ownerId: c.ownerId, droppedAt: null, createdAt: now })));
      }
      if (input.launch) await this.launchIn(sql, campaignId, now);
      return campaignId;
    });
    return this.get(caller, id);
  }

  /** The steps' own rules: each field named as `steps.<i>.<field>` with the step's number in the message. */
  private checkSteps(input: CampaignCreateInput, materials: Map<number, unknown>, usable: (id: number) => boolean): Record<string, string> {
    const fields: Record<string, string> = {};
    const objectives = this.policy.options.visitObjectives;
    const periodDays = Math.round((Date.parse(`${input.endsOn}T00:00:00Z`) - Date.parse(`${input.startsOn}T00:00:00Z`)) / 86_400_000);
    let lastStage: { index: number; rank: number; stage: StageCode } | null = null;
    input.steps.forEach((s, i) => {
      const n = i + 1;
      const at = (field: string) => `steps.${i}.${field}`;
      if (s.dueDays < 0) fields[at('dueDays')] = `第 ${n} 步的期限不能为负数（启动当天为第 0 天）`;
      else if (i > 0 && s.dueDays < input.steps[i - 1]!.dueDays && input.steps[i - 1]!.dueDays >= 0) {
        fields[at('dueDays')] = `第 ${n} 步的期限（第 ${s.dueDays} 天）早于第 ${i} 步（第 ${input.steps[i - 1]!.dueDays} 天）：步骤须按先后顺序排期，不能绕回前面的步骤`;
      } else if (periodDays >= 0 && s.dueDays > periodDays) fields[at('dueDays')] = `第 ${n} 步的期限（第 ${s.dueDays} 天）超出专项周期（共 ${periodDays} 天）`;
      if (s.kind === 'visit') {
        if (!s.objective) fields[at('objective')] = `第 ${n} 步需要选择拜访目标（${objectives.join('、')}）`;
        else if (!objectives.includes(s.objective)) fields[at('objective')] = `第 ${n} 步的拜访目标「${s.objective}」不存在（可选：${objectives.join('、')}）`;
      } else if (s.kind === 'share') {
        if (s.materialId && !usable(s.materialId)) fields[at('materialId')] = `第 ${n} 步的素材（编号 ${s.materialId}）不存在或已下架`;
        else if (!s.materialId && input.materialIds.length === 0) fields[at('materialId')] = `第 ${n} 步需要指定要分享的素材（或先为专项选择素材）`;
      } else if (s.kind === 'stage') {
        const rank = s.stage ? STAGE_CODES.indexOf(s.stage as StageCode) : -1;
        if (!s.stage) fields[at('stage')] = `第 ${n} 步需要选择要推进到的阶段`;
        else if (rank < 0) fields[at('stage')] = `第 ${n} 步的阶段「${s.stage}」不存在（可选：${this.policy.stages.map((x) => x.label).join('、')}）`;
        else if (lastStage && rank <= lastStage.rank) {
          fields[at('stage')] = `第 ${n} 步的阶段「${this.stageLabel(s.stage as StageCode)}」没有在第 ${lastStage.index + 1} 步「${this.stageLabel(lastStage.stage)}」之后：阶段步骤须逐步推进，不能回到或重复之前的阶段`;
        }
        if (rank >= 0 && (!lastStage || rank > lastStage.rank)) lastStage = { index: i, rank, stage: s.stage as StageCode };
      }
    });
    void materials;
    return fields;
  }

  /** Launches in the caller's transaction: the launch time, and each rep's message (their targets and the first step). */
  private async launchIn(sql: Sql, campaignId: number, now: Date): Promise<void> {
    const changed = await sql.exec(SQL`UPDATE campaign SET launchedAt = ? WHERE id = ? AND launchedAt IS NULL`, [now, campaignId]);
    if (changed !== 1) throw campaignError('CAMPAIGN_STATE_CONFLICT', { message: '专项任务已启动，不能重复启动' });
    const campaign = (await readCampaign(sql, campaignId))!;
    const steps = await readSteps(sql, campaignId);
    const first = steps[0];
    const reps = await sql.rows<{ ownerId: number; n: number; teamId: number | null }>(
      SQL`SELECT t.ownerId AS ownerId, COUNT(*) AS n, m.teamId AS teamId FROM campaign_target t JOIN member m ON m.id = t.ownerId
        WHERE t.campaignId = ? AND t.droppedAt IS NULL GROUP BY t.ownerId, m.teamId ORDER BY t.ownerId`,
      [campaignId],
    );
    const messages: NewMessage[] = reps.map((r) => ({
      kind: 'campaign.launched', teamId: r.teamId === null ? null : Number(r.teamId),
      payload: { campaignId, campaignName: campaign.name, memberId: Number(r.ownerId), targets: Number(r.n), endsOn: campaign.endsOn, firstStep: first ? `${first.title}（${stepEvidence(first, this.stageLabel)}）` : '' },
    }));
    if (messages.length) await sql.batch([outboxStatement(sql, messages, now)]);
  }

  async launch(caller: Member, id: number): Promise<CampaignDetail> {
    await transaction(this.db, async ({ sql }) => {
      const { campaign, scope } = await this.visible(caller, id, sql);
      if (!this.canRun(caller, campaign, scope)) throw notFound('专项任务');
      if (campaign.closedAt) throw campaignError('CAMPAIGN_STATE_CONFLICT', { message: '专项任务已结束，不能再启动' });
      if (campaign.endsOn < localDay(this.clock.now(), this.policy.timeZone)) throw campaignError('CAMPAIGN_STATE_CONFLICT', { message: `专项任务已于 ${campaign.endsOn} 截止，不能启动` });
      await this.launchIn(sql, id, this.clock.now());
    });
    return this.get(caller, id);
  }

  /** Closes a running campaign and stores its figures as they stand (the board and each target's steps): read later, they do not move. */
  async close(caller: Member, id: number): Promise<CampaignBoard> {
    const now = this.clock.now();
    await transaction(this.db, async ({ sql }) => {
      const { campaign, scope } = await this.visible(caller, id, sql);
      if (!this.canRun(caller, campaign, scope)) throw notFound('专项任务');
      if (!campaign.launchedAt) throw campaignError('CAMPAIGN_STATE_CONFLICT', { message: '专项任务尚未启动，不能结束' });
      if (campaign.closedAt) throw campaignError('CAMPAIGN_STATE_CONFLICT', { message: '专项任务已结束' });
      // the figures up to this instant: records after it no longer count
      const closing = { ...campaign, closedAt: now };
      const { board, targets } = await this.compute(sql, closing, now);
      const changed = await sql.exec(SQL`UPDATE campaign SET closedAt = ?, closedById = ? WHERE id = ? AND closedAt IS NULL`, [now, caller.id, id]);
      if (changed !== 1) throw campaignError('CAMPAIGN_STATE_CONFLICT', { message: '专项任务已结束' });
      board.campaign.state = 'closed';
      board.campaign.closedAt = now.toISOString();
      board.frozen = true;
      await sql.insert('campaign_snapshot', [{ campaignId: id, board: JSON.stringify(board), targets: JSON.stringify(targets), createdAt: now }]);
    });
    return this.board(caller, id);
  }

  // ── reading ─────────────────────────────────────────────────────────────────────────────

  async list(caller: Member): Promise<{ items: CampaignSummary[] }> {
    return transaction(this.db, async ({ sql }) => {
      const scope = await this.manageScope(caller);
      const ids = scope.kind === 'all' ? [] : [...new Set([caller.id, ...scope.memberIds])];
      const rows = await sql.rows<{ id: number }>(
        scope.kind === 'all'
          ? SQL`SELECT id FROM campaign ORDER BY id DESC LIMIT 200`
          : SQL`SELECT id FROM campaign WHERE ownerId IN (${placeholders(ids.length)}) OR id IN (SELECT campaignId FROM campaign_target WHERE ownerId IN (${placeholders(ids.length)})) ORDER BY id DESC LIMIT 200`,
        scope.kind === 'all' ? [] : [...ids, ...ids],
      );
      const campaigns = (await Promise.all(rows.map((r) => readCampaign(sql, Number(r.id))))).filter((c): c is CampaignRow => c !== null);
      return { items: await this.summaries(sql, campaigns) };
    });
  }

  async get(caller: Member, id: number): Promise<CampaignDetail> {
    return transaction(this.db, async ({ sql }) => this.detail(sql, (await this.visible(caller, id, sql)).campaign));
  }

  /** The board's figures and every target's steps, computed now from the records. */
  private async compute(sql: Sql, campaign: CampaignRow, now: Date): Promise<{ board: CampaignBoard; targets: CampaignTargetView[] }> {
    const steps = await readSteps(sql, campaign.id);
    const materials = await this.materialRefs(sql, steps.flatMap((s) => (s.materialId ? [s.materialId] : [])));
    const progress = await campaignProgress(sql, campaign, steps, this.policy.timeZone, now);
    const targets: CampaignTargetView[] = progress.targets.map(({ managerId: _m, overdueStepIds: _o, ...t }) => t);
    const byRep = new Map<number, CampaignTargetView[]>();
    for (const t of targets) byRep.set(t.owner.id, [...(byRep.get(t.owner.id) ?? []), t]);
    const reps: CampaignRepFigures[] = [...byRep.entries()].map(([id, list]) => ({ id, name: list[0]!.owner.name, teamId: list[0]!.owner.teamId, ...figuresOf(list, steps.length) }));
    reps.sort((a, b) => (a.teamId ?? 0) - (b.teamId ?? 0) || a.id - b.id);
    const teamIds = [...new Set(reps.map((r) => r.teamId).filter((t): t is number => t !== null))];
    const teamNames = new Map(
      teamIds.length ? (await sql.rows<{ id: number; name: string }>(SQL`SELECT id, name FROM team WHERE id IN (${placeholders(teamIds.length)})`, teamIds)).map((t) => [Number(t.id), String(t.name)]) : [],
    );
    const teams = [...new Set(reps.map((r) => r.teamId))].map((teamId) => ({
      id: teamId ?? 0, name: teamId === null ? '未分组' : (teamNames.get(teamId) ?? ''), ...figuresOf(targets.filter((t) => t.owner.teamId === teamId), steps.length),
    }));
    const totals = { ...figuresOf(targets, steps.length), dropped: targets.filter((t) => t.state === 'dropped').length };
    const summary = (await this.summaries(sql, [campaign]))[0]!;
    const board: CampaignBoard = {
      campaign: { ...summary, steps: steps.map((s) => this.stepView(s, materials)) },
      frozen: false,
      asOf: now.toISOString(),
      totals,
      goal: { stage: campaign.goalStage, stageLabel: this.stageLabel(campaign.goalStage), count: campaign.goalCount, reached: totals.converted, rate: campaign.goalCount ? totals.converted / campaign.goalCount : 0 },
      reps,
      teams,
      exceptions: progress.exceptions,
    };
    return { board, targets };
  }

  private async snapshot(sql: Sql, campaignId: number): Promise<{ board: CampaignBoard; targets: CampaignTargetView[] } | null> {
    const [row] = await sql.rows<{ board: string; targets: string }>(SQL`SELECT board, targets FROM campaign_snapshot WHERE campaignId = ?`, [campaignId]);
    return row ? { board: JSON.parse(row.board) as CampaignBoard, targets: JSON.parse(row.targets) as CampaignTargetView[] } : null;
  }

  /** The board: live while running, the stored snapshot once closed (a draft shows its targets, nothing done). */
  async board(caller: Member, id: number): Promise<CampaignBoard> {
    return transaction(this.db, async ({ sql }) => {
      const { campaign } = await this.visible(caller, id, sql);
      const frozen = campaign.closedAt ? await this.snapshot(sql, id) : null;
      if (frozen) return frozen.board;
      return (await this.compute(sql, campaign, this.clock.now())).board;
    });
  }

  /** The drill-down: targets with each step's record (or due time), narrowed by rep, step and state. */
  async targets(caller: Member, id: number, query: { repId?: number | undefined; teamId?: number | undefined; seq?: number | undefined; state?: string | undefined }): Promise<{ items: CampaignTargetView[]; total: number }> {
    return transaction(this.db, async ({ sql }) => {
      const { campaign } = await this.visible(caller, id, sql);
      const frozen = campaign.closedAt ? await this.snapshot(sql, id) : null;
      let items = frozen ? frozen.targets : (await this.compute(sql, campaign, this.clock.now())).targets;
      if (query.repId) items = items.filter((t) => t.owner.id === query.repId);
      if (query.teamId) items = items.filter((t) => t.owner.teamId === query.teamId);
      if (query.seq) {
        const i = query.seq - 1;
        items = query.state === 'at' ? items.filter((t) => t.nextStep === query.seq) : items.filter((t) => t.steps[i]?.done);
      } else if (query.state === 'overdue') items = items.filter((t) => t.steps.some((s) => s.overdue));
      else if (query.state === 'exception') items = items.filter((t) => t.openException);
      else if (query.state === 'converted') items = items.filter((t) => t.converted);
      else if (query.state === 'open' || query.state === 'done' || query.state === 'dropped') items = items.filter((t) => t.state === query.state);
      return { items, total: items.length };
    });
  }

  /** The rep's task flow: running campaigns with targets they hold; overdue targets first, then by next step, done last. */
  async mine(caller: Member): Promise<MyCampaignFlow> {
    return transaction(this.db, async ({ sql }) => {
      const rows = await sql.rows<{ id: number }>(
        SQL`SELECT DISTINCT c.id AS id FROM campaign c JOIN campaign_target t ON t.campaignId = c.id
          WHERE t.ownerId = ? AND c.launchedAt IS NOT NULL AND c.closedAt IS NULL ORDER BY c.id DESC`,
        [caller.id],
      );
      const now = this.clock.now();
      const campaigns: MyCampaignFlow['campaigns'] = [];
      for (const r of rows) {
        const campaign = (await readCampaign(sql, Number(r.id)))!;
        const steps = await readSteps(sql, campaign.id);
        const progress = await campaignProgress(sql, campaign, steps, this.policy.timeZone, now, [caller.id]);
        const order = (t: TargetProgress) => (t.state === 'dropped' ? 3 : t.state === 'done' ? 2 : t.overdueStepIds.length ? 0 : 1);
        const targets = progress.targets
          .filter((t) => t.state !== 'dropped')
          .sort((a, b) => order(a) - order(b) || (a.nextStep ?? 99) - (b.nextStep ?? 99) || a.id - b.id)
          .map(({ managerId: _m, overdueStepIds: _o, ...t }) => t);
        campaigns.push({ campaign: await this.detail(sql, campaign), targets });
      }
      return { reasons: this.policy.campaigns.exceptionReasons, campaigns };
    });
  }

  /** Due dates of a campaign's steps in the policy zone (for the create form's preview). */
  stepDay(launchDay: string, dueDays: number): string {
    return addDays(launchDay, dueDays);
  }
}
