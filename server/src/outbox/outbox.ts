import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { OutboxMessage } from './outbox-message.entity';

/** Writes a chat message to deliver, in the caller's transaction; the dispatcher takes it from here. */
export async function enqueueMessage(manager: EntityManager, kind: OutboxMessage['kind'], teamId: number | null, payload: Record<string, unknown>, now: Date): Promise<void> {
  await enqueueMessages(manager, [{ kind, teamId, payload }], now);
}

export async function enqueueMessages(manager: EntityManager, messages: Pick<OutboxMessage, 'kind' | 'teamId' | 'payload'>[], now: Date): Promise<void> {
  if (messages.length === 0) return;
  const rows = messages.map((m) => ({ ...m, attempts: 0, nextAttemptAt: now, deliveredAt: null, failedAt: null, lastError: null, createdAt: now }) as QueryDeepPartialEntity<OutboxMessage>);
  await manager.createQueryBuilder().insert().into(OutboxMessage).values(rows).updateEntity(false).execute();
}
