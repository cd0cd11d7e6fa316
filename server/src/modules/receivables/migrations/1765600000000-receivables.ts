import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { migrationColumns } from '../../../db/migration-columns';

/** Receivables (one row per contract instalment) and the payments credited to them. */
export class Receivables1765600000000 implements MigrationInterface {
  name = 'Receivables1765600000000';

  async up(q: QueryRunner): Promise<void> {
    const { id, int, str, ts, created, index } = migrationColumns(q);
    await q.createTable(
      new Table({
        name: 'receivable',
        columns: [id(), int('contractId'), int('customerId'), int('ownerId'), int('seq'), str('dueDate', 10), int('amountFen'), { ...int('paidFen'), default: 0 }, ts('paidAt', true), ts('escalatedAt', true), created()],
        indices: [
          new TableIndex({ name: 'uq_receivable_contract_seq', columnNames: ['contractId', 'seq'], isUnique: true }),
          index('idx_receivable_owner_due', ['ownerId', 'dueDate']),
          index('idx_receivable_customer', ['customerId', 'dueDate']),
          index('idx_receivable_due', ['dueDate']),
        ],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'receivable_payment',
        columns: [id(), int('receivableId'), int('amountFen'), str('method', 20), str('reference', 64), ts('paidAt'), int('byId', true), int('voucherAttachmentId', true), str('note', 200, true), created()],
        indices: [new TableIndex({ name: 'uq_receivable_payment_ref', columnNames: ['method', 'reference'], isUnique: true }), index('idx_receivable_payment_receivable', ['receivableId', 'paidAt'])],
      }),
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['receivable_payment', 'receivable']) await q.dropTable(t, true);
  }
}
