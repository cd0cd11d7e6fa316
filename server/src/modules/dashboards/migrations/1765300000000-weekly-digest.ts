import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { migrationColumns } from '../../../db/migration-columns';

/** The weekly digests produced: one row per member and ISO week (the unique key makes it once). */
export class WeeklyDigest1765300000000 implements MigrationInterface {
  name = 'WeeklyDigest1765300000000';

  async up(q: QueryRunner): Promise<void> {
    const { id, int, str, created } = migrationColumns(q);
    await q.createTable(
      new Table({
        name: 'weekly_digest',
        columns: [id(), int('memberId'), str('week', 8), int('overdue'), { name: 'figures', type: 'text' }, created()],
        indices: [new TableIndex({ name: 'uq_weekly_digest_member_week', columnNames: ['memberId', 'week'], isUnique: true })],
        foreignKeys: [new TableForeignKey({ name: 'fk_weekly_digest_memberId', columnNames: ['memberId'], referencedTableName: 'member', referencedColumnNames: ['id'], onDelete: 'NO ACTION' })],
      }),
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('weekly_digest', true);
  }
}
