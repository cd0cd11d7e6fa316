import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { StageCode } from '@anchor/shared';
import { TimestampColumn } from '../../db/columns';

export type StageHistoryKind = 'stage' | 'closed_lost' | 'reopened';

@Entity('customer_stage_change')
@Index('idx_stage_change_customer', ['customerId', 'changedAt'])
export class CustomerStageChange {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  customerId: number;

  /** Null for the stage a customer was created in. */
  @Column({ type: 'varchar', length: 20, nullable: true })
  fromStage: StageCode | null;

  @Column({ type: 'varchar', length: 20 })
  toStage: StageCode;

  /**
   * `stage`: a move from fromStage to toStage. `closed_lost`: closed as lost at toStage (= fromStage:
   * the stage does not change), with its reason. `reopened`: a supervisor reopened it.
   */
  @Column({ type: 'varchar', length: 20, default: 'stage' })
  kind: StageHistoryKind;

  @Column({ type: 'varchar', length: 20, nullable: true })
  reason: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  note: string | null;

  @Column({ type: 'int' })
  changedById: number;

  @TimestampColumn()
  changedAt: Date;
}

@Entity('customer_owner_change')
@Index('idx_owner_change_customer', ['customerId', 'changedAt'])
export class CustomerOwnerChange {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  customerId: number;

  @Column({ type: 'int', nullable: true })
  fromOwnerId: number | null;

  @Column({ type: 'int' })
  toOwnerId: number;

  @Column({ type: 'int' })
  changedById: number;

  @TimestampColumn()
  changedAt: Date;
}
