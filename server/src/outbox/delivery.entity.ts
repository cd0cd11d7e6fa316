import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '../db/columns';

export type DeliveryChannel = 'wecom_app' | 'wecom_card_update' | 'wecom_robot' | 'dingtalk_robot' | 'wechat_subscribe';

/**
 * One message to one place (a person in WeCom, a group robot, a phone): an outbox row fans out into
 * these. Deliveries to the same target go out one at a time, in order, within its rate limit.
 */
@Entity('delivery')
@Index('uq_delivery', ['outboxId', 'channel', 'target'], { unique: true })
@Index('idx_delivery_due', ['status', 'target', 'id'])
@Index('idx_delivery_target_sent', ['target', 'sentAt'])
@Index('idx_delivery_queue', ['status', 'target', 'outboxId', 'id'])
export class Delivery {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  outboxId: number;

  @Column({ type: 'varchar', length: 20 })
  channel: DeliveryChannel;

  /** where it goes, e.g. wecom_robot:<key>, dingtalk_robot:<token>, wecom_app:<userid> */
  @Column({ type: 'varchar', length: 191 })
  target: string;

  /** the request body as the channel will send it */
  @Column({ type: 'simple-json' })
  body: Record<string, unknown>;

  /** unknown: a group-robot post whose answer was lost; it may be in the group, so it is not posted again unasked */
  @Column({ type: 'varchar', length: 10 })
  /** skipped: no longer wanted when its turn came (a card whose to-do was confirmed meanwhile); lastError says why.
   *  failed: refused for good; dead: kept failing transiently past the policy's attempts or hours */
  status: 'pending' | 'sent' | 'failed' | 'dead' | 'unknown' | 'skipped';

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @TimestampColumn()
  nextAttemptAt: Date;

  @TimestampColumn({ nullable: true })
  sentAt: Date | null;

  /** a group-robot post's attempt, recorded (committed) before the HTTP call; cleared once its outcome is known */
  @TimestampColumn({ nullable: true })
  attemptStartedAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  /** WeCom's response_code for a later update of the card (single use, 72 h) */
  @Column({ type: 'varchar', length: 200, nullable: true })
  responseCode: string | null;

  /** what it is about (todo:42), so a later update can find the card it changes */
  @Index('idx_delivery_subject')
  @Column({ type: 'varchar', length: 60, nullable: true })
  subject: string | null;

  /** when it (last) joined its target's queue: at expansion, or when an admin re-sent it */
  @TimestampColumn({ nullable: true })
  pendingSince: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}
