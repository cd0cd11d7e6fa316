import type { QueryRunner } from 'typeorm';

/** One column a migration adds to a table that already holds rows. */
export interface AddedColumn {
  name: string;
  /** 'datetime' is datetime(3) on MariaDB/MySQL; others are written as given (varchar(20), int, boolean) */
  type: string;
  /** NOT NULL needs a constant default on SQLite */
  notNull?: { default: string };
}

/**
 * Adds columns in place, as plain ALTER TABLE … ADD COLUMN on both databases. TypeORM's addColumn
 * rebuilds a SQLite table (copy, drop, rename); inside a migration's transaction foreign keys stay on,
 * so dropping a parent such as `member` or `customer` would first cascade-delete its children
 * (sessions, stage history). ADD COLUMN changes no row.
 */
export async function addColumnsInPlace(q: QueryRunner, table: string, columns: AddedColumn[]): Promise<void> {
  const sqlite = q.connection.options.type === 'better-sqlite3';
  for (const c of columns) {
    const type = c.type === 'datetime' ? (sqlite ? 'datetime' : 'datetime(3)') : c.type;
    const nullity = c.notNull ? `NOT NULL DEFAULT ${c.notNull.default}` : 'NULL';
    await q.query(`ALTER TABLE \`${table}\` ADD COLUMN \`${c.name}\` ${type} ${nullity}`);
  }
}

export async function dropColumns(q: QueryRunner, table: string, names: string[]): Promise<void> {
  for (const name of names) await q.query(`ALTER TABLE \`${table}\` DROP COLUMN \`${name}\``);
}
