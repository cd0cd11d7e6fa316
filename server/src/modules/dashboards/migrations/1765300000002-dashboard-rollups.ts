import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { migrationColumns } from '../../../db/migration-columns';

/** The dashboards' own tables: the visit rollup per (member, local day | month, objective) and the rollups' state. */
export class DashboardRollups1765300000002 implements MigrationInterface {
  name = 'DashboardRollups1765300000002';

  async up(q: QueryRunner): Promise<void> {
    const { int, str, ts } = migrationColumns(q);
    const big = (name: string) => ({ name, type: 'bigint' });
    const key = (c: ReturnType<typeof int>) => ({ ...c, isPrimary: true });
    await q.createTable(
      new Table({
        name: 'dashboard_visit_day',
        columns: [
          key(int('memberId')), key(str('day', 10)), key(str('objective', 20)),
          int('visits'), big('painChars'), int('closedVisits'), big('closedWaitSeconds'), int('closedFollowUps'), int('closedOnTime'),
          int('openVisits'), big('openSubmittedSeconds'), int('openFollowUpsDue'),
        ],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'dashboard_visit_month',
        columns: [
          key(int('memberId')), key(str('month', 7)), key(str('objective', 20)),
          int('visits'), big('painChars'), int('closedVisits'), big('closedWaitSeconds'), int('closedFollowUps'), int('closedOnTime'),
          int('openVisits'), big('openSubmittedSeconds'), int('openFollowUpsDue'),
        ],
      }),
      true,
    );
    await q.createTable(new Table({ name: 'dashboard_rollup_state', columns: [key(str('name', 40)), ts('cutAt'), str('params', 200), str('buildingFrom', 10, true), ts('refreshedAt')] }), true);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('dashboard_rollup_state');
    await q.dropTable('dashboard_visit_month');
    await q.dropTable('dashboard_visit_day');
  }
}
