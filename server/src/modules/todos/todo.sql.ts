import type { Sql, Statement } from '../../db/sql';
import type { JobSpec } from '../../jobs/job-scheduler';
import { outboxStatement } from '../../outbox/outbox';
import type { Todo, TodoSnapshot } from './todo.entity';

export interface VisitTodo {
  customerId: number;
  visitId: number;
  /** the rep's supervisor, who confirms */
  assigneeId: number;
  repId: number;
  /** the rep's team: its group hears of the to-do */
  teamId: number | null;
  snapshot: TodoSnapshot;
  dueAt: Date;
}

/**
 * The supervisor's to-do for a visit's next action, as statements for the caller's last batch (the visit
 * submission sends them with its own in one round trip): the to-do, its card and group notice, and the
 * escalation timer that fires at `dueAt` unless it is confirmed.
 */
export function visitTodoStatements(sql: Sql, todo: VisitTodo, now: Date): { statements: Statement[]; jobs: JobSpec[] } {
  const row: Pick<Todo, 'kind' | 'customerId' | 'visitId' | 'assigneeId' | 'repId' | 'snapshot' | 'dueAt' | 'createdAt'> = {
    kind: 'visit_next_action', customerId: todo.customerId, visitId: todo.visitId, assigneeId: todo.assigneeId, repId: todo.repId,
    snapshot: todo.snapshot, dueAt: todo.dueAt, createdAt: now,
  };
  return {
    statements: [
      sql.insertStatement('todo', [{ ...row }]),
      outboxStatement(sql, [
        { kind: 'todo.card', teamId: todo.teamId, payload: { visitId: todo.visitId, assigneeId: todo.assigneeId } },
        { kind: 'todo.group_notice', teamId: todo.teamId, payload: { visitId: todo.visitId } },
      ], now),
    ],
    jobs: [{ kind: 'todo.escalate', dueAt: todo.dueAt, payload: { visitId: todo.visitId }, subject: `visit:${todo.visitId}` }],
  };
}
