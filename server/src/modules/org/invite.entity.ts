import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '@anchor/shared';
import { CreatedAtColumn, TimestampColumn } from '../../db/columns';

/**
 * What a QR code carries. A personal invite binds the scanner to an existing member (single use);
 * a team invite (memberId null) lets a new rep join the team, until it expires or is revoked.
 */
@Entity('invite')
export class Invite {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Index('uq_invite_code', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'int' })
  teamId: number;

  @Column({ type: 'int', nullable: true })
  memberId: number | null;

  @Column({ type: 'varchar', length: 20 })
  role: Role;

  @Column({ type: 'int' })
  createdById: number;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn()
  expiresAt: Date;

  @TimestampColumn({ nullable: true })
  usedAt: Date | null;

  @TimestampColumn({ nullable: true })
  revokedAt: Date | null;
}
