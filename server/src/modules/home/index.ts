import { defineModule } from '../module';
import { homeRoutes } from './home.routes';

declare module '../module' {
  interface ModuleExports {
    home: Record<string, never>;
  }
}

/** The first screen: what waits for the caller today, counted from the other modules. */
export const homeModule = defineModule({
  name: 'home',
  entities: [],
  migrations: [],
  errors: {},
  permissions: [],
  messages: {},
  services: (): Record<string, never> => ({}),
  routes: (_s, { use, clock }) => homeRoutes({ org: use('org').org, customers: use('customers').customers, visits: use('visits').visits, todos: use('tasks').todos, checkins: use('checkins').checkins, signins: use('signins').signins, clock }),
});
