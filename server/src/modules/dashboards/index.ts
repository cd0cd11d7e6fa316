import { everyMinutes } from '../../jobs/job-runner';
import { defineModule } from '../module';
import { DashboardBoardService } from './board.service';
import { DashboardCounterDay, DashboardPenetrationMonth, DashboardRollupState, DashboardVisitDay, DashboardVisitMonth } from './dashboard-rollup.entity';
import { DashboardPerf1765300000010 } from './migrations/1765300000010-dashboard-perf';
import { DashboardRollups1765300000002 } from './migrations/1765300000002-dashboard-rollups';
import { DashboardExcel } from './dashboards.excel';
import { dashboardRoutes } from './dashboards.routes';
import { DashboardService } from './dashboards.service';
import { digestMessages } from './digest.messages';
import { WeeklyDigest1765300000000 } from './migrations/1765300000000-weekly-digest';
import { WeeklyDigest } from './weekly-digest.entity';
import { weeklyDigestJob } from './weekly-digest.job';
import { isSqlite } from '../../db/data-source';

export type { DashboardService } from './dashboards.service';
export type { DashboardBoardService } from './board.service';
// the word cloud's segmentation (jieba, the domain dictionary and stop words), also what merges similar plays
export { segmenter } from './word-cloud';

export interface DashboardExports {
  dashboards: DashboardService;
  /** contact efficiency, the weekly trends, the board table (before / after) */
  dashboardBoard: DashboardBoardService;
}

declare module '../module' {
  interface ModuleExports {
    dashboards: DashboardExports;
  }
}

/**
 * Dashboards in business language (SPEC §5): pipeline and overdue, behaviour-health heatmap, visit
 * quality, action penetration, check-in completion, the word cloud of customer demands and the business
 * counters, contact efficiency, the weekly agreed-action and check-in trends and the board table (before /
 * after), each with its drill-downs and an .xlsx of its table. It reads the rows of visits, customers,
 * check-ins, tasks and the org where they are (`reads`) and writes none of them; it owns and writes its
 * rollups (dashboard_visit_day, dashboard_visit_month, dashboard_rollup_state), kept by its recurring job
 * `dashboards.rollup` (dashboard_penetration_month, dashboard_counter_day too), and the weekly digests it has sent (weekly-digest.job.ts).
 */
export const dashboardsModule = defineModule({
  name: 'dashboards',
  // the rollups, and the weekly digests produced (once per person and ISO week)
  entities: [DashboardVisitDay, DashboardVisitMonth, DashboardPenetrationMonth, DashboardCounterDay, DashboardRollupState, WeeklyDigest],
  reads: ['visits', 'customers', 'checkins', 'tasks', 'org'],
  migrations: [WeeklyDigest1765300000000, DashboardRollups1765300000002, DashboardPerf1765300000010],
  errors: {},
  permissions: ['dashboards.read', 'dashboards.demand.read'],
  messages: { ...digestMessages },
  services: ({ db, policy, clock }): DashboardExports => ({ dashboards: new DashboardService(db, policy, clock), dashboardBoard: new DashboardBoardService(db, policy, clock) }),
  routes: (s) => dashboardRoutes(s.dashboards, s.dashboardBoard, new DashboardExcel(s.dashboards, s.dashboardBoard)),
  recurring: (s, { policy, db, logger }) => [
    {
      kind: 'dashboards.rollup',
      nextAfter: everyMinutes(policy.recurring['dashboards.rollup'].everyMinutes),
      run: async (_jobs, sql, now) => {
        await s.dashboards.refreshRollups(sql, now);
      },
    },
    // every Monday 08:30 (policy weeklyDigest) each supervisor and director gets one card: README «Weekly digest»
    weeklyDigestJob(policy, isSqlite(db), logger),
  ],
});
