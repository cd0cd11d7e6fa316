import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

// Written with the schema builder, not raw SQL, so one migration serves MariaDB/MySQL and the embedded SQLite.
const int = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'int', isNullable });
const str = (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });
const ts = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable });
const created = (): TableColumnOptions => ({ ...ts('createdAt'), default: 'CURRENT_TIMESTAMP(3)' });
const updated = (): TableColumnOptions => ({ ...ts('updatedAt'), default: 'CURRENT_TIMESTAMP(3)' });

export class Foundation1764200000000 implements MigrationInterface {
  name = 'Foundation1764200000000';

  async up(q: QueryRunner): Promise<void> {
    const sqlite = q.connection.options.type === 'better-sqlite3';
    // SQLite's AUTOINCREMENT needs the exact type name INTEGER.
    const id = (): TableColumnOptions => ({ name: 'id', type: sqlite ? 'integer' : 'int', isPrimary: true, isGenerated: true, generationStrategy: 'increment' });
    // SQLite has no CURRENT_TIMESTAMP(3); the entities always set these columns anyway.
    const fix = (cols: TableColumnOptions[]) =>
      cols.map((c) => (sqlite && c.default === 'CURRENT_TIMESTAMP(3)' ? { ...c, default: "(strftime('%Y-%m-%d %H:%M:%f','now'))" } : c));
    const table = (name: string, columns: TableColumnOptions[], indices: TableIndex[] = []) =>
      q.createTable(new Table({ name, columns: fix(columns), indices }), true);

    await table('region', [id(), str('name', 50), created()]);
    await table('team', [id(), str('name', 50), int('regionId'), created()], [new TableIndex({ name: 'idx_team_region', columnNames: ['regionId'] })]);
    await table(
      'member',
      [
        id(),
        str('name', 50),
        str('phone', 20),
        str('role', 20),
        int('teamId', true),
        int('regionId', true),
        int('managerId', true),
        str('wechatOpenId', 64, true),
        str('wecomUserId', 64, true),
        ts('deactivatedAt', true),
        created(),
        updated(),
      ],
      [
        new TableIndex({ name: 'uq_member_phone', columnNames: ['phone'], isUnique: true }),
        new TableIndex({ name: 'idx_member_team', columnNames: ['teamId'] }),
        new TableIndex({ name: 'idx_member_region', columnNames: ['regionId'] }),
        new TableIndex({ name: 'uq_member_wechat', columnNames: ['wechatOpenId'], isUnique: true }),
        new TableIndex({ name: 'uq_member_wecom', columnNames: ['wecomUserId'], isUnique: true }),
      ],
    );
    await table(
      'session',
      [id(), str('tokenHash', 64), int('memberId'), str('via', 20), created(), ts('expiresAt'), ts('revokedAt', true)],
      [
        new TableIndex({ name: 'uq_session_token', columnNames: ['tokenHash'], isUnique: true }),
        new TableIndex({ name: 'idx_session_member', columnNames: ['memberId'] }),
      ],
    );
    await table(
      'invite',
      [id(), str('code', 32), int('teamId'), int('memberId', true), str('role', 20), int('createdById'), created(), ts('expiresAt'), ts('usedAt', true), ts('revokedAt', true)],
      [new TableIndex({ name: 'uq_invite_code', columnNames: ['code'], isUnique: true })],
    );
    await table('channel_token', [
      { name: 'cacheKey', type: 'varchar', length: '191', isPrimary: true },
      str('token', 512, true),
      ts('expiresAt', true),
      updated(),
    ]);
    await table(
      'customer',
      [
        id(),
        str('name', 100),
        str('nameKey', 100),
        str('industry', 50),
        str('stage', 20),
        ts('stageChangedAt'),
        int('ownerId'),
        str('grade', 4, true),
        ts('lastFollowUpAt', true),
        str('province', 20, true),
        str('city', 30, true),
        str('address', 200, true),
        str('contactName', 30, true),
        str('contactPhone', 30, true),
        str('hospitalLevel', 20, true),
        str('departmentActivity', 10, true),
        { name: 'gradingInputs', type: 'text', isNullable: true },
        str('notes', 500, true),
        int('createdById'),
        created(),
        updated(),
      ],
      [
        new TableIndex({ name: 'uq_customer_name_key', columnNames: ['nameKey'], isUnique: true }),
        new TableIndex({ name: 'idx_customer_owner_stage', columnNames: ['ownerId', 'stage'] }),
        new TableIndex({ name: 'idx_customer_owner_follow', columnNames: ['ownerId', 'lastFollowUpAt'] }),
      ],
    );
    await table(
      'customer_stage_change',
      [id(), int('customerId'), str('fromStage', 20, true), str('toStage', 20), int('changedById'), ts('changedAt')],
      [new TableIndex({ name: 'idx_stage_change_customer', columnNames: ['customerId', 'changedAt'] })],
    );
    await table(
      'customer_owner_change',
      [id(), int('customerId'), int('fromOwnerId', true), int('toOwnerId'), int('changedById'), ts('changedAt')],
      [new TableIndex({ name: 'idx_owner_change_customer', columnNames: ['customerId', 'changedAt'] })],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const name of ['customer_owner_change', 'customer_stage_change', 'customer', 'channel_token', 'invite', 'session', 'member', 'team', 'region']) {
      await q.dropTable(name, true);
    }
  }
}
