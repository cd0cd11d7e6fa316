import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { ManualClock } from '../../server/src/clock';
import { ConfigError, DEFAULT_POLICY_PATH, loadPolicy, parsePolicy } from '../../server/src/config/policy';
import { createDataSource, openDatabase } from '../../server/src/db/data-source';
import { sqlDate } from '../../server/src/db/sql';
import { everyMinutes, JobRunner, type RecurringJob } from '../../server/src/jobs/job-runner';
import type { RecurringJobKind } from '../../server/src/jobs/job.entity';
import { createLogger } from '../../server/src/logger';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { spawnServer } from '../support/spawn-server';

// Periodic work is one job row per kind that reschedules itself, claimed like any job: whatever the number
// of servers it runs once per occurrence, and a server back after a long outage runs it once, not once
// per missed occurrence.
const PROBE = 'test.probe' as RecurringJobKind; // a periodic job of the test's own, to count its runs
const EVERY_MIN = 30;
const MIN = 60_000;

interface Run { server: string; at: Date }

/** The probe as a server declares it: it records each run, slowly enough for another server to try meanwhile. */
function probe(server: string, runs: Run[]): RecurringJob {
  return {
    kind: PROBE,
    nextAfter: everyMinutes(EVERY_MIN),
    run: async (_jobs, _sql, now) => {
      runs.push({ server, at: now });
      await new Promise((resolve) => setTimeout(resolve, 150));
    },
  };
}

type JobRow = { id: number; status: string; dueAt: Date | string; attempts: number; lastError: string | null };
const rowsOf = async (db: DataSource, kind: string): Promise<JobRow[]> => db.query('SELECT id, status, dueAt, attempts, lastError FROM job WHERE recurring = ?', [kind]);

describe('on MariaDB, two servers on one database', () => {
  let a: Harness;
  let b: Harness;
  let org: OrgFixture;
  const runs: Run[] = [];
  const advance = (ms: number) => {
    a.clock.advance(ms);
    b.clock.advance(ms);
  };
  const bothRun = () => Promise.all([a.services.jobs.runDue(), b.services.jobs.runDue()]);

  beforeAll(async () => {
    a = await startHarness();
    // one file store for both, as servers sharing a database must have (either may run the photo sweep)
    b = await startHarness({ sharedDatabaseUrl: a.dbUrl, env: { ANCHOR_UPLOAD_DIR: a.env.uploadDir } });
    a.services.jobs.declareRecurring(probe('a', runs));
    b.services.jobs.declareRecurring(probe('b', runs));
    org = await buildOrg(a);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('seeding on every server at start-up leaves one row per recurring kind', async () => {
    await Promise.all([a.services.jobs.seedRecurring(), b.services.jobs.seedRecurring(), a.services.jobs.seedRecurring()]);
    for (const kind of [PROBE, 'attachments.sweep', 'callbacks.forget_nonces']) {
      const rows = await rowsOf(a.db, kind);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'pending' });
      expect(sqlDate(rows[0]!.dueAt)).toEqual(a.clock.now()); // a fresh database runs it at once
    }
  });

  it('runs exactly once per due time, whichever server claims it, and writes its next occurrence', async () => {
    const start = a.clock.now();
    for (let occurrence = 0; occurrence < 4; occurrence++) {
      await bothRun();
      await bothRun(); // not due again before its next occurrence
      expect(runs).toHaveLength(occurrence + 1);
      const [row] = await rowsOf(a.db, PROBE);
      expect(row).toMatchObject({ status: 'pending', attempts: 0 });
      expect(sqlDate(row!.dueAt)).toEqual(new Date(a.clock.now().getTime() + EVERY_MIN * MIN));
      advance(EVERY_MIN * MIN);
    }
    expect(runs.map((r) => r.at)).toEqual([0, 1, 2, 3].map((i) => new Date(start.getTime() + i * EVERY_MIN * MIN)));
    expect((await rowsOf(a.db, PROBE))).toHaveLength(1); // the same row, rescheduled: no trail of done rows
  });

  it('the attachments sweep runs as a recurring job: a photo never submitted is deleted after uploads.unattachedPhotoHours', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')], { type: 'image/png' }), 'a.png');
    const uploaded = await api(a.url, 'POST', '/api/v1/photos', { token: org.token(org.repA), form });
    expect(uploaded.status).toBe(201);
    const [{ storageKey }] = await a.db.query('SELECT storageKey FROM attachment WHERE id = ?', [uploaded.body.id]);
    const file = path.join(a.env.uploadDir, storageKey);
    expect(existsSync(file)).toBe(true);

    advance((a.policy.uploads.unattachedPhotoHours - 1) * 3_600_000);
    await bothRun();
    expect(await a.db.query('SELECT id FROM attachment WHERE id = ?', [uploaded.body.id])).toHaveLength(1); // not old enough yet

    advance(2 * 3_600_000);
    await bothRun();
    expect(await a.db.query('SELECT id FROM attachment WHERE id = ?', [uploaded.body.id])).toHaveLength(0);
    expect(existsSync(file)).toBe(false);
    const [sweep] = await rowsOf(a.db, 'attachments.sweep');
    expect(sweep).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    expect(sqlDate(sweep!.dueAt)).toEqual(new Date(a.clock.now().getTime() + a.policy.recurring['attachments.sweep'].everyMinutes * MIN));
  });

  it('with every server down past several due times, the first one back runs it once, and schedules the next from then', async () => {
    const before = runs.length;
    advance(7 * EVERY_MIN * MIN + 5 * MIN); // seven occurrences missed while no server ran
    const back = await startHarness({ sharedDatabaseUrl: a.dbUrl, now: a.clock.now() });
    try {
      back.services.jobs.declareRecurring(probe('back', runs));
      back.services.jobs.start(); // what main.ts does: seed, then run what is due, then poll
      for (let i = 0; i < 100 && runs.length === before; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      await back.services.jobs.runDue();
      await back.services.jobs.runDue();
    } finally {
      await back.close();
    }
    expect(runs.slice(before)).toEqual([{ server: 'back', at: a.clock.now() }]);
    const [row] = await rowsOf(a.db, PROBE);
    expect(sqlDate(row!.dueAt)).toEqual(new Date(a.clock.now().getTime() + EVERY_MIN * MIN));
    await bothRun(); // the others, back too, find nothing due
    expect(runs).toHaveLength(before + 1);
  });

  it('an occurrence claimed by a server that then vanished is run by another once the lease is over, once', async () => {
    advance(EVERY_MIN * MIN);
    const before = runs.length;
    const claimed = await a.services.jobs.claim(); // a claims it, then dies before running it
    expect(claimed.map((j) => j.kind)).toContain(PROBE);
    await b.services.jobs.runDue();
    expect(runs).toHaveLength(before); // still a's while its lease lasts
    advance((a.policy.jobs.leaseSeconds + 1) * 1000);
    await Promise.all([b.services.jobs.runDue(), b.services.jobs.runDue()]);
    expect(runs.slice(before)).toEqual([{ server: 'b', at: b.clock.now() }]);
    const [row] = await rowsOf(a.db, PROBE);
    expect(row).toMatchObject({ status: 'pending', attempts: 0 });
    expect(sqlDate(row!.dueAt)).toEqual(new Date(b.clock.now().getTime() + EVERY_MIN * MIN));
  });

  it('a run that fails is retried, never given up, and keeps its error for admins', async () => {
    const failing: RecurringJob = { kind: 'test.failing' as RecurringJobKind, nextAfter: everyMinutes(EVERY_MIN), run: async () => { throw new Error('储存不可用'); } };
    a.services.jobs.declareRecurring(failing);
    await a.services.jobs.seedRecurring();
    for (let i = 0; i < a.policy.jobs.maxAttempts + 2; i++) {
      await a.services.jobs.runDue();
      advance(EVERY_MIN * MIN);
    }
    const [row] = await rowsOf(a.db, 'test.failing');
    expect(row).toMatchObject({ status: 'pending', lastError: '储存不可用' });
    expect(sqlDate(row!.dueAt)!.getTime()).toBeLessThanOrEqual(a.clock.now().getTime() + EVERY_MIN * MIN);
  });
});

describe('the schedule in config/policy.yaml', () => {
  it('is validated at start-up: a bad interval names its key, in Chinese', () => {
    const text = readFileSync(DEFAULT_POLICY_PATH, 'utf8');
    expect(loadPolicy().recurring['attachments.sweep'].everyMinutes).toBe(60);
    const bad = text.replace('attachments.sweep: { everyMinutes: 60 }', 'attachments.sweep: { everyMinutes: 0 }');
    expect(bad).not.toBe(text);
    expect(() => parsePolicy(bad, 'policy.yaml')).toThrow(ConfigError);
    try {
      parsePolicy(bad, 'policy.yaml');
    } catch (error) {
      expect((error as ConfigError).problems).toEqual(['recurring.attachments.sweep.everyMinutes：至少 1 分钟']);
    }
    const missing = text.replace(/^\s*callbacks\.forget_nonces:.*$/m, '');
    expect(() => parsePolicy(missing, 'policy.yaml')).toThrow(/recurring\.callbacks\.forget_nonces/);
  });
});

describe('on the embedded SQLite default', () => {
  it('seeds once, reschedules, and runs once after a long pause', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'anchor-recurring-'));
    const policy = loadPolicy();
    const db = await openDatabase({ dataDir: dir });
    try {
      const clock = new ManualClock(new Date('2026-11-20T02:00:00Z'));
      const runs: Run[] = [];
      const runner = new JobRunner(db, policy, clock, createLogger('silent'), {}, [probe('sqlite', runs)]);
      await runner.seedRecurring();
      await runner.seedRecurring();
      expect(await rowsOf(db, PROBE)).toHaveLength(1);
      await runner.runDue();
      await runner.runDue();
      expect(runs).toHaveLength(1);
      clock.advance(5 * EVERY_MIN * MIN + MIN);
      await runner.runDue();
      await runner.runDue();
      expect(runs).toHaveLength(2);
      const [row] = await rowsOf(db, PROBE);
      expect(row).toMatchObject({ status: 'pending', attempts: 0 });
      expect(sqlDate(row!.dueAt)).toEqual(new Date(clock.now().getTime() + EVERY_MIN * MIN));
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`npm start` with no DATABASE_URL starts and seeds its recurring jobs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'anchor-recurring-start-'));
    const server = await spawnServer({ ANCHOR_DATA_DIR: dir });
    try {
      expect((await api(server.url, 'GET', '/healthz')).status).toBe(200);
      let kinds: string[] = [];
      for (let i = 0; i < 100 && kinds.length < 9; i++) {
        const file = await createDataSource({ dataDir: dir }).initialize(); // the server's file, read as it runs
        try {
          kinds = ((await file.query('SELECT recurring FROM job WHERE recurring IS NOT NULL ORDER BY recurring')) as { recurring: string }[]).map((r) => r.recurring);
        } finally {
          await file.destroy();
        }
        if (kinds.length < 9) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(kinds).toEqual(['attachments.sweep', 'callbacks.forget_nonces', 'campaigns.overdue', 'checkins.window_end', 'dashboards.rollup', 'dashboards.weekly_digest', 'grading.regrade', 'payments.query_open', 'plays.mine']);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
