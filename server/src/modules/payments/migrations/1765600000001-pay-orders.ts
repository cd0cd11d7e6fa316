import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { migrationColumns } from '../../../db/migration-columns';

/** WeChat Pay Native orders for receivables. */
export class PayOrders1765600000001 implements MigrationInterface {
  name = 'PayOrders1765600000001';

  async up(q: QueryRunner): Promise<void> {
    const { id, int, str, ts, created, index } = migrationColumns(q);
    await q.createTable(
      new Table({
        name: 'pay_order',
        columns: [
          id(), int('receivableId'), str('outTradeNo', 32), int('amountFen'), str('state', 10), str('codeUrl', 255, true), ts('expiresAt'), str('transactionId', 40, true),
          int('notifiedFen', true), ts('paidAt', true), ts('closedAt', true), int('createdById'), created(),
        ],
        indices: [
          new TableIndex({ name: 'uq_pay_order_out_trade_no', columnNames: ['outTradeNo'], isUnique: true }),
          index('idx_pay_order_receivable', ['receivableId', 'state']),
          index('idx_pay_order_state', ['state', 'createdAt']),
        ],
      }),
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('pay_order', true);
  }
}
