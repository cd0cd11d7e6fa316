import type { Role } from '@anchor/shared';
import type { Member } from '../../server/src/modules/org/member.entity';
import type { Harness } from './harness';

export interface OrgFixture {
  admin: Member;
  finance: Member;
  marketing: Member;
  /** region 1: director D1; team 1 (supervisor S1, reps A and B); team 2 (supervisor S2, rep C) */
  directorEast: Member;
  supervisor1: Member;
  repA: Member;
  repB: Member;
  supervisor2: Member;
  repC: Member;
  /** region 2: director D2; team 3 (supervisor S3, rep E) */
  directorWest: Member;
  supervisor3: Member;
  repE: Member;
  teamIds: { team1: number; team2: number; team3: number };
  regionIds: { east: number; west: number };
  tokens: Map<number, string>;
  token(member: Member): string;
}

let phoneSeq = 0;
const nextPhone = () => `139${String(10000000 + ++phoneSeq).slice(-8)}`;

export async function buildOrg(h: Harness): Promise<OrgFixture> {
  const org = h.services.org;
  const east = await org.createRegion('华东');
  const west = await org.createRegion('西南');
  const team1 = await org.createTeam('上海一组', east.id);
  const team2 = await org.createTeam('杭州二组', east.id);
  const team3 = await org.createTeam('成都三组', west.id);
  const add = (name: string, role: Role, extra: { teamId?: number; regionId?: number; managerId?: number } = {}) =>
    org.createMember({ name, phone: nextPhone(), role, teamId: extra.teamId ?? null, regionId: extra.regionId ?? null, managerId: extra.managerId ?? null });

  const admin = await add('管理员', 'admin');
  const finance = await add('财务', 'finance');
  const marketing = await add('市场', 'marketing');
  const directorEast = await add('东区总监', 'director', { regionId: east.id });
  const directorWest = await add('西区总监', 'director', { regionId: west.id });
  const supervisor1 = await add('一组主管', 'supervisor', { teamId: team1.id, regionId: east.id, managerId: directorEast.id });
  const supervisor2 = await add('二组主管', 'supervisor', { teamId: team2.id, regionId: east.id, managerId: directorEast.id });
  const supervisor3 = await add('三组主管', 'supervisor', { teamId: team3.id, regionId: west.id, managerId: directorWest.id });
  const repA = await add('代表甲', 'rep', { teamId: team1.id, regionId: east.id, managerId: supervisor1.id });
  const repB = await add('代表乙', 'rep', { teamId: team1.id, regionId: east.id, managerId: supervisor1.id });
  const repC = await add('代表丙', 'rep', { teamId: team2.id, regionId: east.id, managerId: supervisor2.id });
  const repE = await add('代表戊', 'rep', { teamId: team3.id, regionId: west.id, managerId: supervisor3.id });

  const tokens = new Map<number, string>();
  for (const m of [admin, finance, marketing, directorEast, directorWest, supervisor1, supervisor2, supervisor3, repA, repB, repC, repE]) {
    tokens.set(m.id, (await h.services.auth.issueSession(m, 'wechat')).token);
  }
  return {
    admin, finance, marketing, directorEast, directorWest, supervisor1, supervisor2, supervisor3, repA, repB, repC, repE,
    teamIds: { team1: team1.id, team2: team2.id, team3: team3.id },
    regionIds: { east: east.id, west: west.id },
    tokens,
    token: (m) => tokens.get(m.id)!,
  };
}
