import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { migrationColumns } from '../../db/migration-columns';

/**
 * attachment: one table for every module's files (owner kind + id, purpose, size, sniffed type,
 * checksum, storage key). Every photo row moves over with its id (visits' photoIds and first touches'
 * evidencePhotoId keep pointing at it) and its storage key (its file stays where it is); the old
 * photo table is no longer read or written, and is kept only until a later migration drops it.
 */
export class Attachments1764961000000 implements MigrationInterface {
  name = 'Attachments1764961000000';

  async up(q: QueryRunner): Promise<void> {
    const { id, int, str, ts, created, index } = migrationColumns(q);
    await q.createTable(
      new Table({
        name: 'attachment',
        columns: [
          id(),
          str('ownerKind', 30, true), int('ownerId', true), str('purpose', 30), int('customerId', true), int('uploadedById'),
          int('size'), str('contentType', 100), str('sha256', 64, true), str('storageKey', 200),
          created(), ts('attachedAt', true),
        ],
        indices: [
          index('idx_attachment_owner', ['ownerKind', 'ownerId']),
          index('idx_attachment_uploader', ['uploadedById', 'createdAt']),
          index('idx_attachment_unattached', ['attachedAt', 'createdAt']),
        ],
      }),
      true,
    );
    // Attached photos count as attached when they were uploaded (the photo table kept no other time).
    await q.query(
      `INSERT INTO attachment (id, ownerKind, ownerId, purpose, customerId, uploadedById, size, contentType, sha256, storageKey, createdAt, attachedAt)
       SELECT id,
              CASE WHEN visitId IS NOT NULL THEN 'visit' WHEN firstTouchId IS NOT NULL THEN 'first_touch' ELSE NULL END,
              COALESCE(visitId, firstTouchId), 'photo', customerId, uploadedById, bytes, mimeType, NULL, storageKey, createdAt,
              CASE WHEN visitId IS NOT NULL OR firstTouchId IS NOT NULL THEN createdAt ELSE NULL END
       FROM photo ORDER BY id`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // Photos uploaded since go back to the photo table; other purposes have nowhere to go.
    await q.query(
      `INSERT INTO photo (id, storageKey, mimeType, bytes, uploadedById, visitId, firstTouchId, customerId, createdAt)
       SELECT id, storageKey, contentType, size, uploadedById,
              CASE WHEN ownerKind = 'visit' THEN ownerId ELSE NULL END, CASE WHEN ownerKind = 'first_touch' THEN ownerId ELSE NULL END, customerId, createdAt
       FROM attachment WHERE purpose = 'photo' AND id NOT IN (SELECT id FROM photo)`,
    );
    await q.dropTable('attachment');
  }
}
