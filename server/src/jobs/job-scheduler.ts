import type { Sql, Statement } from '../db/sql';
import type { JobKind } from './job.entity';

export interface JobSpec {
  kind: JobKind;
  dueAt: Date;
  payload: Record<string, unknown>;
  subject: string;
}

/** Records timers in the caller's transaction: they exist exactly when the change that needs them does. */
export async function scheduleJobs(sql: Sql, jobs: JobSpec[]): Promise<void> {
  if (jobs.length === 0) return;
  const { query, params } = jobStatement(sql, jobs);
  await sql.exec(query, params);
}

/** The INSERT of `scheduleJobs`, to send in a batch. */
export function jobStatement(sql: Sql, jobs: JobSpec[]): Statement {
  const now = new Date();
  return sql.insertStatement('job', jobs.map((j) => ({ kind: j.kind, dueAt: j.dueAt, payload: j.payload, subject: j.subject, status: 'pending', attempts: 0, createdAt: now })));
}

/** Cancels the pending jobs of a kind about a subject (e.g. the escalation of a confirmed to-do). */
export async function cancelJobs(sql: Sql, kind: JobKind, subject: string): Promise<void> {
  await sql.exec("UPDATE job SET status = 'cancelled' WHERE kind = ? AND subject = ? AND status = 'pending'", [kind, subject]);
}
