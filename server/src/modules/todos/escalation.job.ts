import type { JobHandler } from '../../jobs/job-runner';
import { outboxStatement } from '../../outbox/outbox';

const inList = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * A to-do still unconfirmed at its deadline goes to the director (the supervisor's manager), once:
 * the to-do rows are locked, only those neither confirmed nor escalated are marked, and exactly those
 * get an escalation message, in the same transaction.
 */
export function escalateTodos(sqlite: boolean): JobHandler {
  return async (jobs, sql, now) => {
    const visitIds = jobs.map((j) => Number(j.payload.visitId)).filter(Number.isFinite);
    if (visitIds.length === 0) return;
    // The batch is keyed by visit: with one busy supervisor MariaDB would rather walk that supervisor's
    // open to-dos (idx_todo_assignee, tens of thousands of rows per batch), so the index is named.
    const due = await sql.rows<{ id: number; visitId: number; teamId: number | null; directorId: number | null }>(
      `SELECT t.id, t.visitId, rep.teamId, sup.managerId AS directorId
       FROM todo t${sqlite ? '' : ' FORCE INDEX (idx_todo_visit)'} JOIN member sup ON sup.id = t.assigneeId JOIN member rep ON rep.id = t.repId
       WHERE t.visitId IN (${inList(visitIds.length)}) AND t.confirmedAt IS NULL AND t.escalatedAt IS NULL
       ORDER BY t.id${sqlite ? '' : ' FOR UPDATE'}`,
      visitIds,
    );
    if (due.length === 0) return;
    const statements = [
      { query: `UPDATE todo SET escalatedAt = ? WHERE id IN (${inList(due.length)}) AND confirmedAt IS NULL AND escalatedAt IS NULL`, params: [now, ...due.map((t) => t.id)] },
      outboxStatement(sql, due.map((t) => ({ kind: 'todo.escalation' as const, teamId: t.teamId, payload: { todoId: Number(t.id), visitId: Number(t.visitId), directorId: t.directorId === null ? null : Number(t.directorId) } })), now),
    ];
    await sql.batch(statements);
  };
}
