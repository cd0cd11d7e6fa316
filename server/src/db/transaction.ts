import type { DataSource, EntityManager } from 'typeorm';

// TypeORM drives SQLite through one connection: two interleaved transactions would share it.
// On the embedded default, transactions therefore take turns; MySQL/MariaDB needs no such help.
const sqliteTurns = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Every MySQL/MariaDB transaction runs READ COMMITTED: no gap locks, so claimers and finishers of
 * the same index ranges (jobs, outbox) do not deadlock, and each statement reads what is committed.
 */
export async function withTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (dataSource.options.type !== 'better-sqlite3') return dataSource.transaction('READ COMMITTED', work);
  const previous = sqliteTurns.get(dataSource) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(() => dataSource.transaction(work));
  sqliteTurns.set(dataSource, mine);
  return mine;
}

/** A unique-index violation, on either driver. */
export function isDuplicateKeyError(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
