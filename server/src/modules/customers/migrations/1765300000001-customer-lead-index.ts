import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Two indexes the dashboards read a region's customers by (issue 14, "Fast at scale": ~50 000 customers per
 * region), each holding every column its query reads so it is answered from the index alone:
 * - idx_customer_owner_lead (ownerId, leadAssignedAt, firstTouchAt): action penetration's 线索 48 小时内触达 —
 *   leads assigned in a range of months, and whether they were touched in time.
 * - idx_customer_owner_stage_follow (ownerId, stage, lastFollowUpAt, createdAt) replaces idx_customer_owner_stage
 *   (its prefix, so every query that used it still can): the pipeline's count per stage and the overdue rule.
 */
export class CustomerLeadIndex1765300000001 implements MigrationInterface {
  name = 'CustomerLeadIndex1765300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('customer', new TableIndex({ name: 'idx_customer_owner_lead', columnNames: ['ownerId', 'leadAssignedAt', 'firstTouchAt'] }));
    await q.createIndex('customer', new TableIndex({ name: 'idx_customer_owner_stage_follow', columnNames: ['ownerId', 'stage', 'lastFollowUpAt', 'createdAt'] }));
    await q.dropIndex('customer', 'idx_customer_owner_stage');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.createIndex('customer', new TableIndex({ name: 'idx_customer_owner_stage', columnNames: ['ownerId', 'stage'] }));
    await q.dropIndex('customer', 'idx_customer_owner_stage_follow');
    await q.dropIndex('customer', 'idx_customer_owner_lead');
  }
}
