import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../db/columns';

/**
 * Who may send to a target right now (one server at a time) and whether it is paused. Its rate windows
 * are counted from delivery.sentAt (dispatcher nextDue); windowStartedAt and sentInWindow, the fixed
 * minute once kept here, are no longer read or written.
 */
@Entity('channel_target')
export class ChannelTarget {
  @PrimaryColumn({ type: 'varchar', length: 191 })
  target: string;

  @TimestampColumn({ nullable: true })
  leaseUntil: Date | null;

  @TimestampColumn({ nullable: true })
  windowStartedAt: Date | null;

  @Column({ type: 'int', default: 0 })
  sentInWindow: number;

  /** after 45009 / 130101: nothing goes to this target before then */
  @TimestampColumn({ nullable: true })
  blockedUntil: Date | null;
}
