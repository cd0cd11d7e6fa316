import type { DataSource } from 'typeorm';
import type { Clock } from '../../clock';
import { withSqlTransaction } from '../../db/sql';
import type { CustomerService } from '../customers';
import { defineModule } from '../module';
import { activeMembersWithRole, type Member, type OrgService } from '../org';
import { seedMaterialDemo } from './material.demo';
import { Material, MaterialShare, MaterialShareOpen, MaterialTag, MaterialTagLink, MaterialUsage } from './material.entity';
import { materialMessages } from './material.messages';
import { materialRoutes } from './material.routes';
import { MaterialService } from './material.service';
import { MATERIAL_ERRORS } from './materials.errors';
import { Materials1765100000000 } from './migrations/1765100000000-materials';
import { ShareService } from './share.service';
import { UsageService } from './usage.service';

export type { MaterialService } from './material.service';
export type { ShareService } from './share.service';
export type { UsageService } from './usage.service';

export interface MaterialExports {
  materials: MaterialService;
  materialShares: ShareService;
  materialUsage: UsageService;
}

declare module '../module' {
  interface ModuleExports {
    materials: MaterialExports;
  }
}

/**
 * The marketing material center: materials (a file of purpose `material` or a script's text) with
 * scenario tags kept as data, fit hints for a customer's stage, industry and last bottleneck, usage
 * recorded per view/download/share, and share links a customer opens without a login.
 */
export const materialsModule = defineModule({
  name: 'materials',
  entities: [MaterialTag, Material, MaterialTagLink, MaterialUsage, MaterialShare, MaterialShareOpen],
  migrations: [Materials1765100000000],
  errors: MATERIAL_ERRORS,
  permissions: ['materials.read', 'materials.manage', 'materials.usage.read'],
  messages: materialMessages,
  services: ({ db, policy, clock, env, use }): MaterialExports => {
    const { org } = use('org');
    const { customers } = use('customers');
    const { attachments } = use('attachments');
    const { timeline } = use('visits');
    const materials = new MaterialService(db, policy, clock, customers, attachments, timeline);
    return { materials, materialShares: new ShareService(db, clock, env, materials, customers, org), materialUsage: new UsageService(db, policy, clock, org) };
  },
  routes: (s) => materialRoutes(s.materials, s.materialShares, s.materialUsage),
});

/** The demo's materials and a month of their use (main.ts, after the demo's people and customers are seeded). */
export async function seedMaterialsForDemo(
  db: DataSource,
  clock: Clock,
  services: { materials: MaterialService; org: OrgService; customers: CustomerService },
  /** policy grading.strategies.supportPack.tag: the demo tags a few materials with it (an A+ customer's pack) */
  supportPackTag: string | null = null,
): Promise<void> {
  const byRole = (role: string) => withSqlTransaction(db, (sql) => activeMembersWithRole(sql, role));
  const load = async (ids: number[]) => (await Promise.all(ids.map((id) => services.org.findActiveMember(id)))).filter((m): m is Member => !!m);
  const [marketing] = await load((await byRole('marketing')).map((m) => m.id));
  if (!marketing) return;
  const reps = await load((await byRole('rep')).map((m) => m.id));
  const customersOf = async (repId: number) => {
    const rep = reps.find((r) => r.id === repId)!;
    return (await services.customers.list(rep, { page: 1, pageSize: 30 } as never)).items.map((c) => c.id);
  };
  await seedMaterialDemo(db, clock, services.materials, { marketing, reps }, customersOf, supportPackTag);
}
