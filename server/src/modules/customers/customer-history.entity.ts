import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { StageCode } from '@anchor/shared';
import { TimestampColumn } from '../../db/columns';

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
