import { Table, TableForeignKey, type MigrationInterface, type QueryRunner } from 'typeorm';
import { migrationColumns } from '../../../db/migration-columns';

const fk = (table: string, column: string, parent: string, onDelete: 'CASCADE' | 'NO ACTION' | 'SET NULL' = 'NO ACTION') =>
  new TableForeignKey({ name: `fk_${table}_${column}`, columnNames: [column], referencedTableName: parent, referencedColumnNames: parent === 'customer_location' ? ['customerId'] : ['id'], onDelete });

/** On-site sign-ins and customers' locations (the signins module's tables). */
export class Signins1764975500000 implements MigrationInterface {
  name = 'Signins1764975500000';

  async up(q: QueryRunner): Promise<void> {
    const { sqlite, id, int, str, ts, created, index } = migrationColumns(q);
    const double = (name: string) => ({ name, type: 'double' });
    const flag = (name: string) => ({ name, type: 'boolean', default: sqlite ? 0 : false });
    await q.createTable(
      new Table({
        name: 'signin',
        columns: [
          id(), int('customerId'), int('memberId'), double('lat'), double('lng'), str('coordSystem', 8), double('accuracy'), int('distance', true),
          flag('tooFar'), flag('inaccurate'), str('localDay', 10), int('visitId', true), created(),
        ],
        indices: [index('idx_signin_member_day', ['memberId', 'localDay']), index('idx_signin_customer', ['customerId', 'createdAt']), index('idx_signin_visit', ['visitId'])],
        foreignKeys: [fk('signin', 'customerId', 'customer'), fk('signin', 'memberId', 'member'), fk('signin', 'visitId', 'visit', 'SET NULL')],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'customer_location',
        columns: [
          { ...int('customerId'), isPrimary: true }, double('lat'), double('lng'), str('source', 10), int('sampleCount', true), ts('proposedAt'), ts('confirmedAt', true), int('confirmedById', true),
        ],
        indices: [index('idx_customer_location_proposed', ['confirmedAt'])],
        foreignKeys: [fk('customer_location', 'customerId', 'customer', 'CASCADE'), fk('customer_location', 'confirmedById', 'member')],
      }),
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('customer_location', true);
    await q.dropTable('signin', true);
  }
}
