import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * idx_customer_owner_lead (ownerId, leadAssignedAt): the dashboards' action penetration counts, per owner, the
 * leads assigned in a range of months (线索 48 小时内触达); idx_customer_owner_stage made it read every
 * customer of each owner.
 */
export class CustomerLeadIndex1765300000001 implements MigrationInterface {
  name = 'CustomerLeadIndex1765300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('customer', new TableIndex({ name: 'idx_customer_owner_lead', columnNames: ['ownerId', 'leadAssignedAt'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('customer', 'idx_customer_owner_lead');
  }
}
