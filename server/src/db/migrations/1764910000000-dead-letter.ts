import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * - delivery.pendingSince: when the delivery (last) joined its target's queue — at expansion, or when an
 *   admin re-sent it. Its age decides dead-lettering by hours and is the target's oldest pending age.
 *   Status gains 'dead' (a delivery that kept failing transiently, set aside so the queue moves on).
 * - outbox_lock: one row per exclusive step; 'expand' makes servers expand the outbox one at a time, so
 *   deliveries are written in outbox order whatever the number of servers.
 */
export class DeadLetter1764910000000 implements MigrationInterface {
  name = 'DeadLetter1764910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('delivery', new TableColumn({ name: 'pendingSince', type: 'datetime', precision: 3, isNullable: true }));
    await q.query('UPDATE delivery SET pendingSince = createdAt');
    // a target's queue is taken in outbox order
    await q.createIndex('delivery', new TableIndex({ name: 'idx_delivery_queue', columnNames: ['status', 'target', 'outboxId', 'id'] }));
    await q.createTable(new Table({ name: 'outbox_lock', columns: [{ name: 'name', type: 'varchar', length: '40', isPrimary: true }] }), true);
    await q.query("INSERT INTO outbox_lock (name) VALUES ('expand')");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('outbox_lock', true);
    await q.dropIndex('delivery', 'idx_delivery_queue');
    await q.dropColumn('delivery', 'pendingSince');
  }
}
