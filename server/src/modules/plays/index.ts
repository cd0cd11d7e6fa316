import { everyMinutes } from '../../jobs/job-runner';
import { segmenter } from '../dashboards';
import { defineModule } from '../module';
import { Plays1765800000000 } from './migrations/1765800000000-plays';
import { Play, PlayHidden, PlayRun } from './play.entity';
import { playRoutes } from './play.routes';
import { PlayService } from './play.service';

export type { PlayService, MineResult } from './play.service';
export { clusterTexts, jaccard, playKeyOf, wordSet } from './play-text';

export interface PlayExports {
  plays: PlayService;
}

declare module '../module' {
  interface ModuleExports {
    plays: PlayExports;
  }
}

/**
 * Winning plays (赢单打法, SPEC §11): the recurring job `plays.mine` groups the value points and agreed
 * actions of visits that moved a customer forward (and not back) by bottleneck and objective, per region,
 * merging similar wordings (jieba words, Jaccard; README «Metrics»); the visit form suggests the top ones
 * for the bottleneck picked; directors and admins see the table, hide plays, and see whether plays help new
 * reps. It reads visits, customers (and their stage history) and the org where they are, never writes them.
 */
export const playsModule = defineModule({
  name: 'plays',
  entities: [Play, PlayHidden, PlayRun],
  reads: ['visits', 'customers', 'org'],
  migrations: [Plays1765800000000],
  errors: {},
  permissions: ['plays.read', 'plays.manage'],
  messages: {},
  services: ({ db, policy, clock, use }): PlayExports => {
    const { org } = use('org');
    const { customers } = use('customers');
    // jieba's dictionary loads once per process, when plays are first mined
    return { plays: new PlayService(db, policy, clock, org, customers, () => segmenter(2).terms) };
  },
  routes: (s) => playRoutes(s.plays),
  recurring: (s, { policy }) => [
    {
      kind: 'plays.mine',
      nextAfter: everyMinutes(policy.recurring['plays.mine'].everyMinutes),
      run: async (_jobs, sql, now) => {
        await s.plays.mine(sql, now);
      },
    },
  ],
});
