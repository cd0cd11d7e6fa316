import type { DataSource, EntityManager } from 'typeorm';
import { withTransaction } from './transaction';

/**
 * Plain SQL for hot paths (a visit submission is ten statements): one round trip each, no query
 * builder. The same statements run on MariaDB/MySQL and the embedded SQLite.
 */
export interface Statement {
  query: string;
  params: unknown[];
}

/** One result per statement of a batch: rows for a SELECT, else the insert id and the rows changed. */
export interface StatementResult {
  rows?: unknown[];
  insertId?: number;
  affected?: number;
}

export interface Sql {
  rows<T>(query: string, params?: unknown[]): Promise<T[]>;
  /** returns the number of rows changed */
  exec(query: string, params?: unknown[]): Promise<number>;
  /** INSERT … VALUES for many rows of the same columns in one statement; returns the first new id */
  insert(table: string, rows: Record<string, unknown>[]): Promise<number>;
  /** the INSERT statement `insert` would run, for a batch */
  insertStatement(table: string, rows: Record<string, unknown>[]): Statement;
  /**
   * Several statements in one round trip on MySQL/MariaDB (one after another on SQLite); with
   * `commit`, the transaction's COMMIT rides along.
   */
  batch(statements: Statement[], options?: { commit?: boolean }): Promise<StatementResult[]>;
}

/** A datetime column as read raw: a Date from mysql2, UTC text from SQLite. */
export function sqlDate(value: Date | string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`);
  // MySQL's zero date (and text no Date can hold) reads as no date, not as one whose toISOString() throws.
  return Number.isNaN(date.getTime()) ? null : date;
}

abstract class BaseSql implements Sql {
  protected abstract readonly sqlite: boolean;
  protected abstract run(query: string, params: unknown[]): Promise<StatementResult>;
  abstract batch(statements: Statement[], options?: { commit?: boolean }): Promise<StatementResult[]>;

  /** Dates as TypeORM stores them: mysql2 converts Date itself (timezone Z); SQLite keeps UTC text. */
  protected param(value: unknown): unknown {
    if (value instanceof Date) return this.sqlite ? value.toISOString().replace('T', ' ').replace('Z', '') : value;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value !== null && typeof value === 'object') return JSON.stringify(value);
    return value ?? null;
  }

  async rows<T>(query: string, params: unknown[] = []): Promise<T[]> {
    return ((await this.run(query, params)).rows ?? []) as T[];
  }

  async exec(query: string, params: unknown[] = []): Promise<number> {
    return (await this.run(query, params)).affected ?? 0;
  }

  insertStatement(table: string, rows: Record<string, unknown>[]): Statement {
    const columns = Object.keys(rows[0]!);
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const quoted = columns.map((c) => (this.sqlite ? `"${c}"` : `\`${c}\``)).join(', ');
    return { query: `INSERT INTO ${table} (${quoted}) VALUES ${rows.map(() => tuple).join(', ')}`, params: rows.flatMap((r) => columns.map((c) => r[c])) };
  }

  async insert(table: string, rows: Record<string, unknown>[]): Promise<number> {
    const { query, params } = this.insertStatement(table, rows);
    return Number((await this.run(query, params)).insertId);
  }
}

/** Through TypeORM's query runner (the embedded SQLite). */
class ManagerSql extends BaseSql {
  protected readonly sqlite: boolean;
  constructor(private readonly manager: EntityManager) {
    super();
    this.sqlite = manager.connection.options.type === 'better-sqlite3';
  }
  protected async run(query: string, params: unknown[]) {
    const result = await this.manager.queryRunner!.query(query, params.map((p) => this.param(p)), true);
    const raw = result.raw as { insertId?: number } | number | bigint | unknown[];
    return {
      rows: result.records ?? (Array.isArray(raw) ? raw : undefined),
      insertId: typeof raw === 'object' && !Array.isArray(raw) ? raw?.insertId : Number(raw),
      affected: result.affected,
    };
  }

  async batch(statements: Statement[]): Promise<StatementResult[]> {
    const results: StatementResult[] = [];
    // COMMIT is left to the surrounding TypeORM transaction.
    for (const s of statements) results.push(await this.run(s.query, s.params));
    return results;
  }
}

/** Plain SQL inside a TypeORM transaction (the manager must come from `dataSource.transaction`). */
export function sqlOf(manager: EntityManager): Sql {
  return new ManagerSql(manager);
}

interface MysqlConnection {
  query(sql: string, params: unknown[], cb: (err: Error | null, result: unknown) => void): void;
  release(): void;
}
interface MysqlPool {
  getConnection(cb: (err: Error | null, conn: MysqlConnection) => void): void;
}

/** Pooled connections whose session already runs READ COMMITTED. */
const readCommittedConnections = new WeakSet<MysqlConnection>();

function toResult(result: unknown): StatementResult {
  if (Array.isArray(result)) return { rows: result };
  const header = result as { insertId: number; affectedRows: number };
  return { insertId: header.insertId, affected: header.affectedRows };
}

/**
 * Straight on a mysql2 connection of TypeORM's pool: the callback API (no per-query stack capture),
 * START TRANSACTION sent with the first statement and COMMIT with the last batch, to save round trips.
 */
class ConnectionSql extends BaseSql {
  protected readonly sqlite = false;
  private begun = false;
  committed = false;

  constructor(private readonly conn: MysqlConnection) {
    super();
  }

  private send(query: string, params: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => this.conn.query(query, params.map((p) => this.param(p)), (err, result) => (err ? reject(err) : resolve(result))));
  }

  async batch(statements: Statement[], options: { commit?: boolean } = {}): Promise<StatementResult[]> {
    // READ COMMITTED (see withTransaction), set once per pooled connection for its whole session
    // rather than by a statement in every transaction.
    const setSession = !this.begun && !readCommittedConnections.has(this.conn);
    const begin = this.begun ? [] : [...(setSession ? [{ query: 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', params: [] }] : []), { query: 'START TRANSACTION', params: [] }];
    const all = [...begin, ...statements, ...(options.commit ? [{ query: 'COMMIT', params: [] }] : [])];
    this.begun = true;
    const raw = await this.send(all.map((s) => s.query).join(';\n'), all.flatMap((s) => s.params));
    if (setSession) readCommittedConnections.add(this.conn);
    if (options.commit) this.committed = true;
    // mysql2 answers a single statement with its result, several with an array of results.
    const results = all.length === 1 ? [raw] : (raw as unknown[]);
    return results.slice(all.length - statements.length - (options.commit ? 1 : 0)).slice(0, statements.length).map(toResult);
  }

  protected async run(query: string, params: unknown[]): Promise<StatementResult> {
    return (await this.batch([{ query, params }]))[0]!;
  }

  async commit(): Promise<void> {
    if (!this.committed && this.begun) await this.send('COMMIT', []);
  }
  rollback = () => this.send('ROLLBACK', []).catch(() => undefined);
}

const DEADLOCK = 'ER_LOCK_DEADLOCK';

/**
 * Runs `work` in one transaction with plain SQL. On MySQL/MariaDB a deadlock victim is rolled back
 * and run again (up to five times): the work is all inside the transaction, so a rerun is safe.
 */
export async function withSqlTransaction<T>(db: DataSource, work: (sql: Sql) => Promise<T>): Promise<T> {
  if (db.options.type === 'better-sqlite3') return withTransaction(db, (manager) => work(new ManagerSql(manager)));
  const pool = (db.driver as unknown as { pool: MysqlPool }).pool;
  for (let attempt = 1; ; attempt++) {
    const conn = await new Promise<MysqlConnection>((resolve, reject) => pool.getConnection((err, c) => (err ? reject(err) : resolve(c))));
    const sql = new ConnectionSql(conn);
    try {
      const result = await work(sql);
      await sql.commit();
      return result;
    } catch (error) {
      await sql.rollback();
      if ((error as { code?: string }).code === DEADLOCK && attempt < 5) {
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
        continue;
      }
      throw error;
    } finally {
      conn.release();
    }
  }
}
