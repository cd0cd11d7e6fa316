import { stepEvidence, type StageCode } from '@anchor/shared';
import type { Policy } from '../../config/policy';
import { SQL, placeholders, sqlDate, type Sql } from '../../db/sql';
import { everyMinutes, type RecurringJob } from '../../jobs/job-runner';
import { outboxStatement, type NewMessage } from '../../outbox/outbox';
import { campaignProgress, figuresOf } from './campaign.progress';
import { readCampaign, readSteps } from './campaign.service';

const HOUR_MS = 3600_000;

/**
 * Overdue steps (步骤逾期): for every running campaign, each step of a live target not done by its due
 * time reminds the target's rep ONCE; still not done `supervisorAfterHours` after that reminder, the rep's
 * supervisor hears ONCE. The "once" is a row in campaign_reminder (unique target, step, level) written in the
 * job's transaction with the outbox message — only a row that lands sends — so a second run, a second
 * server or a restart sends nothing twice and loses nothing (the next run finds what is still due).
 */
export function campaignOverdueJob(policy: Policy, isSqlite: boolean): RecurringJob {
  const ignore = isSqlite ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
  const stageLabel = (code: StageCode) => policy.stages.find((s) => s.code === code)?.label ?? code;
  return {
    kind: 'campaigns.overdue',
    nextAfter: everyMinutes(policy.recurring['campaigns.overdue'].everyMinutes),
    run: async (_jobs, sql, now) => {
      const running = await sql.rows<{ id: number }>(SQL`SELECT id FROM campaign WHERE launchedAt IS NOT NULL AND closedAt IS NULL ORDER BY id`);
      const messages: NewMessage[] = [];
      for (const { id } of running) {
        const campaign = (await readCampaign(sql, Number(id)))!;
        const steps = await readSteps(sql, campaign.id);
        const progress = await campaignProgress(sql, campaign, steps, policy.timeZone, now);
        const overdue = progress.targets.filter((t) => t.overdueStepIds.length);
        if (!overdue.length) continue;
        const sent = new Map<string, Date>();
        for (const r of await sql.rows<{ targetId: number; stepId: number; level: string; sentAt: Date | string }>(
          SQL`SELECT targetId, stepId, level, sentAt FROM campaign_reminder WHERE campaignId = ?`,
          [campaign.id],
        )) sent.set(`${Number(r.targetId)}:${Number(r.stepId)}:${r.level}`, sqlDate(r.sentAt)!);
        const stepById = new Map(steps.map((s) => [s.id, s]));
        for (const t of overdue) {
          for (const stepId of t.overdueStepIds) {
            const step = stepById.get(stepId)!;
            const state = t.steps.find((s) => s.seq === step.seq)!;
            const base = {
              campaignId: campaign.id, campaignName: campaign.name, targetId: t.id, customerName: t.customer.name, seq: step.seq, stepTitle: step.title,
              evidence: stepEvidence(step, stageLabel), dueAt: state.dueAt,
            };
            const repAt = sent.get(`${t.id}:${stepId}:rep`);
            if (!repAt) {
              if ((await sql.exec(SQL`${ignore} INTO campaign_reminder (campaignId, targetId, stepId, level, memberId, sentAt) VALUES (?, ?, ?, 'rep', ?, ?)`, [campaign.id, t.id, stepId, t.owner.id, now])) === 1) {
                messages.push({ kind: 'campaign.step_overdue', teamId: t.owner.teamId, payload: { ...base, memberId: t.owner.id } });
              }
              continue;
            }
            if (sent.has(`${t.id}:${stepId}:supervisor`) || t.managerId === null) continue;
            if (now.getTime() - repAt.getTime() < policy.campaigns.supervisorAfterHours * HOUR_MS) continue;
            if ((await sql.exec(SQL`${ignore} INTO campaign_reminder (campaignId, targetId, stepId, level, memberId, sentAt) VALUES (?, ?, ?, 'supervisor', ?, ?)`, [campaign.id, t.id, stepId, t.managerId, now])) === 1) {
              messages.push({ kind: 'campaign.step_overdue_supervisor', teamId: t.owner.teamId, payload: { ...base, supervisorId: t.managerId, repId: t.owner.id, repName: t.owner.name } });
            }
          }
        }
      }
      for (let i = 0; i < messages.length; i += 500) await sql.batch([outboxStatement(sql, messages.slice(i, i + 500), now)]);
    },
  };
}

/**
 * The weekly digest's campaign lines (dashboards' weekly-digest job calls this in its transaction): one line
 * per running campaign with targets held in the reach (`memberIds`), with the reach's figures:
 * 「专项「Q1 骨科关节置换专项攻坚」：目标 12 位，全部步骤完成 3 位，逾期步骤 4 个，待处理异常 1 个，推进到方案 2 位（目标 5 位）」.
 */
export async function campaignDigestLines(sql: Sql, policy: Policy, memberIds: readonly number[], now: Date): Promise<string[]> {
  if (!memberIds.length) return [];
  const ids = [...new Set(memberIds)];
  const rows = await sql.rows<{ id: number }>(
    SQL`SELECT DISTINCT c.id AS id FROM campaign c JOIN campaign_target t ON t.campaignId = c.id
      WHERE c.launchedAt IS NOT NULL AND c.closedAt IS NULL AND t.ownerId IN (${placeholders(ids.length)}) ORDER BY c.id`,
    ids,
  );
  const lines: string[] = [];
  for (const { id } of rows) {
    const campaign = (await readCampaign(sql, Number(id)))!;
    const steps = await readSteps(sql, campaign.id);
    const { targets } = await campaignProgress(sql, campaign, steps, policy.timeZone, now, ids);
    const f = figuresOf(targets, steps.length);
    const stage = policy.stages.find((s) => s.code === campaign.goalStage)?.label ?? campaign.goalStage;
    lines.push(`专项「${campaign.name}」：目标 ${f.targets} 位，全部步骤完成 ${f.completed} 位，逾期步骤 ${f.overdueSteps} 个，待处理异常 ${f.openExceptions} 个，推进到${stage} ${f.converted} 位（专项目标 ${campaign.goalCount} 位）`);
  }
  return lines;
}
