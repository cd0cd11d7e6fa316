import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../db/columns';

/**
 * The visits of one member, one local day and one objective, counted as of the rollup's cut (the start
 * of the local day the recurring job last ran on): what the behaviour heatmap and visit quality need.
 * A visit is "closed" when its customer's next contact came before the cut, "open" (still waiting) when
 * not: an open visit's follow-up grows with the clock, so the row keeps Σ of their submission seconds
 * (since 2020-01-01 UTC) and the reader adds `open × now − Σ` itself. Days before the cut only.
 */
@Entity('dashboard_visit_day')
export class DashboardVisitDay {
  @PrimaryColumn({ type: 'int' })
  memberId: number;

  @PrimaryColumn({ type: 'varchar', length: 10 })
  day: string;

  @PrimaryColumn({ type: 'varchar', length: 20 })
  objective: string;

  @Column({ type: 'int' })
  visits: number;

  @Column({ type: 'bigint' })
  painChars: number;

  @Column({ type: 'int' })
  closedVisits: number;

  @Column({ type: 'bigint' })
  closedWaitSeconds: number;

  /** closed visits with a promised follow-up: each is due */
  @Column({ type: 'int' })
  closedFollowUps: number;

  @Column({ type: 'int' })
  closedOnTime: number;

  @Column({ type: 'int' })
  openVisits: number;

  @Column({ type: 'bigint' })
  openSubmittedSeconds: number;

  /** open visits whose promise (+ grace) had passed at the cut */
  @Column({ type: 'int' })
  openFollowUpsDue: number;
}

/** The sums of a member's dashboard_visit_day rows of one month (`YYYY-MM`) and objective: the days before the cut. */
@Entity('dashboard_visit_month')
export class DashboardVisitMonth {
  @PrimaryColumn({ type: 'int' })
  memberId: number;

  @PrimaryColumn({ type: 'varchar', length: 7 })
  month: string;

  @PrimaryColumn({ type: 'varchar', length: 20 })
  objective: string;

  @Column({ type: 'int' })
  visits: number;

  @Column({ type: 'bigint' })
  painChars: number;

  @Column({ type: 'int' })
  closedVisits: number;

  @Column({ type: 'bigint' })
  closedWaitSeconds: number;

  @Column({ type: 'int' })
  closedFollowUps: number;

  @Column({ type: 'int' })
  closedOnTime: number;

  @Column({ type: 'int' })
  openVisits: number;

  @Column({ type: 'bigint' })
  openSubmittedSeconds: number;

  @Column({ type: 'int' })
  openFollowUpsDue: number;
}

/** Where each rollup stands: its cut and the policy values its rows were counted with. */
@Entity('dashboard_rollup_state')
export class DashboardRollupState {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  name: string;

  @TimestampColumn()
  cutAt: Date;

  @Column({ type: 'varchar', length: 200 })
  params: string;

  /** while (re)building: the first local day not counted yet; null once complete */
  @Column({ type: 'varchar', length: 10, nullable: true })
  buildingFrom: string | null;

  @TimestampColumn()
  refreshedAt: Date;
}

/** Per owner, key action (policy id) and local month (`YYYY-MM`): key actions due before the cut, and done on time (penetration.rollup.ts). */
@Entity('dashboard_penetration_month')
export class DashboardPenetrationMonth {
  @PrimaryColumn({ type: 'int' })
  ownerId: number;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  action: string;

  @PrimaryColumn({ type: 'varchar', length: 7 })
  month: string;

  @Column({ type: 'int' })
  due: number;

  @Column({ type: 'int' })
  done: number;
}

/** A customer that a visit of one local day (`YYYY-MM-DD`) made a counter's evidence by its words (counters.rollup.ts). */
@Entity('dashboard_counter_day')
@Index('idx_counter_day_customer', ['customerId', 'counter', 'day'])
export class DashboardCounterDay {
  @PrimaryColumn({ type: 'varchar', length: 20 })
  counter: string;

  @PrimaryColumn({ type: 'varchar', length: 10 })
  day: string;

  @PrimaryColumn({ type: 'int' })
  customerId: number;
}
