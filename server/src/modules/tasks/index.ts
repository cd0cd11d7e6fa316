import { TaskRequesterKindIndex1765300000003 } from './migrations/1765300000003-task-requester-kind-index';
import { isSqlite } from '../../db/data-source';
import { defineModule } from '../module';
import { Approval } from './approval.entity';
import { ApprovalService } from './approval.service';
import { escalateTasks, escalateTodos } from './escalation.job';
import { Tasks1764962000000 } from './migrations/1764962000000-tasks';
import { TaskPoolMembers1764975000000 } from './migrations/1764975000000-task-pool-members';
import { TaskPoolMember } from './task-pool-member.entity';
import { TaskPools } from './task-pools';
import { TaskAction } from './task-action.entity';
import { TaskKinds } from './task-kind';
import { resolveTaskDelivery, taskMessages } from './task.messages';
import { taskRoutes } from './task.routes';
import { Task } from './task.entity';
import { TaskService } from './task.service';
import { resolveTodoDelivery, todoMessages } from './todo.messages';
import { TodoService } from './todo.service';
import { Todo } from './todo.view';
import { TASK_ERRORS } from './tasks.errors';
import { visitNextActionKind } from './visit-next-action.kind';

export type { TodoService, TodoView, Todo } from './todo.service';
export type { TodoSnapshot } from './todo.view';
export { visitTodoStatements, type VisitTodo } from './todo.sql';
export type { TaskService, TaskView, TaskDetail, NewTask, ActionInput, SubjectTask } from './task.service';
export type { ApprovalService, ApprovalRequest, ApprovalView } from './approval.service';
export type { TaskKindDefinition, ApprovalDecision, PersonAction } from './task-kind';
export type { TaskPools, TaskPoolView, PoolDefinition } from './task-pools';

export interface TaskExports {
  tasks: TaskService;
  approvals: ApprovalService;
  /** a visit's next action, in the to-do shape the visits module and /todos answer with */
  todos: TodoService;
  /** the task pools of policy taskPools: who acts in which, and the admin's picks */
  pools: TaskPools;
}

declare module '../module' {
  interface ModuleExports {
    tasks: TaskExports;
  }
}

/**
 * Tasks and approvals as one engine: tasks of any kind a module declares (`taskKinds`), assigned to a
 * member or a role pool, acted on once from the app or a chat card, escalated once when due; approvals
 * as ordered chains of tasks from policy `approvals`. A visit's next action (the to-do) is its first kind.
 */
export const tasksModule = defineModule({
  name: 'tasks',
  entities: [Task, TaskAction, Approval, Todo, TaskPoolMember],
  migrations: [Tasks1764962000000, TaskPoolMembers1764975000000, TaskRequesterKindIndex1765300000003],
  errors: TASK_ERRORS,
  permissions: ['todos.follow', 'todos.confirm', 'todos.escalations.read', 'tasks.pools.manage'],
  messages: { ...todoMessages, ...taskMessages },
  subjects: { todo: resolveTodoDelivery, task: resolveTaskDelivery },
  taskKinds: [visitNextActionKind],
  services: ({ db, policy, clock, use, modules }): TaskExports => {
    const kinds = new TaskKinds(() => (modules ?? [tasksModule]).flatMap((m) => m.taskKinds ?? []));
    const org = use('org').org;
    const pools = new TaskPools(db, policy, clock, org);
    const tasks = new TaskService(db, policy, clock, org, kinds, pools);
    const approvals = new ApprovalService(db, policy, clock, org, kinds, tasks);
    tasks.approvals = approvals;
    return { tasks, approvals, todos: new TodoService(db, policy, clock, org, tasks), pools };
  },
  routes: ({ tasks, pools }) => taskRoutes(tasks, pools),
  jobs: (_s, { db }) => ({ 'todo.escalate': escalateTodos(isSqlite(db)), 'task.escalate': escalateTasks(isSqlite(db)) }),
});
