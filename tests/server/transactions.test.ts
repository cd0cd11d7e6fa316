import type { DataSource } from 'typeorm';
import { constSql, withSqlTransaction } from '../../server/src/db/sql';
import { withTransaction } from '../../server/src/db/transaction';
import { createTestDatabase, describeMariaDbOnly } from '../support/database';

describeMariaDbOnly("MariaDB's isolation level on pooled connections; SQLite has one connection and serializes transactions", 'transaction isolation', () => {
  // Both kinds of transaction run READ COMMITTED (no gap locks between job claimers and finishers):
  // a second read inside the transaction sees what another connection committed in between.
  let db: DataSource;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await createTestDatabase(4));
    await db.query("INSERT INTO region (name) VALUES ('隔离级别')");
  });
  afterAll(() => drop());

  type Query = (sql: 'SELECT name FROM region ORDER BY id LIMIT 1') => Promise<{ name: string }[]>;
  type InTransaction = (work: (query: Query) => Promise<string[]>) => Promise<string[]>;

  const kinds: [string, InTransaction][] = [
    ['plain-SQL transactions', (work) => withSqlTransaction(db, (sql) => work((q) => sql.rows(constSql(q))))],
    ['TypeORM transactions', (work) => withTransaction(db, (manager) => work((q) => manager.query(q)))],
  ];

  it.each(kinds)('%s read what others committed meanwhile, on every pooled connection', async (_kind, inTransaction) => {
    // more transactions than the pool has connections: connections are reused and also fresh
    for (let round = 0; round < 6; round++) {
      const [before, after] = await inTransaction(async (query) => {
        const name = async () => (await query('SELECT name FROM region ORDER BY id LIMIT 1'))[0]!.name;
        const first = await name();
        await db.query('UPDATE region SET name = ? ORDER BY id LIMIT 1', [`第${round}轮`]);
        return [first, await name()];
      });
      expect(after).toBe(`第${round}轮`);
      expect(before).not.toBe(after);
    }
  });
});
