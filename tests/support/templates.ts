import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';

/**
 * Test databases cloned from templates built once per jest run: the migrated schema (every server test
 * file starts from it) and the demo (every end-to-end file starts the product on it). Migrating a fresh
 * MariaDB database costs about a second and the demo seed about six; a clone costs a fraction of either.
 * A template belongs to one run (ANCHOR_TEST_RUN, set by jest.config.js and inherited by its workers), so
 * a changed migration or seed is never served from an older run's copy; jest's global teardown drops them.
 */
export const TEST_RUN = process.env.ANCHOR_TEST_RUN ?? `p${process.pid}`;

/** The table whose presence marks a template as complete (a worker that died while building left none). */
const READY = 'zz_template_ready';

export const templateName = (kind: 'schema' | 'demo') => `anchor_tpl_${TEST_RUN}_${kind}`;

const built = new Set<string>();

/**
 * Builds the template once (the first worker to ask, holding a MariaDB lock meanwhile; the others wait
 * on the lock), then returns its name. `build` fills the freshly created, empty database named.
 */
export async function mariadbTemplate(admin: Connection, kind: 'schema' | 'demo', build: (name: string) => Promise<void>): Promise<string> {
  const name = templateName(kind);
  if (built.has(name)) return name;
  const [[lock]] = (await admin.query('SELECT GET_LOCK(?, 600) AS got', [name])) as unknown as [[{ got: number | null }]];
  if (lock?.got !== 1) throw new Error(`the test template ${name} stayed locked for 10 minutes`);
  try {
    const [ready] = (await admin.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [name, READY])) as unknown as [unknown[]];
    if (ready.length === 0) {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await build(name);
      await admin.query(`CREATE TABLE \`${name}\`.\`${READY}\` (id INT)`);
    }
  } finally {
    await admin.query('SELECT RELEASE_LOCK(?)', [name]);
  }
  built.add(name);
  return name;
}

/**
 * Per template: its tables' CREATE statements (foreign keys and AUTO_INCREMENT included) with their
 * copyable columns, and its views' (the schema has some: tasks' `todo`), named unqualified.
 */
const layouts = new Map<string, { tables: { table: string; create: string; columns: string }[]; views: string[] }>();

async function layoutOf(admin: Connection, template: string) {
  const known = layouts.get(template);
  if (known) return known;
  const [tables] = (await admin.query("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> ? ORDER BY TABLE_NAME", [template, READY])) as unknown as [{ t: string }[]];
  // generated columns are computed again by the copy, and refuse a value
  const [cols] = (await admin.query("SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND EXTRA NOT LIKE '%GENERATED%' ORDER BY TABLE_NAME, ORDINAL_POSITION", [template])) as unknown as [{ t: string; c: string }[]];
  const layout = { tables: [] as { table: string; create: string; columns: string }[], views: [] as string[] };
  for (const { t } of tables) {
    const [[row]] = (await admin.query(`SHOW CREATE TABLE \`${template}\`.\`${t}\``)) as unknown as [[Record<string, string>]];
    layout.tables.push({ table: t, create: row!['Create Table']!, columns: cols.filter((c) => c.t === t).map((c) => `\`${c.c}\``).join(', ') });
  }
  const [views] = (await admin.query("SELECT TABLE_NAME AS t FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME", [template])) as unknown as [{ t: string }[]];
  for (const { t } of views) {
    const [[row]] = (await admin.query(`SHOW CREATE VIEW \`${template}\`.\`${t}\``)) as unknown as [[Record<string, string>]];
    // MariaDB writes the view's columns qualified with the template's name
    layout.views.push(row!['Create View']!.split(`\`${template}\`.`).join(''));
  }
  layouts.set(template, layout);
  return layout;
}

/** A copy of the template under `target` (already created, empty): same tables, keys, counters and rows. */
export async function cloneMariadb(admin: Connection, template: string, target: string): Promise<void> {
  const layout = await layoutOf(admin, template);
  // one round trip: the admin connection allows several statements (tests/support/database.ts)
  const statements = ['SET FOREIGN_KEY_CHECKS = 0', `USE \`${target}\``];
  for (const { table, create, columns } of layout.tables) {
    statements.push(create, `INSERT INTO \`${target}\`.\`${table}\` (${columns}) SELECT ${columns} FROM \`${template}\`.\`${table}\``);
  }
  statements.push(...layout.views);
  statements.push('SET FOREIGN_KEY_CHECKS = 1');
  await admin.query(statements.join(';\n'));
}

/**
 * SQLite: the migrated file, built once per run under /dev/shm (or the test directory), copied into each
 * new test directory. Two workers may build it at once; the first rename wins and the other's is dropped.
 */
export async function sqliteSchemaTemplate(parentDir: string, build: (dir: string) => Promise<void>): Promise<string> {
  const dir = path.join(parentDir, `anchor-tpl-${TEST_RUN}-schema`);
  if (existsSync(path.join(dir, 'anchor.sqlite'))) return dir;
  const scratch = mkdtempSync(path.join(parentDir, `anchor-tpl-${TEST_RUN}-building-`));
  await build(scratch);
  try {
    renameSync(scratch, dir);
  } catch {
    rmSync(scratch, { recursive: true, force: true });
  }
  return dir;
}

export function copySqliteTemplate(template: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(template, 'anchor.sqlite'), path.join(dir, 'anchor.sqlite'));
}
