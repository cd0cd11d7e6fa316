import { defineModule } from '../module';
import { Rebates1765400000000 } from './migrations/1765400000000-rebates';
import { RebateRequests } from './rebate-request.service';
import { RebateRules } from './rebate-rules.service';
import { RebateSheet } from './rebate-sheet';
import { RebateDocument, RebateRequest, RebateRequestEvent, RebateRule, RebateRuleVersion } from './rebate.entity';
import { rebateMessages, rebateRequestKind } from './rebate.messages';
import { rebateRoutes } from './rebate.routes';
import { REBATE_ERRORS } from './rebates.errors';

export type { RebateRules, RebateCustomer } from './rebate-rules.service';
export type { RebateRequests } from './rebate-request.service';
export { seedRebatesForDemo } from './rebate.demo';

export interface RebateExports {
  rebateRules: RebateRules;
  rebateRequests: RebateRequests;
  rebateSheet: RebateSheet;
}

declare module '../module' {
  interface ModuleExports {
    rebates: RebateExports;
  }
}

/**
 * The rebate calculator (SPEC §8): finance's versioned rule table (edited in the console, xlsx in and out),
 * the rep's calculator (range, amount, documents still needed, payout day, the rule used), and rebate
 * requests decided in the finance pool (policy approvals.rebate_request) through the task engine.
 */
export const rebatesModule = defineModule({
  name: 'rebates',
  entities: [RebateRuleVersion, RebateRule, RebateDocument, RebateRequest, RebateRequestEvent],
  // the state message names the customer (a SELECT of its name, never a write)
  reads: ['customers'],
  migrations: [Rebates1765400000000],
  errors: REBATE_ERRORS,
  permissions: ['rebates.policy.manage', 'rebates.policy.read', 'rebates.request.create', 'rebates.request.read', 'rebates.request.review'],
  messages: rebateMessages,
  taskKinds: [rebateRequestKind],
  services: ({ db, policy, clock, use }): RebateExports => {
    const { org } = use('org');
    const { customers } = use('customers');
    const { attachments } = use('attachments');
    const { approvals, tasks } = use('tasks');
    const rules = new RebateRules(db, policy, clock, org, customers);
    const requests = new RebateRequests(db, policy, clock, org, customers, attachments, approvals, tasks, rules);
    return { rebateRules: rules, rebateRequests: requests, rebateSheet: new RebateSheet(policy, rules) };
  },
  routes: (s) => rebateRoutes(s.rebateRules, s.rebateRequests, s.rebateSheet),
});
