import { CheckinStatusIndex1765300000004 } from './migrations/1765300000004-checkin-status-index';
import { isSqlite } from '../../db/data-source';
import { defineModule } from '../module';
import { Checkin, CheckinWindow } from './checkin.entity';
import { checkinMessages } from './checkin.messages';
import { checkinRoutes } from './checkin.routes';
import { CheckinService } from './checkin.service';
import { CHECKIN_ERRORS } from './checkins.errors';
import { Checkins1764990000000 } from './migrations/1764990000000-checkins';
import { windowEndJob } from './window-end.job';

export type { CheckinService } from './checkin.service';

export interface CheckinExports {
  checkins: CheckinService;
}

declare module '../module' {
  interface ModuleExports {
    checkins: CheckinExports;
  }
}

/**
 * Daily three check-ins (每日三打卡): morning, after each visit, evening, each stored on the member's local
 * day as on time, late or missing; one reminder when a window closes without one; the team's day.
 */
export const checkinsModule = defineModule({
  name: 'checkins',
  entities: [Checkin, CheckinWindow],
  migrations: [Checkins1764990000000, CheckinStatusIndex1765300000004],
  errors: CHECKIN_ERRORS,
  permissions: ['checkins.create', 'checkins.team.read', 'checkins.calendar.read'],
  messages: checkinMessages,
  services: ({ db, policy, clock, use }): CheckinExports => ({
    checkins: new CheckinService(db, policy, clock, use('org').org, use('customers').customers, use('visits').followUps),
  }),
  routes: (s) => checkinRoutes(s.checkins),
  recurring: (_s, { policy, db }) => [windowEndJob(policy, isSqlite(db))],
});
