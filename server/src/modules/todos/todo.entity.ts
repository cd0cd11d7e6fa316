import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '../../db/columns';

/** What the supervisor's card shows, frozen when the visit was submitted. */
export interface TodoSnapshot {
  customer: { id: number; name: string; stage: string; stageLabel: string; grade: string | null; industry: string; hospitalLevel: string | null; lastFollowUpAt: string | null };
  rep: { id: number; name: string };
  visit: { id: number; objective: string; painPoint: string; bottleneck: string; valuePoint: string; submittedAt: string };
  actionItems: { agreedAction: string; note: string | null; nextFollowUpAt: string; nextFollowUpForm: string };
}

/** A supervisor's to-do: confirm the next action a rep agreed with a customer. */
@Entity('todo')
@Index('idx_todo_assignee', ['assigneeId', 'confirmedAt'])
@Index('idx_todo_rep', ['repId', 'createdAt'])
export class Todo {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 30 })
  kind: 'visit_next_action';

  @Column({ type: 'int' })
  customerId: number;

  @Index('idx_todo_visit')
  @Column({ type: 'int', nullable: true })
  visitId: number | null;

  /** the rep's direct supervisor, who confirms */
  @Column({ type: 'int' })
  assigneeId: number;

  @Column({ type: 'int' })
  repId: number;

  @Column({ type: 'simple-json' })
  snapshot: TodoSnapshot;

  /** confirm by this time, or the director hears of it */
  @TimestampColumn()
  dueAt: Date;

  @TimestampColumn({ nullable: true })
  confirmedAt: Date | null;

  @Column({ type: 'int', nullable: true })
  confirmedById: number | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  confirmedVia: 'app' | 'wecom' | 'dingtalk' | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  confirmComment: string | null;

  @TimestampColumn({ nullable: true })
  escalatedAt: Date | null;

  /** 需要沟通: the supervisor asked the rep to talk first (the to-do stays open and keeps its deadline). */
  @TimestampColumn({ nullable: true })
  discussRequestedAt: Date | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  discussRequestedVia: 'app' | 'wecom' | 'dingtalk' | null;

  @CreatedAtColumn()
  createdAt: Date;
}
