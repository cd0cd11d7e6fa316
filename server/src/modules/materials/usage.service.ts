import type { DataSource } from 'typeorm';
import { instantToWallClock, wallClockToInstant, type MaterialUsage as UsageView } from '@anchor/shared';
import { DAY_MS, type Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { SQL, withSqlTransaction } from '../../db/sql';
import { invalid } from '../../http/errors';
import type { Member, OrgService } from '../org';
import { Material } from './material.entity';

/**
 * Usage per material and per rep over a span of days in the policy time zone (default: the last 30):
 * views, downloads, shares, customer opens of those shares, and the reps who never opened a material.
 * Counted over the members the caller reaches (a supervisor their team, a director their region).
 */
export class UsageService {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
  ) {}

  /** [from, to) as instants: from the start of `from`'s day to the end of `to`'s, in the policy time zone. */
  span(from: string | undefined, to: string | undefined): [Date, Date] {
    const zone = this.policy.timeZone;
    const today = instantToWallClock(this.clock.now(), zone);
    const todayStart = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
    const start = from ? Date.parse(`${from}T00:00:00Z`) : todayStart - 29 * DAY_MS;
    const end = (to ? Date.parse(`${to}T00:00:00Z`) : todayStart) + DAY_MS;
    if (Number.isNaN(start) || Number.isNaN(end)) throw invalid({ from: '日期无效' });
    if (end <= start) throw invalid({ to: '结束日期不能早于开始日期' });
    if (end - start > 366 * DAY_MS) throw invalid({ to: '统计区间最长 366 天' });
    return [wallClockToInstant(new Date(start), zone), wallClockToInstant(new Date(end), zone)];
  }

  async report(caller: Member, from: string | undefined, to: string | undefined): Promise<UsageView> {
    const [start, end] = this.span(from, to);
    const reach = await this.org.scopeOf(caller, 'materials.usage.read');
    const members = await this.org.listMembers(caller);
    const inReach = (id: number) => reach.kind === 'all' || reach.memberIds.includes(id);
    const reps = members.filter((m) => m.role === 'rep' && inReach(m.id));
    // one read transaction: the usage and the opens counted at the same moment
    const [usage, opens] = await withSqlTransaction(this.db, async (sql) => [
      await sql.rows<{ materialId: number; memberId: number; action: string; n: number | string }>(
      SQL`SELECT materialId, memberId, action, COUNT(*) AS n FROM material_usage WHERE at >= ? AND at < ? GROUP BY materialId, memberId, action`,
      [start, end],
    ),
      await sql.rows<{ materialId: number; memberId: number; n: number | string }>(
      SQL`SELECT s.materialId AS materialId, s.memberId AS memberId, COUNT(*) AS n FROM material_share_open o JOIN material_share s ON s.id = o.shareId
       WHERE o.openedAt >= ? AND o.openedAt < ? GROUP BY s.materialId, s.memberId`,
      [start, end],
    )] as const);
    const materials = await this.db.getRepository(Material).find({ order: { id: 'DESC' }, select: { id: true, title: true, retiredAt: true } });

    const zero = () => ({ views: 0, downloads: 0, shares: 0, opens: 0 });
    const perMaterial = new Map(materials.map((m) => [m.id, { ...zero(), openedBy: new Set<number>() }]));
    const perRep = new Map(reps.map((r) => [r.id, { ...zero(), opened: new Set<number>() }]));
    const key = { view: 'views', download: 'downloads', share: 'shares' } as const;
    for (const u of usage) {
      const memberId = Number(u.memberId);
      if (!inReach(memberId)) continue;
      const field = key[u.action as keyof typeof key];
      if (!field) continue;
      const n = Number(u.n);
      const m = perMaterial.get(Number(u.materialId));
      if (m) {
        m[field] += n;
        if (u.action !== 'share') m.openedBy.add(memberId);
      }
      const r = perRep.get(memberId);
      if (r) {
        r[field] += n;
        if (u.action !== 'share') r.opened.add(Number(u.materialId));
      }
    }
    for (const o of opens) {
      if (!inReach(Number(o.memberId))) continue;
      const m = perMaterial.get(Number(o.materialId));
      if (m) m.opens += Number(o.n);
      const r = perRep.get(Number(o.memberId));
      if (r) r.opens += Number(o.n);
    }
    return {
      materials: materials.map((m) => {
        const c = perMaterial.get(m.id)!;
        return {
          id: m.id, title: m.title, retired: m.retiredAt !== null, views: c.views, downloads: c.downloads, shares: c.shares, opens: c.opens, viewers: c.openedBy.size,
          neverOpened: reps.filter((r) => !c.openedBy.has(r.id)).map((r) => ({ id: r.id, name: r.name })),
        };
      }),
      reps: reps.map((r) => {
        const c = perRep.get(r.id)!;
        return { id: r.id, name: r.name, views: c.views, downloads: c.downloads, shares: c.shares, opens: c.opens, materialsOpened: c.opened.size };
      }),
    };
  }
}
