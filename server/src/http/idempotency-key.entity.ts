import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn } from '../db/columns';

/** A create already done for (member, key): a retried submit gets this answer instead of a second record. */
@Entity('idempotency_key')
@Index('uq_idempotency_member_key', ['memberId', 'key'], { unique: true })
export class IdempotencyKey {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  memberId: number;

  @Column({ type: 'varchar', length: 100 })
  key: string;

  @Column({ type: 'varchar', length: 100 })
  route: string;

  @Column({ type: 'varchar', length: 64 })
  requestHash: string;

  @Column({ type: 'int' })
  responseStatus: number;

  @Column({ type: 'text', nullable: true })
  responseBody: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}
