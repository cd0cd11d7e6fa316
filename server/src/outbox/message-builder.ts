import type { Sql } from '../db/sql';
import type { MessagePlanner, SendResolver } from '../modules/module';
import type { DeliveryChannel } from './delivery.entity';
import type { MessageKit } from './message-kit';
import type { OutboxMessage } from './outbox-message.entity';

export interface PlannedDelivery {
  channel: DeliveryChannel;
  target: string;
  body: Record<string, unknown>;
  subject?: string;
}

/**
 * What the dispatcher does with a delivery when its turn comes: send it (maybe changed, with a text to
 * send instead if WeCom refuses it), record it as delivered without a call, or leave it unsent.
 */
export type SendPlan =
  | { kind: 'send'; channel: DeliveryChannel; body: Record<string, unknown>; fallback?: Record<string, unknown>; note?: string }
  | { kind: 'delivered'; reason: string }
  | { kind: 'skip'; reason: string };

/**
 * Turns one outbox message into the concrete sends it needs, by the planner of the module that declared
 * its kind (from the data as it is now). A channel that is off or a person without an account there is
 * simply skipped.
 */
export class MessageBuilder {
  constructor(
    readonly kit: MessageKit,
    private readonly planners: ReadonlyMap<string, MessagePlanner>,
    private readonly resolvers: ReadonlyMap<string, SendResolver>,
  ) {}

  knows(kind: string): boolean {
    return this.planners.has(kind);
  }

  async plan(sql: Sql, message: Pick<OutboxMessage, 'id' | 'kind' | 'teamId' | 'payload'>): Promise<PlannedDelivery[]> {
    // Kinds are written only by the modules that plan them; a row left by a module since removed has no one to send it to.
    const planner = this.planners.get(message.kind);
    return planner ? planner(sql, message, this.kit) : [];
  }

  /** A delivery whose subject (`<prefix>:<id>`) a module owns is decided by that module when its turn comes. */
  async resolveAtSend(sql: Sql, d: { id: number; channel: DeliveryChannel; subject: string | null; body: Record<string, unknown>; attempts: number }): Promise<SendPlan> {
    const match = /^([a-z_]+):(.+)$/.exec(d.subject ?? '');
    const resolver = match ? this.resolvers.get(match[1]!) : undefined;
    if (!match || !resolver) return { kind: 'send', channel: d.channel, body: d.body };
    return resolver(sql, { ...d, subject: d.subject!, subjectId: match[2]! }, this.kit);
  }
}
