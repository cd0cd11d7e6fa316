import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { guardDatabase } from './guard';
import { ChannelToken } from '../channels/channel-token.entity';
import { Customer } from '../modules/customers/customer.entity';
import { CustomerOwnerChange, CustomerStageChange } from '../modules/customers/customer-history.entity';
import { Invite } from '../modules/org/invite.entity';
import { Member } from '../modules/org/member.entity';
import { Region } from '../modules/org/region.entity';
import { Session } from '../modules/org/session.entity';
import { Team } from '../modules/org/team.entity';
import { TeamChannelSettings } from '../modules/org/team-channel-settings.entity';
import { Foundation1764200000000 } from './migrations/1764200000000-foundation';
import { TeamChannelSettings1764300000000 } from './migrations/1764300000000-team-channel-settings';
import { VisitsTodos1764400000000 } from './migrations/1764400000000-visits-todos';
import { Visit } from '../modules/visits/visit.entity';
import { Photo } from '../modules/visits/photo.entity';
import { FirstTouch } from '../modules/visits/first-touch.entity';
import { Todo } from '../modules/todos/todo.entity';
import { OutboxMessage } from '../outbox/outbox-message.entity';
import { Job } from '../jobs/job.entity';
import { IdempotencyKey } from '../http/idempotency-key.entity';
import { Deliveries1764500000000 } from './migrations/1764500000000-deliveries';
import { TodoDiscuss1764600000000 } from './migrations/1764600000000-todo-discuss';
import { CustomerWaitingVisits1764700000000 } from './migrations/1764700000000-customer-waiting-visits';
import { VisitSavedAt1764810000000 } from './migrations/1764810000000-visit-saved-at';
import { CustomerSearch1764870000000 } from './migrations/1764870000000-customer-search';
import { Delivery } from '../outbox/delivery.entity';
import { ChannelTarget } from '../outbox/channel-target.entity';
import { CallbackNonce } from '../channels/callback-nonce.entity';
import { SubscribeConsent } from '../channels/subscribe-consent.entity';
import { DemoMember } from '../demo/demo-member.entity';
import { Hardening1764880000000 } from './migrations/1764880000000-hardening';
import { ChannelHealth1764900000001 } from './migrations/1764900000001-channel-health';
import { DeadLetter1764910000000 } from './migrations/1764910000000-dead-letter';
import { DeliveryWindows1764930000001 } from './migrations/1764930000001-delivery-windows';
import { RecurringJobs1764950000000 } from './migrations/1764950000000-recurring-jobs';
import { ForeignKeys1764968000000 } from './migrations/1764968000000-foreign-keys';

export const entities = [Region, Team, Member, Session, Invite, ChannelToken, Customer, CustomerStageChange, CustomerOwnerChange, TeamChannelSettings,
  Visit, Photo, FirstTouch, Todo, OutboxMessage, Job, IdempotencyKey, Delivery, ChannelTarget, CallbackNonce, SubscribeConsent,
  DemoMember];
// One per line, in time order, so branches adding migrations merge without conflict.
export const migrations = [
  Foundation1764200000000,
  TeamChannelSettings1764300000000,
  VisitsTodos1764400000000,
  Deliveries1764500000000,
  TodoDiscuss1764600000000,
  CustomerWaitingVisits1764700000000,
  VisitSavedAt1764810000000,
  CustomerSearch1764870000000,
  Hardening1764880000000,
  ChannelHealth1764900000001,
  DeadLetter1764910000000,
  DeliveryWindows1764930000001,
  RecurringJobs1764950000000,
  ForeignKeys1764968000000,
];

export interface DatabaseOptions {
  /** mysql://user:pass@host:port/db — absent means the embedded SQLite file. */
  url?: string | undefined;
  dataDir: string;
  poolSize?: number;
  /** policy `database`: bounds on waiting for MySQL/MariaDB (db/guard.ts); absent, waits are unbounded */
  limits?: DatabaseLimits | undefined;
}

export interface DatabaseLimits {
  queryTimeoutSeconds: number;
  acquireTimeoutSeconds: number;
  queueLimit: number;
}

export function createDataSource(options: DatabaseOptions): DataSource {
  if (options.url) {
    return new DataSource({
      type: options.url.startsWith('mariadb:') ? 'mariadb' : 'mysql',
      url: options.url.replace(/^mariadb:/, 'mysql:'),
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      entities,
      migrations,
      migrationsTransactionMode: 'each',
      poolSize: options.poolSize ?? 16,
      supportBigNumbers: true,
      // Lets the hot paths send several parameterized statements in one round trip (db/sql.ts).
      multipleStatements: true,
      ...(options.limits
        ? {
            // a connection that cannot be opened (refused, or a server that never answers the handshake)
            connectTimeout: Math.round(options.limits.acquireTimeoutSeconds * 1000),
            // requests waiting for a pooled connection beyond this are refused at once (503)
            extra: { queueLimit: options.limits.queueLimit },
          }
        : {}),
    });
  }
  mkdirSync(options.dataDir, { recursive: true });
  return new DataSource({
    type: 'better-sqlite3',
    database: path.join(options.dataDir, 'anchor.sqlite'),
    entities,
    migrations,
    enableWAL: true,
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('busy_timeout = 5000');
    },
  });
}

export function isSqlite(dataSource: DataSource): boolean {
  return dataSource.options.type === 'better-sqlite3';
}

/**
 * SQLite: every transaction takes the file's write lock when it begins (BEGIN IMMEDIATE), not at its
 * first write. A deferred transaction that has read and then writes cannot wait for another process's
 * lock (its snapshot would be stale) and fails at once with "database is locked"; an immediate one
 * waits its busy_timeout like any writer, so two processes on one file (a server and its successor
 * during a restart, two servers on one disk) take turns instead of failing. TypeORM drives SQLite
 * through one query runner, whose BEGIN is switched here.
 */
function beginImmediate(dataSource: DataSource): void {
  const runner = dataSource.driver.createQueryRunner('master');
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  (runner as { query: (...args: unknown[]) => Promise<unknown> }).query = (sql: unknown, ...rest: unknown[]) =>
    query(sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql, ...rest);
}

/** Opens the database and brings its schema up to date. */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  if (isSqlite(dataSource)) beginImmediate(dataSource);
  await dataSource.runMigrations({ transaction: 'each' });
  // After the migrations: a schema change on a large table may rightly take longer than a request may wait.
  if (options.limits) {
    guardDatabase(dataSource, {
      queryTimeoutMs: Math.round(options.limits.queryTimeoutSeconds * 1000),
      acquireTimeoutMs: Math.round(options.limits.acquireTimeoutSeconds * 1000),
    });
  }
  return dataSource;
}
