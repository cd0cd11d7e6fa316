import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '../../db/columns';

/** Opaque bearer sessions: only the SHA-256 of the token is stored, so a database leak leaks no logins. */
@Entity('session')
export class Session {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Index('uq_session_token', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  tokenHash: string;

  @Index('idx_session_member')
  @Column({ type: 'int' })
  memberId: number;

  @Column({ type: 'varchar', length: 20 })
  via: 'wechat' | 'wecom' | 'dev';

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn()
  expiresAt: Date;

  @TimestampColumn({ nullable: true })
  revokedAt: Date | null;
}
