import type { DataSource } from 'typeorm';
import type { Clock } from '../clock';
import { ChannelToken } from './channel-token.entity';
import { isSqlite } from '../db/data-source';
import { withTransaction } from '../db/transaction';

export interface FetchedToken {
  token: string;
  expiresInSeconds: number;
}

/** Refresh a little before the upstream expiry so no request carries a token that dies in flight. */
const EARLY_REFRESH_MS = 5 * 60_000;

/**
 * Access tokens cached in the database so every instance shares one token. A refresh happens under
 * a row lock on MySQL/MariaDB (one instance at a time; the others wait and reuse its result); within
 * a process, concurrent callers share one in-flight refresh.
 */
export class TokenCache {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  async get(cacheKey: string, fetchToken: () => Promise<FetchedToken>): Promise<string> {
    const cached = await this.db.getRepository(ChannelToken).findOne({ where: { cacheKey } });
    if (this.isFresh(cached)) return cached!.token!;
    const running = this.inFlight.get(cacheKey);
    if (running) return running;
    const refresh = this.refresh(cacheKey, fetchToken).finally(() => this.inFlight.delete(cacheKey));
    this.inFlight.set(cacheKey, refresh);
    return refresh;
  }

  /** Store a token fetched outside get() (co-wechat-api's saveToken hook), valid for `expiresInSeconds`. */
  async put(cacheKey: string, token: string, expiresInSeconds: number): Promise<void> {
    await this.db.getRepository(ChannelToken).save({ cacheKey, token, expiresAt: new Date(this.clock.now().getTime() + expiresInSeconds * 1000) });
  }

  /** Forget a token the upstream rejected (40014/42001), unless another caller already replaced it. */
  async invalidate(cacheKey: string, rejectedToken: string): Promise<void> {
    await this.db.getRepository(ChannelToken).update({ cacheKey, token: rejectedToken }, { token: null, expiresAt: null });
  }

  private isFresh(row: ChannelToken | null): boolean {
    return !!row?.token && !!row.expiresAt && row.expiresAt.getTime() - EARLY_REFRESH_MS > this.clock.now().getTime();
  }

  private async refresh(cacheKey: string, fetchToken: () => Promise<FetchedToken>): Promise<string> {
    const store = async (fetched: FetchedToken) => ({
      cacheKey,
      token: fetched.token,
      expiresAt: new Date(this.clock.now().getTime() + fetched.expiresInSeconds * 1000),
    });
    if (isSqlite(this.db)) {
      // One process owns the embedded database; the in-flight map already makes this single-flight.
      const fetched = await fetchToken();
      await this.db.getRepository(ChannelToken).save(await store(fetched));
      return fetched.token;
    }
    return withTransaction(this.db, async (manager) => {
      await manager.query('INSERT IGNORE INTO channel_token (cacheKey, updatedAt) VALUES (?, CURRENT_TIMESTAMP(3))', [cacheKey]);
      const locked = await manager
        .getRepository(ChannelToken)
        .createQueryBuilder('t')
        .setLock('pessimistic_write')
        .where('t.cacheKey = :cacheKey', { cacheKey })
        .getOne();
      if (this.isFresh(locked)) return locked!.token!;
      const fetched = await fetchToken();
      await manager.getRepository(ChannelToken).save(await store(fetched));
      return fetched.token;
    });
  }
}
