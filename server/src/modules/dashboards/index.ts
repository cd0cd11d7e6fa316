import { defineModule } from '../module';
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
 * counters, each with its drill-downs and an .xlsx of its table. It owns no table: it reads the rows of
 * visits, customers, check-ins, tasks and the org where they are (`reads`), and writes nothing.
 */
export const dashboardsModule = defineModule({
  name: 'dashboards',
  entities: [],
  reads: ['visits', 'customers', 'checkins', 'tasks', 'org'],
  migrations: [],
  errors: {},
  permissions: ['dashboards.read', 'dashboards.demand.read'],
  messages: {},
  services: ({ db, policy, clock }): DashboardExports => ({ dashboards: new DashboardService(db, policy, clock) }),
  routes: (s) => dashboardRoutes(s.dashboards, new DashboardExcel(s.dashboards)),
});
