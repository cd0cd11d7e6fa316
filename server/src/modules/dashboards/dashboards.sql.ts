import { SQL, constSql, placeholders, sqlDate, type ConstSql, type Sql } from '../../db/sql';

/**
 * Every dashboard number, counted where its rows are. This module reads (never writes) the tables of
 * visits, customers, check-ins, tasks and the org (`reads` in its definition); each query is the one
 * definition of its metric, in the words of README «Metrics». The same text runs on MariaDB/MySQL and
 * the embedded SQLite, except the two spots a dialect decides (`Dialect`).
 */

/** What differs between MariaDB/MySQL and SQLite: seconds between two datetimes, characters of a text. */
export interface Dialect {
  seconds(from: ConstSql, to: ConstSql): ConstSql;
  chars(text: ConstSql): ConstSql;
}
export const dialectOf = (sqlite: boolean): Dialect =>
  sqlite
    ? { seconds: (a, b) => SQL`CAST(ROUND((julianday(${b}) - julianday(${a})) * 86400) AS INTEGER)`, chars: (t) => SQL`LENGTH(${t})` }
    : { seconds: (a, b) => SQL`TIMESTAMPDIFF(SECOND, ${a}, ${b})`, chars: (t) => SQL`CHAR_LENGTH(${t})` };

const ids = (list: readonly number[]) => placeholders(list.length);
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
/** A LIKE pattern for "contains `text`", with `!` as the escape character (the same on both databases). */
export const containsPattern = (text: string) => `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;

/** `(a LIKE ? ESCAPE '!' OR b LIKE ? …)` over each phrase × each column, with its parameters. */
function anyPhrase(columns: readonly ConstSql[], phrases: readonly string[]): { text: ConstSql; params: string[] } {
  let text: ConstSql | null = null;
  const params: string[] = [];
  for (const phrase of phrases) {
    for (const column of columns) {
      text = text === null ? SQL`${column} LIKE ? ESCAPE '!'` : SQL`${text} OR ${column} LIKE ? ESCAPE '!'`;
      params.push(containsPattern(phrase));
    }
  }
  return { text: SQL`(${text ?? constSql('1 = 0')})`, params };
}

const VISIT_TEXTS = [constSql('v.painPoint'), constSql('v.dialogueSummary'), constSql('v.customerVerbatim')] as const;

// ── pipeline ─────────────────────────────────────────────────────────────────────────────────────

/**
 * Customers per stage, and per stage how many are overdue by the one shared rule (shared/src/overdue.ts:
 * stage not excluded, not closed as lost, and COALESCE(lastFollowUpAt, createdAt) older than the cutoff), over the owners shown.
 * A snapshot of now: the period does not apply. Read from the index idx_customer_pipeline alone (owner, stage,
 * closedAt, lastFollowUpAt, createdAt), grouped in its order (per owner and stage, summed here: no temporary table).
 */
export async function pipelineCounts(sql: Sql, ownerIds: readonly number[], excluded: readonly string[], cutoff: Date): Promise<Array<{ stage: string; customers: number; overdue: number }>> {
  if (ownerIds.length === 0) return [];
  const notExcluded = excluded.length ? SQL`stage NOT IN (${placeholders(excluded.length)})` : constSql('1 = 1');
  const rows = await sql.rows<{ stage: string; n: unknown; overdue: unknown }>(
    SQL`SELECT stage, COUNT(*) AS n, SUM(CASE WHEN ${notExcluded} AND closedAt IS NULL AND COALESCE(lastFollowUpAt, createdAt) < ? THEN 1 ELSE 0 END) AS overdue
      FROM customer WHERE ownerId IN (${ids(ownerIds)}) GROUP BY ownerId, stage`,
    [...excluded, cutoff, ...ownerIds],
  );
  const byStage = new Map<string, { stage: string; customers: number; overdue: number }>();
  for (const r of rows) {
    const s = byStage.get(r.stage) ?? { stage: r.stage, customers: 0, overdue: 0 };
    s.customers += num(r.n);
    s.overdue += num(r.overdue);
    byStage.set(r.stage, s);
  }
  return [...byStage.values()];
}

export interface PipelineCustomerRow {
  id: number;
  name: string;
  stage: string;
  ownerId: number;
  lastFollowUpAt: Date | null;
  createdAt: Date;
  closedAt: Date | null;
}

/** The customers behind a stage's count or the overdue count (oldest follow-up first), one page. */
export async function pipelineCustomers(
  sql: Sql,
  ownerIds: readonly number[],
  filter: { stage?: string | undefined; overdue?: { excluded: readonly string[]; cutoff: Date } | undefined },
  page: { limit: number; offset: number },
): Promise<{ rows: PipelineCustomerRow[]; total: number }> {
  if (ownerIds.length === 0) return { rows: [], total: 0 };
  const stage = filter.stage !== undefined ? constSql(' AND stage = ?') : constSql('');
  const overdue = filter.overdue
    ? filter.overdue.excluded.length
      ? SQL` AND stage NOT IN (${placeholders(filter.overdue.excluded.length)}) AND closedAt IS NULL AND COALESCE(lastFollowUpAt, createdAt) < ?`
      : constSql(' AND closedAt IS NULL AND COALESCE(lastFollowUpAt, createdAt) < ?')
    : constSql('');
  const params = [...ownerIds, ...(filter.stage !== undefined ? [filter.stage] : []), ...(filter.overdue ? [...filter.overdue.excluded, filter.overdue.cutoff] : [])];
  const where = SQL`ownerId IN (${ids(ownerIds)})${stage}${overdue}`;
  // the page's ids sorted, and the count, in one pass over the index idx_customer_pipeline alone; then the page's rows
  // (not every match's row for the sort). A page past the end has no row to carry the count: counted apart.
  const found = await sql.rows<{ id: unknown; total: unknown }>(
    SQL`SELECT id, COUNT(*) OVER () AS total FROM customer WHERE ${where} ORDER BY COALESCE(lastFollowUpAt, createdAt), id LIMIT ? OFFSET ?`, [...params, page.limit, page.offset],
  );
  const pageIds = found.map((r) => Number(r.id));
  const [count] = found.length ? [{ n: found[0]!.total }] : await sql.rows<{ n: unknown }>(SQL`SELECT COUNT(*) AS n FROM customer WHERE ${where}`, params);
  const rows = pageIds.length === 0 ? [] : await sql.rows<{ id: number; name: string; stage: string; ownerId: number; lastFollowUpAt: Date | string | null; createdAt: Date | string; closedAt: Date | string | null }>(
    SQL`SELECT id, name, stage, ownerId, lastFollowUpAt, createdAt, closedAt FROM customer WHERE id IN (${ids(pageIds)}) ORDER BY COALESCE(lastFollowUpAt, createdAt), id`,
    pageIds,
  );
  return {
    total: num(count?.n),
    rows: rows.map((r) => ({ id: Number(r.id), name: r.name, stage: r.stage, ownerId: Number(r.ownerId), lastFollowUpAt: sqlDate(r.lastFollowUpAt), createdAt: sqlDate(r.createdAt)!, closedAt: sqlDate(r.closedAt) })),
  };
}

// ── visits: follow-up duration (behaviour heatmap) and quality ───────────────────────────────────

/**
 * A submitted visit's next recorded contact: the next submitted visit to the same customer, by anyone
 * (index idx_visit_customer (customerId, submittedAt)). None yet: the visit is still waiting.
 */
const NEXT_CONTACT = constSql('(SELECT MIN(n.submittedAt) FROM visit n WHERE n.customerId = v.customerId AND n.submittedAt > v.submittedAt)');

export interface VisitAggregate {
  memberId: number;
  objective: string;
  visits: number;
  /** Σ follow-up duration: submission → next contact, or → now while waiting */
  waitSeconds: number;
  /** Σ characters of the pain summaries */
  painChars: number;
  /** visits whose promised next follow-up is due (its time + grace has passed, or a contact came in time) */
  followUpsDue: number;
  /** of those, the next contact was recorded no later than the promised time + grace */
  followUpsOnTime: number;
}

/**
 * Per member and objective, over visits submitted in [start, end) by `memberIds` (index idx_visit_member
 * (memberId, submittedAt)): count, Σ follow-up seconds, Σ pain-summary characters, follow-ups due and on time.
 */
export async function visitAggregates(sql: Sql, d: Dialect, memberIds: readonly number[], start: Date, end: Date, now: Date, graceSeconds: number): Promise<VisitAggregate[]> {
  if (memberIds.length === 0) return [];
  const wait = d.seconds(constSql('x.submittedAt'), constSql('COALESCE(x.nextAt, ?)'));
  const late = d.seconds(constSql('x.nextFollowUpAt'), constSql('x.nextAt'));
  const onTime = SQL`x.nextAt IS NOT NULL AND x.nextFollowUpAt IS NOT NULL AND ${late} <= ?`;
  const rows = await sql.rows<{ memberId: number; objective: string; n: unknown; waitSeconds: unknown; painChars: unknown; due: unknown; onTime: unknown }>(
    SQL`SELECT x.memberId AS memberId, x.objective AS objective, COUNT(*) AS n, SUM(${wait}) AS waitSeconds, SUM(${d.chars(constSql('x.painPoint'))}) AS painChars,
        SUM(CASE WHEN ${onTime} THEN 1 ELSE 0 END) AS onTime,
        SUM(CASE WHEN x.nextFollowUpAt IS NOT NULL AND ((${onTime}) OR x.nextFollowUpAt <= ?) THEN 1 ELSE 0 END) AS due
      FROM (SELECT v.memberId, v.objective, v.painPoint, v.submittedAt, v.nextFollowUpAt, ${NEXT_CONTACT} AS nextAt
            FROM visit v WHERE v.memberId IN (${ids(memberIds)}) AND v.submittedAt >= ? AND v.submittedAt < ?) x
      GROUP BY x.memberId, x.objective`,
    [now, graceSeconds, graceSeconds, new Date(now.getTime() - graceSeconds * 1000), ...memberIds, start, end],
  );
  return rows.map((r) => ({
    memberId: Number(r.memberId), objective: r.objective, visits: num(r.n), waitSeconds: num(r.waitSeconds), painChars: num(r.painChars), followUpsDue: num(r.due), followUpsOnTime: num(r.onTime),
  }));
}

export interface VisitFactRow {
  id: number;
  memberId: number;
  customerId: number;
  customerName: string;
  objective: string;
  painPoint: string;
  submittedAt: Date;
  nextFollowUpAt: Date | null;
  nextContactAt: Date | null;
}

/** The visits behind a heatmap cell or a quality row (one member's), or a team's average: in the period, optionally one objective. */
export async function visitFacts(sql: Sql, memberIds: readonly number[], start: Date, end: Date, objective: string | undefined, page: { limit: number; offset: number }): Promise<{ rows: VisitFactRow[]; total: number }> {
  if (memberIds.length === 0) return { rows: [], total: 0 };
  const byObjective = objective !== undefined ? constSql(' AND v.objective = ?') : constSql('');
  const params = [...memberIds, start, end, ...(objective !== undefined ? [objective] : [])];
  const where = SQL`v.memberId IN (${ids(memberIds)}) AND v.submittedAt >= ? AND v.submittedAt < ?${byObjective}`;
  const [count] = await sql.rows<{ n: unknown }>(SQL`SELECT COUNT(*) AS n FROM visit v WHERE ${where}`, params);
  const rows = await sql.rows<{ id: number; memberId: number; customerId: number; customerName: string; objective: string; painPoint: string; submittedAt: Date | string; nextFollowUpAt: Date | string | null; nextAt: Date | string | null }>(
    SQL`SELECT v.id AS id, v.memberId AS memberId, v.customerId AS customerId, c.name AS customerName, v.objective AS objective, v.painPoint AS painPoint,
        v.submittedAt AS submittedAt, v.nextFollowUpAt AS nextFollowUpAt, ${NEXT_CONTACT} AS nextAt
      FROM visit v JOIN customer c ON c.id = v.customerId WHERE ${where} ORDER BY v.submittedAt, v.id LIMIT ? OFFSET ?`,
    [...params, page.limit, page.offset],
  );
  return {
    total: num(count?.n),
    rows: rows.map((r) => ({
      id: Number(r.id), memberId: Number(r.memberId), customerId: Number(r.customerId), customerName: r.customerName, objective: r.objective, painPoint: r.painPoint ?? '',
      submittedAt: sqlDate(r.submittedAt)!, nextFollowUpAt: sqlDate(r.nextFollowUpAt), nextContactAt: sqlDate(r.nextAt),
    })),
  };
}

// ── action penetration ───────────────────────────────────────────────────────────────────────────

/** One key action's source: where its trigger and completion are, and whose it is. */
export interface KeyActionSource {
  /** FROM … with the alias k */
  from: ConstSql;
  trigger: ConstSql;
  completion: ConstSql;
  owner: ConstSql;
  /** rows that are this key action at all */
  where: ConstSql;
  customer: ConstSql;
}

/**
 * lead_assigned → first_touch: a lead's clock (customer.leadAssignedAt, set when it is created, imported
 * or reassigned untouched) and its first touch (customer.firstTouchAt); the lead's owner's; a lead closed as lost
 * untouched is not due (reopened, it is due again on its fresh clock).
 * visit_submitted → supervisor_confirmed: the visit's next-action to-do (task kind visit_next_action,
 * created with the visit) and its confirmation (completedAt, a cancelled one is not due); the rep's.
 */
export type KeyTrigger = 'lead_assigned' | 'visit_submitted';
export const SOURCES: Record<KeyTrigger, KeyActionSource> = {
  lead_assigned: {
    from: constSql('customer k'), trigger: constSql('k.leadAssignedAt'), completion: constSql('k.firstTouchAt'), owner: constSql('k.ownerId'),
    // a lead closed as lost (丢单) while untouched waits for nothing and is never late (the home screen's rule): not due
    where: constSql('k.leadAssignedAt IS NOT NULL AND (k.firstTouchAt IS NOT NULL OR k.closedAt IS NULL)'), customer: constSql('k.id'),
  },
  visit_submitted: {
    from: constSql('task k'), trigger: constSql('k.createdAt'), completion: constSql("CASE WHEN k.outcome IS NULL OR k.outcome <> 'cancelled' THEN k.completedAt END"), owner: constSql('k.requesterId'),
    where: constSql("k.kind = 'visit_next_action' AND (k.outcome IS NULL OR k.outcome <> 'cancelled')"), customer: constSql('k.customerId'),
  },
};

/**
 * Per month: key actions due (trigger + deadline falls in the month and has passed) and done on time
 * (completion no later than trigger + deadline). A month is [starts[i], starts[i+1]); the due instant is
 * bucketed by shifting the months back by the deadline, so the index on the trigger serves the range.
 * `dueFrom`: only those due at or after it (the live part beside the rollup, penetration.rollup.ts).
 */
export async function penetrationByMonth(
  sql: Sql, d: Dialect, trigger: keyof typeof SOURCES, ownerIds: readonly number[], monthStarts: readonly Date[], deadlineSeconds: number, now: Date, dueFrom?: Date,
): Promise<Array<{ month: number; due: number; done: number }>> {
  if (ownerIds.length === 0 || monthStarts.length < 2) return [];
  const s = SOURCES[trigger];
  const shift = (at: Date) => new Date(at.getTime() - deadlineSeconds * 1000);
  let bucket = constSql('CASE');
  const bucketParams: unknown[] = [];
  for (let i = 0; i + 1 < monthStarts.length; i++) {
    bucket = SQL`${bucket} WHEN ${s.trigger} >= ? AND ${s.trigger} < ? THEN ?`;
    bucketParams.push(shift(monthStarts[i]!), shift(monthStarts[i + 1]!), i);
  }
  bucket = SQL`${bucket} END`;
  const onTime = SQL`${s.completion} IS NOT NULL AND ${d.seconds(s.trigger, s.completion)} <= ?`;
  const first = shift(dueFrom && dueFrom.getTime() > monthStarts[0]!.getTime() ? dueFrom : monthStarts[0]!);
  const rows = await sql.rows<{ bucket: unknown; due: unknown; done: unknown }>(
    SQL`SELECT ${bucket} AS bucket, COUNT(*) AS due, SUM(CASE WHEN ${onTime} THEN 1 ELSE 0 END) AS done
      FROM ${s.from} WHERE ${s.where} AND ${s.owner} IN (${ids(ownerIds)}) AND ${s.trigger} >= ? AND ${s.trigger} < ? AND ${s.trigger} <= ?
      GROUP BY bucket`,
    [...bucketParams, deadlineSeconds, ...ownerIds, first, shift(monthStarts[monthStarts.length - 1]!), shift(now)],
  );
  return rows.map((r) => ({ month: num(r.bucket), due: num(r.due), done: num(r.done) }));
}

export interface KeyActionRow {
  customerId: number | null;
  customerName: string | null;
  ownerId: number;
  triggeredAt: Date;
  completedAt: Date | null;
}

/** The key actions behind one month's cell: each due one, with its completion (oldest first). */
export async function penetrationRecords(
  sql: Sql, trigger: keyof typeof SOURCES, ownerIds: readonly number[], monthStart: Date, monthEnd: Date, deadlineSeconds: number, now: Date, page: { limit: number; offset: number },
): Promise<{ rows: KeyActionRow[]; total: number }> {
  if (ownerIds.length === 0) return { rows: [], total: 0 };
  const s = SOURCES[trigger];
  const shift = (at: Date) => new Date(at.getTime() - deadlineSeconds * 1000);
  const where = SQL`${s.where} AND ${s.owner} IN (${ids(ownerIds)}) AND ${s.trigger} >= ? AND ${s.trigger} < ? AND ${s.trigger} <= ?`;
  const params = [...ownerIds, shift(monthStart), shift(monthEnd), shift(now)];
  const [count] = await sql.rows<{ n: unknown }>(SQL`SELECT COUNT(*) AS n FROM ${s.from} WHERE ${where}`, params);
  const rows = await sql.rows<{ customerId: number | null; customerName: string | null; ownerId: number; triggeredAt: Date | string; completedAt: Date | string | null }>(
    SQL`SELECT ${s.customer} AS customerId, c.name AS customerName, ${s.owner} AS ownerId, ${s.trigger} AS triggeredAt, ${s.completion} AS completedAt
      FROM ${s.from} LEFT JOIN customer c ON c.id = ${s.customer} WHERE ${where} ORDER BY ${s.trigger}, ${s.customer} LIMIT ? OFFSET ?`,
    [...params, page.limit, page.offset],
  );
  return {
    total: num(count?.n),
    rows: rows.map((r) => ({
      customerId: r.customerId === null ? null : Number(r.customerId), customerName: r.customerName, ownerId: Number(r.ownerId),
      triggeredAt: sqlDate(r.triggeredAt)!, completedAt: sqlDate(r.completedAt),
    })),
  };
}

// ── check-ins ────────────────────────────────────────────────────────────────────────────────────

/** Check-in rows per member, day and status over local days [from, to] (index uq_checkin_member_day_slot). */
export async function checkinCounts(sql: Sql, memberIds: readonly number[], from: string, to: string): Promise<Array<{ memberId: number; day: string; status: string; n: number }>> {
  if (memberIds.length === 0) return [];
  const rows = await sql.rows<{ memberId: number; day: string; status: string; n: unknown }>(
    SQL`SELECT memberId, day, status, COUNT(*) AS n FROM checkin WHERE memberId IN (${ids(memberIds)}) AND day >= ? AND day <= ? GROUP BY memberId, day, status`,
    [...memberIds, from, to],
  );
  return rows.map((r) => ({ memberId: Number(r.memberId), day: r.day, status: r.status, n: num(r.n) }));
}

/** The check-ins behind one cell: a member's rows of one day. */
export async function checkinRecords(sql: Sql, memberId: number, day: string): Promise<Array<{ id: number; kind: string; slot: string; status: string; checkedInAt: Date | null; customerId: number | null; customerName: string | null; visitId: number | null }>> {
  const rows = await sql.rows<{ id: number; kind: string; slot: string; status: string; checkedInAt: Date | string | null; customerId: number | null; customerName: string | null; visitId: number | null }>(
    SQL`SELECT k.id AS id, k.kind AS kind, k.slot AS slot, k.status AS status, k.checkedInAt AS checkedInAt, k.customerId AS customerId, c.name AS customerName, k.visitId AS visitId
      FROM checkin k LEFT JOIN customer c ON c.id = k.customerId WHERE k.memberId = ? AND k.day = ? ORDER BY k.windowClosesAt, k.id`,
    [memberId, day],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), checkedInAt: sqlDate(r.checkedInAt), customerId: r.customerId === null ? null : Number(r.customerId), visitId: r.visitId === null ? null : Number(r.visitId) }));
}

// ── word cloud ───────────────────────────────────────────────────────────────────────────────────

/** The texts the word cloud segments: pain points of visits in [start, end) and morning core needs of days [from, to]. */
export async function demandTexts(sql: Sql, memberIds: readonly number[], start: Date, end: Date, from: string, to: string, like?: string): Promise<Array<{ kind: 'visit' | 'checkin'; id: number; memberId: number; customerId: number | null; customerName: string | null; at: Date | null; text: string }>> {
  if (memberIds.length === 0) return [];
  const visitLike = like !== undefined ? constSql(" AND v.painPoint LIKE ? ESCAPE '!'") : constSql('');
  const checkinLike = like !== undefined ? constSql(" AND k.answers LIKE ? ESCAPE '!'") : constSql('');
  const pattern = like !== undefined ? [containsPattern(like)] : [];
  const visits = await sql.rows<{ id: number; memberId: number; customerId: number; customerName: string; at: Date | string; text: string | null }>(
    SQL`SELECT v.id AS id, v.memberId AS memberId, v.customerId AS customerId, c.name AS customerName, v.submittedAt AS at, v.painPoint AS text
      FROM visit v JOIN customer c ON c.id = v.customerId WHERE v.memberId IN (${ids(memberIds)}) AND v.submittedAt >= ? AND v.submittedAt < ?${visitLike} ORDER BY v.submittedAt, v.id`,
    [...memberIds, start, end, ...pattern],
  );
  const checkins = await sql.rows<{ id: number; memberId: number; customerId: number | null; customerName: string | null; at: Date | string | null; answers: string | null }>(
    SQL`SELECT k.id AS id, k.memberId AS memberId, k.customerId AS customerId, c.name AS customerName, k.checkedInAt AS at, k.answers AS answers
      FROM checkin k LEFT JOIN customer c ON c.id = k.customerId
      WHERE k.memberId IN (${ids(memberIds)}) AND k.day >= ? AND k.day <= ? AND k.kind = 'morning' AND k.answers IS NOT NULL${checkinLike} ORDER BY k.day, k.id`,
    [...memberIds, from, to, ...pattern],
  );
  const coreNeed = coreNeedOf;
  return [
    ...visits.map((v) => ({ kind: 'visit' as const, id: Number(v.id), memberId: Number(v.memberId), customerId: Number(v.customerId), customerName: v.customerName, at: sqlDate(v.at), text: v.text ?? '' })),
    ...checkins.map((k) => ({ kind: 'checkin' as const, id: Number(k.id), memberId: Number(k.memberId), customerId: k.customerId === null ? null : Number(k.customerId), customerName: k.customerName, at: sqlDate(k.at), text: coreNeed(k.answers) })),
  ];
}

/**
 * The word cloud's texts alone (what `demandTexts` selects, without the records' details or order): pain points of
 * visits in [start, end) and morning core needs of days [from, to]. Index idx_visit_member, uq_checkin_member_day_slot.
 */
export async function demandTextsOnly(sql: Sql, memberIds: readonly number[], start: Date, end: Date, from: string, to: string): Promise<string[]> {
  if (memberIds.length === 0) return [];
  const visits = await sql.rows<{ text: string | null }>(
    SQL`SELECT v.painPoint AS text FROM visit v WHERE v.memberId IN (${ids(memberIds)}) AND v.submittedAt >= ? AND v.submittedAt < ?`,
    [...memberIds, start, end],
  );
  const checkins = await sql.rows<{ answers: string | null }>(
    SQL`SELECT k.answers AS answers FROM checkin k WHERE k.memberId IN (${ids(memberIds)}) AND k.day >= ? AND k.day <= ? AND k.kind = 'morning' AND k.answers IS NOT NULL`,
    [...memberIds, from, to],
  );
  return [...visits.map((v) => v.text ?? ''), ...checkins.map((k) => coreNeedOf(k.answers))];
}

/** A morning check-in's core need from its answers ('' when it has none). */
function coreNeedOf(answers: string | null): string {
  try {
    const parsed = JSON.parse(answers ?? 'null') as { coreNeed?: unknown } | null;
    return typeof parsed?.coreNeed === 'string' ? parsed.coreNeed : '';
  } catch {
    return '';
  }
}

// ── business counters ────────────────────────────────────────────────────────────────────────────

export interface CounterEvidence {
  customerId: number;
  customerName: string;
  ownerId: number;
  /** what recognised it: a visit's words, or re-entering 报价 */
  reason: 'visit_text' | 'quote_again';
  at: Date;
  visitId: number | null;
  text: string | null;
}

type EvidenceRow = { customerId: number; customerName: string; ownerId: number; at: Date | string; visitId: number | null; painPoint: string | null; dialogueSummary: string | null; customerVerbatim: string | null };
const evidence = (reason: CounterEvidence['reason']) => (r: EvidenceRow): CounterEvidence => ({
  customerId: Number(r.customerId), customerName: r.customerName, ownerId: Number(r.ownerId), reason, at: sqlDate(r.at)!, visitId: r.visitId === null ? null : Number(r.visitId),
  text: r.visitId === null ? null : [r.painPoint, r.dialogueSummary, r.customerVerbatim].filter(Boolean).join(' / '),
});

/** A submitted visit `v` whose pain point, dialogue summary or customer's words hold one of the phrases (要求二次报价's words). */
export const phraseMatch = (phrases: readonly string[]) => anyPhrase(VISIT_TEXTS, phrases);

/**
 * 签约后询问交付's visit: `v`'s texts hold a delivery phrase, no later than `withinDays` after a move of its customer
 * into 签约 that came before it (index idx_stage_change_customer).
 */
export function deliveryMatch(d: Dialect, phrases: readonly string[], withinDays: number): { text: ConstSql; params: unknown[] } {
  const match = anyPhrase(VISIT_TEXTS, phrases);
  return {
    text: SQL`${match.text} AND EXISTS (SELECT 1 FROM customer_stage_change s WHERE s.customerId = v.customerId AND s.toStage = 'signed' AND s.changedAt <= v.submittedAt
                    AND ${d.seconds(constSql('s.changedAt'), constSql('v.submittedAt'))} <= ?)`,
    params: [...match.params, withinDays * 86_400],
  };
}

/** The customers (owned by `ownerIds`) with a visit submitted in [start, end) that `match` selects, with the visit. */
export async function visitTextEvidence(sql: Sql, ownerIds: readonly number[], start: Date, end: Date, match: { text: ConstSql; params: readonly unknown[] }): Promise<CounterEvidence[]> {
  if (ownerIds.length === 0) return [];
  const rows = await sql.rows<EvidenceRow>(
    SQL`SELECT c.id AS customerId, c.name AS customerName, c.ownerId AS ownerId, v.submittedAt AS at, v.id AS visitId, v.painPoint AS painPoint, v.dialogueSummary AS dialogueSummary, v.customerVerbatim AS customerVerbatim
      FROM customer c JOIN visit v ON v.customerId = c.id
      WHERE c.ownerId IN (${ids(ownerIds)}) AND v.submittedAt >= ? AND v.submittedAt < ? AND ${match.text} ORDER BY v.submittedAt, v.id`,
    [...ownerIds, start, end, ...match.params],
  );
  return rows.map(evidence('visit_text'));
}

/**
 * For each condition of `matches`, the customers (owned by `ownerIds`) with a visit submitted in [start, end) it selects:
 * one pass over the visits for several counters (the counters' live part).
 */
const FLAGS = [constSql('m0'), constSql('m1'), constSql('m2'), constSql('m3')] as const;
export async function visitTextCustomers(sql: Sql, ownerIds: readonly number[], start: Date, end: Date, matches: ReadonlyArray<{ text: ConstSql; params: readonly unknown[] }>): Promise<Array<Set<number>>> {
  const out = matches.map(() => new Set<number>());
  if (ownerIds.length === 0 || matches.length === 0) return out;
  if (matches.length > FLAGS.length) throw new Error(`visitTextCustomers: at most ${FLAGS.length} conditions`);
  let flags: ConstSql | null = null;
  let any: ConstSql | null = null;
  matches.forEach((m, i) => {
    const flag = SQL`CASE WHEN ${m.text} THEN 1 ELSE 0 END AS ${FLAGS[i]!}`;
    flags = flags === null ? flag : SQL`${flags}, ${flag}`;
    any = any === null ? SQL`(${m.text})` : SQL`${any} OR (${m.text})`;
  });
  const rows = await sql.rows<Record<string, unknown>>(
    SQL`SELECT v.customerId AS customerId, ${flags!} FROM customer c JOIN visit v ON v.customerId = c.id
      WHERE c.ownerId IN (${ids(ownerIds)}) AND v.submittedAt >= ? AND v.submittedAt < ? AND (${any!})`,
    [...matches.flatMap((m) => m.params), ...ownerIds, start, end, ...matches.flatMap((m) => m.params)],
  );
  for (const r of rows) matches.forEach((_, i) => num(r[`m${i}`]) === 1 && out[i]!.add(Number(r.customerId)));
  return out;
}

/** 要求二次报价's other sign: a move into 报价 in [start, end) when the customer had entered 报价 before (index idx_stage_change_customer). */
export async function quoteAgainEvidence(sql: Sql, ownerIds: readonly number[], start: Date, end: Date): Promise<CounterEvidence[]> {
  if (ownerIds.length === 0) return [];
  const again = await sql.rows<EvidenceRow>(
    SQL`SELECT c.id AS customerId, c.name AS customerName, c.ownerId AS ownerId, s.changedAt AS at, NULL AS visitId, NULL AS painPoint, NULL AS dialogueSummary, NULL AS customerVerbatim
      FROM customer c JOIN customer_stage_change s ON s.customerId = c.id
      WHERE c.ownerId IN (${ids(ownerIds)}) AND s.toStage = 'quote' AND s.changedAt >= ? AND s.changedAt < ?
        AND EXISTS (SELECT 1 FROM customer_stage_change p WHERE p.customerId = s.customerId AND p.toStage = 'quote' AND (p.changedAt < s.changedAt OR (p.changedAt = s.changedAt AND p.id < s.id)))
      ORDER BY s.changedAt, s.id`,
    [...ownerIds, start, end],
  );
  return again.map(evidence('quote_again'));
}

/**
 * 要求二次报价: customers (owned by `ownerIds`) with, in [start, end), a submitted visit whose pain point,
 * dialogue summary or customer's words hold a second-quote phrase, or a move into 报价 when the customer
 * had entered 报价 before (index idx_stage_change_customer).
 */
export async function secondQuoteEvidence(sql: Sql, ownerIds: readonly number[], start: Date, end: Date, phrases: readonly string[]): Promise<CounterEvidence[]> {
  if (ownerIds.length === 0) return [];
  const byText = await visitTextEvidence(sql, ownerIds, start, end, phraseMatch(phrases));
  const again = await quoteAgainEvidence(sql, ownerIds, start, end);
  return [...byText, ...again].sort((a, b) => a.at.getTime() - b.at.getTime() || a.customerId - b.customerId);
}

/**
 * 签约后询问交付: customers (owned by `ownerIds`) with a visit submitted in [start, end) whose texts hold a
 * delivery phrase, no later than `withinDays` after a move of the customer into 签约 that came before it.
 */
export async function deliveryAskEvidence(sql: Sql, d: Dialect, ownerIds: readonly number[], start: Date, end: Date, phrases: readonly string[], withinDays: number): Promise<CounterEvidence[]> {
  return visitTextEvidence(sql, ownerIds, start, end, deliveryMatch(d, phrases, withinDays));
}
