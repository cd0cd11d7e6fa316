import { createInviteSchema, devLoginSchema, memberEditSchema, h5Link, inviteViewSchema, loginResultSchema, memberViewSchema, miniProgramLoginSchema, teamChannelSettingsSchema } from '@anchor/shared';
import type { Env } from '../../config/env';
import { notFound } from '../../http/errors';
import { idParam, route, type AnyRoute, type MemberContext } from '../../http/route';
import type { AuthService, IssuedSession } from './auth.service';
import { memberView, type OrgService } from './org.service';
import type { TeamChannelsService } from './team-channels.service';

const sessionView = (s: IssuedSession) => ({ token: s.token, expiresAt: s.expiresAt.toISOString(), member: memberView(s.member) });

function bearer(ctx: MemberContext): string {
  return /^Bearer\s+(.+)$/i.exec(ctx.get('authorization'))?.[1]?.trim() ?? '';
}

export function orgRoutes(auth: AuthService, org: OrgService, teamChannels: TeamChannelsService, env: Env): AnyRoute[] {
  return [
    route({
      method: 'post', path: '/auth/wechat/login', tag: '登录', summary: '微信小程序登录（wx.login 的 code；首次登录带邀请码）', access: 'public', body: miniProgramLoginSchema,
      response: loginResultSchema,
      errors: ['LOGIN_RATE_LIMITED', 'LOGIN_CODE_INVALID', 'LOGIN_BLOCKED', 'LOGIN_UPSTREAM_FAILED', 'CHANNEL_OFF', 'INVITE_REQUIRED', 'INVITE_INVALID', 'MEMBER_ALREADY_BOUND', 'PHONE_ALREADY_REGISTERED', 'ACCOUNT_ALREADY_BOUND'],
      handler: async (_ctx, { body }) => sessionView(await auth.wechatLogin(body)),
    }),
    route({
      method: 'post', path: '/auth/wecom/login', tag: '登录', summary: '企业微信小程序登录（wx.qy.login 的 code；首次登录带邀请码）', access: 'public', body: miniProgramLoginSchema,
      response: loginResultSchema,
      errors: ['LOGIN_RATE_LIMITED', 'LOGIN_CODE_INVALID', 'LOGIN_BLOCKED', 'LOGIN_UPSTREAM_FAILED', 'CHANNEL_OFF', 'INVITE_REQUIRED', 'INVITE_INVALID', 'MEMBER_ALREADY_BOUND', 'PHONE_ALREADY_REGISTERED', 'ACCOUNT_ALREADY_BOUND', 'FORBIDDEN'],
      handler: async (_ctx, { body }) => sessionView(await auth.wecomLogin(body)),
    }),
    route({
      method: 'post', path: '/auth/dev-login', tag: '登录', summary: '演示模式登录（仅演示模式可用）', access: 'public', body: devLoginSchema,
      response: loginResultSchema,
      errors: ['LOGIN_RATE_LIMITED', 'NOT_FOUND'],
      handler: async (_ctx, { body }) => {
        if (!env.demo) throw notFound('接口');
        return sessionView(await auth.devLogin(body.phone));
      },
    }),
    route({
      method: 'post', path: '/auth/logout', tag: '登录', summary: '退出登录（作废当前会话）', access: 'member',
      handler: async (ctx) => {
        await auth.revoke(bearer(ctx));
        return { ok: true };
      },
    }),
    route({
      method: 'get', path: '/auth/me', tag: '登录', summary: '当前登录成员', access: 'member',
      response: memberViewSchema,
      handler: async (ctx) => memberView(ctx.state.member),
    }),
    route({
      method: 'get', path: '/members', tag: '组织', summary: '可见范围内的成员（用于选择负责人）', access: 'member',
      handler: async (ctx) => ({ items: (await org.listMembers(ctx.state.member)).map(memberView) }),
    }),
    route({
      method: 'delete', path: '/members/:id/sessions', tag: '组织', summary: '作废某成员的全部会话（管理员）', can: 'org.members.manage',
      handler: async (ctx) => ({ revoked: await auth.revokeAllFor(idParam(ctx, 'id', '成员')) }),
    }),
    route({
      method: 'patch', path: '/members/:id', tag: '组织', summary: '修改成员资料（管理员）：入职日期 joinedAt（YYYY-MM-DD，团队时区；默认为成员创建之日）', can: 'org.members.edit',
      body: memberEditSchema,
      response: memberViewSchema,
      handler: async (ctx, { body }) => memberView(await org.setJoinedAt(idParam(ctx, 'id', '成员'), body.joinedAt)),
    }),
    route({
      method: 'get', path: '/teams/:id/channels', tag: '组织', summary: '团队的群机器人设置（管理员；密钥只显示末 4 位）', can: 'channels.manage',
      handler: (ctx) => teamChannels.get(idParam(ctx, 'id', '团队')),
    }),
    route({
      method: 'put', path: '/teams/:id/channels', tag: '组织', summary: '修改团队的群机器人设置（管理员；null 为清除）', can: 'channels.manage', body: teamChannelSettingsSchema,
      handler: (ctx, { body }) => teamChannels.update(ctx.state.member, idParam(ctx, 'id', '团队'), body),
    }),
    route({
      method: 'post', path: '/invites', tag: '组织', summary: '生成邀请码（团队二维码或个人邀请）', can: 'org.invites.manage', body: createInviteSchema, status: 201,
      response: inviteViewSchema,
      errors: ['NOT_FOUND'],
      handler: async (ctx, { body }) => {
        const invite = await org.createInvite(ctx.state.member, body);
        return {
          code: invite.code,
          kind: invite.memberId === null ? 'team' : 'member',
          teamId: invite.teamId,
          memberId: invite.memberId,
          expiresAt: invite.expiresAt.toISOString(),
          url: h5Link(env.publicUrl, 'login', { invite: invite.code }),
        };
      },
    }),
    route({
      method: 'delete', path: '/invites/:code', tag: '组织', summary: '作废邀请码', can: 'org.invites.manage',
      handler: async (ctx) => {
        const code = String((ctx as unknown as { params: Record<string, string> }).params.code ?? '');
        await org.revokeInvite(ctx.state.member, code);
        return { ok: true };
      },
    }),
  ];
}
