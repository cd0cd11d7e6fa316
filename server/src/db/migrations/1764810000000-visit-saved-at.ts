import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * When the rep saved a visit, beside when the server received it (submittedAt): a visit saved
 * offline arrives later and keeps its own time. Visits stored before this were saved on receipt.
 */
export class VisitSavedAt1764810000000 implements MigrationInterface {
  name = 'VisitSavedAt1764810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('visit', new TableColumn({ name: 'savedAt', type: 'datetime', precision: 3, isNullable: true }));
    await q.query('UPDATE visit SET savedAt = submittedAt WHERE submittedAt IS NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('visit', 'savedAt');
  }
}
