import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * idx_checkin_member_day_status (memberId, day, status): the dashboards' check-in heatmap counts a region's rows per
 * member, day and status (~20 000 for 500 reps over 20 days); uq_checkin_member_day_slot finds them but needs each
 * row for its status. This one answers from the index alone.
 */
export class CheckinStatusIndex1765300000004 implements MigrationInterface {
  name = 'CheckinStatusIndex1765300000004';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('checkin', new TableIndex({ name: 'idx_checkin_member_day_status', columnNames: ['memberId', 'day', 'status'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('checkin', 'idx_checkin_member_day_status');
  }
}
