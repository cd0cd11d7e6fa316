import { randomBytes } from 'node:crypto';
import { In, IsNull, type DataSource, type EntityManager } from 'typeorm';
import { can, instantToWallClock, scopeOf as scopeRuleOf, wallClockToInstant, type Action, type MemberView, type Role } from '@anchor/shared';
import type { Clock } from '../../clock';
import { DAY_MS } from '../../clock';
import { forbidden, invalid, notFound } from '../../http/errors';
import { orgError } from './org.errors';
import type { Policy } from '../../config/policy';
import { Invite } from './invite.entity';
import { Member } from './member.entity';
import { Region } from './region.entity';
import { Team } from './team.entity';
import type { Scope } from './scope';

// the app reads the same shape (shared/src/api-types.ts)
export type { MemberView } from '@anchor/shared';

export function memberView(m: Member): MemberView {
  // identities (WeChat, WeCom, DingTalk ids) stay on the server
  const joined = m.joinedAt ?? m.createdAt;
  return {
    id: m.id, name: m.name, phone: m.phone, role: m.role, teamId: m.teamId, regionId: m.regionId, managerId: m.managerId,
    ...(joined ? { joinedAt: joined.toISOString() } : {}),
  };
}

export class OrgService {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  /**
   * The org tree decides reach, by the action's scope rule in the permission matrix: own (the member),
   * team (a supervisor's team), region (a director's region), all (admin; finance and marketing read all).
   * Without a team or region to stand on, a member reaches only their own; without the right, nothing.
   */
  async scopeOf(member: Member, action: Action = 'customers.read'): Promise<Scope> {
    switch (scopeRuleOf(member.role, action)) {
      case 'all':
        return { kind: 'all' };
      case 'region': {
        if (member.regionId === null) return { kind: 'owners', memberIds: [member.id] };
        const teams = await this.db.getRepository(Team).find({ where: { regionId: member.regionId }, select: { id: true } });
        const inRegion = await this.db.getRepository(Member).find({
          where: [{ regionId: member.regionId }, ...(teams.length ? [{ teamId: In(teams.map((t) => t.id)) }] : [])],
          select: { id: true },
        });
        return { kind: 'owners', memberIds: unique([member.id, ...inRegion.map((m) => m.id)]) };
      }
      case 'team': {
        if (member.teamId === null) return { kind: 'owners', memberIds: [member.id] };
        const inTeam = await this.db.getRepository(Member).find({ where: { teamId: member.teamId }, select: { id: true } });
        return { kind: 'owners', memberIds: unique([member.id, ...inTeam.map((m) => m.id)]) };
      }
      case 'own':
        return { kind: 'owners', memberIds: [member.id] };
      case 'none':
        return { kind: 'owners', memberIds: [] };
    }
  }

  async findActiveMember(id: number, manager: EntityManager = this.db.manager): Promise<Member | null> {
    return manager.getRepository(Member).findOne({ where: { id, deactivatedAt: IsNull() } });
  }

  async membersByIds(ids: number[]): Promise<Map<number, Member>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.getRepository(Member).find({ where: { id: In(unique(ids)) } });
    return new Map(rows.map((m) => [m.id, m]));
  }

  /**
   * Who could take over a task from `member`: active members in the same role (an approval step needs the
   * same standing), in the same region when the member has one; not the member themselves.
   */
  async colleaguesOf(member: Pick<Member, 'id' | 'role' | 'regionId'>): Promise<Member[]> {
    const rows = await this.db.getRepository(Member).find({
      where: { role: member.role, deactivatedAt: IsNull(), ...(member.regionId !== null ? { regionId: member.regionId } : {}) },
      order: { id: 'ASC' },
    });
    return rows.filter((m) => m.id !== member.id);
  }

  /** Members the caller can see (owner pickers, import's 负责人 column). */
  async listMembers(caller: Member): Promise<Member[]> {
    const scope = await this.scopeOf(caller);
    const repo = this.db.getRepository(Member);
    const where = { deactivatedAt: IsNull(), ...(scope.kind === 'owners' ? { id: In(scope.memberIds) } : {}) };
    return repo.find({ where, order: { id: 'ASC' } });
  }

  async createRegion(name: string): Promise<Region> {
    return this.db.getRepository(Region).save({ name });
  }

  async createTeam(name: string, regionId: number): Promise<Team> {
    return this.db.getRepository(Team).save({ name, regionId });
  }

  async createMember(fields: Pick<Member, 'name' | 'phone' | 'role'> & Partial<Pick<Member, 'teamId' | 'regionId' | 'managerId' | 'wecomUserId' | 'dingtalkUserId'>>): Promise<Member> {
    return this.db.getRepository(Member).save({
      teamId: null,
      regionId: null,
      managerId: null,
      wechatOpenId: null,
      wecomUserId: null,
      dingtalkUserId: null,
      deactivatedAt: null,
      // joined when created, unless an admin says otherwise (PATCH /members/:id)
      joinedAt: this.clock.now(),
      ...fields,
    });
  }

  /**
   * An admin sets when a member joined (入职日期, a day in the policy's zone; stored as that day's local
   * midnight). Not after today: a join date ahead would make a new rep's "days to first deal" negative.
   */
  async setJoinedAt(id: number, day: string): Promise<Member> {
    const member = await this.db.getRepository(Member).findOne({ where: { id } });
    if (!member) throw notFound('成员');
    const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
    const joinedAt = wallClockToInstant(new Date(Date.UTC(y, mo - 1, d)), this.policy.timeZone);
    const today = instantToWallClock(this.clock.now(), this.policy.timeZone).toISOString().slice(0, 10);
    if (day > today) throw invalid({ joinedAt: `入职日期不能晚于今天（${today}）` });
    await this.db.getRepository(Member).update({ id }, { joinedAt });
    return this.db.getRepository(Member).findOneOrFail({ where: { id } });
  }

  /**
   * A personal invite (for one member, single use) or a team invite (a new rep joins the team).
   * Supervisors invite into their own team; directors into their region; admins anywhere.
   */
  async createInvite(caller: Member, input: { teamId?: number | undefined; memberId?: number | undefined }): Promise<Invite> {
    if (!can(caller.role, 'org.invites.manage')) throw forbidden('只有主管、总监或管理员可以生成邀请码');
    const scope = await this.scopeOf(caller);
    let teamId: number;
    let role: Role = 'rep';
    let memberId: number | null = null;
    if (input.memberId !== undefined) {
      const member = await this.findActiveMember(input.memberId);
      if (!member || (scope.kind === 'owners' && !scope.memberIds.includes(member.id))) throw notFound('成员');
      if (member.teamId === null && scopeRuleOf(caller.role, 'org.invites.manage') !== 'all') throw forbidden('该成员不属于任何团队，请由管理员邀请');
      teamId = member.teamId ?? input.teamId ?? 0;
      role = member.role;
      memberId = member.id;
    } else {
      const team = await this.db.getRepository(Team).findOne({ where: { id: input.teamId! } });
      if (!team || !(await this.teamInReach(caller, team))) throw notFound('团队');
      teamId = team.id;
    }
    const now = this.clock.now();
    return this.db.getRepository(Invite).save({
      code: randomBytes(9).toString('base64url'),
      teamId,
      memberId,
      role,
      createdById: caller.id,
      expiresAt: new Date(now.getTime() + this.policy.limits.inviteTtlDays * DAY_MS),
      usedAt: null,
      revokedAt: null,
    });
  }

  async revokeInvite(caller: Member, code: string): Promise<void> {
    const invite = await this.inviteInReach(caller, code);
    await this.db.getRepository(Invite).update({ id: invite.id, revokedAt: IsNull() }, { revokedAt: this.clock.now() });
  }

  /** An invite the caller may show (as a QR code) or revoke; anything else looks absent. */
  async inviteInReach(caller: Member, code: string): Promise<Invite> {
    const invite = await this.db.getRepository(Invite).findOne({ where: { code } });
    const team = invite ? await this.db.getRepository(Team).findOne({ where: { id: invite.teamId } }) : null;
    if (!invite || !team || !(await this.teamInReach(caller, team))) throw notFound('邀请码');
    return invite;
  }

  private async teamInReach(caller: Member, team: Team): Promise<boolean> {
    switch (scopeRuleOf(caller.role, 'org.invites.manage')) {
      case 'all':
        return true;
      case 'region':
        return caller.regionId === team.regionId;
      case 'team':
        return caller.teamId === team.id;
      default:
        return false;
    }
  }

  async teamById(id: number): Promise<Team | null> {
    return this.db.getRepository(Team).findOne({ where: { id } });
  }

  async regionById(id: number): Promise<Region | null> {
    return this.db.getRepository(Region).findOne({ where: { id } });
  }

  /** The supervisor who leads a team: new reps report to them. */
  async supervisorOfTeam(teamId: number, manager: EntityManager = this.db.manager): Promise<Member | null> {
    return manager.getRepository(Member).findOne({ where: { teamId, role: 'supervisor', deactivatedAt: IsNull() }, order: { id: 'ASC' } });
  }

  assertKnownInvite(invite: Invite | null): asserts invite is Invite {
    const now = this.clock.now();
    if (!invite || invite.revokedAt || invite.expiresAt.getTime() <= now.getTime() || (invite.memberId !== null && invite.usedAt)) {
      throw orgError('INVITE_INVALID');
    }
  }
}

function unique(ids: number[]): number[] {
  return [...new Set(ids)];
}
