import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addColumnsInPlace, dropColumns } from '../../../db/add-columns';

/**
 * 关闭/丢单: a customer closed as lost keeps its stage (where it was lost) and says when, why and by whom;
 * null while open. The stage history gets a kind per row — `stage` (a move, as before), `closed_lost`
 * and `reopened` — with the reason, so "closed lost from 报价 or later" is read from history.
 */
export class CustomerClosed1765210000001 implements MigrationInterface {
  name = 'CustomerClosed1765210000001';

  async up(q: QueryRunner): Promise<void> {
    await addColumnsInPlace(q, 'customer', [
      { name: 'closedAt', type: 'datetime' },
      { name: 'closedReason', type: 'varchar(20)' },
      { name: 'closedNote', type: 'varchar(100)' },
      { name: 'closedById', type: 'int' },
    ]);
    await addColumnsInPlace(q, 'customer_stage_change', [
      { name: 'kind', type: 'varchar(20)', notNull: { default: "'stage'" } },
      { name: 'reason', type: 'varchar(20)' },
      { name: 'note', type: 'varchar(100)' },
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropColumns(q, 'customer_stage_change', ['kind', 'reason', 'note']);
    await dropColumns(q, 'customer', ['closedAt', 'closedReason', 'closedNote', 'closedById']);
  }
}
