import { agreedActionText, formatLocalDateTime } from '@anchor/shared';
import type { TaskKindDefinition } from './task-kind';
import type { TodoSnapshot } from './todo.view';

/**
 * A visit's next action, confirmed by the rep's supervisor: the first task kind. It lives in the tasks
 * module, not visits, because everything it keeps from the to-do era reads task rows directly — the
 * `todo:<id>` delivery subject and its card resolver, the `confirm:`/`discuss:` buttons on cards already
 * out in WeCom, the /todos answers and the visit-keyed escalation timers — and a module may not read
 * another's tables. The visits module creates it (visitTodoStatements) and reads it (TodoService).
 */
export const visitNextActionKind: TaskKindDefinition = {
  name: 'visit_next_action',
  label: '拜访下一步确认',
  actions: ['confirm', 'request_talk', 'comment', 'reassign'],
  dueHours: (policy) => policy.limits.todoConfirmHours,
  escalateTo: 'manager',
  render: (snapshot, timeZone) => {
    const s = snapshot as Partial<TodoSnapshot>;
    const action = s.actionItems ? agreedActionText(s.actionItems.agreedAction, s.actionItems.note ?? null) : '';
    return {
      title: s.customer?.name ?? '',
      lines: [`${s.rep?.name ?? ''} 拜访 · ${s.visit?.objective ?? ''}`, `约定动作：${action}`, ...(s.actionItems?.nextFollowUpAt ? [`下次跟进：${formatLocalDateTime(new Date(s.actionItems.nextFollowUpAt), timeZone)} ${s.actionItems.nextFollowUpForm ?? ''}`.trim()] : [])],
    };
  },
  // Its messages and timer stay the to-do's: old cards, queued deliveries and pending timers name them.
  legacy: {
    settled: (t, byId, via) => [{ kind: 'todo.confirmed', teamId: null, payload: { todoId: t.id, visitId: t.subjectId, confirmedById: byId, via } }],
    talk: (t, byId) => [{ kind: 'todo.discuss', teamId: null, payload: { todoId: t.id, requestedById: byId } }],
    escalationJob: (t) => ({ kind: 'todo.escalate', subject: t.subjectId ? `visit:${t.subjectId}` : `todo:${t.id}` }),
  },
};
