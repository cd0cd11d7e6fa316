import type { JobHandler } from '../../jobs/job-runner';
import { outboxStatement } from '../../outbox/outbox';

/** A lead still untouched at its deadline is flagged to the owner's supervisor. */
export const flagUntouchedLeads: JobHandler = async (jobs, sql, now) => {
  const ids = jobs.map((j) => Number(j.payload.customerId)).filter(Number.isFinite);
  if (ids.length === 0) return;
  const late = await sql.rows<{ id: number; ownerId: number; teamId: number | null; supervisorId: number | null }>(
    `SELECT c.id, c.ownerId, m.teamId, m.managerId AS supervisorId FROM customer c JOIN member m ON m.id = c.ownerId
     WHERE c.id IN (${ids.map(() => '?').join(', ')}) AND c.firstTouchAt IS NULL AND c.firstTouchDueAt <= ?`,
    [...ids, now],
  );
  if (late.length === 0) return;
  await sql.batch([
    outboxStatement(sql, late.map((c) => ({ kind: 'lead.first_touch_overdue' as const, teamId: c.teamId, payload: { customerId: Number(c.id), ownerId: Number(c.ownerId), supervisorId: c.supervisorId === null ? null : Number(c.supervisorId) } })), now),
  ]);
};
