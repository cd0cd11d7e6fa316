import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../db/columns';

/** One grading run of one customer: its four sub-scores, the score, the grade, when and why. */
@Entity('customer_grade')
@Index('idx_customer_grade_customer', ['customerId', 'gradedAt'])
export class CustomerGrade {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  customerId: number;

  @Column({ type: 'float' })
  paymentHistory: number;

  @Column({ type: 'float' })
  inventorySpeed: number;

  @Column({ type: 'float' })
  hospitalLevelActivity: number;

  @Column({ type: 'float' })
  competitorPenetration: number;

  @Column({ type: 'float' })
  score: number;

  @Column({ type: 'varchar', length: 8 })
  grade: string;

  /** comma-separated dimensions whose input was missing (scored neutral) */
  @Column({ type: 'varchar', length: 120 })
  missing: string;

  /** 'on_demand' | 'scheduled' */
  @Column({ type: 'varchar', length: 20 })
  reason: string;

  @TimestampColumn()
  gradedAt: Date;
}
