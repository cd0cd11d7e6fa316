import { addDays, localDay, localInstant, scopeOf, type Action, type Role } from '@anchor/shared';
import { DAY_MS } from '../../clock';
import { SQL, type Sql } from '../../db/sql';
import { invalid, notFound } from '../../http/errors';
import type { Member } from '../org';

/** A member a dashboard has a row for: those who own customers and make visits (reps and supervisors). */
export interface Person {
  id: number;
  name: string;
  role: Role;
  teamId: number | null;
  teamName: string | null;
  /** the team's region, else the member's own */
  regionId: number | null;
}

/** The filters every dashboard takes: a period of local days and, within the caller's reach, a team or a rep. */
export interface DashboardFilter {
  from?: string | undefined;
  to?: string | undefined;
  teamId?: number | undefined;
  repId?: number | undefined;
}

/**
 * Whom a dashboard shows and against whom it measures them. `shown`: the members in the caller's reach
 * (the permission matrix's scope of the dashboard's action over the org tree), narrowed by the team or
 * rep filter. `population`: every member of the teams of those shown — a team's mean and median are the
 * whole team's, whoever looks (a rep sees their own row against their team's yardstick). The period is
 * [start, end) as instants, from the start of `from`'s local day to the end of `to`'s.
 */
export interface Reach {
  shown: Person[];
  population: Person[];
  from: string;
  to: string;
  start: Date;
  end: Date;
}

const MAX_SPAN_DAYS = 366;

/** The period in local days; default this month up to today. */
export function periodOf(filter: DashboardFilter, now: Date, timeZone: string, defaultFrom?: string): { from: string; to: string; start: Date; end: Date } {
  const today = localDay(now, timeZone);
  const to = filter.to ?? today;
  const from = filter.from ?? defaultFrom ?? `${to.slice(0, 7)}-01`;
  if (from > to) throw invalid({ to: '结束日期不能早于开始日期' });
  const start = localInstant(from, '00:00', timeZone);
  const end = localInstant(addDays(to, 1), '00:00', timeZone);
  if (end.getTime() - start.getTime() > MAX_SPAN_DAYS * DAY_MS + 2 * 3_600_000) throw invalid({ from: `统计区间最长 ${MAX_SPAN_DAYS} 天` });
  return { from, to, start, end };
}

/** The members (reps, supervisors; active) a caller's reach may hold, read once per request. */
async function candidates(sql: Sql, caller: Member, rule: string): Promise<Person[]> {
  type Row = { id: number; name: string; role: Role; teamId: number | null; teamName: string | null; teamRegionId: number | null; regionId: number | null };
  const base = SQL`SELECT m.id AS id, m.name AS name, m.role AS role, m.teamId AS teamId, t.name AS teamName, t.regionId AS teamRegionId, m.regionId AS regionId
    FROM member m LEFT JOIN team t ON t.id = m.teamId WHERE m.role IN ('rep', 'supervisor') AND m.deactivatedAt IS NULL`;
  let rows: Row[];
  if (rule === 'all') rows = await sql.rows<Row>(SQL`${base} ORDER BY m.id`);
  else if (rule === 'region' && caller.regionId !== null) rows = await sql.rows<Row>(SQL`${base} AND (t.regionId = ? OR (m.teamId IS NULL AND m.regionId = ?)) ORDER BY m.id`, [caller.regionId, caller.regionId]);
  else if (caller.teamId !== null) rows = await sql.rows<Row>(SQL`${base} AND m.teamId = ? ORDER BY m.id`, [caller.teamId]);
  else rows = await sql.rows<Row>(SQL`${base} AND m.id = ?`, [caller.id]);
  return rows.map((r) => ({ id: Number(r.id), name: r.name, role: r.role, teamId: r.teamId === null ? null : Number(r.teamId), teamName: r.teamName, regionId: r.teamRegionId !== null ? Number(r.teamRegionId) : r.regionId === null ? null : Number(r.regionId) }));
}

/**
 * Resolves the caller's reach for `action`: supervisor their team, director their region, admin (and
 * finance/marketing where granted) everyone, a rep themselves. A team or rep filter outside it answers
 * 404 as for one that does not exist (团队不存在 / 成员不存在), like every other out-of-scope record.
 */
export async function reachOf(sql: Sql, caller: Member, action: Action, filter: DashboardFilter, period: { from: string; to: string; start: Date; end: Date }): Promise<Reach> {
  const rule = scopeOf(caller.role, action);
  const loaded = await candidates(sql, caller, rule);
  const inReach = loaded.filter((p) => {
    switch (rule) {
      case 'all':
        return true;
      case 'region':
        return caller.regionId !== null ? p.regionId === caller.regionId : p.id === caller.id;
      case 'team':
        return caller.teamId !== null ? p.teamId === caller.teamId : p.id === caller.id;
      case 'own':
        return p.id === caller.id;
      default:
        return false;
    }
  });
  let shown = inReach;
  if (filter.teamId !== undefined) {
    let reached: boolean;
    if (rule === 'all') reached = (await sql.rows(SQL`SELECT id FROM team WHERE id = ?`, [filter.teamId])).length > 0;
    else if (rule === 'region') reached = caller.regionId !== null && (await sql.rows(SQL`SELECT id FROM team WHERE id = ? AND regionId = ?`, [filter.teamId, caller.regionId])).length > 0;
    else reached = caller.teamId !== null && caller.teamId === filter.teamId;
    if (!reached) throw notFound('团队');
    shown = shown.filter((p) => p.teamId === filter.teamId);
  }
  if (filter.repId !== undefined) {
    if (!inReach.some((p) => p.id === filter.repId)) throw notFound('成员');
    shown = shown.filter((p) => p.id === filter.repId);
    if (shown.length === 0) throw notFound('成员');
  }
  const teams = new Set(shown.map((p) => p.teamId).filter((t): t is number => t !== null));
  const shownIds = new Set(shown.map((p) => p.id));
  const population = loaded.filter((p) => shownIds.has(p.id) || (p.teamId !== null && teams.has(p.teamId)));
  return { shown, population, ...period };
}
