import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * - demo_member: the members the demo seed created. Its rows mark a database as the demo's (ANCHOR_DEMO=1
 *   refuses any other), and only they may use dev-login.
 * - photo (uploadedById, createdAt): the per-member daily photo quota counts today's uploads.
 */
export class Hardening1764880000000 implements MigrationInterface {
  name = 'Hardening1764880000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'demo_member',
        columns: [
          { name: 'memberId', type: 'int', isPrimary: true },
          { name: 'phone', type: 'varchar', length: '20', isUnique: true },
        ],
      }),
    );
    // A demo database seeded before this table existed: the seed gave each member the WeCom id demo_<phone>.
    const seeded = (await q.query('SELECT id, phone, wecomUserId FROM member WHERE wecomUserId IS NOT NULL')) as { id: number; phone: string; wecomUserId: string }[];
    for (const m of seeded.filter((row) => row.wecomUserId === `demo_${row.phone}`)) {
      await q.query('INSERT INTO demo_member (memberId, phone) VALUES (?, ?)', [m.id, m.phone]);
    }
    await q.createIndex('photo', new TableIndex({ name: 'idx_photo_uploader', columnNames: ['uploadedById', 'createdAt'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('photo', 'idx_photo_uploader');
    await q.dropTable('demo_member');
  }
}
