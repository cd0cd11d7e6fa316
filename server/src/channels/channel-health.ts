import type { DataSource } from 'typeorm';
import type { Clock } from '../clock';
import type { Policy } from '../config/policy';
import { isSqlite } from '../db/data-source';
import { SQL, placeholders, sqlDate, withSqlTransaction, type Sql } from '../db/sql';
import type { DeliveryChannel } from '../outbox/delivery.entity';

/** The platform a channel's API lives on: an outage of one is an outage of all its channels. */
export type Platform = 'wecom' | 'dingtalk' | 'wechat';
export const PLATFORM_OF: Record<DeliveryChannel, Platform> = {
  wecom_app: 'wecom',
  wecom_card_update: 'wecom',
  wecom_robot: 'wecom',
  dingtalk_robot: 'dingtalk',
  wechat_subscribe: 'wechat',
};
const CHANNELS_OF = (platform: Platform) => (Object.keys(PLATFORM_OF) as DeliveryChannel[]).filter((c) => PLATFORM_OF[c] === platform);
const platformKey = (platform: Platform) => `platform:${platform}`;

/**
 * Whose credentials a refusal is about. The WeCom app (corp id, secret, agent id: `wecom_app`, which
 * also sends the card updates) and the mini-program's WeChat app are one set of credentials for the
 * whole channel; a team's group robot has its own key (WeCom) or token and secret (DingTalk), so a
 * refused robot holds up only that team's robot posts.
 */
export function credentialKey(channel: DeliveryChannel, target: string, scope: 'channel' | 'target'): string {
  if (scope === 'target') return target;
  return channel === 'wecom_card_update' ? 'wecom_app' : channel;
}

/** Channels admins see, one entry each (card updates are the WeCom app's). */
export type HealthChannel = Exclude<DeliveryChannel, 'wecom_card_update'>;

export interface ChannelHealthEntry {
  channel: HealthChannel;
  healthy: boolean;
  reason: string | null;
  since: string | null;
  pendingCount: number;
}

interface HealthRow {
  channel: string;
  reason: string | null;
  since: Date | string | null;
  probeAt: Date | string | null;
  failures: number;
  failingSince: Date | string | null;
  lastError: string | null;
}

const PLATFORM_LABEL: Record<Platform, string> = { wecom: '企业微信', dingtalk: '钉钉', wechat: '微信' };

/**
 * Channel conditions shared by every server through the `channel_health` table:
 * - refused credentials: the channel (or one robot) waits, nothing is attempted or counted, and one
 *   server at a time probes again at most every `credentialProbeSeconds` (≥ 60);
 * - an outage (transient failures in a row on a platform): one waiting message is tried every
 *   `recoveryProbeSeconds`, and the first success after it resumes every target that was backing off.
 */
export class ChannelHealth {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly policy: Policy,
  ) {}

  private get ignore(): 'OR IGNORE' | 'IGNORE' {
    return isSqlite(this.db) ? 'OR IGNORE' : 'IGNORE';
  }

  /** Credential keys that hold their deliveries back right now (down, and their probe not yet due). */
  async waiting(now: Date): Promise<string[]> {
    const rows = (await this.db.query('SELECT channel FROM channel_health WHERE reason IS NOT NULL AND probeAt > ?', [
      isSqlite(this.db) ? now.toISOString().replace('T', ' ').replace('Z', '') : now,
    ])) as { channel: string }[];
    return rows.map((r) => r.channel);
  }

  /**
   * May a delivery on this channel and target go now? Yes when its credentials are not known to be
   * refused; when they are, only as the probe, which one server claims once per probe interval.
   * Returns the keys being probed (null: wait).
   */
  async gate(sql: Sql, keys: string[], now: Date): Promise<string[] | null> {
    const down = await sql.rows<{ channel: string; probeAt: Date | string | null }>(
      SQL`SELECT channel, probeAt FROM channel_health WHERE channel IN (${placeholders(keys.length)}) AND reason IS NOT NULL`,
      keys,
    );
    for (const row of down) {
      const probeAt = sqlDate(row.probeAt);
      if (probeAt && probeAt.getTime() > now.getTime()) return null;
      const next = new Date(now.getTime() + this.policy.channelHealth.credentialProbeSeconds * 1000);
      const claimed = await sql.exec('UPDATE channel_health SET probeAt = ? WHERE channel = ? AND reason IS NOT NULL AND (probeAt IS NULL OR probeAt <= ?)', [next, row.channel, now]);
      if (claimed !== 1) return null;
    }
    return down.map((r) => r.channel);
  }

  /** The credentials under `key` were refused: its deliveries wait from now on. */
  async markDown(sql: Sql, key: string, reason: string, now: Date): Promise<void> {
    await sql.exec(SQL`INSERT ${this.ignore} INTO channel_health (channel, failures) VALUES (?, 0)`, [key]);
    const next = new Date(now.getTime() + this.policy.channelHealth.credentialProbeSeconds * 1000);
    await sql.exec('UPDATE channel_health SET reason = ?, since = COALESCE(since, ?), probeAt = ? WHERE channel = ?', [reason.slice(0, 500), now, next, key]);
  }

  /** The credentials under these keys work (again). */
  async markUp(sql: Sql, keys: string[]): Promise<void> {
    if (!keys.length) return;
    await sql.exec(SQL`UPDATE channel_health SET reason = NULL, since = NULL, probeAt = NULL WHERE channel IN (${placeholders(keys.length)})`, keys);
  }

  /** A network error or 5xx from the platform. */
  async noteTransient(sql: Sql, channel: DeliveryChannel, error: string, now: Date): Promise<void> {
    const key = platformKey(PLATFORM_OF[channel]);
    await sql.exec(SQL`INSERT ${this.ignore} INTO channel_health (channel, failures) VALUES (?, 0)`, [key]);
    const probeAt = new Date(now.getTime() + this.policy.channelHealth.recoveryProbeSeconds * 1000);
    await sql.exec('UPDATE channel_health SET failures = failures + 1, failingSince = COALESCE(failingSince, ?), lastError = ?, probeAt = COALESCE(probeAt, ?) WHERE channel = ?', [
      now, error.slice(0, 500), probeAt, key,
    ]);
  }

  /**
   * A send on the platform worked. After an outage (enough failures in a row) this resumes at once
   * every target of the platform that is backing off after a failure (not one paused by a rate-limit
   * answer): returns how many deliveries were made due.
   */
  async noteSuccess(sql: Sql, channel: DeliveryChannel, now: Date): Promise<number> {
    const platform = PLATFORM_OF[channel];
    const key = platformKey(platform);
    const [row] = await sql.rows<{ failures: number }>(SQL`SELECT failures FROM channel_health WHERE channel = ?`, [key]);
    if (!row || Number(row.failures) === 0) return 0;
    const cleared = await sql.exec('UPDATE channel_health SET failures = 0, failingSince = NULL, lastError = NULL, probeAt = NULL WHERE channel = ? AND failures >= ?', [
      key, this.policy.channelHealth.outageAfterFailures,
    ]);
    if (cleared !== 1) {
      // a failure or two (one poison message, a blip): no outage, nothing to resume
      await sql.exec('UPDATE channel_health SET failures = 0, failingSince = NULL, lastError = NULL, probeAt = NULL WHERE channel = ?', [key]);
      return 0;
    }
    const channels = CHANNELS_OF(platform);
    return sql.exec(
      SQL`UPDATE delivery SET nextAttemptAt = ? WHERE status = 'pending' AND channel IN (${placeholders(channels.length)}) AND nextAttemptAt > ? AND lastError IS NOT NULL
         AND target NOT IN (SELECT target FROM channel_target WHERE blockedUntil IS NOT NULL AND blockedUntil > ?)`,
      [now, ...channels, now, now],
    );
  }

  /**
   * During an outage, one waiting message per platform is made due every `recoveryProbeSeconds`
   * (one server claims each probe): the one whose own retry comes soonest, so a message that always
   * fails is not the only one ever tried.
   */
  async probeOutages(now: Date): Promise<number> {
    return withSqlTransaction(this.db, async (sql) => {
      const rows = await sql.rows<{ channel: string }>(SQL`SELECT channel FROM channel_health WHERE channel LIKE 'platform:%' AND failures >= ? AND probeAt <= ?`, [
        this.policy.channelHealth.outageAfterFailures, now,
      ]);
      let probes = 0;
      for (const { channel: key } of rows) {
        const next = new Date(now.getTime() + this.policy.channelHealth.recoveryProbeSeconds * 1000);
        if ((await sql.exec('UPDATE channel_health SET probeAt = ? WHERE channel = ? AND probeAt <= ?', [next, key, now])) !== 1) continue;
        const channels = CHANNELS_OF(key.slice('platform:'.length) as Platform);
        const [head] = await sql.rows<{ id: number }>(
          SQL`SELECT id FROM delivery WHERE status = 'pending' AND channel IN (${placeholders(channels.length)}) AND nextAttemptAt > ?
             AND target NOT IN (SELECT target FROM channel_target WHERE blockedUntil IS NOT NULL AND blockedUntil > ?)
           ORDER BY nextAttemptAt LIMIT 1`,
          [...channels, now, now],
        );
        if (head) probes += await sql.exec('UPDATE delivery SET nextAttemptAt = ? WHERE id = ?', [now, head.id]);
      }
      return probes;
    });
  }

  /** One entry per channel in use: healthy or not, why, since when, and how many messages wait on it. */
  async status(channels: DeliveryChannel[]): Promise<ChannelHealthEntry[]> {
    const shown = [...new Set(channels.map((c) => (c === 'wecom_card_update' ? 'wecom_app' : c)))] as HealthChannel[];
    const rows = (await this.db.query('SELECT channel, reason, since, probeAt, failures, failingSince, lastError FROM channel_health')) as HealthRow[];
    const pending = (await this.db.query("SELECT channel, COUNT(*) AS n FROM delivery WHERE status = 'pending' GROUP BY channel")) as { channel: DeliveryChannel; n: number | string }[];
    const teams = (await this.db.query('SELECT id, name FROM team')) as { id: number; name: string }[];
    const teamName = (key: string) => {
      const id = Number(/:team:(\d+)$/.exec(key)?.[1]);
      return teams.find((t) => Number(t.id) === id)?.name ?? `#${id}`;
    };
    const threshold = this.policy.channelHealth.outageAfterFailures;
    return shown.map((channel) => {
      const reasons: string[] = [];
      const sinces: Date[] = [];
      const robot = channel === 'wecom_robot' || channel === 'dingtalk_robot';
      for (const row of rows) {
        if (!row.reason) continue;
        if (robot ? row.channel.startsWith(`${channel}:`) : row.channel === channel) {
          reasons.push(robot ? `团队「${teamName(row.channel)}」的机器人：${row.reason}` : row.reason);
          const since = sqlDate(row.since);
          if (since) sinces.push(since);
        }
      }
      const platform = PLATFORM_OF[channel];
      const outage = rows.find((r) => r.channel === platformKey(platform) && Number(r.failures) >= threshold);
      if (outage) {
        reasons.push(`${PLATFORM_LABEL[platform]}接口暂时无法访问（连续 ${Number(outage.failures)} 次失败，最近一次：${outage.lastError ?? '未知'}），消息排队等待，恢复后立即发送`);
        const since = sqlDate(outage.failingSince);
        if (since) sinces.push(since);
      }
      const pendingCount = pending
        .filter((p) => p.channel === channel || (channel === 'wecom_app' && p.channel === 'wecom_card_update'))
        .reduce((sum, p) => sum + Number(p.n), 0);
      const since = sinces.length ? new Date(Math.min(...sinces.map((d) => d.getTime()))) : null;
      return { channel, healthy: reasons.length === 0, reason: reasons.length ? reasons.join('；') : null, since: since?.toISOString() ?? null, pendingCount };
    });
  }

  /** Records what a probe outside the dispatcher (start-up) learned about a channel's credentials. */
  async record(key: string, refused: string | null): Promise<void> {
    await withSqlTransaction(this.db, (sql) => (refused ? this.markDown(sql, key, refused, this.clock.now()) : this.markUp(sql, [key])));
  }
}
