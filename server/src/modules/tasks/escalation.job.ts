import type { JobHandler } from '../../jobs/job-runner';
import { SQL, placeholders } from '../../db/sql';
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
      SQL`SELECT id, subjectId AS visitId, assigneeId, requesterId AS repId FROM task${sqlite ? '' : ' FORCE INDEX (idx_task_subject)'}
       WHERE subjectType = 'visit' AND subjectId IN (${placeholders(visitIds.length)}) AND kind = 'visit_next_action' AND completedAt IS NULL AND escalatedAt IS NULL
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
      { query: SQL`UPDATE task SET escalatedAt = ? WHERE id IN (${placeholders(due.length)}) AND completedAt IS NULL AND escalatedAt IS NULL`, params: [now, ...due.map((t) => t.id)] },
      sql.insertStatement('task_action', due.map((t) => ({ taskId: t.id, action: 'escalate', byId: null, via: null, toMemberId: null, comment: null, at: now }))),
      outboxStatement(sql, messages, now),
    ];
    await sql.batch(statements);
  };
}

/**
 * Any other task (an approval step, a kind another module declared) still open at its due time goes,
 * once, to its escalation target: the assignee's manager, or — for a pool's task, a member without a
 * manager, or a kind that says so — the admins. Same guarantee as the to-dos: rows locked, only those
 * open and not yet escalated are marked, and exactly those get a message and an `escalate` line in
 * their history, in one transaction.
 */
export function escalateTasks(sqlite: boolean): JobHandler {
  return async (jobs, sql, now) => {
    const taskIds = jobs.map((j) => Number(j.payload.taskId)).filter(Number.isFinite);
    if (taskIds.length === 0) return;
    const locked = await sql.rows<{ id: number; assigneeId: number | null; escalationTarget: string }>(
      SQL`SELECT id, assigneeId, escalationTarget FROM task WHERE id IN (${placeholders(taskIds.length)}) AND completedAt IS NULL AND escalatedAt IS NULL ORDER BY id${sqlite ? '' : ' FOR UPDATE'}`,
      taskIds,
    );
    if (locked.length === 0) return;
    // The assignees and their lines up to a director (a few hops: one lookup per level for the batch).
    const people = await membersById(sql, locked.flatMap((t) => (t.assigneeId === null ? [] : [Number(t.assigneeId)])));
    for (let level = 0; level < 5; level++) {
      const missing = [...people.values()].map((p) => p.managerId).filter((id): id is number => id !== null && !people.has(id));
      if (missing.length === 0) break;
      for (const [id, place] of await membersById(sql, missing)) people.set(id, place);
    }
    const directorAbove = (id: number): number | null => {
      let at = people.get(id);
      for (let hops = 0; at?.managerId && hops < 6; hops++) {
        at = people.get(at.managerId);
        if (at?.role === 'director' && at.active) return at.id;
      }
      return null;
    };
    const messages = locked.map((t) => {
      const assignee = t.assigneeId === null ? null : Number(t.assigneeId);
      const to =
        assignee === null || t.escalationTarget === 'admins' ? null
        : t.escalationTarget === 'director' ? directorAbove(assignee)
        : (people.get(assignee)?.managerId ?? null);
      return { kind: 'task.escalation', teamId: null, payload: { taskId: Number(t.id), toId: to } };
    });
    await sql.batch([
      { query: SQL`UPDATE task SET escalatedAt = ? WHERE id IN (${placeholders(locked.length)}) AND completedAt IS NULL AND escalatedAt IS NULL`, params: [now, ...locked.map((t) => t.id)] },
      sql.insertStatement('task_action', locked.map((t) => ({ taskId: t.id, action: 'escalate', byId: null, via: null, toMemberId: null, comment: null, at: now }))),
      outboxStatement(sql, messages, now),
    ]);
  };
}
