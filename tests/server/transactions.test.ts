import type { DataSource } from 'typeorm';
import { withSqlTransaction } from '../../server/src/db/sql';
import { withTransaction } from '../../server/src/db/transaction';
import { createTestDatabase } from '../support/database';

// Both kinds of transaction run READ COMMITTED (no gap locks between job claimers and finishers):
// a second read inside the transaction sees what another connection committed in between.
let db: DataSource;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ db, drop } = await createTestDatabase(4));
  await db.query("INSERT INTO region (name) VALUES ('隔离级别')");
});
afterAll(() => drop());

const regionName = async (read: (query: string) => Promise<{ name: string }[]>) => (await read('SELECT name FROM region ORDER BY id LIMIT 1'))[0]!.name;
const renameElsewhere = (name: string) => db.query('UPDATE region SET name = ? ORDER BY id LIMIT 1', [name]);

it('plain-SQL transactions read what others committed meanwhile, on every pooled connection', async () => {
  // more transactions than the pool has connections: connections are reused and also fresh
  for (let round = 0; round < 6; round++) {
    const seen = await withSqlTransaction(db, async (sql) => {
      const before = await regionName((q) => sql.rows(q));
      await renameElsewhere(`第${round}轮`);
      return [before, await regionName((q) => sql.rows(q))];
    });
    expect(seen[1]).toBe(`第${round}轮`);
    expect(seen[0]).not.toBe(seen[1]);
  }
});

it('TypeORM transactions do too', async () => {
  for (let round = 0; round < 6; round++) {
    const seen = await withTransaction(db, async (manager) => {
      const before = await regionName((q) => manager.query(q));
      await renameElsewhere(`第${round}次`);
      return [before, await regionName((q) => manager.query(q))];
    });
    expect(seen).toEqual([round === 0 ? '第5轮' : `第${round - 1}次`, `第${round}次`]);
  }
});
