import { ChannelToken } from '../channels/channel-token.entity';
import { CallbackNonce } from '../channels/callback-nonce.entity';
import { SubscribeConsent } from '../channels/subscribe-consent.entity';
import { DemoMember } from '../demo/demo-member.entity';
import { IdempotencyKey } from '../http/idempotency-key.entity';
import { Job } from '../jobs/job.entity';
import { serverModules } from '../modules';
import type { AnyModule } from '../modules/module';
import { ChannelTarget } from '../outbox/channel-target.entity';
import { Delivery } from '../outbox/delivery.entity';
import { OutboxMessage } from '../outbox/outbox-message.entity';
import { Foundation1764200000000 } from './migrations/1764200000000-foundation';
import { TeamChannelSettings1764300000000 } from './migrations/1764300000000-team-channel-settings';
import { VisitsTodos1764400000000 } from './migrations/1764400000000-visits-todos';
import { Deliveries1764500000000 } from './migrations/1764500000000-deliveries';
import { TodoDiscuss1764600000000 } from './migrations/1764600000000-todo-discuss';
import { CustomerWaitingVisits1764700000000 } from './migrations/1764700000000-customer-waiting-visits';
import { VisitSavedAt1764810000000 } from './migrations/1764810000000-visit-saved-at';
import { CustomerSearch1764870000000 } from './migrations/1764870000000-customer-search';
import { Hardening1764880000000 } from './migrations/1764880000000-hardening';
import { ChannelHealth1764900000001 } from './migrations/1764900000001-channel-health';
import { DeadLetter1764910000000 } from './migrations/1764910000000-dead-letter';
import { DeliveryWindows1764930000001 } from './migrations/1764930000001-delivery-windows';
import { RecurringJobs1764950000000 } from './migrations/1764950000000-recurring-jobs';
import { ForeignKeys1764968000000 } from './migrations/1764968000000-foreign-keys';

/** The platform's own tables: jobs, the outbox and its deliveries, idempotency, channel state. */
const platformEntities = [OutboxMessage, Job, IdempotencyKey, Delivery, ChannelTarget, CallbackNonce, ChannelToken, SubscribeConsent, DemoMember];

/**
 * Migrations written before the module contract: each spans several modules' tables, so they stay the
 * platform's, in their order. Every migration since lives in the module that owns its tables.
 * One per line, in time order, so branches adding migrations merge without conflict.
 */
const platformMigrations = [
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

/** Timestamp of a migration class named `Name1764200000000`. */
const timestampOf = (migration: { name: string }): number => Number(/(\d{13})$/.exec(migration.name)?.[1] ?? 0);

/** Every table (platform and modules) and every migration, in time order across modules. */
export function schemaOf(modules: readonly AnyModule[] = serverModules()) {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  const entities: Function[] = [...platformEntities, ...modules.flatMap((m) => m.entities)];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  const migrations: Function[] = [...platformMigrations, ...modules.flatMap((m) => m.migrations)].sort((a, b) => timestampOf(a) - timestampOf(b));
  return { entities, migrations };
}
