import type { EntityManager } from 'typeorm';

/**
 * Plain SQL for hot paths (a visit submission is ten statements): one round trip each, no query
 * builder. The same statements run on MariaDB/MySQL and the embedded SQLite.
 *
 * Why the text must be constant: on MySQL/MariaDB a batch is sent as one text of several statements
 * (the pool runs with `multipleStatements`), so text built from data could carry a second statement.
 * The compiler therefore accepts as query text only a string literal (or a union of literals, e.g.
 * `x ? 'A' : 'B'`) or a `ConstSql` composed by the helpers below (`SQL` template, `placeholders`,
 * validated identifiers); a `string` does not compile. Values always go in `params`.
 * At run time, db/one-statement.ts refuses any other text holding a ';' (TypeORM, `db.query`).
 */
declare const constantText: unique symbol;
export type ConstSql = string & { readonly [constantText]: true };
/**
 * The parameter type of query text: a literal type (each member of a union) passes as itself; a
 * `string`, or a template type with a `${string}`/`${number}` hole (text built from a variable),
 * must be a ConstSql. `{} extends Record<Q, 1>` holds exactly when Q is not a finite set of literals.
 */
export type SqlText<Q extends string> = Q extends ConstSql ? Q : {} extends Record<Q, 1> ? ConstSql : Q;

/**
 * `SQL\`… IN (${placeholders(n)}) …\``: text whose every part is constant, the template's own
 * pieces and each interpolation a literal (or union of literals) or a ConstSql.
 */
export function SQL<const P extends readonly string[]>(pieces: TemplateStringsArray, ...parts: { [K in keyof P]: P[K] & SqlText<P[K]> }): ConstSql {
  let text = pieces[0]!;
  for (let i = 0; i < parts.length; i++) text += parts[i]! + pieces[i + 1]!;
  return text as ConstSql;
}

/** A literal as ConstSql, e.g. to keep it in a variable of that type. */
export function constSql<Q extends string>(query: Q & SqlText<Q>): ConstSql {
  return query as string as ConstSql;
}

/** `?, ?, ?` for an IN list of n values (n ≥ 1). */
export function placeholders(n: number): ConstSql {
  if (!Number.isInteger(n) || n < 1) throw new Error(`placeholders: ${n} is not a positive count`);
  return '?, '.repeat(n - 1).concat('?') as ConstSql;
}

/** `text` n times (n ≥ 1), e.g. the value tuples of a multi-row INSERT. */
export function repeated(text: ConstSql, n: number, separator: ', ' | ' ' | ' OR ' | ' UNION ALL ' = ', '): ConstSql {
  if (!Number.isInteger(n) || n < 1) throw new Error(`repeated: ${n} is not a positive count`);
  return Array.from({ length: n }, () => text).join(separator) as ConstSql;
}

/** ConstSql parts joined, e.g. the `col = ?` assignments of a fixed column list. */
export function joinSql(parts: readonly ConstSql[], separator: ', ' | ' AND '): ConstSql {
  return parts.join(separator) as ConstSql;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A table or column name: letters, digits and _, checked here, so nothing else can reach the text. */
export function identifier(name: string): ConstSql {
  if (!IDENTIFIER.test(name)) throw new Error(`not an SQL identifier: ${JSON.stringify(name)}`);
  return name as ConstSql;
}

export interface Statement {
  query: ConstSql;
  params: unknown[];
}

/** A statement for a batch: the text as for `rows`/`exec` (a literal or ConstSql), values as parameters. */
export function statement<Q extends string>(query: Q & SqlText<Q>, params: unknown[] = []): Statement {
  return { query: query as string as ConstSql, params };
}

/** One result per statement of a batch: rows for a SELECT, else the insert id and the rows changed. */
export interface StatementResult {
  rows?: unknown[];
  insertId?: number;
  affected?: number;
}

export interface Sql {
  rows<T, Q extends string = string>(query: Q & SqlText<Q>, params?: unknown[]): Promise<T[]>;
  /** returns the number of rows changed */
  exec<Q extends string>(query: Q & SqlText<Q>, params?: unknown[]): Promise<number>;
  /**
   * INSERT … VALUES for many rows of the same columns in one statement; returns the first new id.
   * The table is a literal; the column names (the keys of the first row) are checked as identifiers.
   */
  insert<Q extends string>(table: Q & SqlText<Q>, rows: Record<string, unknown>[]): Promise<number>;
  /** the INSERT statement `insert` would run, for a batch */
  insertStatement<Q extends string>(table: Q & SqlText<Q>, rows: Record<string, unknown>[]): Statement;
  /**
   * Several statements in one round trip on MySQL/MariaDB (one after another on SQLite); with
   * `commit`, the transaction's COMMIT rides along.
   */
  batch(statements: Statement[], options?: { commit?: boolean }): Promise<StatementResult[]>;
}

/**
 * A row of entity `E` as plain SQL reads it (`K`: the columns selected), so a raw row type follows
 * the entity: the entity's column types, except datetimes, which arrive as a Date from mysql2 and
 * as UTC text from SQLite (read them with `sqlDate`).
 */
export type RowOf<E, K extends keyof E> = {
  [P in K]: [E[P]] extends [Date] ? Date | string : [E[P]] extends [Date | null] ? Date | string | null : E[P];
};

/** A datetime column as read raw: a Date from mysql2, UTC text from SQLite. */
export function sqlDate(value: Date | string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`);
  // MySQL's zero date (and text no Date can hold) reads as no date, not as one whose toISOString() throws.
  return Number.isNaN(date.getTime()) ? null : date;
}

abstract class BaseSql implements Sql {
  protected abstract readonly sqlite: boolean;
  protected abstract run(query: ConstSql, params: unknown[]): Promise<StatementResult>;
  abstract batch(statements: Statement[], options?: { commit?: boolean }): Promise<StatementResult[]>;

  /** Dates as TypeORM stores them: mysql2 converts Date itself (timezone Z); SQLite keeps UTC text. */
  protected param(value: unknown): unknown {
    if (value instanceof Date) return this.sqlite ? value.toISOString().replace('T', ' ').replace('Z', '') : value;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value !== null && typeof value === 'object') return JSON.stringify(value);
    return value ?? null;
  }

  async rows<T, Q extends string = string>(query: Q & SqlText<Q>, params: unknown[] = []): Promise<T[]> {
    return ((await this.run(query as string as ConstSql, params)).rows ?? []) as T[];
  }

  async exec<Q extends string>(query: Q & SqlText<Q>, params: unknown[] = []): Promise<number> {
    return (await this.run(query as string as ConstSql, params)).affected ?? 0;
  }

  // The text is built from the table (a literal) and the column names, each checked as an identifier:
  // constant for a call site, and nothing but letters, digits and _ whatever the caller passes.
  insertStatement<Q extends string>(table: Q & SqlText<Q>, rows: Record<string, unknown>[]): Statement {
    const columns = Object.keys(rows[0]!);
    const tuple = `(${placeholders(columns.length)})`;
    const quoted = columns.map((c) => (this.sqlite ? `"${identifier(c)}"` : `\`${identifier(c)}\``)).join(', ');
    return { query: `INSERT INTO ${identifier(table)} (${quoted}) VALUES ${rows.map(() => tuple).join(', ')}` as ConstSql, params: rows.flatMap((r) => columns.map((c) => r[c])) };
  }

  async insert<Q extends string>(table: Q & SqlText<Q>, rows: Record<string, unknown>[]): Promise<number> {
    const { query, params } = this.insertStatement(table as string as ConstSql, rows);
    return Number((await this.run(query, params)).insertId);
  }
}

/** Through TypeORM's query runner (the embedded SQLite, where the transaction is TypeORM's). */
export class ManagerSql extends BaseSql {
  protected readonly sqlite: boolean;
  constructor(private readonly manager: EntityManager) {
    super();
    this.sqlite = manager.connection.options.type === 'better-sqlite3';
  }
  protected async run(query: ConstSql, params: unknown[]) {
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

export interface MysqlConnection {
  query(sql: string, params: unknown[], cb: (err: Error | null, result: unknown) => void): void;
  release(): void;
}

/** Pooled connections whose session already runs READ COMMITTED. */
const readCommittedConnections = new WeakSet<MysqlConnection>();

function toResult(result: unknown): StatementResult {
  if (Array.isArray(result)) return { rows: result };
  const header = result as { insertId: number; affectedRows: number };
  return { insertId: header.insertId, affected: header.affectedRows };
}

/**
 * Straight on the mysql2 connection a transaction holds (db/tx.ts): the callback API (no per-query
 * stack capture), START TRANSACTION sent with the first statement and COMMIT with the last batch,
 * to save round trips. TypeORM's query runner on the same connection calls `begin` before its first
 * statement when no batch has started the transaction yet.
 */
export class ConnectionSql extends BaseSql {
  protected readonly sqlite = false;
  begun = false;
  committed = false;

  constructor(
    private readonly conn: MysqlConnection,
    /** the connection's query without the one-statement check (db/one-statement.ts), for batches only */
    private readonly sendStacked: MysqlConnection['query'],
  ) {
    super();
  }

  private send(query: string, params: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => this.sendStacked.call(this.conn, query, params.map((p) => this.param(p)), (err, result) => (err ? reject(err) : resolve(result))));
  }

  private opening(): Statement[] {
    if (this.begun) return [];
    // READ COMMITTED (see db/tx.ts), set once per pooled connection for its whole session rather
    // than by a statement in every transaction.
    const setSession = !readCommittedConnections.has(this.conn);
    return [...(setSession ? [statement('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED')] : []), statement('START TRANSACTION')];
  }

  /** Starts the transaction now (for TypeORM's first statement); a no-op once started. */
  async begin(): Promise<void> {
    if (this.begun) return;
    await this.batch([]);
  }

  async batch(statements: Statement[], options: { commit?: boolean } = {}): Promise<StatementResult[]> {
    // The statements are joined by ';' below; one holding a ';' itself could only be a cast around
    // the ConstSql rule, and is refused before anything is sent.
    for (const s of statements) if (s.query.includes(';')) throw new Error(`a batched statement holds a ';': ${s.query.slice(0, 80)}`);
    const begin = this.opening();
    const all = [...begin, ...statements, ...(options.commit ? [statement('COMMIT')] : [])];
    if (all.length === 0) return [];
    this.begun = true;
    const raw = await this.send(all.map((s) => s.query).join(';\n'), all.flatMap((s) => s.params));
    if (begin.length === 2) readCommittedConnections.add(this.conn);
    if (options.commit) this.committed = true;
    // mysql2 answers a single statement with its result, several with an array of results.
    const results = all.length === 1 ? [raw] : (raw as unknown[]);
    return results.slice(begin.length, begin.length + statements.length).map(toResult);
  }

  protected async run(query: ConstSql, params: unknown[]): Promise<StatementResult> {
    return (await this.batch([{ query, params }]))[0]!;
  }

  async commit(): Promise<void> {
    if (!this.committed && this.begun) await this.send('COMMIT', []);
    this.committed = true;
  }
  async rollback(): Promise<void> {
    if (this.begun && !this.committed) await this.send('ROLLBACK', []).catch(() => undefined);
  }
}

export { sqlOf, withSqlTransaction } from './tx';
