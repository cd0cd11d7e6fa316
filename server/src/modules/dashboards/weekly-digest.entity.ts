import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn } from '../../db/columns';

/**
 * One weekly digest produced for one person: the unique (member, ISO week) is what makes it once per
 * person per week, whatever the number of servers, runs or restarts. Written in the transaction that
 * writes its outbox row; its figures are kept so next week's card can say how the overdue count moved.
 */
@Entity('weekly_digest')
@Index('uq_weekly_digest_member_week', ['memberId', 'week'], { unique: true })
export class WeeklyDigest {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  memberId: number;

  /** ISO week of the digest's send day, e.g. 2026-W48 */
  @Column({ type: 'varchar', length: 8 })
  week: string;

  /** the reach's overdue customers when it was produced */
  @Column({ type: 'int' })
  overdue: number;

  /** the headline figures of both weeks, as the card showed them (JSON) */
  @Column({ type: 'text' })
  figures: string;

  @CreatedAtColumn()
  createdAt: Date;
}
