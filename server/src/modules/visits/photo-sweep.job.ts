import type { Policy } from '../../config/policy';
import { everyMinutes, type RecurringJob } from '../../jobs/job-runner';
import type { Logger } from '../../logger';
import type { PhotoService } from './photo.service';

/**
 * Photos uploaded for a form that was never submitted go after `uploads.unattachedPhotoHours`, checked
 * every `recurring.photos.sweep_unattached.everyMinutes` by whichever server claims the job. The sweep
 * works outside the job's transaction (a deleted file cannot be rolled back): it deletes each row, only
 * while still unattached, before its file, so were it ever run twice the second run finds nothing.
 */
export function photoSweepJob(photos: PhotoService, policy: Policy, logger: Logger): RecurringJob {
  return {
    kind: 'photos.sweep_unattached',
    nextAfter: everyMinutes(policy.recurring['photos.sweep_unattached'].everyMinutes),
    run: async () => {
      const removed = await photos.sweepUnattached();
      if (removed) logger.info({ removed }, 'unattached photos deleted');
    },
  };
}
