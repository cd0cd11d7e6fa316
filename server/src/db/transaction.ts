import { isDatabaseUnavailable } from './guard';

export { transaction, withTransaction, type Tx } from './tx';

/** A unique-index violation, on either driver. */
export function isDuplicateKeyError(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Codes of a database error that says "not now" rather than "no": a lock wait timeout, a deadlock, a
 * connection lost, refused or reset, a statement killed or over its time. The same request later may
 * well work, so a caller that can be asked again (a platform callback) answers 503 and is retried.
 */
const TRANSIENT_DB_CODES = new Set([
  'ER_LOCK_WAIT_TIMEOUT', 'ER_LOCK_DEADLOCK', 'ER_QUERY_INTERRUPTED', 'ER_STATEMENT_TIMEOUT', 'ER_QUERY_TIMEOUT',
  'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN', 'ER_CONNECTION_KILLED',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH',
  'SQLITE_BUSY', 'SQLITE_LOCKED',
]);
/** The same by MySQL/MariaDB error number (1205 lock wait, 1213 deadlock, 1317 interrupted, 1969 max_statement_time, 1927 killed). */
const TRANSIENT_DB_ERRNOS = new Set([1205, 1213, 1317, 1969, 3024, 1040, 1053, 1927, 2006, 2013]);

export function isTransientDbError(error: unknown): boolean {
  const e = error as { code?: string; errno?: number; driverError?: { code?: string; errno?: number }; message?: string };
  if (!e || typeof e !== 'object') return false;
  const code = e.driverError?.code ?? e.code;
  const errno = e.driverError?.errno ?? e.errno;
  if (code && TRANSIENT_DB_CODES.has(code)) return true;
  // the pool's own bounds (a wait or a statement past its timeout, a full queue) say the same
  if (isDatabaseUnavailable(error)) return true;
  if (typeof errno === 'number' && TRANSIENT_DB_ERRNOS.has(errno)) return true;
  // mysql2 when the pool's connection is gone before the query is sent
  return /Can't add new command when connection is in closed state|Connection lost|connection is in closed state/i.test(e.message ?? '');
}
