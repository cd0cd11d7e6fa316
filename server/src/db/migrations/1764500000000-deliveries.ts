import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

export class Deliveries1764500000000 implements MigrationInterface {
  name = 'Deliveries1764500000000';

  async up(q: QueryRunner): Promise<void> {
    const sqlite = q.connection.options.type === 'better-sqlite3';
    const ts = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable });
    await q.addColumn('outbox_message', new TableColumn(ts('expandedAt', true)));
    await q.addColumn('member', new TableColumn({ name: 'dingtalkUserId', type: 'varchar', length: '64', isNullable: true }));
    await q.createIndex('member', new TableIndex({ name: 'uq_member_dingtalk', columnNames: ['dingtalkUserId'], isUnique: true }));
    await q.createIndex('outbox_message', new TableIndex({ name: 'idx_outbox_expand', columnNames: ['expandedAt', 'id'] }));
    await q.createTable(
      new Table({
        name: 'delivery',
        columns: [
          { name: 'id', type: sqlite ? 'integer' : 'int', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'outboxId', type: 'int' },
          { name: 'channel', type: 'varchar', length: '20' },
          { name: 'target', type: 'varchar', length: '191' },
          { name: 'body', type: 'text' },
          { name: 'status', type: 'varchar', length: '10' },
          { name: 'attempts', type: 'int', default: 0 },
          ts('nextAttemptAt'),
          ts('sentAt', true),
          { name: 'lastError', type: 'varchar', length: '500', isNullable: true },
          { name: 'responseCode', type: 'varchar', length: '200', isNullable: true },
          { name: 'subject', type: 'varchar', length: '60', isNullable: true },
          { ...ts('createdAt'), default: sqlite ? "(strftime('%Y-%m-%d %H:%M:%f','now'))" : 'CURRENT_TIMESTAMP(3)' },
        ],
        indices: [
          new TableIndex({ name: 'uq_delivery', columnNames: ['outboxId', 'channel', 'target'], isUnique: true }),
          new TableIndex({ name: 'idx_delivery_due', columnNames: ['status', 'target', 'id'] }),
          new TableIndex({ name: 'idx_delivery_subject', columnNames: ['subject'] }),
        ],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'channel_target',
        columns: [
          { name: 'target', type: 'varchar', length: '191', isPrimary: true },
          ts('leaseUntil', true),
          ts('windowStartedAt', true),
          { name: 'sentInWindow', type: 'int', default: 0 },
          ts('blockedUntil', true),
        ],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'subscribe_consent',
        columns: [
          { name: 'memberId', type: 'int', isPrimary: true },
          { name: 'templateId', type: 'varchar', length: '64', isPrimary: true },
          { name: 'remaining', type: 'int', default: 0 },
          { ...ts('updatedAt'), default: sqlite ? "(strftime('%Y-%m-%d %H:%M:%f','now'))" : 'CURRENT_TIMESTAMP(3)' },
        ],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'callback_nonce',
        columns: [
          { name: 'nonceKey', type: 'varchar', length: '191', isPrimary: true },
          { ...ts('seenAt') },
        ],
        indices: [new TableIndex({ name: 'idx_callback_nonce_seen', columnNames: ['seenAt'] })],
      }),
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const name of ['callback_nonce', 'subscribe_consent', 'channel_target', 'delivery']) await q.dropTable(name, true);
    await q.dropIndex('member', 'uq_member_dingtalk');
    await q.dropColumn('member', 'dingtalkUserId');
    await q.dropIndex('outbox_message', 'idx_outbox_expand');
    await q.dropColumn('outbox_message', 'expandedAt');
  }
}
