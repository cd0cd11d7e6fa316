import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../db/columns';

/** Who may send to a target right now (one server at a time) and how much of its rate it has used. */
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
