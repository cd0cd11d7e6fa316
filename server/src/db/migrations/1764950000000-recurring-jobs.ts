import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * job.recurring: the name of a periodic job (e.g. photos.sweep_unattached) on the one row that carries it.
 * Unique, so however many servers seed it at start-up there is one row per recurring kind; NULL on
 * one-off jobs (both MariaDB and SQLite let a unique index hold many NULLs).
 */
export class RecurringJobs1764950000000 implements MigrationInterface {
  name = 'RecurringJobs1764950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('job', new TableColumn({ name: 'recurring', type: 'varchar', length: '60', isNullable: true }));
    await q.createIndex('job', new TableIndex({ name: 'uq_job_recurring', columnNames: ['recurring'], isUnique: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('job', 'uq_job_recurring');
    await q.dropColumn('job', 'recurring');
  }
}
