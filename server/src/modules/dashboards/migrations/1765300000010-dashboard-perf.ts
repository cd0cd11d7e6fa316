import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { migrationColumns } from '../../../db/migration-columns';

/**
 * What the director's dashboards need at 500 reps (issue 14, "Fast at scale"; README «At scale»):
 * - dashboard_penetration_month: the penetration rollup per owner × key action × local month (penetration.rollup.ts).
 * - dashboard_counter_day: the counters rollup, the customers a day's visits made a counter's evidence (counters.rollup.ts).
 * - idx_task_completed (task.completedAt): the rollup job finds the to-dos cancelled since its last run.
 * - idx_visit_member_follow_up (visit.memberId, nextFollowUpAt): agreed actions due in a period per rep
 *   (visit quality, the weekly trend) read that period's rows instead of every visit the rep ever made.
 * - idx_customer_pipeline (customer.ownerId, stage, closedAt, lastFollowUpAt, createdAt): the pipeline's counts and the
 *   overdue list's order come from the index alone (closedAt was missing: each of a region's 50 000 customers was a row read).
 * - idx_visit_submitted_customer (visit.submittedAt, customerId): the customers contacted since the visit rollup's cut,
 *   from the index alone (the live part of the behaviour heatmap and visit quality).
 * - idx_stage_change_to (customer_stage_change.toStage, changedAt): 要求二次报价's "报价 entered again" from the
 *   period's moves into 报价, not one probe per customer of the region.
 */
export class DashboardPerf1765300000010 implements MigrationInterface {
  name = 'DashboardPerf1765300000010';

  async up(q: QueryRunner): Promise<void> {
    const { int, str } = migrationColumns(q);
    const key = (c: ReturnType<typeof int>) => ({ ...c, isPrimary: true });
    await q.createTable(new Table({ name: 'dashboard_penetration_month', columns: [key(int('ownerId')), key(str('action', 40)), key(str('month', 7)), int('due'), int('done')] }), true);
    // by counter and day (a region's period: the period's rows), or by customer (a team's: its few customers' rows)
    await q.createTable(
      new Table({
        name: 'dashboard_counter_day', columns: [key(str('counter', 20)), key(str('day', 10)), key(int('customerId'))],
        indices: [new TableIndex({ name: 'idx_counter_day_customer', columnNames: ['customerId', 'counter', 'day'] })],
      }),
      true,
    );
    await q.createIndex('task', new TableIndex({ name: 'idx_task_completed', columnNames: ['completedAt'] }));
    await q.createIndex('visit', new TableIndex({ name: 'idx_visit_member_follow_up', columnNames: ['memberId', 'nextFollowUpAt'] }));
    await q.createIndex('customer', new TableIndex({ name: 'idx_customer_pipeline', columnNames: ['ownerId', 'stage', 'closedAt', 'lastFollowUpAt', 'createdAt'] }));
    await q.createIndex('visit', new TableIndex({ name: 'idx_visit_submitted_customer', columnNames: ['submittedAt', 'customerId'] }));
    await q.createIndex('customer_stage_change', new TableIndex({ name: 'idx_stage_change_to', columnNames: ['toStage', 'changedAt'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('customer_stage_change', 'idx_stage_change_to');
    await q.dropIndex('visit', 'idx_visit_submitted_customer');
    await q.dropIndex('customer', 'idx_customer_pipeline');
    await q.dropIndex('visit', 'idx_visit_member_follow_up');
    await q.dropIndex('task', 'idx_task_completed');
    await q.dropTable('dashboard_counter_day');
    await q.dropTable('dashboard_penetration_month');
  }
}
