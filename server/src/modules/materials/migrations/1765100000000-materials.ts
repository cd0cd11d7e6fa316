import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { migrationColumns } from '../../../db/migration-columns';

/** The material center: tags (data), materials, their tag links, usage, share links and each open of one. */
export class Materials1765100000000 implements MigrationInterface {
  name = 'Materials1765100000000';

  async up(q: QueryRunner): Promise<void> {
    const { id, int, str, ts, created, index } = migrationColumns(q);
    const text = (name: string, isNullable = false) => ({ name, type: 'text', isNullable });
    await q.createTable(
      new Table({ name: 'material_tag', columns: [id(), str('name', 30), ts('retiredAt', true), created()], indices: [new TableIndex({ name: 'uq_material_tag_name', columnNames: ['name'], isUnique: true })] }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'material',
        columns: [
          id(), str('title', 60), str('description', 500), str('kind', 10), int('attachmentId', true), text('scriptText', true), text('stages'), text('industries'), text('bottlenecks'),
          str('searchText', 800), int('createdById'), ts('retiredAt', true), created(), { ...ts('updatedAt'), default: created().default },
        ],
        indices: [index('idx_material_retired', ['retiredAt', 'id'])],
      }),
      true,
    );
    await q.createTable(new Table({ name: 'material_tag_link', columns: [id(), int('materialId'), int('tagId')], indices: [index('idx_material_tag_link_tag', ['tagId', 'materialId']), index('idx_material_tag_link_material', ['materialId'])] }), true);
    await q.createTable(
      new Table({
        name: 'material_usage',
        columns: [id(), int('materialId'), int('memberId'), int('customerId', true), str('action', 10), ts('at')],
        indices: [index('idx_material_usage_member', ['memberId', 'at']), index('idx_material_usage_material', ['materialId', 'at']), index('idx_material_usage_at', ['at'])],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'material_share',
        columns: [id(), str('token', 43), int('materialId'), int('memberId'), int('customerId', true), { ...int('openCount'), default: 0 }, ts('firstOpenedAt', true), ts('lastOpenedAt', true), ts('revokedAt', true), created()],
        indices: [
          new TableIndex({ name: 'uq_material_share_token', columnNames: ['token'], isUnique: true }),
          index('idx_material_share_member', ['memberId', 'createdAt']),
          index('idx_material_share_customer', ['customerId', 'createdAt']),
        ],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'material_share_open',
        columns: [id(), int('shareId'), int('customerId', true), str('beaconKey', 32), ts('openedAt'), int('watchedSeconds', true)],
        indices: [index('idx_material_share_open_share', ['shareId', 'openedAt']), index('idx_material_share_open_customer', ['customerId', 'openedAt'])],
      }),
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['material_share_open', 'material_share', 'material_usage', 'material_tag_link', 'material', 'material_tag']) await q.dropTable(t, true);
  }
}
