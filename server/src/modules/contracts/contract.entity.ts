import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ContractState } from '@anchor/shared';
import { CreatedAtColumn, TimestampColumn } from '../../db/columns';

export interface ContractLine {
  model: string;
  quantity: number;
}

export interface ContractInstalment {
  seq: number;
  /** YYYY-MM-DD, a calendar day in the policy's time zone */
  dueDate: string;
  amountFen: number;
}

const fenColumn = { to: (v: number) => v, from: (v: string | number) => Number(v) };

/**
 * A contract a rep drafts for one of their customers: amount (integer fen), product lines, payment terms
 * (instalments that add up to the amount), key terms, scans (attachments of purpose contract_scan, owner
 * kind `contract`). draft → submitted → approved | rejected (→ edited → submitted again, a new chain).
 * The chain itself is the task engine's `approval` (subjectType 'contract'); `approvalId` is the latest.
 */
@Entity('contract')
@Index('idx_contract_owner', ['ownerId', 'state', 'updatedAt'])
@Index('idx_contract_customer', ['customerId', 'createdAt'])
@Index('idx_contract_state', ['state', 'updatedAt'])
export class Contract {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  customerId: number;

  /** the rep whose contract it is (the customer's owner when drafted): their receivables, their scope */
  @Column({ type: 'int' })
  ownerId: number;

  @Column({ type: 'int' })
  createdById: number;

  @Column({ type: 'varchar', length: 12, default: 'draft' })
  state: ContractState;

  @Column({ type: 'bigint', transformer: fenColumn })
  amountFen: number;

  @Column({ type: 'simple-json' })
  lines: ContractLine[];

  @Column({ type: 'simple-json' })
  instalments: ContractInstalment[];

  @Column({ type: 'text' })
  keyTerms: string;

  @Column({ type: 'boolean', default: false })
  needsMarketing: boolean;

  @Column({ type: 'int', nullable: true })
  approvalId: number | null;

  @TimestampColumn({ nullable: true })
  submittedAt: Date | null;

  /** when its latest chain was approved or rejected */
  @TimestampColumn({ nullable: true })
  decidedAt: Date | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  rejectReason: string | null;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}

/**
 * 需市场支持: one request per contract to the marketing lead pool, as a task carrying a snapshot frozen when
 * it was made (customer profile, interaction history, key terms); marketing's answer (text + materials).
 */
@Entity('contract_support')
@Index('uq_contract_support_contract', ['contractId'], { unique: true })
export class ContractSupport {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  contractId: number;

  @Column({ type: 'int' })
  taskId: number;

  @Column({ type: 'simple-json' })
  snapshot: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  answerText: string | null;

  /** the materials picked, with their titles as they were when answered */
  @Column({ type: 'simple-json', nullable: true })
  answerMaterials: Array<{ id: number; title: string; kind: string }> | null;

  @Column({ type: 'int', nullable: true })
  answeredById: number | null;

  @TimestampColumn({ nullable: true })
  answeredAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}
