import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../db/columns';

/** How a play's visits split over one customer attribute (industry or hospital level), where there is enough data. */
export interface PlaySegment {
  kind: 'industry' | 'hospitalLevel';
  value: string;
  visits: number;
  advanced: number;
}

/**
 * A winning play (赢单打法): one merged value point, for one bottleneck and objective, mined from one
 * region's visits by the recurring job `plays.mine`. Rewritten by every run (hidden is carried over by
 * play_hidden); only plays with at least `plays.minSupport` advanced visits are kept.
 */
@Entity('play')
@Index('uq_play_region_key', ['regionId', 'playKey'], { unique: true })
@Index('idx_play_region_bottleneck', ['regionId', 'bottleneck'])
export class Play {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  /** the region whose visits it was mined from (0: members without a region) */
  @Column({ type: 'int' })
  regionId: number;

  /** stable: a hash of the merged text, the bottleneck and the objective (play-text.ts playKeyOf) */
  @Column({ type: 'varchar', length: 16 })
  playKey: string;

  @Column({ type: 'varchar', length: 50 })
  bottleneck: string;

  @Column({ type: 'varchar', length: 20 })
  objective: string;

  /** the merged value point: the most used wording among those merged */
  @Column({ type: 'varchar', length: 50 })
  valuePoint: string;

  /** other wordings merged into it (the most used first, a few) */
  @Column({ type: 'simple-json' })
  variants: string[];

  /** the agreed action most often promised on its advanced visits */
  @Column({ type: 'varchar', length: 20, nullable: true })
  topAction: string | null;

  /** agreed action → advanced visits that promised it */
  @Column({ type: 'simple-json' })
  actions: Array<{ action: string; advanced: number }>;

  /** visits in the window that used it (its value point, this bottleneck and objective) */
  @Column({ type: 'int' })
  visits: number;

  /** of those, the visits followed by a lasting stage advance (the support count) */
  @Column({ type: 'int' })
  advanced: number;

  @Column({ type: 'simple-json' })
  segments: PlaySegment[];

  /** the play_hidden key that hides it (a director hid it, maybe under an earlier wording), or null */
  @Column({ type: 'varchar', length: 16, nullable: true })
  hiddenBy: string | null;

  @TimestampColumn()
  computedAt: Date;
}

/** A play a director (or admin) hid: never suggested again, also after recomputation. */
@Entity('play_hidden')
@Index('uq_play_hidden_region_key', ['regionId', 'playKey'], { unique: true })
export class PlayHidden {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  regionId: number;

  @Column({ type: 'varchar', length: 16 })
  playKey: string;

  @Column({ type: 'varchar', length: 50 })
  bottleneck: string;

  @Column({ type: 'varchar', length: 20 })
  objective: string;

  @Column({ type: 'varchar', length: 50 })
  valuePoint: string;

  @Column({ type: 'int' })
  hiddenById: number;

  @TimestampColumn()
  hiddenAt: Date;
}

/** The last mining run of a region: when, over which window, and the new reps' effectiveness split. */
@Entity('play_run')
export class PlayRun {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Index('uq_play_run_region', { unique: true })
  @Column({ type: 'int' })
  regionId: number;

  @TimestampColumn()
  computedAt: Date;

  @TimestampColumn()
  windowFrom: Date;

  /** visits with a bottleneck and a value point in the window */
  @Column({ type: 'int' })
  visits: number;

  @Column({ type: 'int' })
  advanced: number;

  /** new reps' visits (joined fewer than plays.newRepDays before the visit) where a play was used / not */
  @Column({ type: 'int' })
  newUsedVisits: number;

  @Column({ type: 'int' })
  newUsedAdvanced: number;

  @Column({ type: 'int' })
  newOtherVisits: number;

  @Column({ type: 'int' })
  newOtherAdvanced: number;
}
