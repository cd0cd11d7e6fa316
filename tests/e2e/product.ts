import { createConnection } from 'mysql2/promise';
import type { Browser } from 'playwright-core';
import { launchBrowser, requireH5Build } from './browser';
import { createDemoDatabase, createTestDatabase } from '../support/database';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

/** The product as `npm start` runs it, in demo mode (seeded team, dev-login, sandbox), on a fresh MariaDB database. */
export interface Product {
  server: SpawnedServer;
  dbUrl: string;
  query: <T>(sql: string, params?: unknown[]) => Promise<T[]>;
  stop: () => Promise<void>;
}

export async function startProduct(env: Record<string, string> = {}): Promise<Product> {
  const { url, drop } = Object.keys(env).length === 0 ? await createDemoDatabase(seedDemoTemplate) : await freshDatabase();
  const server = await spawnServer({ DATABASE_URL: url, ANCHOR_DEMO: '1', ...env });
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

/** An empty migrated database, for a product whose environment (a policy) may change what the demo seeds. */
async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const { db, url, drop } = await createTestDatabase(2);
  await db.destroy();
  return { url, drop };
}

/**
 * The demo template: seeded by the product itself, which is stopped once it listens. Its timers and outbox
 * are off meanwhile (ANCHOR_BACKGROUND=off), so each copy's own server runs them first, as on a fresh start.
 * A copy is up to a run's length older than a fresh seed: the demo's history is days and months deep.
 */
async function seedDemoTemplate(url: string): Promise<void> {
  const server = await spawnServer({ DATABASE_URL: url, ANCHOR_DEMO: '1', ANCHOR_BACKGROUND: 'off' });
  await server.stop();
}

/**
 * The product and a Chromium for one test file, started before its tests and stopped after them.
 * Read `app.product` and `app.browser` inside tests (they exist once beforeAll has run). `env`: more of
 * the server's environment (e.g. ANCHOR_POLICY), read when it starts.
 */
export function productInBrowser(env: () => Record<string, string> = () => ({})): { product: Product; browser: Browser } {
  const app = {} as { product: Product; browser: Browser };
  beforeAll(async () => {
    requireH5Build();
    app.product = await startProduct(env());
    app.browser = await launchBrowser();
    // migrating and seeding the demo takes seconds alone, but a loaded CI machine can take a minute
  }, 180_000);
  afterAll(async () => {
    await app.browser?.close();
    await app.product?.stop();
  });
  return app;
}
