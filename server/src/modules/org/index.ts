import { LOGIN_RETRY } from '../../channels/http-client';
import { WechatLoginClient } from '../../channels/wechat/wechat-login.client';
import { WecomApiClient } from '../../channels/wecom/wecom-api.client';
import { defineModule } from '../module';
import { ORG_ERRORS } from './org.errors';
import { AuthService } from './auth.service';
import { consentRoutes } from './consent.routes';
import { Invite } from './invite.entity';
import { meRoutes } from './me.routes';
import { Member } from './member.entity';
import { orgRoutes } from './org.routes';
import { OrgService } from './org.service';
import { messageDirectory } from './org.sql';
import { Region } from './region.entity';
import { Session } from './session.entity';
import { TeamChannelSettings } from './team-channel-settings.entity';
import { TeamChannelsService } from './team-channels.service';
import { Team } from './team.entity';
import { MemberJoinedAt1765210000000 } from './migrations/1765210000000-member-joined-at';

export type { Member } from './member.entity';
export type { OrgService } from './org.service';
export type { AuthService } from './auth.service';
export { scopeIncludes, CUSTOMER_OWNER_ROLES, type Scope } from './scope';

export interface OrgExports {
  org: OrgService;
  auth: AuthService;
  teamChannels: TeamChannelsService;
}

declare module '../module' {
  interface ModuleExports {
    org: OrgExports;
  }
}

/** The organisation: regions, teams, members and their sessions, invites, team chat settings. */
export const orgModule = defineModule({
  name: 'org',
  entities: [Region, Team, Member, Session, Invite, TeamChannelSettings],
  migrations: [MemberJoinedAt1765210000000],
  errors: ORG_ERRORS,
  permissions: ['org.invites.manage', 'org.members.manage', 'org.members.edit', 'channels.manage'],
  messages: {},
  services: ({ db, policy, clock, env, logger, tokens }): OrgExports => {
    const org = new OrgService(db, policy, clock);
    const wecom = env.wecom ? new WecomApiClient(env.wecom, tokens, LOGIN_RETRY) : null;
    const auth = new AuthService(db, policy, clock, org, {
      wechat: env.wechat ? new WechatLoginClient(env.wechat) : null,
      wecom: wecom && env.wecom ? { client: wecom, env: env.wecom } : null,
    }, logger, env.demo);
    return { org, auth, teamChannels: new TeamChannelsService(db, org) };
  },
  routes: (s, { env, db, use }) => [
    ...orgRoutes(s.auth, s.org, s.teamChannels, env),
    ...consentRoutes(db),
    ...meRoutes(s.org, use('tasks').todos, use('tasks').pools),
  ],
});

export { messageDirectory };
export { activeMemberStatement, activeMembersWithRole, activeMembersWithRoles, membersById, type MemberPlace } from './org.sql';
