import type { ModuleContext } from '../module';
import { defineModule } from '../module';
import { Attachments1764961000000 } from '../../db/migrations/1764961000000-attachments';
import { Attachment } from './attachment.entity';
import { attachmentRoutes } from './attachment.routes';
import { AttachmentService } from './attachment.service';
import { createStorage } from './storage/create-storage';

declare module '../module' {
  interface ModuleExports {
    attachments: { attachments: AttachmentService };
  }
}

/**
 * Files for every module: other modules `use('attachments')`, register who may see their owner kind
 * (`registerOwner`), attach uploads inside their own transaction, and sweep their purposes.
 */
export const attachmentsModule = defineModule({
  name: 'attachments',
  entities: [Attachment],
  migrations: [Attachments1764961000000],
  errors: {
    RANGE_NOT_SATISFIABLE: { status: 416, message: '请求的范围超出文件大小' },
  },
  permissions: [],
  messages: {},
  services: (ctx: ModuleContext) => ({ attachments: new AttachmentService(ctx.db, ctx.policy, ctx.clock, createStorage(ctx.env.storage)) }),
  routes: (services) => attachmentRoutes(services.attachments),
});
