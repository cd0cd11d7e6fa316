import type schedule from 'node-schedule';
import { every } from './every';
import type { DataSource } from 'typeorm';
import type { Clock } from '../clock';
import type { Policy } from '../config/policy';
import { SQL, placeholders, repeated, statement, sqlDate, withSqlTransaction, type Sql } from '../db/sql';
import type { Logger } from '../logger';
import type { JobKind, RecurringJobKind } from './job.entity';
import { isSqlite } from '../db/data-source';

export interface ClaimedJob {
  id: number;
  kind: JobKind;
  payload: Record<string, unknown>;
  dueAt: Date;
  attempts: number;
  /** the recurring kind this row carries, or null for a one-off job */
  recurring: string | null;
}

/**
 * Handles a batch of due jobs of one kind inside the transaction that marks them done: the domain
 * change, its outbox rows and the job's completion commit together or not at all.
 */
export type JobHandler = (jobs: ClaimedJob[], sql: Sql, now: Date) => Promise<void>;

/**
 * Periodic work a module declares: one job row per kind (unique `job.recurring`), seeded at start-up by
 * every server (only the first insert lands). It is claimed like any job; the transaction that marks it
 * done writes its next occurrence, `nextAfter(now)`, on the same row. So two servers never run one
 * occurrence twice, and a server that was down past several occurrences runs it once when it is back.
 */
export interface RecurringJob {
  kind: RecurringJobKind;
  /** when the next occurrence is due, given the time this one ran (the schedule comes from policy) */
  nextAfter(now: Date): Date;
  /** work in the transaction that ends the occurrence (its writes commit with the next due time) */
  run: JobHandler;
  /**
   * Work that must not hold a transaction — calls to another service over HTTP, which may be slow: run
   * before `run`, with no transaction or connection held, opening its own short ones (each write safe to repeat:
   * were the lease to run out, another server could do the same). A throw fails the occurrence like `run`.
   */
  outside?: (now: Date) => Promise<void>;
}

/** Every `minutes` after the last run: the usual schedule, read from `recurring.<kind>.everyMinutes`. */
export function everyMinutes(minutes: number): (now: Date) => Date {
  return (now) => new Date(now.getTime() + minutes * 60_000);
}

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
  private seeded: Promise<void> | null = null;
  /** set by start(): each pass first makes sure the recurring rows exist (once per process) */
  private seedInPass = false;
  private readonly recurring = new Map<string, RecurringJob>();

  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly handlers: Partial<Record<JobKind, JobHandler>>,
    recurring: RecurringJob[] = [],
  ) {
    for (const job of recurring) this.declareRecurring(job);
  }

  /** A module's periodic job; its row is written by `seedRecurring` (at start-up). */
  declareRecurring(job: RecurringJob): void {
    if (this.handlers[job.kind] || this.recurring.has(job.kind)) throw new Error(`job kind ${job.kind} declared twice`);
    this.recurring.set(job.kind, job);
  }

  /**
   * Makes sure each declared recurring kind has its one row: inserted due now if missing (the unique key
   * makes a second server's insert a no-op), revived if it had been given up, and brought forward if an
   * admin shortened its schedule. Safe to run on every start of every server.
   */
  async seedRecurring(): Promise<void> {
    const now = this.clock.now();
    for (const job of this.recurring.values()) {
      await withSqlTransaction(this.db, async (sql) => {
        const ignore = isSqlite(this.db) ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
        await sql.exec(
          SQL`${ignore} INTO job (kind, dueAt, payload, subject, status, attempts, recurring, createdAt) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)`,
          [job.kind, now, {}, `recurring:${job.kind}`, job.kind, now],
        );
        await sql.exec("UPDATE job SET status = 'pending', dueAt = ?, attempts = 0, leaseUntil = NULL WHERE recurring = ? AND status IN ('done', 'failed', 'cancelled')", [now, job.kind]);
        const next = job.nextAfter(now);
        await sql.exec("UPDATE job SET dueAt = ? WHERE recurring = ? AND status = 'pending' AND dueAt > ?", [next, job.kind, next]);
      });
    }
  }

  /** Seeds once per process; a failure (database away at start-up) is tried again at the next wake-up. */
  private ensureSeeded(): Promise<void> {
    this.seeded ??= this.seedRecurring().catch((error: unknown) => {
      this.seeded = null;
      throw error;
    });
    return this.seeded;
  }

  /** Claims up to a batch of due jobs (and jobs whose lease ran out) for this server. */
  async claim(): Promise<ClaimedJob[]> {
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + this.policy.jobs.leaseSeconds * 1000);
    return withSqlTransaction(this.db, async (sql) => {
      type Row = { id: number; kind: JobKind; payload: string; dueAt: Date | string; attempts: number; recurring: string | null };
      const lock = isSqlite(this.db) ? '' : ' FOR UPDATE SKIP LOCKED';
      // Two index range scans in due order, so LIMIT stops the scan and only the claimed rows are
      // locked (an OR here made InnoDB sort, and lock, every candidate: the other server got none).
      const due = await sql.rows<Row>(
        SQL`SELECT id, kind, payload, dueAt, attempts, recurring FROM job WHERE status = 'pending' AND dueAt <= ? ORDER BY status, dueAt LIMIT ?${lock}`,
        [now, this.policy.jobs.batchSize],
      );
      const abandoned = await sql.rows<Row>(
        SQL`SELECT id, kind, payload, dueAt, attempts, recurring FROM job WHERE status = 'running' AND dueAt <= ? AND leaseUntil < ? ORDER BY status, dueAt LIMIT ?${lock}`,
        [now, now, this.policy.jobs.batchSize],
      );
      const rows = [...due, ...abandoned];
      if (rows.length === 0) return [];
      const ids = rows.map((r) => r.id);
      await sql.batch([statement(SQL`UPDATE job SET status = 'running', leaseUntil = ?, attempts = attempts + 1 WHERE id IN (${placeholders(ids.length)})`, [leaseUntil, ...ids])], { commit: true });
      return rows.map((r) => ({ id: Number(r.id), kind: r.kind, payload: JSON.parse(r.payload) as Record<string, unknown>, dueAt: sqlDate(r.dueAt)!, attempts: r.attempts + 1, recurring: r.recurring ?? null }));
    });
  }

  /** Runs the given jobs of one kind in one transaction; on failure, one by one to isolate the bad one. */
  private async handle(kind: JobKind, jobs: ClaimedJob[]): Promise<void> {
    const periodic = this.recurring.get(kind);
    const handler = this.handlers[kind] ?? periodic?.run;
    const now = this.clock.now();
    if (!handler) {
      await this.fail(jobs, now, `no handler for ${kind}`);
      return;
    }
    try {
      if (periodic?.outside && jobs.every((j) => j.recurring)) await periodic.outside(now);
      await withSqlTransaction(this.db, async (sql) => {
        await handler(jobs, sql, now);
        const match = repeated(SQL`(id = ? AND attempts = ?)`, jobs.length, ' OR ');
        const ids = jobs.flatMap((j) => [j.id, j.attempts]);
        // A recurring row is not done: the same statement that ends this run writes its next occurrence.
        const done = periodic && jobs.every((j) => j.recurring)
          ? await sql.exec(
              SQL`UPDATE job SET status = 'pending', dueAt = ?, attempts = 0, leaseUntil = NULL, lastError = NULL WHERE status = 'running' AND (${match})`,
              [periodic.nextAfter(this.clock.now()), ...ids],
            )
          : await sql.exec(SQL`UPDATE job SET status = 'done', leaseUntil = NULL WHERE status = 'running' AND (${match})`, ids);
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
      const periodic = job.recurring ? this.recurring.get(job.kind) : undefined;
      if (periodic) {
        // Periodic work is never given up: retried (not later than its next occurrence), then, after
        // maxAttempts, left to that occurrence; lastError stays for admins.
        const next = periodic.nextAfter(now);
        await withSqlTransaction(this.db, (sql) =>
          sql.exec("UPDATE job SET status = 'pending', dueAt = ?, attempts = ?, leaseUntil = NULL, lastError = ? WHERE id = ? AND attempts = ? AND status = 'running'", [
            giveUp || retryAt > next ? next : retryAt, giveUp ? 0 : job.attempts, reason.slice(0, 500), job.id, job.attempts,
          ]),
        );
        continue;
      }
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
            if (this.seedInPass) await this.ensureSeeded();
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

  /**
   * Seeds the recurring jobs, then looks for due jobs now (those whose time passed while the server was
   * down) and every few seconds.
   */
  start(): void {
    this.seedInPass = true;
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
