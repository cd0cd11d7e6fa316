import type { Policy } from '../../config/policy';
import { everyMinutes, type RecurringJob } from '../../jobs/job-runner';
import type { Logger } from '../../logger';
import type { AttachmentService } from './attachment.service';

/**
 * The one sweep over every purpose, every `recurring.attachments.sweep.everyMinutes`, by whichever
 * server claims the job: uploads never attached go after their purpose's `uploads.unattached*Hours`,
 * then a batch of photos moved over from before attachments get their checksum. It works outside the
 * job's transaction (a deleted file cannot be rolled back): each row is deleted, only while still
 * unattached, before its file, so were it ever run twice the second run finds nothing.
 */
export function attachmentSweepJob(attachments: AttachmentService, policy: Policy, logger: Logger): RecurringJob {
  return {
    kind: 'attachments.sweep',
    nextAfter: everyMinutes(policy.recurring['attachments.sweep'].everyMinutes),
    run: async () => {
      const { removed, checksums } = await attachments.sweep();
      if (Object.keys(removed).length) logger.info({ removed }, 'unattached uploads deleted');
      if (checksums.filled || checksums.missing) logger.info({ ...checksums }, 'checksums of moved-over photos written');
    },
  };
}
