import type { CatalogCode } from '@anchor/shared';
import { errorThrower } from '../../http/errors';
import type { ErrorSpec } from '../module';

/** The tasks module's errors. */
export const TASK_ERRORS = {
  /** asking to talk about a to-do its supervisor has already confirmed */
  TODO_ALREADY_CONFIRMED: { status: 409, message: '该待办已确认，无需再沟通' },
  /** an action the task's kind does not offer (e.g. approve on a visit's next action) */
  TASK_ACTION_NOT_ALLOWED: { status: 409, message: '该任务不支持这个操作' },
  /** talking about or handing on a task that is already settled */
  TASK_ALREADY_SETTLED: { status: 409, message: '该任务已处理' },
  /** a task pool policy taskPools does not define */
  TASK_POOL_NOT_FOUND: { status: 404, message: '没有这个任务池' },
  /** picking members for a pool that is its roles' members (not `chosen`) */
  TASK_POOL_NOT_CHOSEN: { status: 409, message: '该任务池由其角色的全部在职成员组成，无需选定成员' },
} as const satisfies Record<CatalogCode<'tasks'>, ErrorSpec>;

export const taskError = errorThrower(TASK_ERRORS);
