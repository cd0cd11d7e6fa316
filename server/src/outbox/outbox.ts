import type { Sql } from '../db/sql';
import type { OutboxMessage } from './outbox-message.entity';

/** Writes chat messages to deliver, in the caller's transaction; the dispatcher takes it from here. */
export async function enqueueMessages(sql: Sql, messages: Pick<OutboxMessage, 'kind' | 'teamId' | 'payload'>[], now: Date): Promise<void> {
  if (messages.length === 0) return;
  await sql.insert('outbox_message', messages.map((m) => ({ kind: m.kind, teamId: m.teamId, payload: m.payload, attempts: 0, nextAttemptAt: now, createdAt: now })));
}
