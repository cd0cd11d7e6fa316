import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '../../db/columns';

/**
 * A visit and its anchors. A visit created by stage automation waits (submittedAt null, anchors null)
 * until its owner submits it.
 */
@Entity('visit')
@Index('idx_visit_customer', ['customerId', 'submittedAt'])
@Index('idx_visit_member', ['memberId', 'submittedAt'])
@Index('idx_visit_submitted', ['submittedAt'])
@Index('idx_visit_follow_up', ['nextFollowUpAt'])
@Index('idx_visit_follow_up_set', ['followUpSetAt'])
export class Visit {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  customerId: number;

  /** the visitor: filled by the server from the session, never from the client */
  @Column({ type: 'int' })
  memberId: number;

  @Column({ type: 'varchar', length: 20, nullable: true })
  objective: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  painPoint: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  dialogueSummary: string | null;

  @Column({ type: 'varchar', length: 50, nullable: true })
  bottleneck: string | null;

  @Column({ type: 'varchar', length: 50, nullable: true })
  valuePoint: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  agreedAction: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  agreedActionNote: string | null;

  @TimestampColumn({ nullable: true })
  nextFollowUpAt: Date | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  nextFollowUpForm: string | null;

  @Column({ type: 'boolean', default: false })
  alert: boolean;

  @Column({ type: 'varchar', length: 300, nullable: true })
  customerVerbatim: string | null;

  /** when the rep submitted it (the visit date); null while it waits to be completed */
  @TimestampColumn({ nullable: true })
  submittedAt: Date | null;

  /**
   * when the rep pressed save, for a visit saved offline and sent later (bounded: not after
   * submittedAt, not older than policy limits.offlineVisitMaxAgeDays); null for a waiting visit
   */
  @TimestampColumn({ nullable: true })
  savedAt: Date | null;

  /** the customer's reaction (policy options.customerFeedback: 积极 / 中性 / 消极); optional, null when not given */
  @Column({ type: 'varchar', length: 10, nullable: true })
  customerFeedback: string | null;

  /** 标记完成 of the agreed action: when, by whom (the rep or their supervisor), a note; null while not done */
  @TimestampColumn({ nullable: true })
  actionDoneAt: Date | null;

  @Column({ type: 'int', nullable: true })
  actionDoneById: number | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  actionDoneNote: string | null;

  /** actionDoneAt ≤ nextFollowUpAt, decided when it was marked (null while not done) */
  @Column({ type: 'boolean', nullable: true })
  actionDoneOnTime: boolean | null;

  /** the winning play (module plays) whose value point the rep copied into the form and then submitted; null otherwise */
  @Column({ type: 'varchar', length: 16, nullable: true })
  playKey: string | null;

  /** when 设定跟进 last moved nextFollowUpAt after submission (null: as submitted); the dashboards' rollup recounts from it */
  @TimestampColumn({ nullable: true })
  followUpSetAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}
