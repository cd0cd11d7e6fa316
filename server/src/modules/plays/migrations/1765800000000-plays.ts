import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { migrationColumns } from '../../../db/migration-columns';

/** Winning plays (SPEC §11): the mined plays per region, the hidden ones, and each region's last run. */
export class Plays1765800000000 implements MigrationInterface {
  name = 'Plays1765800000000';

  async up(q: QueryRunner): Promise<void> {
    const { id, int, str, ts } = migrationColumns(q);
    const text = (name: string) => ({ name, type: 'text' });
    await q.createTable(
      new Table({
        name: 'play',
        columns: [
          id(), int('regionId'), str('playKey', 16), str('bottleneck', 50), str('objective', 20), str('valuePoint', 50), text('variants'),
          str('topAction', 20, true), text('actions'), int('visits'), int('advanced'), text('segments'), str('hiddenBy', 16, true), ts('computedAt'),
        ],
        indices: [
          new TableIndex({ name: 'uq_play_region_key', columnNames: ['regionId', 'playKey'], isUnique: true }),
          new TableIndex({ name: 'idx_play_region_bottleneck', columnNames: ['regionId', 'bottleneck'] }),
        ],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'play_hidden',
        columns: [id(), int('regionId'), str('playKey', 16), str('bottleneck', 50), str('objective', 20), str('valuePoint', 50), int('hiddenById'), ts('hiddenAt')],
        indices: [new TableIndex({ name: 'uq_play_hidden_region_key', columnNames: ['regionId', 'playKey'], isUnique: true })],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'play_run',
        columns: [
          id(), int('regionId'), ts('computedAt'), ts('windowFrom'), int('visits'), int('advanced'),
          int('newUsedVisits'), int('newUsedAdvanced'), int('newOtherVisits'), int('newOtherAdvanced'),
        ],
        indices: [new TableIndex({ name: 'uq_play_run_region', columnNames: ['regionId'], isUnique: true })],
      }),
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['play_run', 'play_hidden', 'play']) await q.dropTable(t, true);
  }
}
