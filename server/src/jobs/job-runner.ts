import type schedule from 'node-schedule';
import { every } from './every';
import type { DataSource } from 'typeorm';
import type { Clock } from '../clock';
import type { Policy } from '../config/policy';
import { sqlDate, withSqlTransaction, type Sql } from '../db/sql';
import type { Logger } from '../logger';
import type { JobKind } from './job.entity';
import { isSqlite } from '../db/data-source';

export interface ClaimedJob {
  id: number;
  kind: JobKind;
  payload: Record<string, unknown>;
  dueAt: Date;
  attempts: number;
}

/**
 * Handles a batch of due jobs of one kind inside the transaction that marks them done: the domain
 * change, its outbox rows and the job's completion commit together or not at all.
 */
export type JobHandler = (jobs: ClaimedJob[], sql: Sql, now: Date) => Promise<void>;

class LeaseLost extends Error {}

/**
 * The job table is the only record of what must happen later. Servers claim due jobs with row locks
 * (FOR UPDATE SKIP LOCKED on MySQL/MariaDB), so two servers never run the same job; a claim expires
 * after its lease, so a server that dies mid-job loses nothing. node-schedule only wakes the claimer.
 */
export class JobRunner {
  private timer: schedule.Job | null = null;
  private running: Promise<number> | null = null;
  private stopping = false;

  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly handlers: Partial<Record<JobKind, JobHandler>>,
  ) {}

  /** Claims up to a batch of due jobs (and jobs whose lease ran out) for this server. */
  async claim(): Promise<ClaimedJob[]> {
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + this.policy.jobs.leaseSeconds * 1000);
    return withSqlTransaction(this.db, async (sql) => {
      type Row = { id: number; kind: JobKind; payload: string; dueAt: Date | string; attempts: number };
      const lock = isSqlite(this.db) ? '' : ' FOR UPDATE SKIP LOCKED';
      // Two index range scans in due order, so LIMIT stops the scan and only the claimed rows are
      // locked (an OR here made InnoDB sort, and lock, every candidate: the other server got none).
      const due = await sql.rows<Row>(
        `SELECT id, kind, payload, dueAt, attempts FROM job WHERE status = 'pending' AND dueAt <= ? ORDER BY status, dueAt LIMIT ?${lock}`,
        [now, this.policy.jobs.batchSize],
      );
      const abandoned = await sql.rows<Row>(
        `SELECT id, kind, payload, dueAt, attempts FROM job WHERE status = 'running' AND dueAt <= ? AND leaseUntil < ? ORDER BY status, dueAt LIMIT ?${lock}`,
        [now, now, this.policy.jobs.batchSize],
      );
      const rows = [...due, ...abandoned];
      if (rows.length === 0) return [];
      const ids = rows.map((r) => r.id);
      await sql.batch([{ query: `UPDATE job SET status = 'running', leaseUntil = ?, attempts = attempts + 1 WHERE id IN (${ids.map(() => '?').join(', ')})`, params: [leaseUntil, ...ids] }], { commit: true });
      return rows.map((r) => ({ id: Number(r.id), kind: r.kind, payload: JSON.parse(r.payload) as Record<string, unknown>, dueAt: sqlDate(r.dueAt)!, attempts: r.attempts + 1 }));
    });
  }

  /** Runs the given jobs of one kind in one transaction; on failure, one by one to isolate the bad one. */
  private async handle(kind: JobKind, jobs: ClaimedJob[]): Promise<void> {
    const handler = this.handlers[kind];
    const now = this.clock.now();
    if (!handler) {
      await this.fail(jobs, now, `no handler for ${kind}`);
      return;
    }
    try {
      await withSqlTransaction(this.db, async (sql) => {
        await handler(jobs, sql, now);
        const done = await sql.exec(
          `UPDATE job SET status = 'done', leaseUntil = NULL WHERE status = 'running' AND (${jobs.map(() => '(id = ? AND attempts = ?)').join(' OR ')})`,
          jobs.flatMap((j) => [j.id, j.attempts]),
        );
        // Another server took some of these over after our lease ran out: let it finish them.
        if (done !== jobs.length) throw new LeaseLost();
      });
    } catch (error) {
      if (jobs.length > 1) {
        for (const job of jobs) await this.handle(kind, [job]);
        return;
      }
      if (error instanceof LeaseLost) return;
      this.logger.error({ err: error, jobId: jobs[0]!.id, kind }, 'job failed');
      await this.fail(jobs, now, (error as Error).message);
    }
  }

  private async fail(jobs: ClaimedJob[], now: Date, reason: string): Promise<void> {
    for (const job of jobs) {
      const giveUp = job.attempts >= this.policy.jobs.maxAttempts;
      const retryAt = new Date(now.getTime() + Math.min(3_600_000, 30_000 * 2 ** (job.attempts - 1)));
      await withSqlTransaction(this.db, (sql) =>
        sql.exec("UPDATE job SET status = ?, dueAt = ?, leaseUntil = NULL, lastError = ? WHERE id = ? AND attempts = ? AND status = 'running'", [
          giveUp ? 'failed' : 'pending', giveUp ? job.dueAt : retryAt, reason.slice(0, 500), job.id, job.attempts,
        ]),
      );
    }
  }

  /** Handles everything due now; returns how many jobs it claimed. */
  runDue(): Promise<number> {
    // One pass at a time per server; a wake-up during a pass joins it.
    this.running ??= (async () => {
      let total = 0;
      try {
        while (!this.stopping) {
          let jobs: ClaimedJob[];
          try {
            jobs = await this.claim();
          } catch (error) {
            // Contention with another server; what is left waits for the next pass.
            this.logger.warn({ err: (error as Error).message }, 'claiming jobs failed');
            return total;
          }
          if (jobs.length === 0) return total;
          total += jobs.length;
          const byKind = new Map<JobKind, ClaimedJob[]>();
          for (const job of jobs) byKind.set(job.kind, [...(byKind.get(job.kind) ?? []), job]);
          for (const [kind, list] of byKind) await this.handle(kind, list);
        }
        return total;
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Looks for due jobs now (those whose time passed while the server was down) and every few seconds. */
  start(): void {
    this.timer = every(this.policy.jobs.pollSeconds, () => void this.runDue().catch((error) => this.logger.error({ err: error }, 'job pass failed')));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.timer?.cancel();
    this.timer = null;
    await this.running?.catch(() => undefined);
    this.stopping = false; // a later explicit pass (tests, the sandbox) may still run
  }
}
