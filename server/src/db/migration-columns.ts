import { TableIndex, type QueryRunner, type TableColumnOptions } from 'typeorm';

/**
 * Column shapes a module's migration writes, the same on MariaDB/MySQL and the embedded SQLite (an
 * auto-increment key must be INTEGER there; times are datetime(3) in UTC with a driver-specific "now").
 */
export function migrationColumns(q: QueryRunner) {
  const sqlite = q.connection.options.type === 'better-sqlite3';
  const now = sqlite ? "(strftime('%Y-%m-%d %H:%M:%f','now'))" : 'CURRENT_TIMESTAMP(3)';
  const ts = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable });
  return {
    sqlite,
    id: (): TableColumnOptions => ({ name: 'id', type: sqlite ? 'integer' : 'int', isPrimary: true, isGenerated: true, generationStrategy: 'increment' }),
    int: (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'int', isNullable }),
    str: (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable }),
    ts,
    created: (): TableColumnOptions => ({ ...ts('createdAt'), default: now }),
    index: (name: string, columnNames: string[]) => new TableIndex({ name, columnNames }),
  };
}
