import { createConnection } from 'mysql2/promise';
import { createTestDatabase } from '../support/database';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

/** The product as `npm start` runs it, in demo mode (seeded team, dev-login, sandbox), on a fresh MariaDB database. */
export async function startProduct(): Promise<{ server: SpawnedServer; dbUrl: string; query: <T>(sql: string, params?: unknown[]) => Promise<T[]>; stop: () => Promise<void> }> {
  const { db, url, drop } = await createTestDatabase(2);
  await db.destroy();
  const server = await spawnServer({ DATABASE_URL: url, ANCHOR_DEMO: '1' });
  const u = new URL(url);
  const conn = await createConnection({ host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: u.pathname.slice(1), charset: 'utf8mb4', timezone: 'Z' });
  return {
    server,
    dbUrl: url,
    query: async <T>(sql: string, params: unknown[] = []) => (await conn.query(sql, params))[0] as T[],
    stop: async () => {
      await server.stop();
      await conn.end();
      await drop();
    },
  };
}
