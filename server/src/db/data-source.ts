import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { guardDatabase } from './guard';
import { refuseStackedStatements } from './one-statement';
import { schemaOf } from './schema';
import type { AnyModule } from '../modules/module';

export interface DatabaseOptions {
  /** mysql://user:pass@host:port/db — absent means the embedded SQLite file. */
  url?: string | undefined;
  dataDir: string;
  poolSize?: number;
  /** policy `database`: bounds on waiting for MySQL/MariaDB (db/guard.ts); absent, waits are unbounded */
  limits?: DatabaseLimits | undefined;
  /** the modules whose tables it holds (default: the server's list, modules/index.ts) */
  modules?: readonly AnyModule[];
}

export interface DatabaseLimits {
  queryTimeoutSeconds: number;
  acquireTimeoutSeconds: number;
  queueLimit: number;
}

export function createDataSource(options: DatabaseOptions): DataSource {
  const { entities, migrations } = schemaOf(options.modules);
  if (options.url) {
    return new DataSource({
      type: options.url.startsWith('mariadb:') ? 'mariadb' : 'mysql',
      url: options.url.replace(/^mariadb:/, 'mysql:'),
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      entities,
      migrations,
      migrationsTransactionMode: 'each',
      poolSize: options.poolSize ?? 16,
      supportBigNumbers: true,
      // Lets the hot paths send several parameterized statements in one round trip (db/sql.ts): only
      // Sql.batch, whose text is constant by type, may; any other text is refused a ';' (db/one-statement.ts).
      multipleStatements: true,
      ...(options.limits
        ? {
            // a connection that cannot be opened (refused, or a server that never answers the handshake)
            connectTimeout: Math.round(options.limits.acquireTimeoutSeconds * 1000),
            // requests waiting for a pooled connection beyond this are refused at once (503)
            extra: { queueLimit: options.limits.queueLimit },
          }
        : {}),
    });
  }
  mkdirSync(options.dataDir, { recursive: true });
  return new DataSource({
    type: 'better-sqlite3',
    database: path.join(options.dataDir, 'anchor.sqlite'),
    entities,
    migrations,
    enableWAL: true,
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('busy_timeout = 5000');
    },
  });
}

export function isSqlite(dataSource: DataSource): boolean {
  return dataSource.options.type === 'better-sqlite3';
}

/**
 * SQLite: every transaction takes the file's write lock when it begins (BEGIN IMMEDIATE), not at its
 * first write. A deferred transaction that has read and then writes cannot wait for another process's
 * lock (its snapshot would be stale) and fails at once with "database is locked"; an immediate one
 * waits its busy_timeout like any writer, so two processes on one file (a server and its successor
 * during a restart, two servers on one disk) take turns instead of failing. TypeORM drives SQLite
 * through one query runner, whose BEGIN is switched here.
 */
function beginImmediate(dataSource: DataSource): void {
  const runner = dataSource.driver.createQueryRunner('master');
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  (runner as { query: (...args: unknown[]) => Promise<unknown> }).query = (sql: unknown, ...rest: unknown[]) =>
    query(sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql, ...rest);
}

/** Opens the database and brings its schema up to date. */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  if (isSqlite(dataSource)) beginImmediate(dataSource);
  await dataSource.runMigrations({ transaction: 'each' });
  // After the migrations (their text is the code's own): from here on only Sql.batch may send several statements.
  refuseStackedStatements(dataSource);
  // After the migrations: a schema change on a large table may rightly take longer than a request may wait.
  if (options.limits) {
    guardDatabase(dataSource, {
      queryTimeoutMs: Math.round(options.limits.queryTimeoutSeconds * 1000),
      acquireTimeoutMs: Math.round(options.limits.acquireTimeoutSeconds * 1000),
    });
  }
  return dataSource;
}
