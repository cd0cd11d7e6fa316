import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createConnection, type Connection } from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import type { AnyModule } from '../../server/src/modules/module';
import { openDatabase, type DatabaseLimits } from '../../server/src/db/data-source';
import { cloneMariadb, copySqliteTemplate, mariadbTemplate, sqliteSchemaTemplate } from './templates';

/**
 * Which database the server and channel suites run on: MariaDB (`npm test` starts one and sets
 * DATABASE_URL) or, with ANCHOR_TEST_DB=sqlite, the embedded SQLite that `npm start` uses by default
 * (a fresh file per test database, in a tmpfs directory when there is one).
 */
export type TestDatabaseKind = 'mariadb' | 'sqlite';
export function testDatabaseKind(): TestDatabaseKind {
  return process.env.ANCHOR_TEST_DB === 'sqlite' ? 'sqlite' : 'mariadb';
}
export const onSqlite = testDatabaseKind() === 'sqlite';

/** A SQLite test database is named by a URL of its data directory, so tests can pass it on as they pass a MySQL URL. */
const SQLITE_SCHEME = 'sqlite:';

/** Tests about MariaDB itself (its faults, its connections, its locks): skipped on the SQLite pass, with the reason in their title. */
export function describeMariaDbOnly(reason: string, name: string, fn: () => void): void {
  (onSqlite ? describe.skip : describe)(`${name} [MariaDB only: ${reason}]`, fn);
}
export function itMariaDbOnly(reason: string, name: string, fn: () => Promise<unknown>, timeout?: number): void {
  (onSqlite ? it.skip : it)(`${name} [MariaDB only: ${reason}]`, fn, timeout);
}

/** A time bound to a test's raw query: mysql2 converts a Date itself; on SQLite it is stored as UTC text, as the server stores it (db/sql.ts). */
export function sqlTime(date: Date): Date | string {
  return onSqlite ? date.toISOString().replace('T', ' ').replace('Z', '') : date;
}

/** The environment that points a server (`readEnv`, a spawned `npm start`) at a test database. */
export function databaseEnv(url: string): Record<string, string> {
  // The embedded default is a demo unless told otherwise; a test database is not (as with a MySQL URL).
  if (url.startsWith(SQLITE_SCHEME)) return { ANCHOR_DATA_DIR: url.slice(SQLITE_SCHEME.length), ANCHOR_DEMO: '0' };
  return { DATABASE_URL: url };
}

/** Tests run against a real MySQL/MariaDB: `npm test` provides one in DATABASE_URL. */
export function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests with `npm test`, which starts a throwaway MariaDB');
  return url;
}

/** tmpfs when the machine has one: SQLite's fsyncs cost nothing there. */
function sqliteParentDir(): string {
  const dir = process.env.ANCHOR_TEST_SQLITE_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
  return dir;
}

/** A fresh database per test file, migrated, dropped again by `drop`. */
export async function createTestDatabase(poolSize = 8, limits?: DatabaseLimits, modules?: readonly AnyModule[]): Promise<{ db: DataSource; url: string; drop: () => Promise<void> }> {
  if (onSqlite) {
    const parent = sqliteParentDir();
    const dir = mkdtempSync(path.join(parent, 'anchor-t-'));
    // the full schema is copied from the run's migrated file; a module subset is migrated on its own
    if (!modules) {
      const template = await sqliteSchemaTemplate(parent, async (scratch) => {
        const db = await openDatabase({ dataDir: scratch });
        await db.query('PRAGMA wal_checkpoint(TRUNCATE)');
        await db.destroy();
      });
      copySqliteTemplate(template, dir);
    }
    const db = await openDatabase({ dataDir: dir, modules });
    const url = `${SQLITE_SCHEME}${dir}`;
    openSqlite.set(url, db);
    return {
      db,
      url,
      drop: async () => {
        openSqlite.delete(url);
        if (db.isInitialized) await db.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const { admin, urlOf } = await adminConnection();
  const template = modules
    ? null
    : await mariadbTemplate(admin, 'schema', async (name) => {
        const db = await openDatabase({ url: urlOf(name), dataDir: '/nonexistent', poolSize: 1 });
        await db.destroy();
      });
  const { url, drop } = await newMariadbDatabase(admin, urlOf, template);
  const db = await openDatabase({ url, dataDir: '/nonexistent', poolSize, limits, modules });
  return {
    db,
    url,
    drop: async () => {
      if (db.isInitialized) await db.destroy();
      await drop();
    },
  };
}

/**
 * A MariaDB database holding the demo as a fresh `npm start` seeds it, cloned from the run's demo template;
 * `seed` builds that template the first time (given its URL, an empty database). Not migrated or opened here.
 */
export async function createDemoDatabase(seed: (url: string) => Promise<void>): Promise<{ url: string; drop: () => Promise<void> }> {
  const { admin, urlOf } = await adminConnection();
  const template = await mariadbTemplate(admin, 'demo', (name) => seed(urlOf(name)));
  return newMariadbDatabase(admin, urlOf, template);
}

/** A connection to the test server outside any database (several statements allowed: template clones). */
async function adminConnection(): Promise<{ admin: Connection; urlOf: (database: string) => string }> {
  const base = new URL(serverUrl());
  const admin = await createConnection({
    host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password), multipleStatements: true,
  });
  const urlOf = (database: string) => {
    const url = new URL(base);
    url.pathname = `/${database}`;
    return url.toString();
  };
  return { admin, urlOf };
}

/** A new database of this process, as a copy of `template` when given; `drop` removes it and ends `admin`. */
async function newMariadbDatabase(admin: Connection, urlOf: (database: string) => string, template: string | null): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `anchor_t_${process.pid}_${randomBytes(3).toString('hex')}`;
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  if (template) await cloneMariadb(admin, template, name);
  return {
    url: urlOf(name),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    },
  };
}

/**
 * The SQLite test databases of this process. A second server in the same process shares the first one's
 * connection: better-sqlite3 waits for another connection's file lock synchronously, which would stop
 * the very event loop the lock holder needs to finish. On one connection, the servers' transactions take
 * turns (db/transaction.ts), as separate processes on one file take turns for its write lock.
 */
const openSqlite = new Map<string, DataSource>();

/** Opens an existing test database (a second server on the same data); closing leaves the data. */
export async function attachDatabase(url: string, limits?: DatabaseLimits, modules?: readonly AnyModule[]): Promise<{ db: DataSource; url: string; drop: () => Promise<void> }> {
  const shared = openSqlite.get(url);
  if (shared) return { db: shared, url, drop: async () => undefined };
  const db = url.startsWith(SQLITE_SCHEME)
    ? await openDatabase({ dataDir: url.slice(SQLITE_SCHEME.length), modules })
    : await openDatabase({ url, dataDir: '/nonexistent', poolSize: 8, limits, modules });
  return { db, url, drop: async () => void (db.isInitialized && (await db.destroy())) };
}
