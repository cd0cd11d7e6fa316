import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { OutboxMessage } from './outbox-message.entity';

/** Writes a chat message to deliver, in the caller's transaction; the dispatcher takes it from here. */
export async function enqueueMessage(manager: EntityManager, kind: OutboxMessage['kind'], teamId: number | null, payload: Record<string, unknown>, now: Date): Promise<void> {
  const row = { kind, teamId, payload, attempts: 0, nextAttemptAt: now, deliveredAt: null, failedAt: null, lastError: null } as QueryDeepPartialEntity<OutboxMessage>;
  await manager.getRepository(OutboxMessage).insert(row);
}
