import { createHash, randomBytes } from 'node:crypto';
import { IsNull, type DataSource } from 'typeorm';
import type { MiniProgramLoginInput } from '@anchor/shared';
import type { Clock } from '../../clock';
import { DAY_MS } from '../../clock';
import type { Policy } from '../../config/policy';
import type { WecomEnv } from '../../config/env';
import { UpstreamError } from '../../channels/http-client';
import type { WechatLoginClient } from '../../channels/wechat/wechat-login.client';
import { WechatLoginRefused } from '../../channels/wechat/wechat-login.client';
import { WecomApiError, type WecomApiClient } from '../../channels/wecom/wecom-api.client';
import { withTransaction, isDuplicateKeyError } from '../../db/transaction';
import { isSqlite } from '../../db/data-source';
import { sqlDate } from '../../db/sql';
import { forbidden, httpError, invalid, notFound, type AppError } from '../../http/errors';
import { orgError } from './org.errors';
import type { Logger } from '../../logger';
import { Invite } from './invite.entity';
import { Member } from './member.entity';
import { Session } from './session.entity';
import type { OrgService } from './org.service';
import { DemoMember } from '../../demo/demo-member.entity';

export interface IssuedSession {
  token: string;
  expiresAt: Date;
  member: Member;
}

type Identity = { kind: 'wechat'; id: string } | { kind: 'wecom'; id: string };
const identityColumn = (identity: Identity) => (identity.kind === 'wechat' ? 'wechatOpenId' : 'wecomUserId');

type MemberRow = Omit<Member, 'deactivatedAt' | 'createdAt' | 'updatedAt' | 'joinedAt'> & { createdAt: Date | string; updatedAt: Date | string; joinedAt: Date | string | null };

/** How long a checked session is trusted without asking the database again. */
export const SESSION_CACHE_MS = 5_000;
const SESSION_CACHE_MAX = 10_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface LoginChannels {
  wechat: WechatLoginClient | null;
  wecom: { client: WecomApiClient; env: WecomEnv } | null;
}

export class AuthService {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
    private readonly channels: LoginChannels,
    private readonly logger: Logger,
    /** Demo mode: dev-login works, for seeded demo members only; elsewhere dev-login sessions are refused. */
    private readonly demo = false,
  ) {}

  async issueSession(member: Member, via: Session['via']): Promise<IssuedSession> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.clock.now().getTime() + this.policy.limits.sessionTtlDays * DAY_MS);
    await this.db.getRepository(Session).insert({ tokenHash: hashToken(token), memberId: member.id, via, expiresAt, revokedAt: null });
    return { token, expiresAt, member };
  }

  /** The member behind a bearer token, if the session is live and the member active. */
  async authenticate(token: string): Promise<Member | null> {
    if (!token || token.length > 128) return null;
    const now = this.clock.now();
    const tokenHash = hashToken(token);
    const cached = this.recent.get(tokenHash);
    if (cached && cached.until > now.getTime()) return cached.member;
    const found = await this.lookup(tokenHash, now);
    if (found) this.remember(tokenHash, found.member, Math.min(now.getTime() + SESSION_CACHE_MS, found.expiresAt.getTime()));
    else this.recent.delete(tokenHash);
    return found?.member ?? null;
  }

  /**
   * Sessions seen in the last few seconds: every API call needs the member, and this saves the query
   * on most of them. A revoke through this instance forgets at once; whatever changes elsewhere (a
   * revoke on another instance, a deactivated member) takes effect within SESSION_CACHE_MS.
   */
  private readonly recent = new Map<string, { member: Member; until: number }>();

  private remember(tokenHash: string, member: Member, until: number) {
    if (this.recent.size >= SESSION_CACHE_MAX) this.recent.clear();
    this.recent.set(tokenHash, { member, until });
  }

  /** Forgets cached sessions: all of them, or one member's (their role, team or sessions changed). */
  forgetSessions(memberId?: number): void {
    if (memberId === undefined) return this.recent.clear();
    for (const [hash, entry] of this.recent) if (entry.member.id === memberId) this.recent.delete(hash);
  }

  private async lookup(tokenHash: string, now: Date): Promise<{ member: Member; expiresAt: Date } | null> {
    const rows: (MemberRow & { sessionExpiresAt: Date | string })[] = await this.db.query(
      `SELECT s.expiresAt AS sessionExpiresAt, m.id, m.name, m.phone, m.role, m.teamId, m.regionId, m.managerId, m.wechatOpenId, m.wecomUserId, m.dingtalkUserId, m.createdAt, m.updatedAt, m.joinedAt
       FROM session s JOIN member m ON m.id = s.memberId
       WHERE s.tokenHash = ? AND s.revokedAt IS NULL AND s.expiresAt > ? AND m.deactivatedAt IS NULL${this.demo ? '' : " AND s.via <> 'dev'"}`,
      [tokenHash, isSqlite(this.db) ? now.toISOString().replace('T', ' ').replace('Z', '') : now],
    );
    const row = rows[0];
    if (!row) return null;
    const { sessionExpiresAt, ...member } = row;
    return {
      member: Object.assign(new Member(), { ...member, deactivatedAt: null, createdAt: sqlDate(member.createdAt)!, updatedAt: sqlDate(member.updatedAt)!, joinedAt: sqlDate(member.joinedAt) }),
      expiresAt: sqlDate(sessionExpiresAt)!,
    };
  }

  async revoke(token: string): Promise<void> {
    this.recent.delete(hashToken(token));
    await this.db.getRepository(Session).update({ tokenHash: hashToken(token), revokedAt: IsNull() }, { revokedAt: this.clock.now() });
  }

  async revokeAllFor(memberId: number): Promise<number> {
    if (!(await this.db.getRepository(Member).exists({ where: { id: memberId } }))) throw notFound('成员');
    this.forgetSessions(memberId);
    const result = await this.db.getRepository(Session).update({ memberId, revokedAt: IsNull() }, { revokedAt: this.clock.now() });
    return result.affected ?? 0;
  }

  /** Only members the demo seed created: a real member's phone is no password. */
  async devLogin(phone: string): Promise<IssuedSession> {
    if (!this.demo) throw notFound('接口');
    const demo = await this.db.getRepository(DemoMember).findOne({ where: { phone } });
    const member = demo ? await this.db.getRepository(Member).findOne({ where: { id: demo.memberId, phone, deactivatedAt: IsNull() } }) : null;
    if (!member) throw invalid({ phone: '手机号不属于任何演示成员' });
    return this.issueSession(member, 'dev');
  }

  async wechatLogin(input: MiniProgramLoginInput): Promise<IssuedSession> {
    const client = this.channels.wechat;
    if (!client) throw orgError('CHANNEL_OFF', { message: '未配置微信登录（WECHAT_APP_ID / WECHAT_APP_SECRET）' });
    let openid: string;
    try {
      ({ openid } = await client.code2Session(input.code));
    } catch (error) {
      throw this.loginUpstreamError(error, 'wechat');
    }
    return this.loginWithIdentity({ kind: 'wechat', id: openid }, input);
  }

  async wecomLogin(input: MiniProgramLoginInput): Promise<IssuedSession> {
    const wecom = this.channels.wecom;
    if (!wecom) throw orgError('CHANNEL_OFF', { message: '未配置企业微信登录（WECOM_CORP_ID / WECOM_AGENT_ID / WECOM_SECRET）' });
    let session: { corpid: string; userid: string };
    try {
      session = await wecom.client.jscode2session(input.code);
    } catch (error) {
      throw this.loginUpstreamError(error, 'wecom');
    }
    if (session.corpid !== wecom.env.corpId) throw forbidden('该企业微信账号不属于本企业');
    return this.loginWithIdentity({ kind: 'wecom', id: session.userid }, input);
  }

  private loginUpstreamError(error: unknown, channel: 'wechat' | 'wecom'): AppError {
    const errcode = error instanceof WechatLoginRefused || error instanceof WecomApiError ? error.errcode : undefined;
    switch (errcode) {
      case 40029:
      case 40163:
        return orgError('LOGIN_CODE_INVALID');
      case 45011:
        return httpError('LOGIN_RATE_LIMITED', { message: '登录过于频繁，请一分钟后再试' });
      case 40226:
        return orgError('LOGIN_BLOCKED');
    }
    this.logger.error({ channel, errcode, err: error instanceof UpstreamError || errcode ? (error as Error).message : error }, 'login upstream failed');
    return orgError('LOGIN_UPSTREAM_FAILED', { message: channel === 'wechat' ? '微信登录服务暂时不可用，请稍后再试' : '企业微信登录服务暂时不可用，请稍后再试' });
  }

  /** Known identity → session; otherwise the invite code binds it to a member (or a new rep). */
  private async loginWithIdentity(identity: Identity, input: MiniProgramLoginInput): Promise<IssuedSession> {
    const column = identityColumn(identity);
    const known = await this.db.getRepository(Member).findOne({ where: { [column]: identity.id, deactivatedAt: IsNull() } });
    if (known) return this.issueSession(known, identity.kind);
    if (!input.inviteCode) throw orgError('INVITE_REQUIRED');

    let member: Member;
    try {
      member = await withTransaction(this.db, async (manager) => {
        const invite = await manager.getRepository(Invite).findOne({ where: { code: input.inviteCode! } });
        this.org.assertKnownInvite(invite);
        const now = this.clock.now();
        if (invite.memberId !== null) {
          const target = await this.org.findActiveMember(invite.memberId, manager);
          if (!target) throw orgError('INVITE_INVALID', { message: '邀请码对应的成员已停用' });
          if (target[column]) throw orgError('MEMBER_ALREADY_BOUND', { message: identity.kind === 'wechat' ? '该成员已绑定其他微信' : '该成员已绑定其他企业微信账号' });
          // Conditional update: two scans of one personal code cannot both bind.
          const used = await manager.getRepository(Invite).update({ id: invite.id, usedAt: IsNull() }, { usedAt: now });
          if (!used.affected) throw orgError('INVITE_INVALID', { message: '邀请码已被使用' });
          await manager.getRepository(Member).update({ id: target.id }, { [column]: identity.id });
          return { ...target, [column]: identity.id } as Member;
        }
        const fields: Record<string, string> = {};
        if (!input.name) fields.name = '请填写姓名';
        if (!input.phone) fields.phone = '请填写手机号';
        if (Object.keys(fields).length) throw invalid(fields, '首次加入团队请填写姓名和手机号');
        const existing = await manager.getRepository(Member).findOne({ where: { phone: input.phone! } });
        if (existing) throw orgError('PHONE_ALREADY_REGISTERED');
        const team = await this.org.teamById(invite.teamId);
        if (!team) throw orgError('INVITE_INVALID', { message: '邀请码对应的团队不存在' });
        const supervisor = await this.org.supervisorOfTeam(team.id, manager);
        return manager.getRepository(Member).save({
          name: input.name!,
          phone: input.phone!,
          role: invite.role,
          teamId: team.id,
          regionId: team.regionId,
          managerId: supervisor?.id ?? null,
          wechatOpenId: identity.kind === 'wechat' ? identity.id : null,
          wecomUserId: identity.kind === 'wecom' ? identity.id : null,
          deactivatedAt: null,
          // joining by a team code: this is the day they joined (an admin may correct it)
          joinedAt: this.clock.now(),
        });
      });
    } catch (error) {
      // Two first logins of the same identity racing: the unique index lets one win.
      if (isDuplicateKeyError(error)) throw orgError('ACCOUNT_ALREADY_BOUND');
      throw error;
    }
    this.logger.info({ memberId: member.id, via: identity.kind }, 'identity bound to member');
    return this.issueSession(member, identity.kind);
  }
}
