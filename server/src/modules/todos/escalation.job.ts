import { SQL, placeholders, statement } from '../../db/sql';
import type { JobHandler } from '../../jobs/job-runner';
import { outboxStatement } from '../../outbox/outbox';
import { membersById } from '../org';

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
    const locked = await sql.rows<{ id: number; visitId: number; assigneeId: number; repId: number }>(
      SQL`SELECT id, visitId, assigneeId, repId FROM todo${sqlite ? '' : ' FORCE INDEX (idx_todo_visit)'}
       WHERE visitId IN (${placeholders(visitIds.length)}) AND confirmedAt IS NULL AND escalatedAt IS NULL
       ORDER BY id${sqlite ? '' : ' FOR UPDATE'}`,
      visitIds,
    );
    if (locked.length === 0) return;
    const people = await membersById(sql, locked.flatMap((t) => [Number(t.assigneeId), Number(t.repId)]));
    const due = locked.filter((t) => people.has(Number(t.assigneeId)) && people.has(Number(t.repId)));
    if (due.length === 0) return;
    const messages = due.map((t) => {
      const confirmer = people.get(Number(t.assigneeId))!;
      const ids = { todoId: Number(t.id), visitId: Number(t.visitId) };
      return ESCALATES_UP.includes(confirmer.role)
        ? { kind: 'todo.escalation_up', teamId: null, payload: { ...ids, superiorId: confirmer.managerId } }
        : { kind: 'todo.escalation', teamId: people.get(Number(t.repId))!.teamId, payload: { ...ids, directorId: confirmer.managerId } };
    });
    const statements = [
      statement(SQL`UPDATE todo SET escalatedAt = ? WHERE id IN (${placeholders(due.length)}) AND confirmedAt IS NULL AND escalatedAt IS NULL`, [now, ...due.map((t) => t.id)]),
      outboxStatement(sql, messages, now),
    ];
    await sql.batch(statements);
  };
}
