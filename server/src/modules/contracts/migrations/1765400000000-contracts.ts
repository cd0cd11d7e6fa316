import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { migrationColumns } from '../../../db/migration-columns';

const fk = (table: string, column: string, parent: string) =>
  new TableForeignKey({ name: `fk_${table}_${column}`, columnNames: [column], referencedTableName: parent, referencedColumnNames: ['id'], onDelete: 'NO ACTION' });

/** Contracts and their 需市场支持 requests (the contracts module's tables). */
export class Contracts1765400000000 implements MigrationInterface {
  name = 'Contracts1765400000000';

  async up(q: QueryRunner): Promise<void> {
    const { sqlite, id, int, str, ts, created, index } = migrationColumns(q);
    const text = (name: string, isNullable = false) => ({ name, type: 'text', isNullable });
    await q.createTable(
      new Table({
        name: 'contract',
        columns: [
          id(), int('customerId'), int('ownerId'), int('createdById'), { ...str('state', 12), default: "'draft'" }, { name: 'amountFen', type: 'bigint' },
          text('lines'), text('instalments'), text('keyTerms'), { name: 'needsMarketing', type: 'boolean', default: sqlite ? 0 : false }, int('approvalId', true),
          ts('submittedAt', true), ts('decidedAt', true), str('rejectReason', 200, true), created(), ts('updatedAt'),
        ],
        indices: [index('idx_contract_owner', ['ownerId', 'state', 'updatedAt']), index('idx_contract_customer', ['customerId', 'createdAt']), index('idx_contract_state', ['state', 'updatedAt'])],
        foreignKeys: [fk('contract', 'customerId', 'customer'), fk('contract', 'ownerId', 'member'), fk('contract', 'createdById', 'member')],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'contract_support',
        columns: [id(), int('contractId'), int('taskId'), text('snapshot'), text('answerText', true), text('answerMaterials', true), int('answeredById', true), ts('answeredAt', true), created()],
        indices: [new TableIndex({ name: 'uq_contract_support_contract', columnNames: ['contractId'], isUnique: true })],
        foreignKeys: [fk('contract_support', 'contractId', 'contract'), fk('contract_support', 'taskId', 'task'), fk('contract_support', 'answeredById', 'member')],
      }),
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('contract_support', true);
    await q.dropTable('contract', true);
  }
}
