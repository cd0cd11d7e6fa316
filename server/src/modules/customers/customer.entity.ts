import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { StageCode } from '@anchor/shared';
import { CreatedAtColumn, TimestampColumn, UpdatedAtColumn, unreadableDateAsNull } from '../../db/columns';

/** Inputs the grading model reads, each 0–100 where known. */
export interface GradingInputs {
  paymentOnTimeRate?: number;
  inventoryConsumptionSpeed?: number;
  competitorPenetration?: number;
}

@Entity('customer')
@Index('idx_customer_owner_stage_follow', ['ownerId', 'stage', 'lastFollowUpAt', 'createdAt'])
@Index('idx_customer_owner_follow', ['ownerId', 'lastFollowUpAt'])
@Index('idx_customer_owner_lead', ['ownerId', 'leadAssignedAt', 'firstTouchAt'])
export class Customer {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** The name folded for duplicate detection (width, case, spaces, punctuation). */
  @Index('uq_customer_name_key', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  nameKey: string;

  @Column({ type: 'varchar', length: 50 })
  industry: string;

  @Column({ type: 'varchar', length: 20 })
  stage: StageCode;

  @TimestampColumn()
  stageChangedAt: Date;

  @Column({ type: 'int' })
  ownerId: number;

  @Column({ type: 'varchar', length: 4, nullable: true })
  grade: string | null;

  @TimestampColumn({ nullable: true, transformer: unreadableDateAsNull })
  lastFollowUpAt: Date | null;

  /** Visits stage automation left waiting here; kept in step in the transactions that add or complete one. */
  @Column({ type: 'int', default: 0 })
  waitingVisits: number;

  /** A lead's clock: assigned at, first touch due by (config: leadFirstTouchHours), touched at. */
  @TimestampColumn({ nullable: true })
  leadAssignedAt: Date | null;

  @TimestampColumn({ nullable: true })
  firstTouchDueAt: Date | null;

  @TimestampColumn({ nullable: true })
  firstTouchAt: Date | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  province: string | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  city: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  address: string | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  contactName: string | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  contactPhone: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  hospitalLevel: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  departmentActivity: string | null;

  @Column({ type: 'simple-json', nullable: true })
  gradingInputs: GradingInputs | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  notes: string | null;

  /** Name, contact and phone folded for search (customer-search.ts); written with them, null only until indexed. */
  @Column({ type: 'varchar', length: 200, nullable: true, select: false })
  searchText: string | null;

  /** 关闭/丢单: when the customer was closed as lost (null while open), why (policy options.lostReasons), who */
  @TimestampColumn({ nullable: true })
  closedAt: Date | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  closedReason: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  closedNote: string | null;

  @Column({ type: 'int', nullable: true })
  closedById: number | null;

  @Column({ type: 'int' })
  createdById: number;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
