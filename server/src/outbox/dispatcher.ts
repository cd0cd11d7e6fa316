import type schedule from 'node-schedule';
import { every } from '../jobs/every';
import type { DataSource } from 'typeorm';
import type { Clock } from '../clock';
import { sqlDate, withSqlTransaction } from '../db/sql';
import type { Logger } from '../logger';
import { RATE_PER_MINUTE, type Sender, type TargetSecrets } from '../channels/senders';
import type { Delivery, DeliveryChannel } from './delivery.entity';
import type { MessageBuilder } from './message-builder';
import type { OutboxMessage } from './outbox-message.entity';
import { isSqlite } from '../db/data-source';
import { SIGN_WINDOW_MS } from '../channels/dingtalk/dingtalk-sign';
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
}

const BATCH = 200;
const LEASE_MS = 60_000;
const MAX_BACKOFF_MS = 10 * 60_000;

/**
 * Delivers the outbox. Each message fans out into deliveries (one per channel and target); each
 * target is sent to by one server at a time (a lease row), oldest first, within its per-minute rate;
 * a transient failure pauses that target with exponential backoff and jitter, so the target's later
 * messages wait behind it and arrive in order; a permanent one marks the delivery failed for admins.
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
  ) {}

  /** Set when a success after an outage made waiting targets due during a pass: serve them in it. */
  private resumed = false;

  /** Writes the deliveries of not yet expanded outbox messages (each message by one server). */
  async expand(): Promise<number> {
    return withSqlTransaction(this.db, async (sql) => {
      const now = this.clock.now();
      const rows = await sql.rows<{ id: number; kind: OutboxMessage['kind']; teamId: number | null; payload: string }>(
        `SELECT id, kind, teamId, payload FROM outbox_message WHERE expandedAt IS NULL ORDER BY id LIMIT ?${isSqlite(this.db) ? '' : ' FOR UPDATE SKIP LOCKED'}`,
        [BATCH],
      );
      for (const row of rows) {
        const planned = await this.builder.plan(sql, { id: Number(row.id), kind: row.kind, teamId: row.teamId, payload: JSON.parse(row.payload) as Record<string, unknown> });
        if (planned.length) {
          await sql.exec(
            `INSERT ${isSqlite(this.db) ? 'OR IGNORE' : 'IGNORE'} INTO delivery (outboxId, channel, target, body, status, attempts, nextAttemptAt, subject, createdAt) VALUES ${planned.map(() => "(?, ?, ?, ?, 'pending', 0, ?, ?, ?)").join(', ')}`,
            planned.flatMap((d) => [row.id, d.channel, d.target, d.body, now, d.subject ?? null, now]),
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
      await sql.exec(`INSERT ${isSqlite(this.db) ? 'OR IGNORE' : 'IGNORE'} INTO channel_target (target, sentInWindow) VALUES (?, 0)`, [target]);
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

  /** The target's oldest pending delivery if it may go now (its retry time, pause and rate allow). */
  private async nextDue(target: string, now: Date): Promise<{ next: DeliveryRow; fresh: boolean; windowStart: Date | null; sentInWindow: number; probing: string[] } | null> {
    return withSqlTransaction(this.db, async (sql) => {
      const [next] = await sql.rows<DeliveryRow>("SELECT id, outboxId, channel, target, body, attempts, nextAttemptAt, subject FROM delivery WHERE target = ? AND status = 'pending' ORDER BY id LIMIT 1", [target]);
      // The oldest pending message goes first; while it waits for its retry, the rest wait too.
      if (!next || sqlDate(next.nextAttemptAt)!.getTime() > now.getTime()) return null;
      const [state] = await sql.rows<{ windowStartedAt: Date | string | null; sentInWindow: number; blockedUntil: Date | string | null }>(
        'SELECT windowStartedAt, sentInWindow, blockedUntil FROM channel_target WHERE target = ?',
        [target],
      );
      const blockedUntil = sqlDate(state?.blockedUntil);
      if (blockedUntil && blockedUntil.getTime() > now.getTime()) return null;
      const windowStart = sqlDate(state?.windowStartedAt);
      const fresh = !windowStart || now.getTime() - windowStart.getTime() >= 60_000;
      const rate = RATE_PER_MINUTE[next.channel];
      // Queue, never drop: a full minute waits for the next.
      if (rate !== null && !fresh && state!.sentInWindow >= rate) return null;
      // Refused credentials (the channel's or this robot's): wait, unless this send is the probe.
      const probing = await this.health.gate(sql, [credentialKey(next.channel, target, 'channel'), credentialKey(next.channel, target, 'target')], now);
      if (!probing) return null;
      // The send below may take a while: keep the target ours for it.
      await sql.exec('UPDATE channel_target SET leaseUntil = ? WHERE target = ?', [new Date(now.getTime() + LEASE_MS), target]);
      return { next, fresh, windowStart, sentInWindow: Number(state?.sentInWindow ?? 0), probing };
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
      const { next, fresh, windowStart, sentInWindow, probing } = due;
      const sender = this.senders[next.channel];
      const delivery = { ...next, id: Number(next.id), body: JSON.parse(next.body) } as unknown as Delivery;
      const result = sender ? await sender.send(delivery, this.secretsOf(target)) : ({ kind: 'failed', reason: `channel ${next.channel} is off` } as const);
      const attempts = next.attempts + 1;
      const stop = await withSqlTransaction(this.db, async (sql) => {
        if (result.kind === 'sent') {
          await sql.exec("UPDATE delivery SET status = 'sent', attempts = ?, sentAt = ?, lastError = NULL, responseCode = ? WHERE id = ?", [attempts, now, result.responseCode ?? null, next.id]);
          await sql.exec('UPDATE channel_target SET windowStartedAt = ?, sentInWindow = ? WHERE target = ?', [fresh ? now : windowStart, fresh ? 1 : sentInWindow + 1, target]);
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
          await sql.exec('UPDATE delivery SET lastError = ? WHERE id = ?', [result.reason.slice(0, 500), next.id]);
          await this.health.markDown(sql, credentialKey(next.channel, target, result.scope), result.reason, now);
          this.logger.error({ channel: next.channel, target: result.scope === 'target' ? target : undefined, reason: result.reason }, 'channel credentials refused: its deliveries wait');
          return true;
        }
        if (result.kind === 'failed') {
          await sql.exec("UPDATE delivery SET status = 'failed', attempts = ?, lastError = ? WHERE id = ?", [attempts, result.reason.slice(0, 500), next.id]);
          // 43101: WeChat says the rep has no consent left, whatever we counted.
          if (next.channel === 'wechat_subscribe' && result.reason.startsWith('43101')) {
            await sql.exec("UPDATE subscribe_consent SET remaining = 0 WHERE templateId = ? AND memberId IN (SELECT id FROM member WHERE wechatOpenId = ?)", [delivery.body.template_id, delivery.body.touser]);
          }
          this.logger.warn({ deliveryId: Number(next.id), channel: next.channel, reason: result.reason }, 'delivery failed permanently');
          return false;
        }
        const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 10)) * (0.5 + Math.random() / 2);
        const retryAt = new Date(now.getTime() + Math.max(backoff, result.pauseTargetMs ?? 0));
        await sql.exec('UPDATE delivery SET attempts = ?, nextAttemptAt = ?, lastError = ? WHERE id = ?', [attempts, retryAt, result.reason.slice(0, 500), next.id]);
        if (result.pauseTargetMs) await sql.exec('UPDATE channel_target SET blockedUntil = ? WHERE target = ?', [new Date(now.getTime() + result.pauseTargetMs), target]);
        // A transient failure (not a rate-limit answer) counts toward the platform's outage.
        else await this.health.noteTransient(sql, next.channel, result.reason, now);
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
        await this.forgetOldNonces(now);
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
        (channels.length ? ` AND channel NOT IN (${channels.map(() => '?').join(', ')})` : '') +
        (targetKeys.length ? ` AND target NOT IN (${targetKeys.map(() => '?').join(', ')})` : '') +
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

  /**
   * A callback is accepted while its timestamp is within the window either side of now (DingTalk: ±60 min,
   * WeCom: ±5), so one first seen with a timestamp at the window's future edge stays replayable for two
   * windows: only nonces older than that can go.
   */
  async forgetOldNonces(now: Date): Promise<void> {
    const keepMs = 2 * SIGN_WINDOW_MS + 5 * 60_000;
    await withSqlTransaction(this.db, (sql) => sql.exec('DELETE FROM callback_nonce WHERE seenAt < ?', [new Date(now.getTime() - keepMs)])).catch(() => undefined);
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

