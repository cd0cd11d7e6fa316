import type schedule from 'node-schedule';
import { every } from '../jobs/every';
import type { DataSource } from 'typeorm';
import type { Clock } from '../clock';
import { SQL, placeholders, repeated, sqlDate, withSqlTransaction } from '../db/sql';
import type { Logger } from '../logger';
import { RATE_LIMITS, ROBOT_CHANNELS, type Sender, type SendResult, type TargetSecrets } from '../channels/senders';
import type { Delivery, DeliveryChannel } from './delivery.entity';
import type { MessageBuilder, SendPlan } from './message-builder';
import type { OutboxMessage } from './outbox-message.entity';
import { isSqlite } from '../db/data-source';
import { credentialKey, type ChannelHealth } from '../channels/channel-health';

interface DeliveryRow {
  id: number;
  outboxId: number;
  channel: DeliveryChannel;
  target: string;
  body: string;
  attempts: number;
  nextAttemptAt: Date | string;
  subject: string | null;
  attemptStartedAt: Date | string | null;
  pendingSince: Date | string | null;
  createdAt: Date | string;
}

/** When a delivery that keeps failing transiently is set aside (config/policy.yaml `outbox`). */
export interface DeadLetterPolicy {
  deadLetterAttempts: number;
  deadLetterHours: number;
}

/** What admins read on a robot post whose outcome is unknown (it may be in the group). */
const MAYBE_DELIVERED = '可能已送达';

const BATCH = 200;
const LEASE_MS = 60_000;
const MAX_BACKOFF_MS = 10 * 60_000;
/** the senders' timeout for one call (channels/senders.ts): a lost post reached the platform by then if at all */
const SEND_TIMEOUT_MS = 10_000;

/**
 * Delivers the outbox. Each message fans out into deliveries (one per channel and target); each
 * target is sent to by one server at a time (a lease row), oldest first, within its rate windows;
 * a transient failure pauses that target with exponential backoff and jitter, so the target's later
 * messages wait behind it and arrive in order; a permanent one marks the delivery failed for admins.
 * One that keeps failing transiently past the policy's attempts or hours is dead-lettered ('dead'): set
 * aside for admins with its last error, so the target's later messages move on.
 *
 * Order per target holds with any number of servers: one server expands at a time (the 'expand' lock
 * row), a target's queue is taken in outbox order, and nothing is sent past an outbox message not yet
 * expanded (a watermark), so a later message can never overtake an earlier one still being expanded.
 */
export class OutboxDispatcher {
  private timer: schedule.Job | null = null;
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly builder: MessageBuilder,
    private readonly senders: Partial<Record<DeliveryChannel, Sender>>,
    private readonly health: ChannelHealth,
    private readonly deadLetter: DeadLetterPolicy = { deadLetterAttempts: 12, deadLetterHours: 24 },
  ) {}

  /** Set when a success after an outage made waiting targets due during a pass: serve them in it. */
  private resumed = false;

  /** Writes the deliveries of not yet expanded outbox messages (each message by one server). */
  async expand(): Promise<number> {
    return withSqlTransaction(this.db, async (sql) => {
      // One expander at a time: two servers expanding batches side by side would interleave their
      // delivery rows and commit out of order. (SQLite has one writer anyway.)
      if (!isSqlite(this.db)) await sql.rows("SELECT name FROM outbox_lock WHERE name = 'expand' FOR UPDATE");
      const now = this.clock.now();
      const rows = await sql.rows<{ id: number; kind: OutboxMessage['kind']; teamId: number | null; payload: string }>(
        SQL`SELECT id, kind, teamId, payload FROM outbox_message WHERE expandedAt IS NULL ORDER BY id LIMIT ?${isSqlite(this.db) ? '' : ' FOR UPDATE SKIP LOCKED'}`,
        [BATCH],
      );
      for (const row of rows) {
        const planned = await this.builder.plan(sql, { id: Number(row.id), kind: row.kind, teamId: row.teamId, payload: JSON.parse(row.payload) as Record<string, unknown> });
        if (planned.length) {
          await sql.exec(
            SQL`INSERT ${isSqlite(this.db) ? 'OR IGNORE' : 'IGNORE'} INTO delivery (outboxId, channel, target, body, status, attempts, nextAttemptAt, subject, createdAt, pendingSince) VALUES ${repeated(SQL`(?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)`, planned.length)}`,
            planned.flatMap((d) => [row.id, d.channel, d.target, d.body, now, d.subject ?? null, now, now]),
          );
        }
        await sql.exec('UPDATE outbox_message SET expandedAt = ?, deliveredAt = CASE WHEN ? = 0 THEN ? ELSE deliveredAt END WHERE id = ?', [now, planned.length, now, row.id]);
      }
      return rows.length;
    });
  }

  /** Takes the target for this server unless another holds it. */
  private async lease(target: string, now: Date): Promise<boolean> {
    return withSqlTransaction(this.db, async (sql) => {
      await sql.exec(SQL`INSERT ${isSqlite(this.db) ? 'OR IGNORE' : 'IGNORE'} INTO channel_target (target, sentInWindow) VALUES (?, 0)`, [target]);
      const taken = await sql.exec('UPDATE channel_target SET leaseUntil = ? WHERE target = ? AND (leaseUntil IS NULL OR leaseUntil < ?)', [new Date(now.getTime() + LEASE_MS), target, now]);
      return taken === 1;
    });
  }

  private async release(target: string): Promise<void> {
    await withSqlTransaction(this.db, (sql) => sql.exec('UPDATE channel_target SET leaseUntil = NULL WHERE target = ?', [target]));
  }

  /** A team robot's key and secret, read when its sender needs them (outside any transaction). */
  private secretsOf(target: string): () => Promise<TargetSecrets | null> {
    const teamId = /:team:(\d+)$/.exec(target)?.[1];
    return async () => {
      if (!teamId) return null;
      const [row] = (await this.db.query('SELECT wecomRobotKey, dingtalkRobotToken, dingtalkRobotSecret FROM team_channel_settings WHERE teamId = ?', [teamId])) as TargetSecrets[];
      return row ?? null;
    };
  }

  /**
   * The target's oldest pending delivery if it may go now: its retry time, the target's pause and every
   * rate window allow. The windows are counted from what was sent (delivery.sentAt), so they hold across
   * servers and are sliding like the platforms' own: a message counts for exactly one minute (one hour)
   * after it went, and a full window waits until its oldest message leaves it — queued, never dropped.
   */
  private async nextDue(target: string, now: Date): Promise<{ next: DeliveryRow; plan: SendPlan; probing: string[] } | null> {
    return withSqlTransaction(this.db, async (sql) => {
      for (;;) {
        const [next] = await sql.rows<DeliveryRow>(
          SQL`SELECT id, outboxId, channel, target, body, attempts, nextAttemptAt, subject, attemptStartedAt, pendingSince, createdAt FROM delivery WHERE target = ? AND status = 'pending' ORDER BY outboxId, id LIMIT 1`,
          [target],
        );
        // The oldest pending message (in outbox order) goes first; while it waits for its retry, the rest wait too.
        if (!next || sqlDate(next.nextAttemptAt)!.getTime() > now.getTime()) return null;
        // Watermark: an earlier outbox message not yet expanded may hold a delivery for this target that must
        // go first (e.g. a server of an older version still expanding without the lock).
        const [earlier] = await sql.rows<{ id: number }>(SQL`SELECT id FROM outbox_message WHERE expandedAt IS NULL AND id < ? LIMIT 1`, [next.outboxId]);
        if (earlier) return null;
        if (ROBOT_CHANNELS.includes(next.channel) && next.attemptStartedAt !== null) {
          // An earlier attempt began and its outcome was never recorded (the server stopped mid-send,
          // or could not record it): the post may be in the group, and robots offer no way to check.
          await sql.exec("UPDATE delivery SET status = 'unknown', lastError = ? WHERE id = ?", [`${MAYBE_DELIVERED}：上次发送中途中断，结果未知`, next.id]);
          this.logger.warn({ deliveryId: Number(next.id), channel: next.channel }, 'robot post outcome unknown: left to admins');
          continue;
        }
        const [state] = await sql.rows<{ blockedUntil: Date | string | null }>(SQL`SELECT blockedUntil FROM channel_target WHERE target = ?`, [target]);
        const blockedUntil = sqlDate(state?.blockedUntil);
        if (blockedUntil && blockedUntil.getTime() > now.getTime()) return null;
        for (const window of RATE_LIMITS[next.channel]) {
          // A robot post whose outcome is unknown may have arrived, up to a send timeout after it was begun.
          const since = now.getTime() - window.ms;
          const [{ n }] = (await sql.rows<{ n: number | string }>(
            SQL`SELECT (SELECT COUNT(*) FROM delivery WHERE target = ? AND sentAt > ?) + (SELECT COUNT(*) FROM delivery WHERE status = 'unknown' AND target = ? AND attemptStartedAt > ?) AS n`,
            [target, new Date(since), target, new Date(since - SEND_TIMEOUT_MS)],
          )) as [{ n: number | string }];
          if (Number(n) >= window.max) return null;
        }
        // Refused credentials (the channel's or this robot's): wait, unless this send is the probe.
        const probing = await this.health.gate(sql, [credentialKey(next.channel, target, 'channel'), credentialKey(next.channel, target, 'target')], now);
        if (!probing) return null;
        // The send below may take a while: keep the target ours for it.
        await sql.exec('UPDATE channel_target SET leaseUntil = ? WHERE target = ?', [new Date(now.getTime() + LEASE_MS), target]);
        // Decided now, not when planned: a card whose to-do was confirmed while it waited does not go live.
        const plan = await this.builder.resolveAtSend(sql, { id: Number(next.id), channel: next.channel, subject: next.subject, body: JSON.parse(next.body) as Record<string, unknown>, attempts: next.attempts });
        // A robot post is recorded as begun, committed before the HTTP call, so a crash mid-send cannot
        // lead to a second post.
        if (plan.kind === 'send' && ROBOT_CHANNELS.includes(next.channel)) await sql.exec('UPDATE delivery SET attemptStartedAt = ? WHERE id = ?', [now, next.id]);
        return { next, plan, probing };
      }
    });
  }

  /**
   * Sends the target's pending deliveries in order until one must wait. The chat API is called with no
   * transaction open and no connection held: a slow WeCom ties up nothing but this target's lease.
   */
  private async drain(target: string): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const due = await this.nextDue(target, now);
      if (!due) return;
      const { next, plan, probing } = due;
      if (plan.kind !== 'send') {
        // Nothing to call: already out there (a click came back from it), or no longer wanted.
        await withSqlTransaction(this.db, (sql) =>
          plan.kind === 'delivered'
            ? sql.exec("UPDATE delivery SET status = 'sent', sentAt = ?, lastError = ? WHERE id = ?", [now, plan.reason, next.id])
            : sql.exec("UPDATE delivery SET status = 'skipped', lastError = ? WHERE id = ?", [plan.reason, next.id]),
        );
        this.logger.info({ deliveryId: Number(next.id), channel: next.channel, reason: plan.reason }, plan.kind === 'delivered' ? 'delivered earlier' : 'delivery no longer needed');
        continue;
      }
      // A sender throws only before its HTTP call (reading a robot's secrets): nothing went out.
      const sendOne = (channel: DeliveryChannel, body: Record<string, unknown>): Promise<SendResult> => {
        const sender = this.senders[channel];
        const delivery = { ...next, id: Number(next.id), channel, body } as unknown as Delivery;
        return sender
          ? sender.send(delivery, this.secretsOf(target)).catch((error: unknown) => ({ kind: 'retry' as const, reason: `not sent: ${(error as Error).message}` }))
          : Promise.resolve({ kind: 'failed', reason: `channel ${channel} is off` } as const);
      };
      let sentBody = plan.body;
      let result = await sendOne(plan.channel, plan.body);
      // WeCom refused the card update (its code used or past 72 h): the person is told in a text instead.
      if (result.kind === 'failed' && plan.fallback) {
        this.logger.warn({ deliveryId: Number(next.id), reason: result.reason }, 'card update refused: the confirmation goes as a text');
        sentBody = plan.fallback;
        result = await sendOne('wecom_app', plan.fallback);
      }
      const changed = sentBody !== plan.body || plan.channel !== next.channel || plan.note !== undefined;
      const attempts = next.attempts + 1;
      const stop = await withSqlTransaction(this.db, async (sql) => {
        if (result.kind === 'sent') {
          // When the answer came: the platform took the message no later, so windows counted from here
          // never let the next one in early by a slow request's time.
          await sql.exec("UPDATE delivery SET status = 'sent', attempts = ?, sentAt = ?, attemptStartedAt = NULL, lastError = NULL, responseCode = ? WHERE id = ?", [attempts, this.clock.now(), result.responseCode ?? null, next.id]);
          // What went is what admins see; a card's response_code works once.
          if (changed) await sql.exec('UPDATE delivery SET body = ?, lastError = ? WHERE id = ?', [sentBody, plan.note ?? (sentBody === plan.fallback ? 'WeCom 拒绝更新卡片，改发「已确认」文字' : null), next.id]);
          if (sentBody.response_code) await sql.exec("UPDATE delivery SET responseCode = NULL WHERE subject = ? AND channel = 'wecom_app' AND responseCode = ?", [next.subject, sentBody.response_code]);
          this.logger.info({ deliveryId: Number(next.id), channel: next.channel, outboxId: Number(next.outboxId) }, 'delivered');
          if (probing.length) {
            await this.health.markUp(sql, probing);
            this.logger.warn({ channel: next.channel, keys: probing }, 'channel credentials accepted again: its deliveries resume');
          }
          // The first success after an outage resumes every target still backing off from it.
          const resumed = await this.health.noteSuccess(sql, next.channel, now);
          if (resumed) {
            this.resumed = true;
            this.logger.warn({ channel: next.channel, resumed }, 'channel recovered: waiting deliveries resume now');
          }
          return false;
        }
        if (result.kind === 'channel_down') {
          // Not this message's fault: nothing counted, it stays first in line for when the credentials work.
          await sql.exec('UPDATE delivery SET lastError = ?, attemptStartedAt = NULL WHERE id = ?', [result.reason.slice(0, 500), next.id]);
          await this.health.markDown(sql, credentialKey(next.channel, target, result.scope), result.reason, now);
          this.logger.error({ channel: next.channel, target: result.scope === 'target' ? target : undefined, reason: result.reason }, 'channel credentials refused: its deliveries wait');
          return true;
        }
        if (result.kind === 'failed') {
          await sql.exec("UPDATE delivery SET status = 'failed', attempts = ?, attemptStartedAt = NULL, lastError = ? WHERE id = ?", [attempts, result.reason.slice(0, 500), next.id]);
          // 43101: WeChat says the rep has no consent left, whatever we counted.
          if (next.channel === 'wechat_subscribe' && result.reason.startsWith('43101')) {
            await sql.exec("UPDATE subscribe_consent SET remaining = 0 WHERE templateId = ? AND memberId IN (SELECT id FROM member WHERE wechatOpenId = ?)", [sentBody.template_id, sentBody.touser]);
          }
          this.logger.warn({ deliveryId: Number(next.id), channel: next.channel, reason: result.reason }, 'delivery failed permanently');
          return false;
        }
        if (result.maybeDelivered && ROBOT_CHANNELS.includes(next.channel)) {
          // The post went out and its answer was lost: it may be in the group. Posting it again could
          // show it twice, so admins decide (the target's later posts move on).
          await sql.exec("UPDATE delivery SET status = 'unknown', attempts = ?, lastError = ? WHERE id = ?", [attempts, `${MAYBE_DELIVERED}：${result.reason}`.slice(0, 500), next.id]);
          this.logger.warn({ deliveryId: Number(next.id), channel: next.channel, reason: result.reason }, 'robot post outcome unknown: left to admins');
          return false;
        }
        // A transient failure (not a rate-limit answer) counts toward the platform's outage.
        if (!result.pauseTargetMs) await this.health.noteTransient(sql, next.channel, result.reason, now);
        const queuedAt = sqlDate(next.pendingSince) ?? sqlDate(next.createdAt) ?? now;
        // A rate-limit pause is the target's condition, not this message's fault: it never dead-letters.
        if (!result.pauseTargetMs && (attempts >= this.deadLetter.deadLetterAttempts || now.getTime() - queuedAt.getTime() >= this.deadLetter.deadLetterHours * 3_600_000)) {
          await sql.exec("UPDATE delivery SET status = 'dead', attempts = ?, lastError = ? WHERE id = ?", [attempts, result.reason.slice(0, 500), next.id]);
          this.logger.warn({ deliveryId: Number(next.id), channel: next.channel, attempts, reason: result.reason }, 'delivery dead-lettered');
          return false;
        }
        const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 10)) * (0.5 + Math.random() / 2);
        const retryAt = new Date(now.getTime() + Math.max(backoff, result.pauseTargetMs ?? 0));
        await sql.exec('UPDATE delivery SET attempts = ?, nextAttemptAt = ?, attemptStartedAt = NULL, lastError = ? WHERE id = ?', [attempts, retryAt, result.reason.slice(0, 500), next.id]);
        if (result.pauseTargetMs) await sql.exec('UPDATE channel_target SET blockedUntil = ? WHERE target = ?', [new Date(now.getTime() + result.pauseTargetMs), target]);
        return true;
      });
      if (stop) return;
    }
  }

  /** One pass: expand new messages, then serve every target with something due. */
  runOnce(): Promise<void> {
    this.running ??= (async () => {
      try {
        // A stopping server leaves the rest of a backlog to the next pass (or another server).
        while (!this.stopping && (await this.expand()) === BATCH);
        const now = this.clock.now();
        // During an outage, one waiting message per platform is tried now and then (recovery probe).
        await this.health.probeOutages(now);
        this.resumed = false;
        await this.serveTargets(now);
        // A recovery found in this pass made every waiting target due: they go in this pass too.
        if (this.resumed && !this.stopping) {
          this.resumed = false;
          await this.serveTargets(now);
        }
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Every target with something due, except those whose credentials are refused and not being probed. */
  private async serveTargets(now: Date): Promise<void> {
    const waiting = await this.health.waiting(now);
    // a key is a channel (the WeCom app covers its card updates) or one robot target
    const channels = waiting.filter((k) => !k.includes(':')).flatMap((k) => (k === 'wecom_app' ? ['wecom_app', 'wecom_card_update'] : [k]));
    const targetKeys = waiting.filter((k) => k.includes(':'));
    const targets = (await this.db.query(
      `SELECT DISTINCT target FROM delivery WHERE status = 'pending' AND nextAttemptAt <= ?` +
        (channels.length ? ` AND channel NOT IN (${placeholders(channels.length)})` : '') +
        (targetKeys.length ? ` AND target NOT IN (${placeholders(targetKeys.length)})` : '') +
        ' LIMIT 500',
      [isSqlite(this.db) ? now.toISOString().replace('T', ' ').replace('Z', '') : now, ...channels, ...targetKeys],
    )) as { target: string }[];
    for (const { target } of targets) {
      if (this.stopping) break;
      if (!(await this.lease(target, now))) continue;
      try {
        await this.drain(target);
      } finally {
        await this.release(target);
      }
    }
  }

  start(everySeconds: number): void {
    this.timer = every(everySeconds, () => void this.runOnce().catch((error) => this.logger.error({ err: error }, 'outbox pass failed')));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.timer?.cancel();
    this.timer = null;
    await this.running?.catch(() => undefined);
    this.stopping = false; // a later explicit pass (tests, the sandbox) may still run
  }
}

