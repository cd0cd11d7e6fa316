import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { CampaignFilter, CampaignStepKind, StageCode } from '@anchor/shared';
import { CreatedAtColumn, TimestampColumn } from '../../db/columns';

/**
 * A campaign (专项任务): a plan over target customers with ordered progress steps. Its state is kept as
 * timestamps: a draft until launchedAt, running until closedAt (then its figures are frozen in
 * campaign_snapshot). Its owner (creator) answers the reps' exception reports.
 */
@Entity('campaign')
@Index('idx_campaign_owner', ['ownerId', 'createdAt'])
@Index('idx_campaign_running', ['launchedAt', 'closedAt'])
export class Campaign {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 60 })
  name: string;

  @Column({ type: 'int' })
  ownerId: number;

  /** YYYY-MM-DD in the policy time zone */
  @Column({ type: 'varchar', length: 10 })
  startsOn: string;

  @Column({ type: 'varchar', length: 10 })
  endsOn: string;

  @Column({ type: 'varchar', length: 20 })
  goalStage: StageCode;

  @Column({ type: 'int' })
  goalCount: number;

  /** the filter the targets were picked by (kept to show how the list was made), when there was one */
  @Column({ type: 'simple-json', nullable: true })
  filter: CampaignFilter | null;

  @Column({ type: 'int', nullable: true })
  scriptMaterialId: number | null;

  @Column({ type: 'simple-json' })
  materialIds: number[];

  @TimestampColumn({ nullable: true })
  launchedAt: Date | null;

  @TimestampColumn({ nullable: true })
  closedAt: Date | null;

  @Column({ type: 'int', nullable: true })
  closedById: number | null;

  @CreatedAtColumn()
  createdAt: Date;
}

/** One ordered progress step: the evidence it needs and its due offset (days after the launch day). */
@Entity('campaign_step')
@Index('uq_campaign_step_seq', ['campaignId', 'seq'], { unique: true })
export class CampaignStep {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  campaignId: number;

  @Column({ type: 'int' })
  seq: number;

  @Column({ type: 'varchar', length: 40 })
  title: string;

  @Column({ type: 'varchar', length: 10 })
  kind: CampaignStepKind;

  @Column({ type: 'varchar', length: 20, nullable: true })
  objective: string | null;

  @Column({ type: 'int', nullable: true })
  materialId: number | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  stage: StageCode | null;

  @Column({ type: 'int' })
  dueDays: number;
}

/** A target customer of a campaign, held by a rep (the customer's owner; an owner change moves it along). */
@Entity('campaign_target')
@Index('uq_campaign_target_customer', ['campaignId', 'customerId'], { unique: true })
@Index('idx_campaign_target_owner', ['ownerId', 'campaignId'])
@Index('idx_campaign_target_customer', ['customerId'])
export class CampaignTarget {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  campaignId: number;

  @Column({ type: 'int' })
  customerId: number;

  @Column({ type: 'int' })
  ownerId: number;

  /** removed from the campaign by its owner (an exception answered with 移出专项) */
  @TimestampColumn({ nullable: true })
  droppedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}

/** A rep's blocker on a target, routed to the campaign owner as a task. */
@Entity('campaign_exception')
@Index('idx_campaign_exception_campaign', ['campaignId', 'resolvedAt'])
@Index('idx_campaign_exception_target', ['targetId'])
export class CampaignException {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  campaignId: number;

  @Column({ type: 'int' })
  targetId: number;

  @Column({ type: 'int' })
  reportedById: number;

  @Column({ type: 'varchar', length: 20 })
  reason: string;

  @Column({ type: 'varchar', length: 200 })
  note: string;

  @Column({ type: 'int', nullable: true })
  photoId: number | null;

  @Column({ type: 'int', nullable: true })
  taskId: number | null;

  /** answered / reassigned / dropped once resolved */
  @Column({ type: 'varchar', length: 12, nullable: true })
  resolution: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  answer: string | null;

  @Column({ type: 'int', nullable: true })
  resolvedById: number | null;

  @TimestampColumn({ nullable: true })
  resolvedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}

/** An overdue step's reminder, once per target, step and level (rep, then supervisor): the unique key is the "once". */
@Entity('campaign_reminder')
@Index('uq_campaign_reminder', ['targetId', 'stepId', 'level'], { unique: true })
export class CampaignReminder {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  campaignId: number;

  @Column({ type: 'int' })
  targetId: number;

  @Column({ type: 'int' })
  stepId: number;

  @Column({ type: 'varchar', length: 12 })
  level: 'rep' | 'supervisor';

  @Column({ type: 'int' })
  memberId: number;

  @TimestampColumn()
  sentAt: Date;
}

/** A closed campaign's figures as they stood at closing (the board and each target's steps). */
@Entity('campaign_snapshot')
export class CampaignSnapshot {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Index('uq_campaign_snapshot_campaign', { unique: true })
  @Column({ type: 'int' })
  campaignId: number;

  @Column({ type: 'text' })
  board: string;

  @Column({ type: 'text' })
  targets: string;

  @CreatedAtColumn()
  createdAt: Date;
}
