import { TableForeignKey, type MigrationInterface, type QueryRunner } from 'typeorm';

type OnDelete = 'CASCADE' | 'NO ACTION';
/** child table, its column, the parent table (its `id`), and what a parent's delete does to the child */
type Reference = [table: string, column: string, parent: string, onDelete?: OnDelete];

/**
 * Foreign keys where a row must not outlive its parent (issue 12): a visit, task or attachment without its
 * customer or people, a session without its member, history without its customer. Rows that only
 * describe their parent (sessions, consents, history, search grams) go with it; business records
 * (visits, to-dos, photos) keep their parent from being deleted. Nothing deletes a member or a customer
 * today; the waiting visits that are deleted have no to-dos or photos yet.
 *
 * Grouped by table, parents first: on SQLite adding a foreign key rebuilds the table (copy, drop,
 * rename), and a table must be rebuilt before any other table points at it, else its drop would
 * first delete its rows under the children's new keys.
 */
const REFERENCES: Reference[] = [
  ['team', 'regionId', 'region'],
  ['member', 'teamId', 'team'],
  ['member', 'regionId', 'region'],
  ['customer', 'ownerId', 'member'],
  ['customer', 'createdById', 'member'],
  ['visit', 'customerId', 'customer'],
  ['visit', 'memberId', 'member'],
  ['first_touch', 'customerId', 'customer'],
  ['first_touch', 'memberId', 'member'],
  // attachments and tasks point at their owner or subject by kind + id (a visit, a contract…): no key can
  // follow those; what they always have, a customer and people, is kept
  ['attachment', 'customerId', 'customer'],
  ['attachment', 'uploadedById', 'member'],
  ['approval', 'requesterId', 'member'],
  ['task', 'customerId', 'customer'],
  ['task', 'requesterId', 'member'],
  ['task', 'assigneeId', 'member'],
  ['task', 'approvalId', 'approval'],
  ['task_action', 'taskId', 'task', 'CASCADE'],
  ['customer_stage_change', 'customerId', 'customer', 'CASCADE'],
  ['customer_owner_change', 'customerId', 'customer', 'CASCADE'],
  ['customer_search_gram', 'customerId', 'customer', 'CASCADE'],
  ['session', 'memberId', 'member', 'CASCADE'],
  ['idempotency_key', 'memberId', 'member', 'CASCADE'],
  ['subscribe_consent', 'memberId', 'member', 'CASCADE'],
  ['demo_member', 'memberId', 'member', 'CASCADE'],
  ['invite', 'teamId', 'team', 'CASCADE'],
  ['invite', 'memberId', 'member', 'CASCADE'],
  ['team_channel_settings', 'teamId', 'team', 'CASCADE'],
];

export const foreignKeyName = (table: string, column: string) => `fk_${table}_${column}`;

export class ForeignKeys1764968000000 implements MigrationInterface {
  name = 'ForeignKeys1764968000000';

  async up(q: QueryRunner): Promise<void> {
    // Rows left pointing at nothing would make the keys fail half-way with a bare driver error: count
    // them first and say where they are, so an operator can put them right before starting again.
    const orphans: string[] = [];
    for (const [table, column, parent] of REFERENCES) {
      const [row] = (await q.query(
        `SELECT COUNT(*) AS n FROM ${table} c WHERE c.${column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${parent} p WHERE p.id = c.${column})`,
      )) as { n: number | string }[];
      if (Number(row?.n) > 0) orphans.push(`${table}.${column}：${row!.n} 行指向不存在的 ${parent}`);
    }
    if (orphans.length > 0) throw new Error(`无法添加外键，数据库中有失去上级记录的行：${orphans.join('；')}`);

    const tables = [...new Set(REFERENCES.map(([table]) => table))];
    // SQLite rebuilds a table to add a key (copy, drop, rename): with a view over it (todo over task) the
    // rename would be checked against the view while the table is briefly gone; the legacy rename skips that.
    const sqlite = q.connection.options.type === 'better-sqlite3';
    if (sqlite) await q.query('PRAGMA legacy_alter_table = ON');
    for (const table of tables) {
      const keys = REFERENCES.filter(([t]) => t === table).map(
        ([, column, parent, onDelete = 'NO ACTION']) =>
          new TableForeignKey({ name: foreignKeyName(table, column), columnNames: [column], referencedTableName: parent, referencedColumnNames: ['id'], onDelete }),
      );
      // one rebuild per table on SQLite
      await q.createForeignKeys(table, keys);
    }
    if (sqlite) await q.query('PRAGMA legacy_alter_table = OFF');
  }

  async down(q: QueryRunner): Promise<void> {
    const tables = [...new Set(REFERENCES.map(([table]) => table))].reverse();
    for (const table of tables) {
      const found = await q.getTable(table);
      const keys = (found?.foreignKeys ?? []).filter((k) => REFERENCES.some(([t, c]) => t === table && k.columnNames.length === 1 && k.columnNames[0] === c));
      if (keys.length > 0) await q.dropForeignKeys(table, keys);
    }
  }
}
