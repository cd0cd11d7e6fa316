import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { addColumnsInPlace, dropColumns } from '../../../db/add-columns';

/**
 * Two indexes the dashboards' rollups need (issue 14, "Fast at scale"):
 * - idx_visit_submitted (submittedAt): the visits submitted since the rollup's cut (today's), across members —
 *   their customers' earlier visits are the ones those new contacts closed; also the check-ins job's
 *   `visitsSubmittedBetween`, which had no index to use.
 * - idx_visit_follow_up (nextFollowUpAt): the waiting visits whose promised follow-up fell due since the cut.
 * Both ranges are a day wide, so each reads a few thousand rows of 2 million.
 * And visit.followUpSetAt (indexed): when 设定跟进 last moved the visit's promised follow-up after submission
 * (null: as submitted) — the rollup recounts the days of the visits moved since its last run, not every recent one.
 */
export class VisitDashboardIndexes1765300000000 implements MigrationInterface {
  name = 'VisitDashboardIndexes1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('visit', new TableIndex({ name: 'idx_visit_submitted', columnNames: ['submittedAt'] }));
    await q.createIndex('visit', new TableIndex({ name: 'idx_visit_follow_up', columnNames: ['nextFollowUpAt'] }));
    await addColumnsInPlace(q, 'visit', [{ name: 'followUpSetAt', type: 'datetime' }]);
    await q.createIndex('visit', new TableIndex({ name: 'idx_visit_follow_up_set', columnNames: ['followUpSetAt'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('visit', 'idx_visit_follow_up_set');
    await dropColumns(q, 'visit', ['followUpSetAt']);
    await q.dropIndex('visit', 'idx_visit_follow_up');
    await q.dropIndex('visit', 'idx_visit_submitted');
  }
}
