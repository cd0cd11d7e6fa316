import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '../db/columns';

/**
 * A message the chat channels must carry, written in the same transaction as the change that caused
 * it; the dispatcher delivers it (with retries) and records the outcome here.
 */
@Entity('outbox_message')
@Index('idx_outbox_pending', ['deliveredAt', 'failedAt', 'nextAttemptAt'])
export class OutboxMessage {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 40 })
  /** a kind some module declares in its `messages` (e.g. `todo.card`); that module plans its sends */
  kind: string;

  /** the team whose channels carry it */
  @Column({ type: 'int', nullable: true })
  teamId: number | null;

  @Column({ type: 'simple-json' })
  payload: Record<string, unknown>;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @TimestampColumn()
  nextAttemptAt: Date;

  /** when its deliveries were written (one per channel and target) */
  @TimestampColumn({ nullable: true })
  expandedAt: Date | null;

  @TimestampColumn({ nullable: true })
  deliveredAt: Date | null;

  @TimestampColumn({ nullable: true })
  failedAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}
