import type { DataSource } from 'typeorm';

/**
 * Bounds on waiting for MySQL/MariaDB, so that a database that is down, frozen or saturated turns
 * into a prompt 503 rather than a request held open. mysql2 has a connect timeout and a queue limit
 * of its own (set in data-source.ts) but no bound on waiting in the pool's queue and no default
 * per-query timeout, and its query timeout leaves the connection in use: those two are added here,
 * on the pool itself, so they hold for TypeORM and for the plain-SQL hot paths (db/sql.ts) alike.
 */
export interface DatabaseGuard {
  /** one statement; past this its connection is destroyed (the server rolls its transaction back) */
  queryTimeoutMs: number;
  /** opening a connection or waiting for a free one */
  acquireTimeoutMs: number;
}

/** Error codes (on the error or its driverError) that mean the database cannot answer now. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'POOL_ACQUIRE_TIMEOUT',
  'POOL_ENQUEUELIMIT',
  'POOL_CLOSED',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'SQLITE_BUSY',
]);

interface DriverLikeError {
  code?: unknown;
  fatal?: unknown;
  message?: unknown;
  driverError?: DriverLikeError;
}

/** True for an error that says the database is unreachable, lost, frozen or overloaded (not a bad query). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error as DriverLikeError | undefined, depth = 0; e && typeof e === 'object' && depth < 3; e = e.driverError, depth++) {
    if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
    // mysql2 marks every connection-level failure fatal (refused, reset, handshake timeout, closed state)
    if (e.fatal === true) return true;
    if (typeof e.message === 'string' && /^(Pool is closed\.|Queue limit reached\.|Can't add new command when connection is in closed state)$/.test(e.message)) return true;
  }
  return false;
}

type Callback = (err: (Error & { code?: string }) | null, result?: unknown, fields?: unknown) => void;
interface GuardedConnection {
  query(sql: unknown, values?: unknown, cb?: unknown): unknown;
  destroy(): void;
  release(): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
  stream?: { destroy?: () => void };
  __anchorGuarded?: boolean;
}
interface Pool {
  getConnection(cb: (err: (Error & { code?: string }) | null, conn?: GuardedConnection) => void): void;
  __anchorGuarded?: boolean;
}

function codedError(message: string, code: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

function guardConnection(conn: GuardedConnection, queryTimeoutMs: number): void {
  if (conn.__anchorGuarded) return;
  conn.__anchorGuarded = true;
  // mysql2 listens once for a connection's 'error'; a second one (a write on a dead socket) would
  // otherwise be an uncaught exception that ends the process.
  conn.on('error', () => undefined);
  const query = conn.query.bind(conn);
  conn.query = (sql: unknown, values?: unknown, cb?: unknown) => {
    const withTimeout =
      typeof sql === 'string' ? { sql, timeout: queryTimeoutMs } : sql && typeof sql === 'object' && (sql as { timeout?: number }).timeout === undefined ? { ...(sql as object), timeout: queryTimeoutMs } : sql;
    const callback = (typeof values === 'function' ? values : cb) as Callback | undefined;
    if (!callback) return query(withTimeout, values, cb);
    let settled = false;
    const guarded: Callback = (err, result, fields) => {
      if (settled) return;
      settled = true;
      if (err?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
        // The statement may still be running, or the socket is dead: this connection is not reused.
        conn.destroy();
        conn.stream?.destroy?.();
      }
      callback(err, result, fields);
    };
    return typeof values === 'function' ? query(withTimeout, guarded) : query(withTimeout, values, guarded);
  };
}

/** Installs the bounds on a MySQL/MariaDB DataSource's pool (no-op on SQLite, whose waits are its busy_timeout). */
export function guardDatabase(dataSource: DataSource, guard: DatabaseGuard): void {
  const pool = (dataSource.driver as unknown as { pool?: Pool }).pool;
  if (!pool || pool.__anchorGuarded) return;
  pool.__anchorGuarded = true;
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = (cb) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      cb(codedError(`no database connection within ${guard.acquireTimeoutMs} ms`, 'POOL_ACQUIRE_TIMEOUT'));
    }, guard.acquireTimeoutMs);
    getConnection((err, conn) => {
      if (done) {
        // the request has already been answered: hand the connection straight back
        conn?.release();
        return;
      }
      done = true;
      clearTimeout(timer);
      if (err) {
        if (err.message === 'Queue limit reached.') err.code = 'POOL_ENQUEUELIMIT';
        if (err.message === 'Pool is closed.') err.code = 'POOL_CLOSED';
        return cb(err);
      }
      guardConnection(conn!, guard.queryTimeoutMs);
      cb(null, conn);
    });
  };
}
