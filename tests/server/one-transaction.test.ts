import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { openDatabase } from '../../server/src/db/data-source';
import { SQL, type ConstSql, type Sql } from '../../server/src/db/sql';
import { sqlOf, transaction } from '../../server/src/db/tx';
import { Region } from '../../server/src/modules/org/region.entity';
import { createTestDatabase, describeMariaDbOnly, onSqlite } from '../support/database';

// Plain SQL and TypeORM share one transaction: a hook written for one runs inside the other's
// transaction, sees its uncommitted rows, and rolls back with it. On MariaDB (the server's pool,
// with its multi-statement batches) and on the embedded SQLite.

/** A hook written with TypeORM, as a module's stage/owner hooks are. */
const typeormHook = (manager: EntityManager, name: string) => manager.getRepository(Region).insert({ name });
/** A hook written in plain SQL, as the hot paths' are. */
const sqlHook = (sql: Sql, name: string) => sql.exec('INSERT INTO region (name, createdAt) VALUES (?, ?)', [name, new Date()]);

const names = async (db: DataSource, like: string) =>
  ((await db.query('SELECT name FROM region WHERE name LIKE ? ORDER BY name', [`${like}%`])) as { name: string }[]).map((r) => r.name);

class Abandon extends Error {}

interface Target {
  db: DataSource;
  close: () => Promise<void>;
}
const targets: [string, () => Promise<Target>][] = [
  [
    'MariaDB',
    async () => {
      const { db, drop } = await createTestDatabase(4);
      return { db, close: drop };
    },
  ],
  [
    'SQLite',
    async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'anchor-one-tx-'));
      const db = await openDatabase({ dataDir });
      return { db, close: async () => void (await db.destroy(), rmSync(dataDir, { recursive: true, force: true })) };
    },
  ],
];

// the SQLite pass of `npm test` has no MariaDB; the MariaDB pass runs both
describe.each(targets.filter(([kind]) => !(onSqlite && kind === 'MariaDB')))('one transaction on %s', (kind, open) => {
  let target: Target;
  beforeAll(async () => {
    target = await open();
  });
  afterAll(() => target.close());

  it('a TypeORM hook and a plain-SQL hook each see the other’s uncommitted row, and both commit together', async () => {
    const { db } = target;
    const seen = await transaction(db, async (tx) => {
      // TypeORM first: it starts the transaction that the plain SQL then joins (no batch has yet)
      await typeormHook(tx.manager, '提交-甲');
      const bySql = await tx.sql.rows<{ name: string }>(SQL`SELECT name FROM region WHERE name = ?`, ['提交-甲']);
      await sqlHook(sqlOf(tx.manager), '提交-乙');
      const byTypeorm = await tx.manager.getRepository(Region).findOneBy({ name: '提交-乙' });
      // another connection sees neither before the commit (SQLite has one connection, taken in turns)
      const outside = kind === 'MariaDB' ? await names(db, '提交-') : [];
      return { bySql: bySql.map((r) => r.name), byTypeorm: byTypeorm?.name, outside };
    });
    expect(seen).toEqual({ bySql: ['提交-甲'], byTypeorm: '提交-乙', outside: [] });
    expect(await names(db, '提交-')).toEqual(['提交-乙', '提交-甲'].sort());
  });

  it('when the work throws, the TypeORM hook’s row and the plain-SQL hook’s row are both rolled back', async () => {
    const { db } = target;
    await expect(
      transaction(db, async (tx) => {
        // plain SQL first this time: its batch starts the transaction, TypeORM writes inside it
        await sqlHook(tx.sql, '回滚-乙');
        await typeormHook(tx.manager, '回滚-甲');
        expect((await tx.manager.getRepository(Region).findBy({})).map((r) => r.name)).toEqual(expect.arrayContaining(['回滚-甲', '回滚-乙']));
        expect(await tx.sql.rows('SELECT name FROM region WHERE name = ?', ['回滚-甲'])).toHaveLength(1);
        throw new Abandon('放弃');
      }),
    ).rejects.toBeInstanceOf(Abandon);
    expect(await names(db, '回滚-')).toEqual([]);
  });

  // On SQLite a batch's COMMIT is left to the surrounding TypeORM transaction (db/sql.ts, ManagerSql).
  (kind === 'MariaDB' ? it : it.skip)('a batch that commits takes the TypeORM writes made before it along', async () => {
    const { db } = target;
    await expect(
      transaction(db, async (tx) => {
        await typeormHook(tx.manager, '批量-甲');
        await tx.sql.batch([tx.sql.insertStatement('region', [{ name: '批量-乙', createdAt: new Date() }])], { commit: true });
        throw new Abandon('提交之后');
      }),
    ).rejects.toBeInstanceOf(Abandon);
    expect(await names(db, '批量-')).toEqual(['批量-乙', '批量-甲'].sort());
  });
});

describeMariaDbOnly('the multi-statement pool exists only on MariaDB/MySQL', 'the multi-statement pool receives only constant SQL', () => {
  let db: DataSource;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await createTestDatabase(4));
    await db.query("INSERT INTO region (name) VALUES ('留存区')");
    await db.query("INSERT INTO team (name, regionId, createdAt) SELECT '留存', MAX(id), NOW() FROM region");
  });
  afterAll(() => drop());
  const teamsLeft = async () => ((await db.query('SELECT COUNT(*) AS n FROM team')) as { n: number | string }[])[0]!.n;

  it('text outside Sql.batch holding a second statement is refused before it is sent (TypeORM, db.query)', async () => {
    await expect(db.query('SELECT 1; DELETE FROM team')).rejects.toThrow(/one statement per query/);
    await expect(transaction(db, (tx) => tx.manager.query('SELECT 1; DELETE FROM team'))).rejects.toThrow(/one statement per query/);
    expect(Number(await teamsLeft())).toBe(1);
  });

  it('a column name that is not an identifier never reaches the SQL text of an insert', async () => {
    const hostile = { 'name`) VALUES (1); DELETE FROM team; -- ': 'x' };
    await expect(transaction(db, (tx) => tx.sql.insert('region', [hostile]))).rejects.toThrow(/not an SQL identifier/);
    expect(Number(await teamsLeft())).toBe(1);
  });

  it('a batched statement smuggled past the type (a cast) with a second statement in it is refused', async () => {
    const smuggled = { query: 'SELECT 1; DELETE FROM team' as string as ConstSql, params: [] };
    await expect(transaction(db, (tx) => tx.sql.batch([smuggled]))).rejects.toThrow(/holds a ';'/);
    expect(Number(await teamsLeft())).toBe(1);
  });

  it('text built from data does not compile as query text (checked by `npm run typecheck`)', async () => {
    const check = (sql: Sql, customerName: string) => {
      // @ts-expect-error a string built at run time is not constant SQL text
      void sql.rows(`SELECT id FROM customer WHERE name = '${customerName}'`);
      // @ts-expect-error nor is a concatenation
      void sql.exec('DELETE FROM customer WHERE name = ' + customerName);
      // @ts-expect-error nor a statement for a batch
      void sql.batch([{ query: `SELECT ${customerName}`, params: [] }]);
      // @ts-expect-error nor a variable smuggled into the SQL template
      void sql.rows(SQL`SELECT id FROM customer WHERE name = '${`${customerName}`}'`);
      // the literal, and values as parameters, are
      void sql.rows('SELECT id FROM customer WHERE name = ?', [customerName]);
    };
    expect(typeof check).toBe('function');
  });

  it('no code outside db/sql.ts casts its way to ConstSql', () => {
    const root = path.resolve(__dirname, '../../server/src');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (file.endsWith('.ts') && path.relative(root, file) !== path.join('db', 'sql.ts') && /as\s+(string\s+as\s+|unknown\s+as\s+)?ConstSql\b/.test(readFileSync(file, 'utf8'))) {
          offenders.push(path.relative(root, file));
        }
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});
