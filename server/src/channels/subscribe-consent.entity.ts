import { Column, Entity, PrimaryColumn } from 'typeorm';
import { UpdatedAtColumn } from '../db/columns';

/**
 * WeChat subscribe messages are one-time: each 「允许」 a rep taps in the mini-program allows one send
 * of that template. We count them so a reminder is only sent when a send is left.
 */
@Entity('subscribe_consent')
export class SubscribeConsent {
  @PrimaryColumn({ type: 'int' })
  memberId: number;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  templateId: string;

  @Column({ type: 'int', default: 0 })
  remaining: number;

  @UpdatedAtColumn()
  updatedAt: Date;
}
