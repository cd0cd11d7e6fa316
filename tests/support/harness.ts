import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { DataSource } from 'typeorm';
import { buildApp, createServices, type Services } from '../../server/src/app';
import { ManualClock } from '../../server/src/clock';
import type { AnyRoute } from '../../server/src/http/route';
import { readEnv, type Env } from '../../server/src/config/env';
import { loadPolicy, type Policy } from '../../server/src/config/policy';
import { createLogger } from '../../server/src/logger';
import type { VisitFaults } from '../../server/src/modules/visits/visit.service';
import type { AnyModule } from '../../server/src/modules/module';
import { answerClientErrors } from '../../server/src/http/client-error';
import { attachDatabase, createTestDatabase, databaseEnv } from './database';

export interface Harness {
  url: string;
  db: DataSource;
  dbUrl: string;
  env: Env;
  policy: Policy;
  clock: ManualClock;
  services: Services;
  /** the route table the app serves (the authorization tests walk it) */
  routes: AnyRoute[];
  close(): Promise<void>;
}

/** The real app on a real port over a fresh database (MariaDB, or SQLite with ANCHOR_TEST_DB=sqlite), with a clock the test controls. */
export interface HarnessOptions {
  env?: Record<string, string>;
  policy?: Policy;
  now?: Date;
  visitFaults?: VisitFaults;
  /** attach to another harness's database (a second server instance); it is not dropped on close */
  sharedDatabaseUrl?: string;
  /** the modules the server joins (default: the server's own list) */
  modules?: readonly AnyModule[];
  /** leave the database in place on close (a bench keeps its generated data set for a later run to reuse) */
  keepDatabase?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const policy = options.policy ?? loadPolicy();
  // the policy's bounds on waiting for the database, as in production (main.ts)
  const { db, url: dbUrl, drop } = options.sharedDatabaseUrl
    ? await attachDatabase(options.sharedDatabaseUrl, policy.database, options.modules)
    : await createTestDatabase(8, policy.database, options.modules);
  const uploads = mkdtempSync(path.join(tmpdir(), 'anchor-uploads-'));
  const env = readEnv({ ...databaseEnv(dbUrl), PORT: '0', ANCHOR_UPLOAD_DIR: uploads, ...options.env });
  const clock = new ManualClock(options.now ?? new Date('2026-11-20T02:00:00Z'));
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const deps = { db, policy, env, clock, logger, visitFaults: options.visitFaults, modules: options.modules };
  const services = createServices(deps);
  const { app, routes } = buildApp(deps, services);
  const server: Server = app.listen(0, '127.0.0.1');
  answerClientErrors(server);
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
    routes,
    close: async () => {
      await services.jobs.stop();
      await services.outbox.stop();
      // keep-alive sockets of the test's HTTP clients would otherwise hold close() open
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (options.keepDatabase) await db.destroy();
      else await drop();
      rmSync(uploads, { recursive: true, force: true });
    },
  };
}
