import { defineModule } from '../module';
import { VISIT_ERRORS } from './visits.errors';
import { FirstTouch } from './first-touch.entity';
import { FollowUpService } from './follow-up.service';
import { PhotoService } from './photo.service';
import { remindFollowUps } from './reminder.job';
import { TimelineService } from './timeline.service';
import { visitDetailRoutes } from './visit-detail.routes';
import { VisitDetailService } from './visit-detail.service';
import { Visit } from './visit.entity';
import { visitMessages } from './visit.messages';
import { visitRoutes } from './visit.routes';
import { ActionDoneService } from './action-done.service';
import { VisitService } from './visit.service';
import { VisitFeedbackActionDone1765210000002 } from './migrations/1765210000002-visit-feedback-action-done';
import { VisitDashboardIndexes1765300000000 } from './migrations/1765300000000-visit-dashboard-indexes';
import { VisitPlayKey1765800000001 } from './migrations/1765800000001-visit-play-key';

export type { VisitService, VisitFaults } from './visit.service';
export type { PhotoService } from './photo.service';
export type { FollowUpService, CustomerFollowUp, SubmittedVisit } from './follow-up.service';
export { visitsSubmittedBetween } from './follow-up.service';
export type { TimelineEntry, TimelineService, TimelineSource } from './timeline.service';

export interface VisitExports {
  visits: VisitService;
  photos: PhotoService;
  timeline: TimelineService;
  visitDetail: VisitDetailService;
  /** what the daily check-ins read from visits, and the evening's follow-up fix */
  followUps: FollowUpService;
  /** 标记完成 of a visit's agreed action */
  actionDone: ActionDoneService;
}

declare module '../module' {
  interface ModuleExports {
    visits: VisitExports;
  }
}

/** Visits with their anchors, first touches, photos, the customer timeline and follow-up reminders. */
export const visitsModule = defineModule({
  name: 'visits',
  entities: [Visit, FirstTouch],
  migrations: [VisitFeedbackActionDone1765210000002, VisitDashboardIndexes1765300000000, VisitPlayKey1765800000001],
  errors: VISIT_ERRORS,
  permissions: ['visits.read', 'visits.create', 'visits.actions.complete'],
  messages: visitMessages,
  services: ({ db, policy, clock, visitFaults, use }): VisitExports => {
    const { org } = use('org');
    const { customers } = use('customers');
    const { todos } = use('tasks');
    // photos are attachments of purpose `photo`, owned by a visit or a first touch
    const photos = new PhotoService(use('attachments').attachments, customers);
    const { signins } = use('signins');
    return {
      photos,
      visits: new VisitService(db, policy, clock, org, customers, photos, signins, visitFaults),
      timeline: new TimelineService(db, org, customers, policy, todos, photos),
      visitDetail: new VisitDetailService(db, clock, org, photos, policy, customers, todos, signins),
      followUps: new FollowUpService(db, policy, clock),
      actionDone: new ActionDoneService(db, policy, clock, org, customers, photos),
    };
  },
  routes: (s, { use }) => [...visitRoutes(s.visits, use('tasks').todos, s.photos, s.timeline), ...visitDetailRoutes(s.visitDetail, s.actionDone)],
  jobs: () => ({ 'visit.reminder': remindFollowUps }),
});
