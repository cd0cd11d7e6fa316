import { Table, TableForeignKey, type MigrationInterface, type QueryRunner } from 'typeorm';
import { migrationColumns } from '../../../db/migration-columns';

/** The members an admin picked for a `chosen` task pool (policy taskPools): a row goes with its member. */
export class TaskPoolMembers1764975000000 implements MigrationInterface {
  name = 'TaskPoolMembers1764975000000';

  async up(q: QueryRunner): Promise<void> {
    const { str, int, ts, index } = migrationColumns(q);
    await q.createTable(
      new Table({
        name: 'task_pool_member',
        columns: [{ ...str('pool', 40), isPrimary: true }, { ...int('memberId'), isPrimary: true }, int('chosenById', true), ts('chosenAt')],
        indices: [index('idx_task_pool_member_member', ['memberId'])],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_task_pool_member_memberId', columnNames: ['memberId'], referencedTableName: 'member', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
          new TableForeignKey({ name: 'fk_task_pool_member_chosenById', columnNames: ['chosenById'], referencedTableName: 'member', referencedColumnNames: ['id'], onDelete: 'SET NULL' }),
        ],
      }),
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('task_pool_member', true);
  }
}
