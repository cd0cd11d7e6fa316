import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '../../db/columns';

/**
 * A WeChat Pay Native order for (the remainder of) one receivable. `state` moves once from open to paid
 * (credited), closed, or mismatch (the notified amount differed: finance checks it, nothing credited);
 * the conditional UPDATE out of `open` is what makes a notification credit once however it arrives.
 */
@Entity('pay_order')
@Index('uq_pay_order_out_trade_no', ['outTradeNo'], { unique: true })
@Index('idx_pay_order_receivable', ['receivableId', 'state'])
@Index('idx_pay_order_state', ['state', 'createdAt'])
export class PayOrder {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  receivableId: number;

  @Column({ type: 'varchar', length: 32 })
  outTradeNo: string;

  @Column({ type: 'int' })
  amountFen: number;

  /** open / paid / closed / mismatch */
  @Column({ type: 'varchar', length: 10 })
  state: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  codeUrl: string | null;

  /** the time_expire sent (the same on every retry of the order) */
  @TimestampColumn()
  expiresAt: Date;

  @Column({ type: 'varchar', length: 40, nullable: true })
  transactionId: string | null;

  /** the amount WeChat Pay reported (differs from amountFen only on a mismatch) */
  @Column({ type: 'int', nullable: true })
  notifiedFen: number | null;

  @TimestampColumn({ nullable: true })
  paidAt: Date | null;

  @TimestampColumn({ nullable: true })
  closedAt: Date | null;

  @Column({ type: 'int' })
  createdById: number;

  @CreatedAtColumn()
  createdAt: Date;
}
