import { SQL, placeholders } from '../../db/sql';
import type { JobHandler } from '../../jobs/job-runner';
import { outboxStatement } from '../../outbox/outbox';
import { membersById } from '../org';

/** A lead still untouched at its deadline is flagged to the owner's supervisor (not one closed as lost meanwhile). */
export const flagUntouchedLeads: JobHandler = async (jobs, sql, now) => {
  const ids = jobs.map((j) => Number(j.payload.customerId)).filter(Number.isFinite);
  if (ids.length === 0) return;
  const late = await sql.rows<{ id: number; ownerId: number }>(
    SQL`SELECT id, ownerId FROM customer WHERE id IN (${placeholders(ids.length)}) AND firstTouchAt IS NULL AND firstTouchDueAt <= ? AND closedAt IS NULL`,
    [...ids, now],
  );
  if (late.length === 0) return;
  const owners = await membersById(sql, late.map((c) => Number(c.ownerId)));
  const flagged = late.filter((c) => owners.has(Number(c.ownerId)));
  if (flagged.length === 0) return;
  await sql.batch([
    outboxStatement(sql, flagged.map((c) => {
      const owner = owners.get(Number(c.ownerId))!;
      return { kind: 'lead.first_touch_overdue', teamId: owner.teamId, payload: { customerId: Number(c.id), ownerId: owner.id, supervisorId: owner.managerId } };
    }), now),
  ]);
};
