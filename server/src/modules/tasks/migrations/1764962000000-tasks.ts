import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { migrationColumns } from '../../../db/migration-columns';

/** The `todo` view: the old table's columns over the visit_next_action tasks, for readers of the old shape. */
export const TODO_VIEW_SQL = `SELECT id, kind, customerId, subjectId AS visitId, assigneeId, requesterId AS repId, snapshot, dueAt,
  completedAt AS confirmedAt, completedById AS confirmedById, completedVia AS confirmedVia, comment AS confirmComment,
  escalatedAt, talkRequestedAt AS discussRequestedAt, talkRequestedVia AS discussRequestedVia, createdAt
  FROM task WHERE kind = 'visit_next_action'`;

/**
 * Tasks and approvals as one engine: `task` (any kind, subject, assignee or pool), its history
 * `task_action`, and `approval` (ordered chains of tasks). Every `todo` row becomes a
 * visit_next_action task with the same id (old cards' `confirm:<id>` keys and `todo:<id>` deliveries
 * keep naming it), its confirmation, talk request and escalation become its history, and `todo`
 * stays as a view of those tasks.
 */
export class Tasks1764962000000 implements MigrationInterface {
  name = 'Tasks1764962000000';

  async up(q: QueryRunner): Promise<void> {
    const { id, int, str, ts, created, index } = migrationColumns(q);

    await q.createTable(
      new Table({
        name: 'task',
        columns: [
          id(), str('kind', 40), str('subjectType', 30), int('subjectId', true), int('customerId', true), int('requesterId', true),
          int('assigneeId', true), str('assigneePool', 40, true), int('approvalId', true), int('stepIndex', true), { name: 'snapshot', type: 'text' },
          ts('dueAt'), { ...str('escalationTarget', 20), default: "'manager'" }, ts('escalatedAt', true), ts('completedAt', true), str('outcome', 12, true),
          int('completedById', true), str('completedVia', 10, true), str('comment', 200, true), ts('talkRequestedAt', true), str('talkRequestedVia', 10, true), created(),
        ],
        indices: [
          index('idx_task_assignee', ['assigneeId', 'completedAt']),
          index('idx_task_pool', ['assigneePool', 'completedAt']),
          index('idx_task_requester', ['requesterId', 'createdAt']),
          index('idx_task_subject', ['subjectType', 'subjectId']),
          index('idx_task_customer', ['customerId']),
          index('idx_task_escalated', ['escalatedAt']),
          index('idx_task_approval', ['approvalId', 'stepIndex']),
        ],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'task_action',
        columns: [id(), int('taskId'), str('action', 20), int('byId', true), str('via', 10, true), int('toMemberId', true), str('comment', 200, true), ts('at')],
        indices: [index('idx_task_action_task', ['taskId', 'id'])],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'approval',
        columns: [
          id(), str('kind', 40), str('subjectType', 30), int('subjectId'), int('requesterId'), { name: 'amountFen', type: 'bigint', isNullable: true },
          { name: 'steps', type: 'text' }, { name: 'currentStep', type: 'int', default: 0 }, { ...str('state', 12), default: "'open'" },
          ts('decidedAt', true), str('reason', 200, true), created(),
        ],
        indices: [index('idx_approval_subject', ['subjectType', 'subjectId']), index('idx_approval_requester', ['requesterId', 'createdAt'])],
      }),
      true,
    );

    // Every to-do, with its id: a card out there still says confirm:<id>, a queued delivery todo:<id>.
    await q.query(`INSERT INTO task (id, kind, subjectType, subjectId, customerId, requesterId, assigneeId, snapshot, dueAt, escalationTarget, escalatedAt,
        completedAt, outcome, completedById, completedVia, comment, talkRequestedAt, talkRequestedVia, createdAt)
      SELECT id, 'visit_next_action', 'visit', visitId, customerId, repId, assigneeId, snapshot, dueAt, 'manager', escalatedAt,
        confirmedAt, CASE WHEN confirmedAt IS NULL THEN NULL ELSE 'done' END, confirmedById, confirmedVia, confirmComment, discussRequestedAt, discussRequestedVia, createdAt
      FROM todo ORDER BY id`);
    // Its history, in the order it happened.
    await q.query(`INSERT INTO task_action (taskId, action, byId, via, comment, at)
      SELECT taskId, action, byId, via, comment, at FROM (
        SELECT id AS taskId, 'request_talk' AS action, assigneeId AS byId, discussRequestedVia AS via, NULL AS comment, discussRequestedAt AS at FROM todo WHERE discussRequestedAt IS NOT NULL
        UNION ALL SELECT id, 'escalate', NULL, NULL, NULL, escalatedAt FROM todo WHERE escalatedAt IS NOT NULL
        UNION ALL SELECT id, 'confirm', confirmedById, confirmedVia, confirmComment, confirmedAt FROM todo WHERE confirmedAt IS NOT NULL
      ) history ORDER BY at, taskId`);
    await q.query('DROP TABLE todo');
    await q.query(`CREATE VIEW todo AS ${TODO_VIEW_SQL}`);
  }

  async down(q: QueryRunner): Promise<void> {
    const sqlite = q.connection.options.type === 'better-sqlite3';
    await q.query('DROP VIEW todo');
    await q.query(`CREATE TABLE todo AS SELECT * FROM (${TODO_VIEW_SQL}) t`);
    if (!sqlite) await q.query('ALTER TABLE todo MODIFY id int NOT NULL AUTO_INCREMENT PRIMARY KEY');
    for (const name of ['approval', 'task_action', 'task']) await q.dropTable(name, true);
  }
}
