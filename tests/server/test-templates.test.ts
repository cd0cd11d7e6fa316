import type { DataSource } from 'typeorm';
import { createTestDatabase, onSqlite } from '../support/database';
import { serverModules } from '../../server/src/modules';

// Test databases are copies of a template migrated once per run (tests/support/templates.ts). A copy must be
// the schema the migrations make, to the column, key, foreign key and view: every other test stands on it.
// Passing the module list forces a database migrated on its own, to compare with.

/** The schema as the database itself reports it, without what differs between any two databases. */
async function schemaOf(db: DataSource): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (onSqlite) {
    const rows = (await db.query("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")) as { type: string; name: string; sql: string | null }[];
    for (const r of rows) out[`${r.type} ${r.name}`] = r.sql ?? '';
    return out;
  }
  const [{ name }] = (await db.query('SELECT DATABASE() AS name')) as { name: string }[];
  const objects = (await db.query('SELECT TABLE_NAME AS t, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [name])) as { t: string; type: string }[];
  for (const { t, type } of objects) {
    const view = type === 'VIEW';
    const [row] = (await db.query(`SHOW CREATE ${view ? 'VIEW' : 'TABLE'} \`${t}\``)) as Record<string, string>[];
    out[`${view ? 'view' : 'table'} ${t}`] = row![view ? 'Create View' : 'Create Table']!
      .replace(/ AUTO_INCREMENT=\d+/, '')
      .split(`\`${name}\`.`)
      .join('');
  }
  return out;
}

async function rowsOf(db: DataSource, sql: string): Promise<unknown[]> {
  return (await db.query(sql)) as unknown[];
}

it('a copied test database has the schema and the migration record of a freshly migrated one', async () => {
  const copy = await createTestDatabase();
  const migrated = await createTestDatabase(8, undefined, serverModules());
  try {
    const [a, b] = [await schemaOf(copy.db), await schemaOf(migrated.db)];
    expect(Object.keys(a).length).toBeGreaterThan(50);
    expect(Object.keys(a).some((k) => k.startsWith('view '))).toBe(true);
    expect(a).toEqual(b);
    const applied = 'SELECT name FROM migrations ORDER BY id';
    expect(await rowsOf(copy.db, applied)).toEqual(await rowsOf(migrated.db, applied));
  } finally {
    await copy.drop();
    await migrated.drop();
  }
});

it('copies are independent: a row written in one is not in another', async () => {
  const first = await createTestDatabase();
  const second = await createTestDatabase();
  try {
    await first.db.query("INSERT INTO region (name) VALUES ('只在第一个库')");
    const count = async (db: DataSource) => Number(((await db.query("SELECT COUNT(*) AS n FROM region WHERE name = '只在第一个库'")) as { n: number }[])[0]!.n);
    expect(await count(first.db)).toBe(1);
    expect(await count(second.db)).toBe(0);
  } finally {
    await first.drop();
    await second.drop();
  }
});
