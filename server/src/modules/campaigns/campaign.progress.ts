import {
  STAGE_CODES, addDays, localDay, localInstant,
  type CampaignExceptionView, type CampaignRepFigures, type CampaignStepKind, type CampaignTargetView, type StageCode, type TargetStepState,
} from '@anchor/shared';
import { SQL, sqlDate, type Sql } from '../../db/sql';

/**
 * Campaign progress, computed from the records themselves at read time — never stored as a checkbox:
 *   visit   a visit with the step's objective on the target customer, by the target's rep;
 *   share   a material shared to the target customer by the target's rep (the step's material, else any of the campaign's);
 *   stage   a stage change of the target customer to the step's stage or later;
 *   photo   a visit by the target's rep on the customer with a photo attached.
 * Only records from the launch on (and, once closed, up to the close) count: a record from before the
 * campaign began does not. A record by anyone but the rep holding the target does not count either, so
 * one rep cannot complete another's target. One pass of set-based reads per campaign (five SELECTs).
 */

export interface ProgressCampaign {
  id: number;
  launchedAt: Date | null;
  closedAt: Date | null;
  goalStage: StageCode;
  materialIds: number[];
}

export interface ProgressStep {
  id: number;
  seq: number;
  kind: CampaignStepKind;
  objective: string | null;
  materialId: number | null;
  stage: StageCode | null;
  dueDays: number;
}

interface TargetRow {
  id: number;
  customerId: number;
  ownerId: number;
  droppedAt: Date | null;
  customerName: string;
  customerStage: StageCode;
  ownerName: string;
  teamId: number | null;
  managerId: number | null;
}

interface Evidence {
  visits: Array<{ id: number; customerId: number; memberId: number; objective: string | null; at: Date; photo: boolean }>;
  shares: Array<{ id: number; customerId: number; memberId: number; materialId: number; at: Date }>;
  stages: Array<{ id: number; customerId: number; toStage: StageCode; at: Date }>;
}

export interface TargetProgress extends CampaignTargetView {
  managerId: number | null;
  /** the step ids not done whose due time has passed (a running campaign's live targets only) */
  overdueStepIds: number[];
}

export interface CampaignProgress {
  targets: TargetProgress[];
  exceptions: CampaignExceptionView[];
}

const rank = (s: string | null) => (s ? STAGE_CODES.indexOf(s as StageCode) : -1);
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** When a step falls due: the end of the launch day + its offset, in the policy time zone. */
export function stepDueAt(launchedAt: Date, dueDays: number, timeZone: string): Date {
  return localInstant(addDays(localDay(launchedAt, timeZone), dueDays + 1), '00:00', timeZone);
}

async function loadTargets(sql: Sql, campaignId: number, ownerIds: number[] | null): Promise<TargetRow[]> {
  const rows = await sql.rows<Record<string, unknown>>(
    SQL`SELECT t.id AS id, t.customerId AS customerId, t.ownerId AS ownerId, t.droppedAt AS droppedAt, c.name AS customerName, c.stage AS customerStage,
        m.name AS ownerName, m.teamId AS teamId, m.managerId AS managerId
      FROM campaign_target t JOIN customer c ON c.id = t.customerId JOIN member m ON m.id = t.ownerId
      WHERE t.campaignId = ? ORDER BY t.id`,
    [campaignId],
  );
  const all = rows.map((r) => ({
    id: Number(r.id), customerId: Number(r.customerId), ownerId: Number(r.ownerId), droppedAt: sqlDate(r.droppedAt as string | null),
    customerName: String(r.customerName), customerStage: r.customerStage as StageCode, ownerName: String(r.ownerName), teamId: num(r.teamId), managerId: num(r.managerId),
  }));
  return ownerIds ? all.filter((t) => ownerIds.includes(t.ownerId)) : all;
}

async function loadEvidence(sql: Sql, campaign: ProgressCampaign, steps: ProgressStep[]): Promise<Evidence> {
  const evidence: Evidence = { visits: [], shares: [], stages: [] };
  if (!campaign.launchedAt) return evidence;
  const from = campaign.launchedAt;
  const to = campaign.closedAt ?? new Date('9999-12-31T00:00:00Z');
  const kinds = new Set(steps.map((s) => s.kind));
  if (kinds.has('visit') || kinds.has('photo')) {
    const visits = await sql.rows<Record<string, unknown>>(
      SQL`SELECT v.id AS id, v.customerId AS customerId, v.memberId AS memberId, v.objective AS objective, v.submittedAt AS at
        FROM campaign_target t JOIN visit v ON v.customerId = t.customerId AND v.memberId = t.ownerId
        WHERE t.campaignId = ? AND v.submittedAt IS NOT NULL AND v.submittedAt >= ? AND v.submittedAt <= ? ORDER BY v.submittedAt, v.id`,
      [campaign.id, from, to],
    );
    const withPhoto = new Set<number>();
    if (kinds.has('photo') && visits.length) {
      const photos = await sql.rows<{ visitId: number }>(
        SQL`SELECT DISTINCT a.ownerId AS visitId FROM campaign_target t JOIN visit v ON v.customerId = t.customerId AND v.memberId = t.ownerId
          JOIN attachment a ON a.ownerKind = 'visit' AND a.ownerId = v.id AND a.purpose = 'photo'
          WHERE t.campaignId = ? AND v.submittedAt IS NOT NULL AND v.submittedAt >= ? AND v.submittedAt <= ?`,
        [campaign.id, from, to],
      );
      for (const p of photos) withPhoto.add(Number(p.visitId));
    }
    evidence.visits = visits.map((v) => ({
      id: Number(v.id), customerId: Number(v.customerId), memberId: Number(v.memberId), objective: (v.objective as string | null) ?? null, at: sqlDate(v.at as string)!, photo: withPhoto.has(Number(v.id)),
    }));
  }
  if (kinds.has('share')) {
    const shares = await sql.rows<Record<string, unknown>>(
      SQL`SELECT s.id AS id, s.customerId AS customerId, s.memberId AS memberId, s.materialId AS materialId, s.createdAt AS at
        FROM campaign_target t JOIN material_share s ON s.customerId = t.customerId AND s.memberId = t.ownerId
        WHERE t.campaignId = ? AND s.createdAt >= ? AND s.createdAt <= ? ORDER BY s.createdAt, s.id`,
      [campaign.id, from, to],
    );
    evidence.shares = shares.map((s) => ({ id: Number(s.id), customerId: Number(s.customerId), memberId: Number(s.memberId), materialId: Number(s.materialId), at: sqlDate(s.at as string)! }));
  }
  // stage changes are read for the goal as well as for stage steps
  const stages = await sql.rows<Record<string, unknown>>(
    SQL`SELECT sc.id AS id, sc.customerId AS customerId, sc.toStage AS toStage, sc.changedAt AS at
      FROM campaign_target t JOIN customer_stage_change sc ON sc.customerId = t.customerId
      WHERE t.campaignId = ? AND sc.kind = 'stage' AND sc.changedAt >= ? AND sc.changedAt <= ? ORDER BY sc.changedAt, sc.id`,
    [campaign.id, from, to],
  );
  evidence.stages = stages.map((s) => ({ id: Number(s.id), customerId: Number(s.customerId), toStage: s.toStage as StageCode, at: sqlDate(s.at as string)! }));
  return evidence;
}

/** The exceptions of a campaign; one whose task the owner settled from the chat card (知道了) reads as answered. */
export async function loadExceptions(sql: Sql, campaignId: number): Promise<CampaignExceptionView[]> {
  const rows = await sql.rows<Record<string, unknown>>(
    SQL`SELECT e.id AS id, e.targetId AS targetId, e.reason AS reason, e.note AS note, e.photoId AS photoId, e.taskId AS taskId, e.resolution AS resolution,
        e.answer AS answer, e.resolvedAt AS resolvedAt, e.createdAt AS createdAt, c.id AS customerId, c.name AS customerName, m.id AS reporterId, m.name AS reporterName,
        tk.completedAt AS taskDoneAt, tk.comment AS taskComment
      FROM campaign_exception e JOIN campaign_target t ON t.id = e.targetId JOIN customer c ON c.id = t.customerId JOIN member m ON m.id = e.reportedById
      LEFT JOIN task tk ON tk.id = e.taskId
      WHERE e.campaignId = ? ORDER BY e.id DESC`,
    [campaignId],
  );
  return rows.map((r) => {
    const taskDone = sqlDate(r.taskDoneAt as string | null);
    const resolution = (r.resolution as string | null) ?? (taskDone ? 'answered' : null);
    return {
      id: Number(r.id), targetId: Number(r.targetId), customer: { id: Number(r.customerId), name: String(r.customerName) },
      reportedBy: { id: Number(r.reporterId), name: String(r.reporterName) }, reason: String(r.reason), note: String(r.note ?? ''), photoId: num(r.photoId),
      state: (resolution ?? 'open') as CampaignExceptionView['state'],
      answer: (r.answer as string | null) ?? (r.resolution ? null : ((r.taskComment as string | null) ?? null)), taskId: num(r.taskId),
      createdAt: sqlDate(r.createdAt as string)!.toISOString(), resolvedAt: (sqlDate(r.resolvedAt as string | null) ?? taskDone)?.toISOString() ?? null,
    };
  });
}

/**
 * Every target's steps from the records. `ownerIds` narrows to targets held by those reps (a rep's own flow);
 * `now` decides what is overdue (only while the campaign runs: a closed campaign's are its snapshot's).
 */
export async function campaignProgress(
  sql: Sql, campaign: ProgressCampaign, steps: ProgressStep[], timeZone: string, now: Date, ownerIds: number[] | null = null,
): Promise<CampaignProgress> {
  const [targets, evidence, exceptions] = [await loadTargets(sql, campaign.id, ownerIds), await loadEvidence(sql, campaign, steps), await loadExceptions(sql, campaign.id)];
  const byCustomer = <T extends { customerId: number }>(rows: T[]) => {
    const map = new Map<number, T[]>();
    for (const r of rows) map.set(r.customerId, [...(map.get(r.customerId) ?? []), r]);
    return map;
  };
  const visits = byCustomer(evidence.visits);
  const shares = byCustomer(evidence.shares);
  const stages = byCustomer(evidence.stages);
  const openByTarget = new Map(exceptions.filter((e) => e.state === 'open').map((e) => [e.targetId, e]));
  const running = campaign.launchedAt !== null && campaign.closedAt === null;
  const goal = rank(campaign.goalStage);
  // due times once per step (the zone arithmetic is the costly part, not the targets)
  const dueAts = new Map(steps.map((s) => [s.id, campaign.launchedAt ? stepDueAt(campaign.launchedAt, s.dueDays, timeZone) : null]));
  const out: TargetProgress[] = targets.map((t) => {
    const mine = <T extends { memberId: number }>(rows: T[] | undefined) => (rows ?? []).filter((r) => r.memberId === t.ownerId);
    const tVisits = mine(visits.get(t.customerId));
    const tShares = mine(shares.get(t.customerId));
    const tStages = stages.get(t.customerId) ?? [];
    const overdueStepIds: number[] = [];
    const stepStates: TargetStepState[] = steps.map((s) => {
      let record: TargetStepState['record'] = null;
      if (s.kind === 'visit') {
        const v = tVisits.find((x) => !s.objective || x.objective === s.objective);
        if (v) record = { kind: 'visit', id: v.id, at: v.at.toISOString() };
      } else if (s.kind === 'photo') {
        const v = tVisits.find((x) => x.photo);
        if (v) record = { kind: 'visit', id: v.id, at: v.at.toISOString() };
      } else if (s.kind === 'share') {
        const allowed = s.materialId ? [s.materialId] : campaign.materialIds;
        const sh = tShares.find((x) => allowed.length === 0 || allowed.includes(x.materialId));
        if (sh) record = { kind: 'share', id: sh.id, at: sh.at.toISOString() };
      } else if (s.kind === 'stage') {
        const sc = tStages.find((x) => rank(x.toStage) >= rank(s.stage));
        if (sc) record = { kind: 'stage', id: sc.id, at: sc.at.toISOString() };
      }
      const dueAt = dueAts.get(s.id) ?? null;
      const overdue = !record && running && t.droppedAt === null && dueAt !== null && now.getTime() >= dueAt.getTime();
      if (overdue) overdueStepIds.push(s.id);
      return { seq: s.seq, done: record !== null, record, dueAt: dueAt?.toISOString() ?? null, overdue };
    });
    const next = stepStates.find((s) => !s.done);
    const open = openByTarget.get(t.id);
    return {
      id: t.id,
      customer: { id: t.customerId, name: t.customerName, stage: t.customerStage },
      owner: { id: t.ownerId, name: t.ownerName, teamId: t.teamId },
      managerId: t.managerId,
      state: t.droppedAt ? 'dropped' : next ? 'open' : 'done',
      nextStep: t.droppedAt || !next ? null : next.seq,
      steps: stepStates,
      converted: t.droppedAt === null && tStages.some((x) => rank(x.toStage) >= goal),
      openException: open ? { id: open.id, reason: open.reason } : null,
      overdueStepIds,
    };
  });
  return { targets: out, exceptions };
}

/** Figures of a group of targets (a rep's, a team's, everyone's). */
export function figuresOf(targets: readonly CampaignTargetView[], stepCount: number): Omit<CampaignRepFigures, 'id' | 'name' | 'teamId'> {
  const live = targets.filter((t) => t.state !== 'dropped');
  const done = Array.from({ length: stepCount }, (_, i) => live.filter((t) => t.steps[i]?.done).length);
  const atStep = Array.from({ length: stepCount }, (_, i) => live.filter((t) => t.nextStep === i + 1).length);
  return {
    targets: live.length,
    done,
    atStep,
    completed: live.filter((t) => t.state === 'done').length,
    overdueSteps: live.reduce((n, t) => n + t.steps.filter((s) => s.overdue).length, 0),
    openExceptions: live.filter((t) => t.openException).length,
    converted: live.filter((t) => t.converted).length,
  };
}
