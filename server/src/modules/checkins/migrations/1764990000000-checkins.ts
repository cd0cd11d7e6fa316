import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { migrationColumns } from '../../../db/migration-columns';

/** Daily check-ins: one row per member, local day and slot; and the windows whose end was handled. */
export class Checkins1764990000000 implements MigrationInterface {
  name = 'Checkins1764990000000';

  async up(q: QueryRunner): Promise<void> {
    const { id, int, str, ts, created, index } = migrationColumns(q);
    await q.createTable(
      new Table({
        name: 'checkin',
        columns: [
          id(), int('memberId'), int('teamId', true), str('day', 10), str('kind', 10), str('slot', 24), int('visitId', true), int('customerId', true),
          str('status', 10), { name: 'answers', type: 'text', isNullable: true }, ts('checkedInAt', true), ts('windowClosesAt'), ts('remindedAt', true), created(),
        ],
        indices: [
          new TableIndex({ name: 'uq_checkin_member_day_slot', columnNames: ['memberId', 'day', 'slot'], isUnique: true }),
          index('idx_checkin_team_day', ['teamId', 'day']),
          index('idx_checkin_visit', ['visitId']),
        ],
        // a check-in keeps its member, team, customer and visit from being deleted (issue 12's rule for business records)
        foreignKeys: [
          ['memberId', 'member'],
          ['teamId', 'team'],
          ['customerId', 'customer'],
          ['visitId', 'visit'],
        ].map(([column, parent]) => new TableForeignKey({ name: `fk_checkin_${column}`, columnNames: [column!], referencedTableName: parent!, referencedColumnNames: ['id'], onDelete: 'NO ACTION' })),
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'checkin_window',
        columns: [id(), str('day', 10), str('kind', 10), created()],
        indices: [new TableIndex({ name: 'uq_checkin_window', columnNames: ['day', 'kind'], isUnique: true })],
      }),
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('checkin_window', true);
    await q.dropTable('checkin', true);
  }
}
