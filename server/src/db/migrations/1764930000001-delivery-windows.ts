import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * - delivery (target, sentAt): the dispatcher counts what each target was sent in the last minute and
 *   the last hour (sliding windows, as the platforms count), on any server.
 * - delivery.attemptStartedAt: a group-robot post is recorded as begun before its HTTP call; one found
 *   begun with no outcome is not posted again but left to admins (status 'unknown').
 */
export class DeliveryWindows1764930000001 implements MigrationInterface {
  name = 'DeliveryWindows1764930000001';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('delivery', new TableColumn({ name: 'attemptStartedAt', type: 'datetime', precision: 3, isNullable: true }));
    await q.createIndex('delivery', new TableIndex({ name: 'idx_delivery_target_sent', columnNames: ['target', 'sentAt'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('delivery', 'idx_delivery_target_sent');
    await q.dropColumn('delivery', 'attemptStartedAt');
  }
}
