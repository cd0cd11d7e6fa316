import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../db/columns';
import type { TaskVia } from './task.entity';

export const TASK_ACTIONS = ['confirm', 'approve', 'reject', 'comment', 'request_talk', 'reassign', 'escalate'] as const;
export type TaskActionName = (typeof TASK_ACTIONS)[number];

/** One line of a task's history: who did what, from where, with what words. Written with the change it records. */
@Entity('task_action')
@Index('idx_task_action_task', ['taskId', 'id'])
export class TaskAction {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  taskId: number;

  @Column({ type: 'varchar', length: 20 })
  action: TaskActionName;

  /** null for the server's own (escalate) */
  @Column({ type: 'int', nullable: true })
  byId: number | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  via: TaskVia | null;

  /** a reassignment's new assignee */
  @Column({ type: 'int', nullable: true })
  toMemberId: number | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  comment: string | null;

  @TimestampColumn()
  at: Date;
}
