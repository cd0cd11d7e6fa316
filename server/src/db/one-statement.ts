import type { DataSource } from 'typeorm';
import type { MysqlConnection } from './sql';

/**
 * The MySQL/MariaDB pool accepts several statements per query (`multipleStatements`), for the
 * batches of db/sql.ts, whose text is constant by type (ConstSql). Every other text sent on a pooled
 * connection (TypeORM's, `db.query`'s) must be one statement: a ';' in it is refused before it is
 * sent, so no text built from data can ever become two statements. Batches reach the server through
 * `stackedQuery`, the connection's query without this check.
 */
const unchecked = Symbol('anchor.unchecked-query');

interface CheckedConnection extends MysqlConnection {
  [unchecked]?: MysqlConnection['query'];
}
interface Pool {
  getConnection(cb: (err: Error | null, conn?: CheckedConnection) => void): void;
  __anchorOneStatement?: boolean;
}

export class StackedStatementError extends Error {
  readonly code = 'ANCHOR_STACKED_STATEMENT';
}

function textOf(query: unknown): string {
  if (typeof query === 'string') return query;
  const sql = (query as { sql?: unknown } | null)?.sql;
  return typeof sql === 'string' ? sql : '';
}

function checkConnection(conn: CheckedConnection): void {
  if (conn[unchecked]) return;
  const query = conn.query;
  conn[unchecked] = query;
  conn.query = function (this: unknown, ...args: Parameters<MysqlConnection['query']>) {
    const text = textOf(args[0]);
    if (text.includes(';')) throw new StackedStatementError(`one statement per query outside Sql.batch; refused: ${text.slice(0, 120)}`);
    return query.apply(conn, args);
  } as MysqlConnection['query'];
}

/** The query function that may carry several statements: for ConnectionSql's batches only. */
export function stackedQuery(conn: MysqlConnection): MysqlConnection['query'] {
  return (conn as CheckedConnection)[unchecked] ?? conn.query;
}

/** Installs the one-statement check on every connection the pool hands out (no-op on SQLite). */
export function refuseStackedStatements(dataSource: DataSource): void {
  const pool = (dataSource.driver as unknown as { pool?: Pool }).pool;
  if (!pool || pool.__anchorOneStatement) return;
  pool.__anchorOneStatement = true;
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = (cb) =>
    getConnection((err, conn) => {
      if (conn) checkConnection(conn);
      cb(err, conn);
    });
}
