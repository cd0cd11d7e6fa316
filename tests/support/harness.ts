import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { DataSource } from 'typeorm';
import { buildApp, createServices, type Services } from '../../server/src/app';
import { ManualClock } from '../../server/src/clock';
import { readEnv, type Env } from '../../server/src/config/env';
import { loadPolicy, type Policy } from '../../server/src/config/policy';
import { createLogger } from '../../server/src/logger';
import { createTestDatabase } from './database';

export interface Harness {
  url: string;
  db: DataSource;
  dbUrl: string;
  env: Env;
  policy: Policy;
  clock: ManualClock;
  services: Services;
  close(): Promise<void>;
}

/** The real app on a real port over a fresh MariaDB database, with a clock the test controls. */
export async function startHarness(options: { env?: Record<string, string>; policy?: Policy; now?: Date } = {}): Promise<Harness> {
  const { db, url: dbUrl, drop } = await createTestDatabase();
  const env = readEnv({ DATABASE_URL: dbUrl, PORT: '0', ...options.env });
  const policy = options.policy ?? loadPolicy();
  const clock = new ManualClock(options.now ?? new Date('2026-11-20T02:00:00Z'));
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const deps = { db, policy, env, clock, logger };
  const services = createServices(deps);
  const { app } = buildApp(deps, services);
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    dbUrl,
    env,
    policy,
    clock,
    services,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await drop();
    },
  };
}
