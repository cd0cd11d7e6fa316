import { SQL, placeholders, statement, type Sql, type Statement } from '../../db/sql';
import type { Member } from './member.entity';
import type { MessageDirectory, MessagePerson, TeamRobots } from '../../outbox/message-kit';

const PERSON = 'SELECT id, name, wecomUserId, wechatOpenId, teamId FROM member';

const person = (row: MessagePerson | undefined): MessagePerson | null =>
  row ? { ...row, id: Number(row.id), teamId: row.teamId === null ? null : Number(row.teamId) } : null;

/** Who the outbox's messages go to, read in the planning transaction (org owns member and team tables). */
export const messageDirectory: MessageDirectory = {
  async person(sql: Sql, id: unknown) {
    return person((await sql.rows<MessagePerson>(SQL`${PERSON} WHERE id = ?`, [id]))[0]);
  },
  async member(sql: Sql, id: unknown) {
    return person((await sql.rows<MessagePerson>(SQL`${PERSON} WHERE id = ? AND deactivatedAt IS NULL`, [id]))[0]);
  },
  async admins(sql: Sql) {
    return (await sql.rows<MessagePerson>(SQL`${PERSON} WHERE role = 'admin' AND deactivatedAt IS NULL ORDER BY id`)).map((r) => person(r)!);
  },
  async teamRobots(sql: Sql, teamId: number | null) {
    const [row] = await sql.rows<TeamRobots>(SQL`SELECT wecomRobotKey, dingtalkRobotToken, dingtalkRobotSecret FROM team_channel_settings WHERE teamId = ?`, [teamId]);
    return row ?? null;
  },
};

/** Reads `{ id }` of a member when active (e.g. the rep's supervisor who will confirm), for a caller's batch. */
export const activeMemberStatement = (id: number | null): Statement => statement('SELECT id FROM member WHERE id = ? AND deactivatedAt IS NULL', [id ?? 0]);

/** Where a member sits in the org, as other modules' jobs need it (read in their transaction). */
export type MemberPlace = Pick<Member, 'id' | 'name' | 'role' | 'teamId' | 'managerId'> & { active: boolean };

/** Members by id (active or not), keyed by id. */
export async function membersById(sql: Sql, ids: number[]): Promise<Map<number, MemberPlace>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows = await sql.rows<{ id: number; name: string; role: Member['role']; teamId: number | null; managerId: number | null; deactivatedAt: unknown }>(
    SQL`SELECT id, name, role, teamId, managerId, deactivatedAt FROM member WHERE id IN (${placeholders(unique.length)})`,
    unique,
  );
  const num = (v: number | null) => (v === null ? null : Number(v));
  return new Map(rows.map((r) => [Number(r.id), { id: Number(r.id), name: r.name, role: r.role, teamId: num(r.teamId), managerId: num(r.managerId), active: r.deactivatedAt === null }]));
}

/** The active members of a role (a task pool: any of them may act), for their cards. */
export async function activeMembersWithRole(sql: Sql, role: string): Promise<{ id: number; name: string; wecomUserId: string | null; teamId: number | null }[]> {
  const rows = await sql.rows<{ id: number; name: string; wecomUserId: string | null; teamId: number | null }>(
    SQL`SELECT id, name, wecomUserId, teamId FROM member WHERE role = ? AND deactivatedAt IS NULL ORDER BY id`,
    [role],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), teamId: r.teamId === null ? null : Number(r.teamId) }));
}

/** The active members of any of these roles (a task pool's members), by id. */
export async function activeMembersWithRoles(sql: Sql, roles: readonly string[]): Promise<{ id: number; name: string; role: Member['role']; wecomUserId: string | null; teamId: number | null }[]> {
  if (roles.length === 0) return [];
  const rows = await sql.rows<{ id: number; name: string; role: Member['role']; wecomUserId: string | null; teamId: number | null }>(
    SQL`SELECT id, name, role, wecomUserId, teamId FROM member WHERE role IN (${placeholders(roles.length)}) AND deactivatedAt IS NULL ORDER BY id`,
    [...roles],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), teamId: r.teamId === null ? null : Number(r.teamId) }));
}
