import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '../../db/columns';

/**
 * One check-in of a member on their local day (policy time zone): done on time, late, or missing (the
 * row the window-end job writes). One per (member, day, slot): `morning`, `evening`, or `visit:<id>`.
 * Dashboards count by (member, day) and (team, day).
 */
@Entity('checkin')
@Index('uq_checkin_member_day_slot', ['memberId', 'day', 'slot'], { unique: true })
@Index('idx_checkin_team_day', ['teamId', 'day'])
@Index('idx_checkin_visit', ['visitId'])
@Index('idx_checkin_member_day_status', ['memberId', 'day', 'status'])
export class Checkin {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  memberId: number;

  /** the member's team when the row was written (a team's day stays as it was) */
  @Column({ type: 'int', nullable: true })
  teamId: number | null;

  /** YYYY-MM-DD in the policy time zone */
  @Column({ type: 'varchar', length: 10 })
  day: string;

  @Column({ type: 'varchar', length: 10 })
  kind: 'morning' | 'visit' | 'evening';

  @Column({ type: 'varchar', length: 24 })
  slot: string;

  @Column({ type: 'int', nullable: true })
  visitId: number | null;

  @Column({ type: 'int', nullable: true })
  customerId: number | null;

  @Column({ type: 'varchar', length: 10 })
  status: 'on_time' | 'late' | 'missing';

  /** the answers, as JSON text (null on a missing row) */
  @Column({ type: 'text', nullable: true })
  answers: string | null;

  @TimestampColumn({ nullable: true })
  checkedInAt: Date | null;

  @TimestampColumn()
  windowClosesAt: Date;

  /** when the one reminder for this window was planned (missing rows) */
  @TimestampColumn({ nullable: true })
  remindedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}

/** A morning or evening window whose end the job has handled: written once, so its reminders go once. */
@Entity('checkin_window')
@Index('uq_checkin_window', ['day', 'kind'], { unique: true })
export class CheckinWindow {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 10 })
  day: string;

  @Column({ type: 'varchar', length: 10 })
  kind: string;

  @CreatedAtColumn()
  createdAt: Date;
}
