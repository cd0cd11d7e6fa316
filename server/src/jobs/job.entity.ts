import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '../db/columns';

/**
 * A job kind some module declares: one-off timers in its `jobs` (written by the change that needs them),
 * periodic work in its `recurring` (one row per kind that reschedules itself, schedule in policy `recurring`).
 */
export type JobKind = string;
export type OneOffJobKind = JobKind;
export type RecurringJobKind = JobKind;

/** The only record of what must happen later: timers live here, not in memory. */
@Entity('job')
@Index('idx_job_due', ['status', 'dueAt'])
export class Job {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 40 })
  kind: JobKind;

  @TimestampColumn()
  dueAt: Date;

  @Column({ type: 'simple-json' })
  payload: Record<string, unknown>;

  /** what the job is about (e.g. todo:42), so it can be found and cancelled without scanning */
  @Index('idx_job_subject')
  @Column({ type: 'varchar', length: 60, nullable: true })
  subject: string | null;

  @Column({ type: 'varchar', length: 10, default: 'pending' })
  status: 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @TimestampColumn({ nullable: true })
  leaseUntil: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  /** the recurring kind this row carries (one row per kind, whatever the number of servers); NULL on one-off jobs */
  @Index('uq_job_recurring', { unique: true })
  @Column({ type: 'varchar', length: 60, nullable: true })
  recurring: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}
