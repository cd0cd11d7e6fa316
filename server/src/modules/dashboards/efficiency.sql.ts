import { SQL, constSql, placeholders, sqlDate, type ConstSql, type Sql } from '../../db/sql';

/**
 * Agreed-action completion (visit quality, 「真推进」, the weekly trend) and contact efficiency (客户接触效率比):
 * the one definition of each, in README «Metrics» words. Reads the visits module's rows only.
 */

const ids = (list: readonly number[]) => placeholders(list.length);
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

/**
 * An agreed action (a submitted visit's 约定动作 with its next follow-up time) is **due** in a bucket when its
 * follow-up time falls in it and has passed — or it was already marked done by then (done early counts at once);
 * it is **done** when the rep (or their supervisor) marked it done by its follow-up time (`actionDoneOnTime`,
 * decided when marked). Whose: the visit's rep. The follow-up is after the submission, so `submittedAt < end`
 * bounds the scan on idx_visit_member (memberId, submittedAt).
 */
const DUE = constSql('v.submittedAt IS NOT NULL AND v.agreedAction IS NOT NULL AND v.nextFollowUpAt IS NOT NULL AND (v.nextFollowUpAt <= ? OR v.actionDoneOnTime = 1)');
const DONE = constSql('CASE WHEN v.actionDoneOnTime = 1 THEN 1 ELSE 0 END');

/** Per member and bucket ([starts[i], starts[i+1])): agreed actions due and done by their follow-up time. */
export async function agreedActionCounts(sql: Sql, memberIds: readonly number[], starts: readonly Date[], now: Date): Promise<Array<{ memberId: number; bucket: number; due: number; done: number }>> {
  if (memberIds.length === 0 || starts.length < 2) return [];
  let bucket: ConstSql = constSql('CASE');
  const bucketParams: unknown[] = [];
  for (let i = 0; i + 1 < starts.length; i++) {
    bucket = SQL`${bucket} WHEN v.nextFollowUpAt >= ? AND v.nextFollowUpAt < ? THEN ?`;
    bucketParams.push(starts[i], starts[i + 1], i);
  }
  bucket = SQL`${bucket} END`;
  const rows = await sql.rows<{ memberId: number; bucket: unknown; due: unknown; done: unknown }>(
    SQL`SELECT v.memberId AS memberId, ${bucket} AS bucket, COUNT(*) AS due, SUM(${DONE}) AS done
      FROM visit v WHERE v.memberId IN (${ids(memberIds)}) AND v.submittedAt < ? AND ${DUE} AND v.nextFollowUpAt >= ? AND v.nextFollowUpAt < ?
      GROUP BY v.memberId, bucket`,
    [...bucketParams, ...memberIds, starts[starts.length - 1], now, starts[0], starts[starts.length - 1]],
  );
  return rows.map((r) => ({ memberId: Number(r.memberId), bucket: num(r.bucket), due: num(r.due), done: num(r.done) }));
}

export interface AgreedActionRow {
  visitId: number;
  customerId: number;
  customerName: string;
  memberId: number;
  agreedAction: string | null;
  nextFollowUpAt: Date;
  actionDoneAt: Date | null;
  onTime: boolean;
}

/** The agreed actions behind a rate or a week: every one due in [start, end), done on time or not (by follow-up time). */
export async function agreedActionRecords(sql: Sql, memberIds: readonly number[], start: Date, end: Date, now: Date, page: { limit: number; offset: number }): Promise<{ rows: AgreedActionRow[]; total: number }> {
  if (memberIds.length === 0) return { rows: [], total: 0 };
  const where = SQL`v.memberId IN (${ids(memberIds)}) AND v.submittedAt < ? AND ${DUE} AND v.nextFollowUpAt >= ? AND v.nextFollowUpAt < ?`;
  const params = [...memberIds, end, now, start, end];
  const [count] = await sql.rows<{ n: unknown }>(SQL`SELECT COUNT(*) AS n FROM visit v WHERE ${where}`, params);
  const rows = await sql.rows<{ visitId: number; customerId: number; customerName: string; memberId: number; agreedAction: string | null; nextFollowUpAt: Date | string; actionDoneAt: Date | string | null; onTime: unknown }>(
    SQL`SELECT v.id AS visitId, v.customerId AS customerId, c.name AS customerName, v.memberId AS memberId, v.agreedAction AS agreedAction, v.nextFollowUpAt AS nextFollowUpAt,
        v.actionDoneAt AS actionDoneAt, ${DONE} AS onTime
      FROM visit v JOIN customer c ON c.id = v.customerId WHERE ${where} ORDER BY v.nextFollowUpAt, v.id LIMIT ? OFFSET ?`,
    [...params, page.limit, page.offset],
  );
  return {
    total: num(count?.n),
    rows: rows.map((r) => ({
      visitId: Number(r.visitId), customerId: Number(r.customerId), customerName: r.customerName, memberId: Number(r.memberId), agreedAction: r.agreedAction,
      nextFollowUpAt: sqlDate(r.nextFollowUpAt)!, actionDoneAt: sqlDate(r.actionDoneAt), onTime: num(r.onTime) === 1,
    })),
  };
}

/**
 * An **effective contact** (有效接触): a visit submitted in the period with an objective, a traceable action (an
 * agreed action and its next follow-up time) and positive customer feedback (the first of options.customerFeedback).
 */
const EFFECTIVE = constSql("CASE WHEN v.objective IS NOT NULL AND v.objective <> '' AND v.agreedAction IS NOT NULL AND v.nextFollowUpAt IS NOT NULL AND v.customerFeedback = ? THEN 1 ELSE 0 END");

/** Per member: visits submitted in [start, end) and, of those, effective contacts. */
export async function effectiveContacts(sql: Sql, memberIds: readonly number[], start: Date, end: Date, positive: string): Promise<Array<{ memberId: number; visits: number; effective: number }>> {
  if (memberIds.length === 0) return [];
  const rows = await sql.rows<{ memberId: number; n: unknown; effective: unknown }>(
    SQL`SELECT v.memberId AS memberId, COUNT(*) AS n, SUM(${EFFECTIVE}) AS effective
      FROM visit v WHERE v.memberId IN (${ids(memberIds)}) AND v.submittedAt >= ? AND v.submittedAt < ? GROUP BY v.memberId`,
    [positive, ...memberIds, start, end],
  );
  return rows.map((r) => ({ memberId: Number(r.memberId), visits: num(r.n), effective: num(r.effective) }));
}

export interface ContactRow {
  id: number;
  customerId: number;
  customerName: string;
  memberId: number;
  submittedAt: Date;
  objective: string | null;
  agreedAction: string | null;
  nextFollowUpAt: Date | null;
  customerFeedback: string | null;
  effective: boolean;
}

/** The visits behind a member's ratio: all of the period's (`onlyEffective`: the effective contacts), oldest first. */
export async function contactRecords(sql: Sql, memberIds: readonly number[], start: Date, end: Date, positive: string, onlyEffective: boolean, page: { limit: number; offset: number }): Promise<{ rows: ContactRow[]; total: number }> {
  if (memberIds.length === 0) return { rows: [], total: 0 };
  const only = onlyEffective ? SQL` AND ${EFFECTIVE} = 1` : constSql('');
  const where = SQL`v.memberId IN (${ids(memberIds)}) AND v.submittedAt >= ? AND v.submittedAt < ?${only}`;
  const params = [...memberIds, start, end, ...(onlyEffective ? [positive] : [])];
  const [count] = await sql.rows<{ n: unknown }>(SQL`SELECT COUNT(*) AS n FROM visit v WHERE ${where}`, params);
  const rows = await sql.rows<{ id: number; customerId: number; customerName: string; memberId: number; submittedAt: Date | string; objective: string | null; agreedAction: string | null; nextFollowUpAt: Date | string | null; customerFeedback: string | null; effective: unknown }>(
    SQL`SELECT v.id AS id, v.customerId AS customerId, c.name AS customerName, v.memberId AS memberId, v.submittedAt AS submittedAt, v.objective AS objective, v.agreedAction AS agreedAction,
        v.nextFollowUpAt AS nextFollowUpAt, v.customerFeedback AS customerFeedback, ${EFFECTIVE} AS effective
      FROM visit v JOIN customer c ON c.id = v.customerId WHERE ${where} ORDER BY v.submittedAt, v.id LIMIT ? OFFSET ?`,
    [positive, ...params, page.limit, page.offset],
  );
  return {
    total: num(count?.n),
    rows: rows.map((r) => ({
      id: Number(r.id), customerId: Number(r.customerId), customerName: r.customerName, memberId: Number(r.memberId), submittedAt: sqlDate(r.submittedAt)!, objective: r.objective,
      agreedAction: r.agreedAction, nextFollowUpAt: sqlDate(r.nextFollowUpAt), customerFeedback: r.customerFeedback, effective: num(r.effective) === 1,
    })),
  };
}
