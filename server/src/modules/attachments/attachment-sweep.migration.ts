import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { migrationColumns } from '../../db/migration-columns';

/**
 * One sweep for every purpose, owned by the attachments module: the recurring row of the photo-only
 * sweep (`photos.sweep_unattached`) becomes `attachments.sweep`, keeping its schedule (a server started
 * on this version seeds nothing new; one that seeded the new row already just drops the old one).
 * attachment.missingAt: when the checksum pass over photos moved from the old table found no file.
 */
export class AttachmentSweep1764973100000 implements MigrationInterface {
  name = 'AttachmentSweep1764973100000';

  async up(q: QueryRunner): Promise<void> {
    const { ts } = migrationColumns(q);
    await q.addColumn('attachment', new TableColumn(ts('missingAt', true)));
    await renameRecurring(q, 'photos.sweep_unattached', 'attachments.sweep');
  }

  async down(q: QueryRunner): Promise<void> {
    await renameRecurring(q, 'attachments.sweep', 'photos.sweep_unattached');
    await q.dropColumn('attachment', 'missingAt');
  }
}

async function renameRecurring(q: QueryRunner, from: string, to: string): Promise<void> {
  const existing = (await q.query('SELECT id FROM job WHERE recurring = ?', [to])) as unknown[];
  if (existing.length > 0) {
    await q.query('DELETE FROM job WHERE recurring = ?', [from]);
    return;
  }
  await q.query('UPDATE job SET kind = ?, recurring = ?, subject = ? WHERE recurring = ?', [to, to, `recurring:${to}`, from]);
}
