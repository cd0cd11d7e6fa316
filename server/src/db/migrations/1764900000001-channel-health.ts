import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

/**
 * channel_health: what every server knows about a chat channel's condition, so all of them agree.
 * - a credential row (`wecom_app`, `wechat_subscribe`, or one team robot's target such as
 *   `dingtalk_robot:team:3`): `reason`/`since` set while its credentials are refused; `probeAt` is
 *   when the next probe may run (one server claims it, at most once a minute);
 * - a platform row (`platform:wecom`, `platform:dingtalk`, `platform:wechat`): consecutive transient
 *   failures (network errors, 5xx) since the last success, since when, the last error, and the next
 *   recovery probe.
 */
export class ChannelHealth1764900000001 implements MigrationInterface {
  name = 'ChannelHealth1764900000001';

  async up(q: QueryRunner): Promise<void> {
    const ts = (name: string): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable: true });
    await q.createTable(
      new Table({
        name: 'channel_health',
        columns: [
          { name: 'channel', type: 'varchar', length: '191', isPrimary: true },
          { name: 'reason', type: 'varchar', length: '500', isNullable: true },
          ts('since'),
          ts('probeAt'),
          { name: 'failures', type: 'int', default: 0 },
          ts('failingSince'),
          { name: 'lastError', type: 'varchar', length: '500', isNullable: true },
        ],
      }),
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('channel_health', true);
  }
}
