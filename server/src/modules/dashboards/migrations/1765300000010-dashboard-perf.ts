import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { migrationColumns } from '../../../db/migration-columns';

/**
 * What the director's dashboards need at 500 reps (issue 14, "Fast at scale"; README «At scale»):
 * - dashboard_penetration_month: the penetration rollup per owner × key action × local month (penetration.rollup.ts).
 * - idx_task_completed (task.completedAt): the rollup job finds the to-dos cancelled since its last run.
 * - idx_visit_member_follow_up (visit.memberId, nextFollowUpAt): agreed actions due in a period per rep
 *   (visit quality, the weekly trend) read that period's rows instead of every visit the rep ever made.
 */
export class DashboardPerf1765300000010 implements MigrationInterface {
  name = 'DashboardPerf1765300000010';

  async up(q: QueryRunner): Promise<void> {
    const { int, str } = migrationColumns(q);
    const key = (c: ReturnType<typeof int>) => ({ ...c, isPrimary: true });
    await q.createTable(new Table({ name: 'dashboard_penetration_month', columns: [key(int('ownerId')), key(str('action', 40)), key(str('month', 7)), int('due'), int('done')] }), true);
    await q.createIndex('task', new TableIndex({ name: 'idx_task_completed', columnNames: ['completedAt'] }));
    await q.createIndex('visit', new TableIndex({ name: 'idx_visit_member_follow_up', columnNames: ['memberId', 'nextFollowUpAt'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('visit', 'idx_visit_member_follow_up');
    await q.dropIndex('task', 'idx_task_completed');
    await q.dropTable('dashboard_penetration_month');
  }
}
