import type { EntityManager } from 'typeorm';

/**
 * Plain SQL for hot paths (one visit submission runs ten statements): no query-builder work, one
 * round trip each. Portable between MariaDB/MySQL and the embedded SQLite.
 */
export class Sql {
  private readonly sqlite: boolean;

  constructor(private readonly manager: EntityManager) {
    this.sqlite = manager.connection.options.type === 'better-sqlite3';
  }

  /** A datetime column as read raw: a Date from mysql2, UTC text from SQLite. */
  static date(value: Date | string | null | undefined): Date | null {
    if (value === null || value === undefined) return null;
    return value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`);
  }

  /** Dates as TypeORM stores them: mysql2 converts Date itself; SQLite keeps UTC text. */
  private param(value: unknown): unknown {
    if (value instanceof Date) return this.sqlite ? value.toISOString().replace('T', ' ').replace('Z', '') : value;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value !== null && typeof value === 'object') return JSON.stringify(value);
    return value ?? null;
  }

  private async run(query: string, params: unknown[]) {
    const runner = this.manager.queryRunner;
    if (!runner) throw new Error('Sql needs a transaction (EntityManager with a query runner)');
    return runner.query(query, params.map((p) => this.param(p)), true);
  }

  async rows<T>(query: string, params: unknown[] = []): Promise<T[]> {
    const result = await this.run(query, params);
    return (result.records ?? result.raw ?? []) as T[];
  }

  /** INSERT … VALUES for many rows of the same columns in one statement; returns the first new id. */
  async insert(table: string, rows: Record<string, unknown>[]): Promise<number> {
    const columns = Object.keys(rows[0]!);
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const quoted = columns.map((c) => (this.sqlite ? `"${c}"` : `\`${c}\``)).join(', ');
    const result = await this.run(`INSERT INTO ${table} (${quoted}) VALUES ${rows.map(() => tuple).join(', ')}`, rows.flatMap((r) => columns.map((c) => r[c])));
    const raw = result.raw as { insertId?: number } | number | bigint;
    return typeof raw === 'object' ? Number(raw.insertId) : Number(raw);
  }

  async exec(query: string, params: unknown[] = []): Promise<number> {
    return (await this.run(query, params)).affected ?? 0;
  }
}
