import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn, UpdatedAtColumn } from '../db/columns';

/** Access tokens of external APIs, shared by every server instance (a token refreshed by one serves all). */
@Entity('channel_token')
export class ChannelToken {
  @PrimaryColumn({ type: 'varchar', length: 191 })
  cacheKey: string;

  /** WeCom asks to reserve 512 bytes. */
  @Column({ type: 'varchar', length: 512, nullable: true })
  token: string | null;

  @TimestampColumn({ nullable: true })
  expiresAt: Date | null;

  @UpdatedAtColumn()
  updatedAt: Date;
}
