import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import type { AnyModule } from '../../server/src/modules/module';
import { openDatabase, type DatabaseLimits } from '../../server/src/db/data-source';

/** Tests run only against a real MySQL/MariaDB: `npm test` provides one in DATABASE_URL. */
export function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests with `npm test`, which starts a throwaway MariaDB');
  return url;
}

/** A fresh database per test file, migrated, dropped again by `drop`. */
export async function createTestDatabase(poolSize = 8, limits?: DatabaseLimits, modules?: readonly AnyModule[]): Promise<{ db: DataSource; url: string; drop: () => Promise<void> }> {
  const base = new URL(serverUrl());
  const name = `anchor_t_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = await createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  base.pathname = `/${name}`;
  const url = base.toString();
  const db = await openDatabase({ url, dataDir: '/nonexistent', poolSize, limits, modules });
  return {
    db,
    url,
    drop: async () => {
      if (db.isInitialized) await db.destroy();
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    },
  };
}

/** Opens an existing test database (a second server on the same data); closing leaves the data. */
export async function attachDatabase(url: string, limits?: DatabaseLimits, modules?: readonly AnyModule[]): Promise<{ db: DataSource; url: string; drop: () => Promise<void> }> {
  const db = await openDatabase({ url, dataDir: '/nonexistent', poolSize: 8, limits, modules });
  return { db, url, drop: async () => void (db.isInitialized && (await db.destroy())) };
}
