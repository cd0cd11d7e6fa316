import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * How many visits stage automation left waiting on a customer: a visit submission looks for one to
 * complete only when this is above zero, instead of searching the visit table on every submission.
 */
/** Counts the visits waiting on every customer: the backfill, also usable to repair the counts. */
export const COUNT_WAITING_VISITS = 'UPDATE customer SET waitingVisits = (SELECT COUNT(*) FROM visit v WHERE v.customerId = customer.id AND v.submittedAt IS NULL)';

export class CustomerWaitingVisits1764700000000 implements MigrationInterface {
  name = 'CustomerWaitingVisits1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('customer', new TableColumn({ name: 'waitingVisits', type: 'int', default: 0 }));
    await q.query(COUNT_WAITING_VISITS);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('customer', 'waitingVisits');
  }
}
