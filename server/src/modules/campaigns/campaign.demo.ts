import type { DataSource } from 'typeorm';
import { addDays, localDay } from '@anchor/shared';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { SQL, withSqlTransaction } from '../../db/sql';
import type { ShareService } from '../materials';
import { activeMembersWithRole, type OrgService } from '../org';
import type { CampaignExceptions } from './campaign-exceptions.service';
import type { CampaignService } from './campaign.service';

const DAY_MS = 86_400_000;

/**
 * The demo's campaign (main.ts, after the people, their visits and the materials): 「Q1 骨科关节置换专项攻坚」,
 * the director's, over the region's 三级 public hospitals at 拜访/方案, launched 12 days ago — so the demo
 * visits of those days (推进方案, with photos) already complete steps, the rest are overdue — with a few
 * materials shared since and one exception waiting in the director's tasks (竞品锁定).
 */
export async function seedCampaignsForDemo(
  db: DataSource,
  policy: Policy,
  clock: Clock,
  services: { campaigns: CampaignService; campaignExceptions: CampaignExceptions; org: OrgService; materialShares: ShareService },
): Promise<void> {
  const [directorRow] = await withSqlTransaction(db, (sql) => activeMembersWithRole(sql, 'director'));
  const director = directorRow ? await services.org.findActiveMember(directorRow.id) : null;
  if (!director) return;
  const materials = await withSqlTransaction(db, (sql) => sql.rows<{ id: number; kind: string }>(SQL`SELECT id, kind FROM material WHERE retiredAt IS NULL ORDER BY id LIMIT 20`));
  const script = materials.find((m) => m.kind === 'script');
  const others = materials.filter((m) => m.kind !== 'script').slice(0, 2).map((m) => Number(m.id));
  const now = clock.now();
  const today = localDay(now, policy.timeZone);
  let campaign;
  try {
    campaign = await services.campaigns.create(director, {
      name: 'Q1 骨科关节置换专项攻坚',
      startsOn: addDays(today, -12),
      endsOn: addDays(today, 40),
      goalStage: 'quote',
      goalCount: 8,
      filter: { industries: ['公立医院'], hospitalLevels: ['三级甲等', '三级乙等'], stages: ['visit', 'proposal'] },
      customerIds: [],
      scriptMaterialId: script ? Number(script.id) : null,
      materialIds: others,
      steps: [
        { title: '上门推进方案', kind: 'visit', objective: '推进方案', dueDays: 5 },
        ...(others.length ? [{ title: '发送关节置换案例', kind: 'share' as const, materialId: null, dueDays: 10 }] : []),
        { title: '科室现场拍照', kind: 'photo', dueDays: 14 },
        { title: '进入报价', kind: 'stage', stage: 'quote', dueDays: 30 },
      ],
      launch: true,
    });
  } catch {
    // a demo without matching customers goes on without the campaign
    return;
  }
  // launched 12 days ago: the demo's visits of those days are the campaign's records
  const launchedAt = new Date(now.getTime() - 12 * DAY_MS);
  await withSqlTransaction(db, (sql) => sql.exec(SQL`UPDATE campaign SET launchedAt = ?, createdAt = ? WHERE id = ?`, [launchedAt, launchedAt, campaign.id]));
  const { items } = await services.campaigns.targets(director, campaign.id, {});
  // a few reps shared the case study since (a real share record each)
  if (others.length) {
    for (const t of items.filter((_, i) => i % 3 === 0).slice(0, 6)) {
      const rep = await services.org.findActiveMember(t.owner.id);
      if (rep) await services.materialShares.create(rep, others[0]!, t.customer.id).catch(() => undefined);
    }
  }
  // one rep reports a blocker: waiting in the director's tasks
  const blocked = items.find((t) => t.state === 'open');
  const rep = blocked ? await services.org.findActiveMember(blocked.owner.id) : null;
  if (blocked && rep) {
    await services.campaignExceptions.report(rep, blocked.id, { reason: '竞品锁定', note: '科室刚与竞品签了三年耗材协议，主任表示明年再评估', photoId: null }).catch(() => undefined);
  }
}
