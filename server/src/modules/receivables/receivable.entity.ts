import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '../../db/columns';

/**
 * One instalment of an approved contract (回款计划的一期): what the customer owes by a day. State is
 * derived from the amounts and the day (open / partly paid / paid / overdue); times are the facts.
 */
@Entity('receivable')
@Index('uq_receivable_contract_seq', ['contractId', 'seq'], { unique: true })
@Index('idx_receivable_owner_due', ['ownerId', 'dueDate'])
@Index('idx_receivable_customer', ['customerId', 'dueDate'])
@Index('idx_receivable_due', ['dueDate'])
export class Receivable {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  contractId: number;

  @Column({ type: 'int' })
  customerId: number;

  /** the rep who collects it (the contract's owner) */
  @Column({ type: 'int' })
  ownerId: number;

  @Column({ type: 'int' })
  seq: number;

  /** YYYY-MM-DD in the policy time zone */
  @Column({ type: 'varchar', length: 10 })
  dueDate: string;

  @Column({ type: 'int' })
  amountFen: number;

  @Column({ type: 'int', default: 0 })
  paidFen: number;

  /** when the last fen arrived (the payment's time), null while anything is owed */
  @TimestampColumn({ nullable: true })
  paidAt: Date | null;

  /** the overdue escalation to the supervisor went out (once) */
  @TimestampColumn({ nullable: true })
  escalatedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}

/** Money received against a receivable: by WeChat Pay (reference = transaction id) or recorded by finance. */
@Entity('receivable_payment')
@Index('uq_receivable_payment_ref', ['method', 'reference'], { unique: true })
@Index('idx_receivable_payment_receivable', ['receivableId', 'paidAt'])
export class ReceivablePayment {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  receivableId: number;

  @Column({ type: 'int' })
  amountFen: number;

  @Column({ type: 'varchar', length: 20 })
  method: string;

  @Column({ type: 'varchar', length: 64 })
  reference: string;

  @TimestampColumn()
  paidAt: Date;

  /** who recorded it (finance), null for WeChat Pay */
  @Column({ type: 'int', nullable: true })
  byId: number | null;

  @Column({ type: 'int', nullable: true })
  voucherAttachmentId: number | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  note: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}
