import type { Sql, Statement } from '../db/sql';
import type { OutboxMessage } from './outbox-message.entity';

/** Writes chat messages to deliver, in the caller's transaction; the dispatcher takes it from here. */
export type NewMessage = Pick<OutboxMessage, 'kind' | 'teamId' | 'payload'>;

export async function enqueueMessages(sql: Sql, messages: NewMessage[], now: Date): Promise<void> {
  if (messages.length === 0) return;
  const { query, params } = outboxStatement(sql, messages, now);
  await sql.exec(query, params);
}

/** The INSERT of `enqueueMessages`, to send in a batch. */
export function outboxStatement(sql: Sql, messages: NewMessage[], now: Date): Statement {
  return sql.insertStatement('outbox_message', messages.map((m) => ({ kind: m.kind, teamId: m.teamId, payload: m.payload, attempts: 0, nextAttemptAt: now, createdAt: now })));
}
