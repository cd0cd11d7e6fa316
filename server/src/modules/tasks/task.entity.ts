import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '../../db/columns';

/** Where an action came from: the app, a chat card or command, or the server itself (an escalation). */
export type TaskVia = 'app' | 'wecom' | 'dingtalk';

/** How a settled task ended. Open ⇔ `completedAt IS NULL`; the outcome says which way it closed. */
export type TaskOutcome = 'done' | 'approved' | 'rejected' | 'cancelled';

/**
 * Who hears of a task nobody acted on by its due time (resolved when it escalates): the assignee's
 * manager, the first director up the assignee's line, or the admins (also the fallback when there is
 * no such person, e.g. for a pool's task).
 */
export type EscalationTarget = 'manager' | 'director' | 'admins';

/**
 * One piece of work someone must act on: a kind (what may be done with it), a subject (what it is
 * about), an assignee (a member) or a pool (any member of a role; the first to act wins), a due time
 * after which it escalates once, and a history (task_action). An approval step is a task too.
 * State is kept as timestamps: completedAt (with outcome), escalatedAt, talkRequestedAt.
 */
@Entity('task')
@Index('idx_task_assignee', ['assigneeId', 'completedAt'])
@Index('idx_task_pool', ['assigneePool', 'completedAt'])
@Index('idx_task_requester', ['requesterId', 'createdAt'])
@Index('idx_task_requester_kind', ['requesterId', 'kind', 'createdAt', 'outcome', 'completedAt'])
@Index('idx_task_subject', ['subjectType', 'subjectId'])
@Index('idx_task_customer', ['customerId'])
@Index('idx_task_escalated', ['escalatedAt'])
@Index('idx_task_approval', ['approvalId', 'stepIndex'])
export class Task {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 40 })
  kind: string;

  /** what it is about: visit, customer, contract, rebate_request, campaign … */
  @Column({ type: 'varchar', length: 30 })
  subjectType: string;

  /** null only for a subject since removed (a to-do whose visit is gone) */
  @Column({ type: 'int', nullable: true })
  subjectId: number | null;

  /** the customer it concerns, when there is one (a customer's timeline lists its tasks) */
  @Column({ type: 'int', nullable: true })
  customerId: number | null;

  /** on whose behalf (the rep whose next action it is, the approval's requester): told of talk requests and rejections */
  @Column({ type: 'int', nullable: true })
  requesterId: number | null;

  @Column({ type: 'int', nullable: true })
  assigneeId: number | null;

  /** a role pool (e.g. finance): any active member with that role may act */
  @Column({ type: 'varchar', length: 40, nullable: true })
  assigneePool: string | null;

  @Column({ type: 'int', nullable: true })
  approvalId: number | null;

  @Column({ type: 'int', nullable: true })
  stepIndex: number | null;

  @Column({ type: 'simple-json' })
  snapshot: Record<string, unknown>;

  @TimestampColumn()
  dueAt: Date;

  @Column({ type: 'varchar', length: 20, default: 'manager' })
  escalationTarget: EscalationTarget;

  @TimestampColumn({ nullable: true })
  escalatedAt: Date | null;

  @TimestampColumn({ nullable: true })
  completedAt: Date | null;

  @Column({ type: 'varchar', length: 12, nullable: true })
  outcome: TaskOutcome | null;

  @Column({ type: 'int', nullable: true })
  completedById: number | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  completedVia: TaskVia | null;

  /** the confirmer's comment, or a rejection's reason */
  @Column({ type: 'varchar', length: 200, nullable: true })
  comment: string | null;

  /** 需要沟通: the assignee asked to talk first (the task stays open and keeps its deadline) */
  @TimestampColumn({ nullable: true })
  talkRequestedAt: Date | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  talkRequestedVia: TaskVia | null;

  @CreatedAtColumn()
  createdAt: Date;
}
