import type { JobHandler } from '../../jobs/job-runner';
import { outboxStatement } from '../../outbox/outbox';

/** Before a promised follow-up, the rep is reminded (subscribe message and chat, by the outbox). */
export const remindFollowUps: JobHandler = async (jobs, sql, now) => {
  const visitIds = jobs.map((j) => Number(j.payload.visitId)).filter(Number.isFinite);
  if (visitIds.length === 0) return;
  const visits = await sql.rows<{ id: number; memberId: number; teamId: number | null }>(
    `SELECT v.id, v.memberId, m.teamId FROM visit v JOIN member m ON m.id = v.memberId
     WHERE v.id IN (${visitIds.map(() => '?').join(', ')}) AND v.submittedAt IS NOT NULL AND m.deactivatedAt IS NULL`,
    visitIds,
  );
  if (visits.length === 0) return;
  await sql.batch([outboxStatement(sql, visits.map((v) => ({ kind: 'visit.reminder' as const, teamId: v.teamId, payload: { visitId: Number(v.id), memberId: Number(v.memberId) } })), now)]);
};
