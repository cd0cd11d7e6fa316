import { defineModule } from '../module';
import { DashboardBoardService } from './board.service';
import { DashboardExcel } from './dashboards.excel';
import { dashboardRoutes } from './dashboards.routes';
import { DashboardService } from './dashboards.service';

export type { DashboardService } from './dashboards.service';
export type { DashboardBoardService } from './board.service';

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
 * after), each with its drill-downs and an .xlsx of its table. It owns no table: it reads the rows of
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
  services: ({ db, policy, clock }): DashboardExports => ({ dashboards: new DashboardService(db, policy, clock), dashboardBoard: new DashboardBoardService(db, policy, clock) }),
  routes: (s) => dashboardRoutes(s.dashboards, s.dashboardBoard, new DashboardExcel(s.dashboards, s.dashboardBoard)),
});
