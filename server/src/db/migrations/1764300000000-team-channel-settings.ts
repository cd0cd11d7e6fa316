import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

export class TeamChannelSettings1764300000000 implements MigrationInterface {
  name = 'TeamChannelSettings1764300000000';

  async up(q: QueryRunner): Promise<void> {
    const sqlite = q.connection.options.type === 'better-sqlite3';
    await q.createTable(
      new Table({
        name: 'team_channel_settings',
        columns: [
          { name: 'teamId', type: 'int', isPrimary: true },
          { name: 'wecomRobotKey', type: 'varchar', length: '64', isNullable: true },
          { name: 'dingtalkRobotToken', type: 'varchar', length: '128', isNullable: true },
          { name: 'dingtalkRobotSecret', type: 'varchar', length: '128', isNullable: true },
          { name: 'updatedById', type: 'int' },
          { name: 'updatedAt', type: 'datetime', precision: 3, default: sqlite ? "(strftime('%Y-%m-%d %H:%M:%f','now'))" : 'CURRENT_TIMESTAMP(3)' },
        ],
      }),
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('team_channel_settings', true);
  }
}
