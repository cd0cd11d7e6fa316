import { defineModule } from '../module';
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
