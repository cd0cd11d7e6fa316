import { SQL, placeholders } from '../../db/sql';
import type { JobHandler } from '../../jobs/job-runner';
import { outboxStatement } from '../../outbox/outbox';
import { membersById } from '../org';

/** Before a promised follow-up, the rep is reminded (subscribe message and chat, by the outbox). */
export const remindFollowUps: JobHandler = async (jobs, sql, now) => {
  const visitIds = jobs.map((j) => Number(j.payload.visitId)).filter(Number.isFinite);
  if (visitIds.length === 0) return;
  const visits = await sql.rows<{ id: number; memberId: number }>(
    SQL`SELECT id, memberId FROM visit WHERE id IN (${placeholders(visitIds.length)}) AND submittedAt IS NOT NULL`,
    visitIds,
  );
  const reps = await membersById(sql, visits.map((v) => Number(v.memberId)));
  // a rep who has left is not reminded
  const due = visits.filter((v) => reps.get(Number(v.memberId))?.active);
  if (due.length === 0) return;
  await sql.batch([outboxStatement(sql, due.map((v) => ({ kind: 'visit.reminder', teamId: reps.get(Number(v.memberId))!.teamId, payload: { visitId: Number(v.id), memberId: Number(v.memberId) } })), now)]);
};
