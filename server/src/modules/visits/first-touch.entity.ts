import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../db/columns';

/** 首次触达: the first contact with a newly assigned lead, due within the configured 48 h. */
@Entity('first_touch')
export class FirstTouch {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Index('uq_first_touch_customer', { unique: true })
  @Column({ type: 'int' })
  customerId: number;

  @Column({ type: 'int' })
  memberId: number;

  @Column({ type: 'varchar', length: 10 })
  method: string;

  @Column({ type: 'varchar', length: 300 })
  verbatim: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  evidenceText: string | null;

  @Column({ type: 'int', nullable: true })
  evidencePhotoId: number | null;

  @TimestampColumn()
  touchedAt: Date;

  @TimestampColumn()
  dueAt: Date;
}
