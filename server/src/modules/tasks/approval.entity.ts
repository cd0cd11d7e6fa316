import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '../../db/columns';

/** One step of an approval as resolved when it started: who acts on it (a member or a pool). */
export interface ApprovalStep {
  rule: 'supervisor' | 'director' | 'pool';
  assigneeId: number | null;
  pool: string | null;
}

/**
 * An ordered chain of steps (policy `approvals.<kind>`), each step a task of the approval's kind. The
 * steps are fixed when it starts (thresholds applied to the amount then), so a policy edit does not
 * change an approval in flight.
 */
@Entity('approval')
@Index('idx_approval_subject', ['subjectType', 'subjectId'])
@Index('idx_approval_requester', ['requesterId', 'createdAt'])
export class Approval {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 40 })
  kind: string;

  @Column({ type: 'varchar', length: 30 })
  subjectType: string;

  @Column({ type: 'int' })
  subjectId: number;

  @Column({ type: 'int' })
  requesterId: number;

  /** in integer fen (100 fen = ¥1); thresholds compare against it */
  @Column({ type: 'bigint', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | number | null) => (v === null ? null : Number(v)) } })
  amountFen: number | null;

  @Column({ type: 'simple-json' })
  steps: ApprovalStep[];

  @Column({ type: 'int', default: 0 })
  currentStep: number;

  @Column({ type: 'varchar', length: 12, default: 'open' })
  state: 'open' | 'approved' | 'rejected';

  @TimestampColumn({ nullable: true })
  decidedAt: Date | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  reason: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}
