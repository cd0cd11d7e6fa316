import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Job, type JobKind } from './job.entity';

/** Records a timer in the caller's transaction: it exists exactly when the change that needs it does. */
export interface JobSpec {
  kind: JobKind;
  dueAt: Date;
  payload: Record<string, unknown>;
  subject: string;
}

export async function scheduleJob(manager: EntityManager, job: JobSpec): Promise<void> {
  await scheduleJobs(manager, [job]);
}

export async function scheduleJobs(manager: EntityManager, jobs: JobSpec[]): Promise<void> {
  if (jobs.length === 0) return;
  // simple-json columns take any object; TypeORM's deep-partial type cannot express that.
  const now = new Date();
  const rows = jobs.map((j) => ({ ...j, status: 'pending', attempts: 0, leaseUntil: null, lastError: null, createdAt: now }) as QueryDeepPartialEntity<Job>);
  await manager.createQueryBuilder().insert().into(Job).values(rows).updateEntity(false).execute();
}

/** Cancels the pending jobs of a kind about a subject (e.g. the escalation of a confirmed to-do). */
export async function cancelJobs(manager: EntityManager, kind: JobKind, subject: string): Promise<void> {
  await manager.getRepository(Job).update({ kind, subject, status: 'pending' }, { status: 'cancelled' });
}
