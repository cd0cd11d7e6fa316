import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { withSqlTransaction, type Sql, type Statement } from '../db/sql';
import { isDuplicateKeyError } from '../db/transaction';
import { httpError } from './errors';
import { IdempotencyKey } from './idempotency-key.entity';
import type { ApiContext } from './route';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/** What a create answers, plus writes it leaves for the last round trip (with the key and COMMIT). */
export interface WorkResult extends StoredResponse {
  tail?: Statement[];
}

/** The client's key for one create; a phone on a bad network sends the same key with every retry. */
export function idempotencyKeyOf(ctx: ApiContext): string {
  const key = ctx.get('idempotency-key').trim();
  if (!key) throw httpError('IDEMPOTENCY_KEY_REQUIRED');
  if (!/^[A-Za-z0-9_.:-]{8,100}$/.test(key)) throw httpError('IDEMPOTENCY_KEY_REQUIRED', { message: 'Idempotency-Key 须为 8–100 位字母、数字或 _.:-' });
  return key;
}

/** The answer as stored: `json` is the body already serialized, the same text on every replay. */
export interface OnceResult {
  status: number;
  json: string;
  replayed: boolean;
}

class AlreadyDone extends Error {}

/**
 * Runs a create once per (member, key). The key row, holding the answer, is inserted last in the
 * create's own transaction: a concurrent twin meets the unique index, waits for the first to commit,
 * fails, rolls its own work back and answers the stored result. If the create fails, no key is kept
 * and a retry runs afresh.
 */
export async function once(
  db: DataSource,
  scope: { memberId: number; key: string; route: string; request: unknown },
  work: (sql: Sql) => Promise<WorkResult>,
): Promise<OnceResult> {
  const requestHash = createHash('sha256').update(JSON.stringify(scope.request ?? null)).digest('hex');
  try {
    return await withSqlTransaction(db, async (sql) => {
      const { tail = [], status, body } = await work(sql);
      const json = JSON.stringify(body);
      const key = sql.insertStatement('idempotency_key', [
        { memberId: scope.memberId, key: scope.key, route: scope.route, requestHash, responseStatus: status, responseBody: json, createdAt: new Date() },
      ]);
      try {
        await sql.batch([...tail, key], { commit: true });
      } catch (error) {
        if (isDuplicateKeyError(error)) throw new AlreadyDone();
        throw error;
      }
      return { status, json, replayed: false };
    });
  } catch (error) {
    if (!(error instanceof AlreadyDone)) throw error;
  }
  const stored = await db.getRepository(IdempotencyKey).findOneOrFail({ where: { memberId: scope.memberId, key: scope.key } });
  if (stored.route !== scope.route || stored.requestHash !== requestHash) {
    throw httpError('IDEMPOTENCY_KEY_REUSED');
  }
  return { status: stored.responseStatus, json: stored.responseBody ?? 'null', replayed: true };
}

/**
 * The answer already stored for this key, or null. For a create whose checks depend on when it
 * arrives (an offline visit's age): a replay must keep the first answer, not meet today's checks.
 */
export async function storedAnswer(db: DataSource, scope: { memberId: number; key: string; route: string; request: unknown }): Promise<OnceResult | null> {
  const stored = await db.getRepository(IdempotencyKey).findOne({ where: { memberId: scope.memberId, key: scope.key } });
  if (!stored) return null;
  const requestHash = createHash('sha256').update(JSON.stringify(scope.request ?? null)).digest('hex');
  if (stored.route !== scope.route || stored.requestHash !== requestHash) {
    throw httpError('IDEMPOTENCY_KEY_REUSED');
  }
  return { status: stored.responseStatus, json: stored.responseBody ?? 'null', replayed: true };
}
