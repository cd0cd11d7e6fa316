import { isSqlite } from '../../db/data-source';
import { defineModule } from '../module';
import { escalateTodos } from './escalation.job';
import { Todo } from './todo.entity';
import { resolveTodoDelivery, todoMessages } from './todo.messages';
import { TodoService } from './todo.service';

export type { TodoService, TodoView } from './todo.service';
export type { TodoSnapshot } from './todo.entity';
export { visitTodoStatements, type VisitTodo } from './todo.sql';

export interface TodoExports {
  todos: TodoService;
}

declare module '../module' {
  interface ModuleExports {
    todos: TodoExports;
  }
}

/** A supervisor's to-dos: confirm the next action a rep agreed, escalated when nobody does. */
export const todosModule = defineModule({
  name: 'todos',
  entities: [Todo],
  migrations: [],
  errors: {},
  permissions: ['todos.follow', 'todos.confirm', 'todos.escalations.read'],
  messages: todoMessages,
  subjects: { todo: resolveTodoDelivery },
  services: ({ db, policy, clock, use }): TodoExports => ({ todos: new TodoService(db, policy, clock, use('org').org) }),
  jobs: (_s, { db }) => ({ 'todo.escalate': escalateTodos(isSqlite(db)) }),
});
