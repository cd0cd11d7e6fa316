import type { Policy } from '../../config/policy';
import { placeholders, SQL } from '../../db/sql';
import type { JobHandler } from '../../jobs/job-runner';
import { outboxStatement, type NewMessage } from '../../outbox/outbox';
import { membersById } from '../org';

type Row = { id: number; customerId: number; ownerId: number; seq: number; dueDate: string; amountFen: number; paidFen: number };

async function unpaid(sql: Parameters<JobHandler>[1], ids: number[]): Promise<Row[]> {
  if (!ids.length) return [];
  const rows = await sql.rows<Row>(SQL`SELECT id, customerId, ownerId, seq, dueDate, amountFen, paidFen FROM receivable WHERE id IN (${placeholders(ids.length)}) AND paidFen < amountFen`, ids);
  return rows.map((r) => ({ ...r, id: Number(r.id), customerId: Number(r.customerId), ownerId: Number(r.ownerId), seq: Number(r.seq), amountFen: Number(r.amountFen), paidFen: Number(r.paidFen) }));
}

/**
 * The receivable timers written with it (restart-safe: job rows, claimed once by one server): the rep's
 * reminders before and on the due day, and the escalation to the supervisor past the grace — once
 * (escalatedAt decides), and only while money is still owed.
 */
export function receivableJobs(_policy: Policy): Record<string, JobHandler> {
  return {
    'receivables.remind': async (jobs, sql) => {
      const stageOf = new Map(jobs.map((j) => [Number(j.payload.receivableId), String(j.payload.stage)]));
      const rows = await unpaid(sql, [...stageOf.keys()]);
      const owners = await membersById(sql, rows.map((r) => r.ownerId));
      const messages: NewMessage[] = rows.map((r) => ({
        kind: 'receivable.reminder', teamId: owners.get(r.ownerId)?.teamId ?? null,
        payload: { receivableId: r.id, customerId: r.customerId, ownerId: r.ownerId, seq: r.seq, dueDate: r.dueDate, remainingFen: r.amountFen - r.paidFen, stage: stageOf.get(r.id) },
      }));
      if (messages.length) await sql.batch([outboxStatement(sql, messages, new Date())]);
    },
    'receivables.escalate': async (jobs, sql, now) => {
      const rows = await unpaid(sql, jobs.map((j) => Number(j.payload.receivableId)));
      const owners = await membersById(sql, rows.map((r) => r.ownerId));
      const messages: NewMessage[] = [];
      for (const r of rows) {
        if ((await sql.exec(SQL`UPDATE receivable SET escalatedAt = ? WHERE id = ? AND escalatedAt IS NULL AND paidFen < amountFen`, [now, r.id])) !== 1) continue;
        const owner = owners.get(r.ownerId);
        messages.push({
          kind: 'receivable.overdue', teamId: owner?.teamId ?? null,
          payload: { receivableId: r.id, customerId: r.customerId, ownerId: r.ownerId, supervisorId: owner?.managerId ?? null, seq: r.seq, dueDate: r.dueDate, remainingFen: r.amountFen - r.paidFen },
        });
      }
      if (messages.length) await sql.batch([outboxStatement(sql, messages, now)]);
    },
  };
}
