import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '@anchor/shared';
import { CreatedAtColumn, TimestampColumn, UpdatedAtColumn } from '../../db/columns';

@Entity('member')
export class Member {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 50 })
  name: string;

  @Index('uq_member_phone', { unique: true })
  @Column({ type: 'varchar', length: 20 })
  phone: string;

  @Column({ type: 'varchar', length: 20 })
  role: Role;

  /** Reps and supervisors belong to a team; directors, finance and marketing may not. */
  @Index('idx_member_team')
  @Column({ type: 'int', nullable: true })
  teamId: number | null;

  @Index('idx_member_region')
  @Column({ type: 'int', nullable: true })
  regionId: number | null;

  /** A rep's direct supervisor; a supervisor's director. */
  @Column({ type: 'int', nullable: true })
  managerId: number | null;

  @Index('uq_member_wechat', { unique: true })
  @Column({ type: 'varchar', length: 64, nullable: true })
  wechatOpenId: string | null;

  @Index('uq_member_wecom', { unique: true })
  @Column({ type: 'varchar', length: 64, nullable: true })
  wecomUserId: string | null;

  /** DingTalk staff id, for confirmations sent from a DingTalk group */
  @Index('uq_member_dingtalk', { unique: true })
  @Column({ type: 'varchar', length: 64, nullable: true })
  dingtalkUserId: string | null;

  @TimestampColumn({ nullable: true })
  deactivatedAt: Date | null;

  /**
   * When the member joined the company (入职): defaults to when the member was created; an admin may
   * set it (PATCH /members/:id). Null only for a row written by raw SQL on SQLite: read as createdAt.
   */
  @TimestampColumn({ nullable: true })
  joinedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
