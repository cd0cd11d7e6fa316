import type { Policy } from '../config/policy';
import type { Sql } from '../db/sql';
import { everyMinutes, type RecurringJob } from '../jobs/job-runner';
import { SIGN_WINDOW_MS } from './dingtalk/dingtalk-sign';

/**
 * A callback is accepted while its timestamp is within the window either side of now (DingTalk: ±60 min,
 * WeCom: ±5), so one first seen with a timestamp at the window's future edge stays replayable for two
 * windows: only nonces older than that can go.
 */
export const NONCE_KEEP_MS = 2 * SIGN_WINDOW_MS + 5 * 60_000;

export async function forgetOldNonces(sql: Sql, now: Date): Promise<number> {
  return sql.exec('DELETE FROM callback_nonce WHERE seenAt < ?', [new Date(now.getTime() - NONCE_KEEP_MS)]);
}

/** Nonces past any window are forgotten every `recurring.callbacks.forget_nonces.everyMinutes`, by one server. */
export function nonceCleanupJob(policy: Policy): RecurringJob {
  return {
    kind: 'callbacks.forget_nonces',
    nextAfter: everyMinutes(policy.recurring['callbacks.forget_nonces'].everyMinutes),
    run: async (_jobs, sql, now) => {
      await forgetOldNonces(sql, now);
    },
  };
}
