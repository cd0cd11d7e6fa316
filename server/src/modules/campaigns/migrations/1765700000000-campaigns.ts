import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { migrationColumns } from '../../../db/migration-columns';

/** Campaign task flows: campaigns, their steps and targets, exception reports, overdue reminders, closing snapshots. */
export class Campaigns1765700000000 implements MigrationInterface {
  name = 'Campaigns1765700000000';

  async up(q: QueryRunner): Promise<void> {
    const { sqlite, id, int, str, ts, created, index } = migrationColumns(q);
    // simple-json lists are short; a closing snapshot of 2 000 targets is not (longtext on MariaDB)
    const text = (name: string, isNullable = false) => ({ name, type: 'text', isNullable });
    const long = (name: string) => ({ name, type: sqlite ? 'text' : 'longtext' });
    const unique = (name: string, columnNames: string[]) => new TableIndex({ name, columnNames, isUnique: true });
    await q.createTable(
      new Table({
        name: 'campaign',
        columns: [
          id(), str('name', 60), int('ownerId'), str('startsOn', 10), str('endsOn', 10), str('goalStage', 20), int('goalCount'), text('filter', true),
          int('scriptMaterialId', true), text('materialIds'), ts('launchedAt', true), ts('closedAt', true), int('closedById', true), created(),
        ],
        indices: [index('idx_campaign_owner', ['ownerId', 'createdAt']), index('idx_campaign_running', ['launchedAt', 'closedAt'])],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'campaign_step',
        columns: [id(), int('campaignId'), int('seq'), str('title', 40), str('kind', 10), str('objective', 20, true), int('materialId', true), str('stage', 20, true), int('dueDays')],
        indices: [unique('uq_campaign_step_seq', ['campaignId', 'seq'])],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'campaign_target',
        columns: [id(), int('campaignId'), int('customerId'), int('ownerId'), ts('droppedAt', true), created()],
        indices: [
          unique('uq_campaign_target_customer', ['campaignId', 'customerId']),
          index('idx_campaign_target_owner', ['ownerId', 'campaignId']),
          index('idx_campaign_target_customer', ['customerId']),
        ],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'campaign_exception',
        columns: [
          id(), int('campaignId'), int('targetId'), int('reportedById'), str('reason', 20), str('note', 200), int('photoId', true), int('taskId', true),
          str('resolution', 12, true), str('answer', 200, true), int('resolvedById', true), ts('resolvedAt', true), created(),
        ],
        indices: [index('idx_campaign_exception_campaign', ['campaignId', 'resolvedAt']), index('idx_campaign_exception_target', ['targetId'])],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'campaign_reminder',
        columns: [id(), int('campaignId'), int('targetId'), int('stepId'), str('level', 12), int('memberId'), ts('sentAt')],
        indices: [unique('uq_campaign_reminder', ['targetId', 'stepId', 'level'])],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'campaign_snapshot',
        columns: [id(), int('campaignId'), long('board'), long('targets'), created()],
        indices: [unique('uq_campaign_snapshot_campaign', ['campaignId'])],
      }),
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['campaign_snapshot', 'campaign_reminder', 'campaign_exception', 'campaign_target', 'campaign_step', 'campaign']) await q.dropTable(t, true);
  }
}
