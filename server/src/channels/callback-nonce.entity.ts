import { Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../db/columns';

/** Callback (timestamp, nonce) pairs already accepted: a replay within the time window is refused. */
@Entity('callback_nonce')
export class CallbackNonce {
  @PrimaryColumn({ type: 'varchar', length: 191 })
  nonceKey: string;

  @TimestampColumn()
  seenAt: Date;
}
