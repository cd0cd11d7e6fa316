import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * idx_task_requester_kind (requesterId, kind, createdAt, outcome, completedAt): the dashboards' action penetration
 * (主管 48 小时内确认) counts a region's visit next-action to-dos over six months (~250 000 at issue 14's scale) by
 * requester and month; idx_task_requester (requesterId, createdAt) made it read each row for its kind, outcome and
 * completion. This one answers from the index alone.
 */
export class TaskRequesterKindIndex1765300000003 implements MigrationInterface {
  name = 'TaskRequesterKindIndex1765300000003';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('task', new TableIndex({ name: 'idx_task_requester_kind', columnNames: ['requesterId', 'kind', 'createdAt', 'outcome', 'completedAt'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('task', 'idx_task_requester_kind');
  }
}
