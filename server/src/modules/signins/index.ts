import { defineModule } from '../module';
import { CustomerLocation } from './customer-location.entity';
import { Signins1764975500000 } from './migrations/1764975500000-signins';
import { Signin } from './signin.entity';
import { signinRoutes } from './signin.routes';
import { SigninService } from './signin.service';
import { SIGNIN_ERRORS } from './signins.errors';

export type { SigninService, VisitSignin } from './signin.service';

export interface SigninExports {
  signins: SigninService;
}

declare module '../module' {
  interface ModuleExports {
    signins: SigninExports;
  }
}

/**
 * On-site sign-in (外勤签到): a rep's point at a customer with its accuracy and distance to the
 * customer's location (kept here, keyed by customer id), flagged when too far or too vague; locations
 * entered by a supervisor or admin, or proposed from the first sign-ins and confirmed. Visits link a
 * sign-in through `signins.linkToVisit` in their own transaction.
 */
export const signinsModule = defineModule({
  name: 'signins',
  entities: [Signin, CustomerLocation],
  migrations: [Signins1764975500000],
  errors: SIGNIN_ERRORS,
  permissions: ['signins.create', 'signins.read', 'signins.location.manage'],
  messages: {},
  services: ({ db, policy, clock, use }): SigninExports => ({ signins: new SigninService(db, policy, clock, use('org').org, use('customers').customers) }),
  routes: (s) => signinRoutes(s.signins),
});
