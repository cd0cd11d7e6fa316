import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class Grading1764975200000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const sqlite = queryRunner.connection.options.type === 'better-sqlite3';
    const time = sqlite ? 'datetime' : 'datetime(3)';
    await queryRunner.createTable(
      new Table({
        name: 'customer_grade',
        columns: [
          { name: 'id', type: sqlite ? 'integer' : 'int', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'customerId', type: 'int' },
          { name: 'paymentHistory', type: 'float' },
          { name: 'inventorySpeed', type: 'float' },
          { name: 'hospitalLevelActivity', type: 'float' },
          { name: 'competitorPenetration', type: 'float' },
          { name: 'score', type: 'float' },
          { name: 'grade', type: 'varchar', length: '8' },
          { name: 'missing', type: 'varchar', length: '120' },
          { name: 'reason', type: 'varchar', length: '20' },
          { name: 'gradedAt', type: time },
        ],
        foreignKeys: [{ columnNames: ['customerId'], referencedTableName: 'customer', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
      }),
    );
    await queryRunner.createIndex('customer_grade', new TableIndex({ name: 'idx_customer_grade_customer', columnNames: ['customerId', 'gradedAt'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('customer_grade');
  }
}
