import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { stackedQuery, refuseStackedStatements } from './one-statement';
import { ConnectionSql, ManagerSql, type MysqlConnection, type Sql } from './sql';

/**
 * One transaction, two ways to write in it: `sql` (plain SQL, batched on MySQL/MariaDB) and
 * `manager` (TypeORM). Both run on the same connection inside the same transaction, so a hook
 * written with either sees what the other wrote and rolls back with it.
 */
export interface Tx {
  sql: Sql;
  manager: EntityManager;
}

/** The Sql of the transaction a manager belongs to, for code handed only the manager (hooks). */
const sqlOfManager = new WeakMap<EntityManager, Sql>();

// TypeORM drives SQLite through one connection: two interleaved transactions would share it.
// On the embedded default, transactions therefore take turns; MySQL/MariaDB needs no such help.
const sqliteTurns = new WeakMap<DataSource, Promise<unknown>>();

const DEADLOCK = 'ER_LOCK_DEADLOCK';
const isDeadlock = (error: unknown) => {
  const e = error as { code?: string; driverError?: { code?: string } } | null;
  return (e?.driverError?.code ?? e?.code) === DEADLOCK;
};

/**
 * Runs `work` in one transaction. Every MySQL/MariaDB transaction runs READ COMMITTED: no gap
 * locks, so claimers and finishers of the same index ranges (jobs, outbox) do not deadlock, and each
 * statement reads what is committed.
 *
 * On MySQL/MariaDB the transaction holds one pooled connection: `tx.sql` sends on it directly (START
 * TRANSACTION rides with the first batch, COMMIT with the last), and `tx.manager` is a TypeORM query
 * runner on the same connection, told a transaction is active, so TypeORM (its save()) neither opens
 * one of its own nor commits; its first statement starts the transaction if no batch has yet. A deadlock victim is
 * rolled back and run again (up to five times) when the work never asked for `tx.manager`: TypeORM
 * work may have filled entity objects from outside the work (ids), so rerunning it is not known safe.
 */
export async function transaction<T>(db: DataSource, work: (tx: Tx) => Promise<T>): Promise<T> {
  if (db.options.type === 'better-sqlite3') {
    const previous = sqliteTurns.get(db) ?? Promise.resolve();
    const mine = previous
      .catch(() => undefined)
      .then(() =>
        db.transaction((manager) => {
          const sql = new ManagerSql(manager);
          sqlOfManager.set(manager, sql);
          return work({ sql, manager });
        }),
      );
    sqliteTurns.set(db, mine);
    return mine;
  }
  // openDatabase installs it; a data source opened otherwise (a test's) gets it here, before use.
  refuseStackedStatements(db);
  const driver = db.driver as unknown as { obtainMasterConnection(): Promise<MysqlConnection> };
  for (let attempt = 1; ; attempt++) {
    const conn = await driver.obtainMasterConnection();
    const sql = new ConnectionSql(conn, stackedQuery(conn));
    // TypeORM's runner is made only when the work asks for `tx.manager`: the hot paths never do.
    let runner: QueryRunner | null = null;
    const manager = () => {
      if (!runner) runner = typeormOn(db, conn, sql);
      return runner.manager;
    };
    try {
      try {
        const result = await work({
          sql,
          get manager() {
            return manager();
          },
        });
        await sql.commit();
        return result;
      } catch (error) {
        await sql.rollback();
        throw error;
      }
    } catch (error) {
      if (isDeadlock(error) && !runner && attempt < 5) {
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
        continue;
      }
      throw error;
    } finally {
      if (runner) {
        const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number; isReleased: boolean };
        state.isTransactionActive = false;
        state.transactionDepth = 0;
        state.isReleased = true; // the connection goes back below, once
      }
      conn.release();
    }
  }
}

/**
 * A TypeORM query runner on the transaction's connection, told a transaction is active (so save()
 * neither opens nor commits one); its first statement starts the transaction if no batch has yet.
 */
function typeormOn(db: DataSource, conn: MysqlConnection, sql: ConnectionSql): QueryRunner {
  const runner = db.createQueryRunner('master');
  const state = runner as unknown as { databaseConnection: MysqlConnection; isTransactionActive: boolean; transactionDepth: number };
  state.databaseConnection = conn;
  state.isTransactionActive = true;
  state.transactionDepth = 1;
  const query = runner.query.bind(runner) as QueryRunner['query'];
  runner.query = (async (text: string, params?: unknown[], structured?: boolean) => {
    await sql.begin();
    return query(text, params, structured as true);
  }) as QueryRunner['query'];
  sqlOfManager.set(runner.manager, sql);
  return runner;
}

/** A transaction for TypeORM work; `sqlOf(manager)` gives the plain SQL of the same transaction. */
export function withTransaction<T>(db: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return transaction(db, (tx) => work(tx.manager));
}

/** A transaction for plain-SQL work (see `transaction`). */
export function withSqlTransaction<T>(db: DataSource, work: (sql: Sql) => Promise<T>): Promise<T> {
  return transaction(db, (tx) => work(tx.sql));
}

/** The plain SQL of the transaction `manager` belongs to (the same connection and transaction). */
export function sqlOf(manager: EntityManager): Sql {
  return sqlOfManager.get(manager) ?? new ManagerSql(manager);
}
