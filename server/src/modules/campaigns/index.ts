import { isSqlite } from '../../db/data-source';
import { SQL, sqlOf } from '../../db/sql';
import { defineModule } from '../module';
import { CampaignExceptions } from './campaign-exceptions.service';
import { Campaign, CampaignException, CampaignReminder, CampaignSnapshot, CampaignStep, CampaignTarget } from './campaign.entity';
import { campaignOverdueJob } from './campaign.jobs';
import { campaignExceptionKind } from './campaign.kinds';
import { campaignMessages } from './campaign.messages';
import { campaignRoutes } from './campaign.routes';
import { CampaignService } from './campaign.service';
import { CAMPAIGN_ERRORS } from './campaigns.errors';
import { Campaigns1765700000000 } from './migrations/1765700000000-campaigns';

export type { CampaignService } from './campaign.service';
export type { CampaignExceptions } from './campaign-exceptions.service';
export { campaignDigestLines } from './campaign.jobs';
export { seedCampaignsForDemo } from './campaign.demo';

export interface CampaignExports {
  campaigns: CampaignService;
  campaignExceptions: CampaignExceptions;
}

declare module '../module' {
  interface ModuleExports {
    campaigns: CampaignExports;
  }
}

/**
 * Campaign task flows (专项任务流, SPEC §10): a director's (or supervisor's) plan — targets by filter or xlsx
 * list, a script pack and materials, ordered progress steps — launched to each rep's phone. Progress is
 * read from the records themselves (visits, material shares, stage changes, visit photos: `reads`), never
 * ticked; exception reports become the owner's tasks; overdue steps remind the rep, then the supervisor,
 * once each; closing freezes the figures; running campaigns appear in the weekly digest.
 */
export const campaignsModule = defineModule({
  name: 'campaigns',
  entities: [Campaign, CampaignStep, CampaignTarget, CampaignException, CampaignReminder, CampaignSnapshot],
  // progress counts other modules' records where they are (SELECT only)
  reads: ['customers', 'visits', 'materials', 'attachments', 'tasks', 'org'],
  migrations: [Campaigns1765700000000],
  errors: CAMPAIGN_ERRORS,
  permissions: ['campaigns.manage', 'campaigns.participate'],
  messages: campaignMessages,
  taskKinds: [campaignExceptionKind],
  services: ({ db, policy, clock, use }): CampaignExports => {
    const { org } = use('org');
    const { customers } = use('customers');
    const { attachments } = use('attachments');
    const { tasks } = use('tasks');
    const campaigns = new CampaignService(db, policy, clock, org);
    // a target is held by its customer's owner: when the customer changes hands, the open campaigns' targets follow
    customers.onOwnerChange(async (manager, change) => {
      await sqlOf(manager).exec(
        SQL`UPDATE campaign_target SET ownerId = ? WHERE customerId = ? AND droppedAt IS NULL AND campaignId IN (SELECT id FROM campaign WHERE closedAt IS NULL)`,
        [change.to, change.customerId],
      );
    });
    return { campaigns, campaignExceptions: new CampaignExceptions(db, policy, clock, org, campaigns, tasks, customers, attachments) };
  },
  routes: (s, { policy }) => campaignRoutes(s.campaigns, s.campaignExceptions, policy),
  recurring: (_s, { policy, db }) => [campaignOverdueJob(policy, isSqlite(db))],
});
