import { Table, TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { customerNameKey } from '@anchor/shared';
import { indexCustomers, SEARCH_GRAM_TABLE, SEARCH_TEXT_LENGTH } from '../../modules/customers/customer-search';
import { isDuplicateKeyError } from '../transaction';

/**
 * Customer search by name, contact and phone fragments (modules/customers/customer-search.ts):
 * the folded `customer.searchText` and the gram table, filled for the customers already stored.
 * Also re-folds duplicate-name keys, which now ignore invisible characters.
 */
export class CustomerSearch1764870000000 implements MigrationInterface {
  name = 'CustomerSearch1764870000000';

  async up(q: QueryRunner): Promise<void> {
    const sqlite = q.connection.options.type === 'better-sqlite3';
    await q.addColumn('customer', new TableColumn({ name: 'searchText', type: 'varchar', length: String(SEARCH_TEXT_LENGTH), isNullable: true }));
    await q.createTable(
      new Table({
        name: SEARCH_GRAM_TABLE,
        columns: [
          // Binary: grams are compared exactly ("fé" is not "fe"; the default collation would call them one key).
          { name: 'gram', type: 'varchar', length: '4', isPrimary: true, ...(sqlite ? {} : { charset: 'utf8mb4', collation: 'utf8mb4_bin' }) },
          { name: 'ownerId', type: 'int', isPrimary: true },
          { name: 'customerId', type: 'int', isPrimary: true },
        ],
      }),
      true,
    );

    let lastId = 0;
    for (;;) {
      const rows: { id: number; name: string; nameKey: string }[] = await q.query('SELECT id, name, nameKey FROM customer WHERE id > ? ORDER BY id LIMIT 1000', [lastId]);
      if (rows.length === 0) break;
      for (const row of rows) {
        const key = customerNameKey(row.name);
        if (key === row.nameKey || key === '') continue;
        try {
          await q.query('UPDATE customer SET nameKey = ? WHERE id = ?', [key, row.id]);
        } catch (error) {
          // Two stored names that differ only by invisible characters: both stay, as before.
          if (!isDuplicateKeyError(error)) throw error;
        }
      }
      await indexCustomers(q.manager, rows.map((r) => Number(r.id)));
      lastId = Number(rows[rows.length - 1]!.id);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable(SEARCH_GRAM_TABLE, true);
    await q.dropColumn('customer', 'searchText');
  }
}
