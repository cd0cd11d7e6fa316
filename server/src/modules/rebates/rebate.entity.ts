import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { RebateState } from '@anchor/shared';
import { CreatedAtColumn, TimestampColumn } from '../../db/columns';

/** BIGINT fen: mysql2 answers a string, SQLite a number; both read as a number (amounts stay far below 2^53). */
const fenColumn = { to: (v: number | null) => v, from: (v: string | number | null) => (v === null ? null : Number(v)) };

/**
 * One saved rule table (its id is its version number: 第 3 版), in force from `effectiveFrom` (a local day, policy time zone) until a later
 * version's day. Never edited: saving makes a new version, so a calculation (and a request that kept its
 * version id) always reads the table it was made with.
 */
@Entity('rebate_rule_version')
@Index('idx_rebate_version_effective', ['effectiveFrom', 'id'])
export class RebateRuleVersion {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 10 })
  effectiveFrom: string;

  @Column({ type: 'varchar', length: 200, default: '' })
  note: string;

  @Column({ type: 'int' })
  ruleCount: number;

  @Column({ type: 'int' })
  createdById: number;

  @CreatedAtColumn()
  createdAt: Date;
}

/** One row of a version's table (row: its place in the table as finance saw it). */
@Entity('rebate_rule')
@Index('idx_rebate_rule_version', ['versionId', 'rowNo'])
export class RebateRule {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  versionId: number;

  @Column({ type: 'int' })
  rowNo: number;

  /** '' = 不限 for each key part */
  @Column({ type: 'varchar', length: 10, default: '' })
  grade: string;

  @Column({ type: 'varchar', length: 50, default: '' })
  customerType: string;

  @Column({ type: 'varchar', length: 60, default: '' })
  productModel: string;

  @Column({ type: 'varchar', length: 20, default: '' })
  deliveryCycle: string;

  @Column({ type: 'bigint', transformer: fenColumn })
  minFen: number;

  /** null: no upper bound */
  @Column({ type: 'bigint', nullable: true, transformer: fenColumn })
  maxFen: number | null;

  @Column({ type: 'int' })
  rateMinBp: number;

  @Column({ type: 'int' })
  rateMaxBp: number;

  @Column({ type: 'simple-json' })
  documents: string[];

  @Column({ type: 'int' })
  payoutDelayDays: number;
}

/** Which document type (policy rebates.documentTypes) an attachment of purpose rebate_document is, for its customer. */
@Entity('rebate_document')
@Index('idx_rebate_document_customer', ['customerId', 'documentType'])
@Index('uq_rebate_document_attachment', ['attachmentId'], { unique: true })
export class RebateDocument {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  customerId: number;

  @Column({ type: 'varchar', length: 30 })
  documentType: string;

  @Column({ type: 'int' })
  attachmentId: number;

  @Column({ type: 'int' })
  uploadedById: number;

  @CreatedAtColumn()
  createdAt: Date;
}

/**
 * A rep's rebate request: the calculation as it was (rule, version, range, documents, payout day) and the
 * rate chosen; its state moves pending → documents_missing ⇄ pending → approved / rejected → paid, each
 * move kept in rebate_request_event. `round` counts submissions (a resubmission starts a new approval).
 */
@Entity('rebate_request')
@Index('idx_rebate_request_requester', ['requesterId', 'createdAt'])
@Index('idx_rebate_request_state', ['state', 'createdAt'])
@Index('idx_rebate_request_customer', ['customerId'])
@Index('uq_rebate_request_idempotency', ['requesterId', 'idempotencyKey'], { unique: true })
export class RebateRequest {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  customerId: number;

  /** the rep (or supervisor) who asked; scope follows them */
  @Column({ type: 'int' })
  requesterId: number;

  @Column({ type: 'varchar', length: 60 })
  productModel: string;

  @Column({ type: 'varchar', length: 20 })
  deliveryCycle: string;

  @Column({ type: 'bigint', transformer: fenColumn })
  amountFen: number;

  @Column({ type: 'int' })
  rateBp: number;

  @Column({ type: 'bigint', transformer: fenColumn })
  rebateFen: number;

  @Column({ type: 'int' })
  rateMinBp: number;

  @Column({ type: 'int' })
  rateMaxBp: number;

  @Column({ type: 'int' })
  ruleId: number;

  @Column({ type: 'int' })
  versionId: number;

  @Column({ type: 'simple-json' })
  documentsRequired: string[];

  /** named by finance when sending it back (documents_missing) */
  @Column({ type: 'simple-json' })
  documentsMissing: string[];

  @Column({ type: 'varchar', length: 10 })
  expectedPayoutDate: string;

  @Column({ type: 'varchar', length: 20 })
  state: RebateState;

  @Column({ type: 'int', default: 1 })
  round: number;

  /** the approval (finance pool task) of the current round */
  @Column({ type: 'int', nullable: true })
  approvalId: number | null;

  /** a reject's reason, or what finance said when sending it back */
  @Column({ type: 'varchar', length: 200, nullable: true })
  reason: string | null;

  @Column({ type: 'varchar', length: 200, default: '' })
  note: string;

  /** the phone's Idempotency-Key: a retried submit answers the request it made, never a second one */
  @Column({ type: 'varchar', length: 100 })
  idempotencyKey: string;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;

  @TimestampColumn({ nullable: true })
  decidedAt: Date | null;

  @TimestampColumn({ nullable: true })
  paidAt: Date | null;
}

/** One state change of a request: who, when, from → to, the reason or the documents named. */
@Entity('rebate_request_event')
@Index('idx_rebate_event_request', ['requestId', 'id'])
export class RebateRequestEvent {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  requestId: number;

  @Column({ type: 'varchar', length: 20, nullable: true })
  fromState: RebateState | null;

  @Column({ type: 'varchar', length: 20 })
  toState: RebateState;

  @Column({ type: 'int', nullable: true })
  byId: number | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  reason: string | null;

  @Column({ type: 'simple-json' })
  documents: string[];

  @TimestampColumn()
  at: Date;
}
