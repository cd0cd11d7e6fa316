import type { DataSource } from 'typeorm';
import type { Action } from '@anchor/shared';
import type { Clock } from '../clock';
import type { Env } from '../config/env';
import type { Policy } from '../config/policy';
import type { Sql } from '../db/sql';
import type { AnyRoute } from '../http/route';
import type { JobHandler, RecurringJob } from '../jobs/job-runner';
import type { Logger } from '../logger';
import type { MessageKit } from '../outbox/message-kit';
import type { PlannedDelivery, SendPlan } from '../outbox/message-builder';
import type { OutboxMessage } from '../outbox/outbox-message.entity';
import type { DeliveryChannel } from '../outbox/delivery.entity';
import type { TokenCache } from '../channels/token-cache';
import type { ObjectStorage } from './attachments/storage/object-storage';
import type { VisitFaults } from './visits';
import type { TaskKindDefinition } from './tasks';

/**
 * What every module's services are built from: the platform's parts, plus `use(name)` for the services
 * another module exports (listed earlier in `modules/index.ts`). Each module adds its exports to
 * `ModuleExports` by declaration merging, so `use('customers')` is typed without a central list.
 */
export interface ModuleContext {
  db: DataSource;
  policy: Policy;
  env: Env;
  clock: Clock;
  logger: Logger;
  /** access tokens of the chat platforms, cached in the database for every server */
  tokens: TokenCache;
  /** where uploaded files go (default: the local upload directory) */
  storage?: ObjectStorage | undefined;
  /** test hooks into the visit submission */
  visitFaults?: VisitFaults | undefined;
  use<N extends keyof ModuleExports>(name: N): ModuleExports[N];
  /** every module joined (the task engine reads their `taskKinds` when it first needs them) */
  modules?: readonly AnyModule[];
}

/** Filled by each module: `declare module '../module' { interface ModuleExports { customers: … } }`. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ModuleExports {}

/** Plans the sends one outbox message of this kind needs, from the data as it is when it is planned. */
export type MessagePlanner = (sql: Sql, message: Pick<OutboxMessage, 'id' | 'kind' | 'teamId' | 'payload'>, kit: MessageKit) => Promise<PlannedDelivery[]>;

/** Decides, when a delivery's turn comes, what to send for a subject this module owns (e.g. `todo:12`). */
export type SendResolver = (
  sql: Sql,
  delivery: { id: number; channel: DeliveryChannel; subject: string; subjectId: string; body: Record<string, unknown>; attempts: number },
  kit: MessageKit,
) => Promise<SendPlan>;

/** One error a module can answer with: its HTTP status and what the person reads (Chinese). */
export interface ErrorSpec {
  status: number;
  message: string;
}

// A constructor TypeORM takes as an entity or a migration.
// eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-function-type
type Constructor = Function;

/**
 * One module: everything the platform needs to plug it in. `app.ts`, the data source, the job runner,
 * the outbox and OpenAPI read these; nothing module-specific lives outside the module's folder.
 */
export interface ModuleDefinition<Name extends string = string, Services = unknown> {
  name: Name;
  /** tables this module owns; no other module names them in SQL or uses their entity classes */
  entities: Constructor[];
  /**
   * Modules whose tables this one reads in its own SQL, never writes (a reporting module: the dashboards
   * count visits, customers, check-ins and tasks where they are). Each read is a SELECT over columns the
   * owner keeps; the owner's tests do not know about them, the reader's tests do. Writes stay the owner's.
   */
  reads?: readonly string[];
  /** its migrations (run in timestamp order with every other module's) */
  migrations: Constructor[];
  /** its error codes → status and Chinese message */
  errors: Record<string, ErrorSpec>;
  /** the actions it introduces in the permission matrix (shared/src/permissions.ts); routes name them in `can` */
  permissions: readonly Action[];
  /** outbox message kinds it plans, each rendered per channel */
  messages: Record<string, MessagePlanner>;
  /** delivery subjects it owns (`<prefix>:<id>`), resolved when their turn comes */
  subjects?: Record<string, SendResolver>;
  /** kinds of task it creates (its approval kinds too): actions, due time, escalation, card, approval hooks */
  taskKinds?: TaskKindDefinition[];
  /** builds the services it exports (and uses itself) */
  services(ctx: ModuleContext): Services;
  routes?(services: Services, ctx: ModuleContext): AnyRoute[];
  /** one-off job kinds it handles */
  jobs?(services: Services, ctx: ModuleContext): Record<string, JobHandler>;
  /** periodic work (one self-rescheduling job row per kind) */
  recurring?(services: Services, ctx: ModuleContext): RecurringJob[];
}

/** Keeps a module's services type tied to its routes and jobs. */
export function defineModule<Name extends string, Services>(definition: ModuleDefinition<Name, Services>): ModuleDefinition<Name, Services> {
  return definition;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModule = ModuleDefinition<string, any>;
