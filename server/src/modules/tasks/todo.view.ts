import { ViewColumn, ViewEntity, type ValueTransformer } from 'typeorm';
import { TODO_VIEW_SQL } from './migrations/1764962000000-tasks';

/** What the supervisor's card shows, frozen when the visit was submitted (`visit.signin`: the sign-in chip, absent before sign-ins existed). */
export interface TodoSnapshot {
  customer: { id: number; name: string; stage: string; stageLabel: string; grade: string | null; industry: string; hospitalLevel: string | null; lastFollowUpAt: string | null };
  rep: { id: number; name: string };
  visit: { id: number; objective: string; painPoint: string; bottleneck: string; valuePoint: string; submittedAt: string; signin?: string };
  actionItems: { agreedAction: string; note: string | null; nextFollowUpAt: string; nextFollowUpForm: string };
}

const json: ValueTransformer = { to: (v: unknown) => (v === undefined ? v : JSON.stringify(v)), from: (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) };
/** SQLite hands datetimes back as text (UTC); MariaDB as Dates. */
const date: ValueTransformer = {
  to: (v: unknown) => v,
  from: (v: unknown) => (typeof v === 'string' ? new Date(`${v.replace(' ', 'T')}${/Z|[+-]\d\d:?\d\d$/.test(v) ? '' : 'Z'}`) : v),
};

/**
 * A supervisor's to-do as the `todo` table had it: since the task engine, a view of the
 * visit_next_action tasks (the table moved into `task`). Read by reports and tests that know the old
 * shape; the server itself reads and writes `task`.
 */
@ViewEntity({ name: 'todo', expression: TODO_VIEW_SQL })
export class Todo {
  @ViewColumn() id: number;
  @ViewColumn() kind: 'visit_next_action';
  @ViewColumn() customerId: number;
  @ViewColumn() visitId: number | null;
  @ViewColumn() assigneeId: number;
  @ViewColumn() repId: number;
  @ViewColumn({ transformer: json }) snapshot: TodoSnapshot;
  @ViewColumn({ transformer: date }) dueAt: Date;
  @ViewColumn({ transformer: date }) confirmedAt: Date | null;
  @ViewColumn() confirmedById: number | null;
  @ViewColumn() confirmedVia: 'app' | 'wecom' | 'dingtalk' | null;
  @ViewColumn() confirmComment: string | null;
  @ViewColumn({ transformer: date }) escalatedAt: Date | null;
  @ViewColumn({ transformer: date }) discussRequestedAt: Date | null;
  @ViewColumn() discussRequestedVia: 'app' | 'wecom' | 'dingtalk' | null;
  @ViewColumn({ transformer: date }) createdAt: Date;
}
