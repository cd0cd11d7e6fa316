import { Column, Entity, PrimaryColumn } from 'typeorm';
import { UpdatedAtColumn } from '../../db/columns';

/** Per-team chat robots, edited by an admin; the server never returns the secrets in full. */
@Entity('team_channel_settings')
export class TeamChannelSettings {
  @PrimaryColumn({ type: 'int' })
  teamId: number;

  /** WeCom group robot webhook key (the key= part of the webhook URL). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  wecomRobotKey: string | null;

  /** DingTalk custom robot access_token and its 加签 secret (SEC…). */
  @Column({ type: 'varchar', length: 128, nullable: true })
  dingtalkRobotToken: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  dingtalkRobotSecret: string | null;

  @Column({ type: 'int' })
  updatedById: number;

  @UpdatedAtColumn()
  updatedAt: Date;
}
