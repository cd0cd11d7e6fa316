import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addColumnsInPlace, dropColumns } from '../../../db/add-columns';

/**
 * member.joinedAt: when the member joined the company (入职), for "new reps' days to first signed deal"
 * and "joined within 90 days". Members stored before this joined when they were created. On MariaDB the
 * column is NOT NULL and defaults to now; on SQLite (ADD COLUMN takes no expression default) it may be
 * null for a row written by raw SQL, which reads as its createdAt (OrgService / memberView).
 */
export class MemberJoinedAt1765210000000 implements MigrationInterface {
  name = 'MemberJoinedAt1765210000000';

  async up(q: QueryRunner): Promise<void> {
    await addColumnsInPlace(q, 'member', [{ name: 'joinedAt', type: 'datetime' }]);
    await q.query('UPDATE member SET joinedAt = createdAt WHERE joinedAt IS NULL');
    if (q.connection.options.type !== 'better-sqlite3') {
      await q.query('ALTER TABLE member MODIFY joinedAt datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)');
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await dropColumns(q, 'member', ['joinedAt']);
  }
}
