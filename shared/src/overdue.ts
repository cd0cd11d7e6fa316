import type { StageCode } from './stages';

/**
 * The overdue rule, the one definition: a customer is overdue (逾期) when its last follow-up — or,
 * never followed up, its creation — is older than `overdueDays` days, its stage is not one of
 * `overdueExcludedStages`, and it is not closed as lost (关闭/丢单: `closedAt` set). Both come from config/policy.yaml (limits.overdueDays,
 * overdueExcludedStages); the server's SQL filter and the app's 逾期 tag both use what is here.
 */
export interface OverdueRules {
  overdueDays: number;
  overdueExcludedStages: readonly StageCode[];
}

export interface OverdueSubject {
  stage: StageCode;
  lastFollowUpAt: Date | string | null;
  createdAt: Date | string;
  /** closed as lost (丢单): never overdue while closed; absent on a subject from before the outcome existed */
  closedAt?: Date | string | null;
}

const DAY_MS = 86_400_000;

const timeOf = (at: Date | string): number => (typeof at === 'string' ? new Date(at).getTime() : at.getTime());

/**
 * What a query needs to express the rule: overdue ⇔ stage ∉ excludedStages AND closedAt IS NULL AND
 * COALESCE(lastFollowUpAt, createdAt) < cutoff. (`openOnly` says the closedAt condition is part of it.)
 */
export function overdueCriteria(rules: OverdueRules, now: Date): { cutoff: Date; excludedStages: StageCode[]; openOnly: true } {
  return { cutoff: new Date(now.getTime() - rules.overdueDays * DAY_MS), excludedStages: [...rules.overdueExcludedStages], openOnly: true };
}

/** Is this customer overdue at `now`? */
export function isCustomerOverdue(customer: OverdueSubject, rules: OverdueRules, now: Date): boolean {
  const { cutoff, excludedStages } = overdueCriteria(rules, now);
  if (customer.closedAt) return false;
  if (excludedStages.includes(customer.stage)) return false;
  return timeOf(customer.lastFollowUpAt ?? customer.createdAt) < cutoff.getTime();
}
