import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The support packs pushed on a grade change (grading strategies). */
export class GradeStrategies1765200000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const sqlite = queryRunner.connection.options.type === 'better-sqlite3';
    await queryRunner.createTable(
      new Table({
        name: 'grade_pack_push',
        columns: [
          { name: 'id', type: sqlite ? 'integer' : 'int', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'customerId', type: 'int' },
          { name: 'ownerId', type: 'int' },
          { name: 'grade', type: 'varchar', length: '8' },
          { name: 'materialKey', type: 'varchar', length: '600' },
          { name: 'materials', type: 'text' },
          { name: 'pushedAt', type: sqlite ? 'datetime' : 'datetime(3)' },
        ],
        foreignKeys: [
          { columnNames: ['customerId'], referencedTableName: 'customer', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
          { columnNames: ['ownerId'], referencedTableName: 'member', referencedColumnNames: ['id'] },
        ],
      }),
    );
    await queryRunner.createIndex('grade_pack_push', new TableIndex({ name: 'idx_grade_pack_push_customer', columnNames: ['customerId', 'pushedAt'] }));
    await queryRunner.createIndex('grade_pack_push', new TableIndex({ name: 'idx_grade_pack_push_owner', columnNames: ['ownerId', 'pushedAt'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('grade_pack_push');
  }
}
