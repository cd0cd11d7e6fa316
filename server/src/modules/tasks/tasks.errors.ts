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
} as const satisfies Record<CatalogCode<'tasks'>, ErrorSpec>;

export const taskError = errorThrower(TASK_ERRORS);
