import type { CatalogCode } from '@anchor/shared';
import { errorThrower } from '../../http/errors';
import type { ErrorSpec } from '../module';

/** The todos module's errors. */
export const TODO_ERRORS = {
  /** asking to talk about a to-do its supervisor has already confirmed */
  TODO_ALREADY_CONFIRMED: { status: 409, message: '该待办已确认，无需再沟通' },
} as const satisfies Record<CatalogCode<'todos'>, ErrorSpec>;

export const todoError = errorThrower(TODO_ERRORS);
