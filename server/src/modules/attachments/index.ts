import { defineModule } from '../module';
import { Attachment } from './attachment.entity';
import { Attachments1764961000000 } from './attachment.migration';
import { attachmentSweepJob } from './attachment-sweep.job';
import { AttachmentSweep1764973100000 } from './attachment-sweep.migration';
import { attachmentRoutes } from './attachment.routes';
import { AttachmentService } from './attachment.service';
import { ATTACHMENT_ERRORS } from './attachments.errors';
import { createStorage } from './storage/create-storage';

export type { AttachmentService, ChecksumPass, Download, OwnerScope, StoredAttachment } from './attachment.service';
export type { Purpose } from './attachment.purposes';
export type { ObjectStorage } from './storage/object-storage';
export { answerDownload } from './attachment.http';

export interface AttachmentExports {
  attachments: AttachmentService;
}

declare module '../module' {
  interface ModuleExports {
    attachments: AttachmentExports;
  }
}

/**
 * Files for every module (one `attachment` table over local disk or S3-compatible storage). Other
 * modules `use('attachments')`, register who may see their owner kind (`registerOwner`), attach uploads
 * inside their own transaction and serve them with `answerDownload`; one recurring sweep covers every purpose.
 */
export const attachmentsModule = defineModule({
  name: 'attachments',
  entities: [Attachment],
  migrations: [Attachments1764961000000, AttachmentSweep1764973100000],
  errors: ATTACHMENT_ERRORS,
  permissions: [],
  messages: {},
  // the app's or a test's store, else the one the environment names (STORAGE_URL, or ANCHOR_UPLOAD_DIR)
  services: ({ db, policy, clock, env, logger, storage }): AttachmentExports => ({ attachments: new AttachmentService(db, policy, clock, storage ?? createStorage(env.storage), logger) }),
  routes: (s) => attachmentRoutes(s.attachments),
  recurring: (s, { policy, logger }) => [attachmentSweepJob(s.attachments, policy, logger)],
});
