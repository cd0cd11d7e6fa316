import { everyMinutes } from '../../jobs/job-runner';
import { defineModule } from '../module';
import { DashboardRollupState, DashboardVisitDay, DashboardVisitMonth } from './dashboard-rollup.entity';
import { DashboardRollups1765300000002 } from './migrations/1765300000002-dashboard-rollups';
import { DashboardExcel } from './dashboards.excel';
import { dashboardRoutes } from './dashboards.routes';
import { DashboardService } from './dashboards.service';

export type { DashboardService } from './dashboards.service';

export interface DashboardExports {
  dashboards: DashboardService;
}

declare module '../module' {
  interface ModuleExports {
    dashboards: DashboardExports;
  }
}

/**
 * Dashboards in business language (SPEC §5): pipeline and overdue, behaviour-health heatmap, visit
 * quality, action penetration, check-in completion, the word cloud of customer demands and the business
 * counters, each with its drill-downs and an .xlsx of its table. It reads the rows of visits, customers,
 * check-ins, tasks and the org where they are (`reads`); it owns and writes only its rollups
 * (dashboard_visit_day, dashboard_visit_month, dashboard_rollup_state), kept by its recurring job `dashboards.rollup`.
 */
export const dashboardsModule = defineModule({
  name: 'dashboards',
  entities: [DashboardVisitDay, DashboardVisitMonth, DashboardRollupState],
  reads: ['visits', 'customers', 'checkins', 'tasks', 'org'],
  migrations: [DashboardRollups1765300000002],
  errors: {},
  permissions: ['dashboards.read', 'dashboards.demand.read'],
  messages: {},
  services: ({ db, policy, clock }): DashboardExports => ({ dashboards: new DashboardService(db, policy, clock) }),
  routes: (s) => dashboardRoutes(s.dashboards, new DashboardExcel(s.dashboards)),
  recurring: (s, { policy }) => [
    {
      kind: 'dashboards.rollup',
      nextAfter: everyMinutes(policy.recurring['dashboards.rollup'].everyMinutes),
      run: async (_jobs, sql, now) => {
        await s.dashboards.refreshRollups(sql, now);
      },
    },
  ],
});
