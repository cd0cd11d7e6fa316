import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../db/columns';

/**
 * A member an admin picked for a `chosen` task pool (policy taskPools, e.g. the marketing lead). Only
 * those picked act on the pool's tasks; while a pool has none (or none still active in its roles),
 * every active member of its roles does.
 */
@Entity('task_pool_member')
@Index('idx_task_pool_member_member', ['memberId'])
export class TaskPoolMember {
  /** the pool's id in policy taskPools */
  @PrimaryColumn({ type: 'varchar', length: 40 })
  pool: string;

  @PrimaryColumn({ type: 'int' })
  memberId: number;

  /** the admin who picked them */
  @Column({ type: 'int', nullable: true })
  chosenById: number | null;

  @TimestampColumn()
  chosenAt: Date;
}
