import type { JobHandler } from '../../jobs/job-runner';
import { outboxStatement } from '../../outbox/outbox';

const inList = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** Roles whose own unconfirmed to-do goes up the line (to their superior or admins), not to a team's group. */
const ESCALATES_UP: readonly string[] = ['director', 'admin'];

/**
 * A to-do still unconfirmed at its deadline goes to the confirmer's manager, once: the to-do rows are
 * locked, only those neither confirmed nor escalated are marked, and exactly those get an escalation
 * message, in the same transaction. A supervisor's to-do goes to the director (and the team's group);
 * a director's own to-do goes to the director's superior or, with none, to the admins — never to the
 * reps' group.
 */
export function escalateTodos(sqlite: boolean): JobHandler {
  return async (jobs, sql, now) => {
    const visitIds = jobs.map((j) => Number(j.payload.visitId)).filter(Number.isFinite);
    if (visitIds.length === 0) return;
    // The batch is keyed by visit: with one busy supervisor MariaDB would rather walk that supervisor's
    // open to-dos (idx_todo_assignee, tens of thousands of rows per batch), so the index is named.
    const due = await sql.rows<{ id: number; visitId: number; teamId: number | null; directorId: number | null; assigneeRole: string }>(
      `SELECT t.id, t.visitId, rep.teamId, sup.managerId AS directorId, sup.role AS assigneeRole
       FROM todo t${sqlite ? '' : ' FORCE INDEX (idx_todo_visit)'} JOIN member sup ON sup.id = t.assigneeId JOIN member rep ON rep.id = t.repId
       WHERE t.visitId IN (${inList(visitIds.length)}) AND t.confirmedAt IS NULL AND t.escalatedAt IS NULL
       ORDER BY t.id${sqlite ? '' : ' FOR UPDATE'}`,
      visitIds,
    );
    if (due.length === 0) return;
    const messages = due.map((t) =>
      ESCALATES_UP.includes(t.assigneeRole)
        ? { kind: 'todo.escalation_up' as const, teamId: null, payload: { todoId: Number(t.id), visitId: Number(t.visitId), superiorId: t.directorId === null ? null : Number(t.directorId) } }
        : { kind: 'todo.escalation' as const, teamId: t.teamId, payload: { todoId: Number(t.id), visitId: Number(t.visitId), directorId: t.directorId === null ? null : Number(t.directorId) } },
    );
    const statements = [
      { query: `UPDATE todo SET escalatedAt = ? WHERE id IN (${inList(due.length)}) AND confirmedAt IS NULL AND escalatedAt IS NULL`, params: [now, ...due.map((t) => t.id)] },
      outboxStatement(sql, messages, now),
    ];
    await sql.batch(statements);
  };
}
