import { STAGE_CODES } from '@anchor/shared';
import { SQL, constSql, placeholders, sqlDate, type Sql } from '../../db/sql';
import type { Dialect } from './dashboards.sql';

/**
 * The board table's rows (before / after) other than the lead key action (that one is the penetration
 * SQL's lead_assigned → first_touch over a single period): visit-record completeness, stage misjudgment and
 * new reps' days to their first signed deal. Each is the one definition of its row, in README «Metrics» words.
 */

const ids = (list: readonly number[]) => placeholders(list.length);
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

// ── visit-record completeness ────────────────────────────────────────────────────────────────────

/**
 * A visit record of the period: a visit row created in [start, end) for a member — one the rep submitted
 * (the server refuses a submission missing any of the three anchors and stores nothing, so a submitted visit
 * always holds them) or one created waiting when the customer entered 拜访. It is **complete** when submitted
 * within `withinSeconds` of its creation (a visit submitted directly: at once); it counts once complete or
 * once that time has passed. Refused submissions are not recorded anywhere, so they cannot be counted.
 */
export async function recordCompleteness(sql: Sql, d: Dialect, memberIds: readonly number[], start: Date, end: Date, now: Date, withinSeconds: number, page?: { limit: number; offset: number }) {
  if (memberIds.length === 0) return { due: 0, done: 0, rows: [] as RecordRow[], total: 0 };
  const complete = SQL`(v.submittedAt IS NOT NULL AND ${d.seconds(constSql('v.createdAt'), constSql('v.submittedAt'))} <= ?)`;
  // A record is submitted no earlier than it was created: (submittedAt IS NULL OR submittedAt ≥ start − a day of clock
  // slack) lets idx_visit_member (memberId, submittedAt) bound the scan instead of reading every visit of the members.
  const where = SQL`v.memberId IN (${ids(memberIds)}) AND (v.submittedAt IS NULL OR v.submittedAt >= ?) AND v.createdAt >= ? AND v.createdAt < ? AND (${complete} OR v.createdAt <= ?)`;
  const params = [...memberIds, new Date(start.getTime() - 86_400_000), start, end, withinSeconds, new Date(now.getTime() - withinSeconds * 1000)];
  const [count] = await sql.rows<{ n: unknown; done: unknown }>(SQL`SELECT COUNT(*) AS n, SUM(CASE WHEN ${complete} THEN 1 ELSE 0 END) AS done FROM visit v WHERE ${where}`, [withinSeconds, ...params]);
  const rows = page
    ? await sql.rows<{ id: number; customerId: number; customerName: string; memberId: number; createdAt: Date | string; submittedAt: Date | string | null; done: unknown }>(
        SQL`SELECT v.id AS id, v.customerId AS customerId, c.name AS customerName, v.memberId AS memberId, v.createdAt AS createdAt, v.submittedAt AS submittedAt,
            CASE WHEN ${complete} THEN 1 ELSE 0 END AS done
          FROM visit v JOIN customer c ON c.id = v.customerId WHERE ${where} ORDER BY v.createdAt, v.id LIMIT ? OFFSET ?`,
        [withinSeconds, ...params, page.limit, page.offset],
      )
    : [];
  return {
    due: num(count?.n), done: num(count?.done), total: num(count?.n),
    rows: rows.map((r): RecordRow => ({ id: Number(r.id), customerId: Number(r.customerId), customerName: r.customerName, memberId: Number(r.memberId), createdAt: sqlDate(r.createdAt)!, submittedAt: sqlDate(r.submittedAt), done: num(r.done) === 1 })),
  };
}
export interface RecordRow {
  id: number;
  customerId: number;
  customerName: string;
  memberId: number;
  createdAt: Date;
  submittedAt: Date | null;
  done: boolean;
}

// ── stage misjudgment ────────────────────────────────────────────────────────────────────────────

/** A stage's place in the funnel (线索 0 … 交付 5: STAGE_CODES' order), as SQL over a history row's stages. */
const RANK_TO = constSql("CASE s.toStage WHEN 'lead' THEN 0 WHEN 'visit' THEN 1 WHEN 'proposal' THEN 2 WHEN 'quote' THEN 3 WHEN 'signed' THEN 4 WHEN 'delivered' THEN 5 END");
const RANK_FROM = constSql("CASE s.fromStage WHEN 'lead' THEN 0 WHEN 'visit' THEN 1 WHEN 'proposal' THEN 2 WHEN 'quote' THEN 3 WHEN 'signed' THEN 4 WHEN 'delivered' THEN 5 END");
const QUOTE_RANK = STAGE_CODES.indexOf('quote');

export interface JudgmentRow {
  customerId: number;
  customerName: string;
  ownerId: number;
  /** the first forward move of the customer in the period */
  movedAt: Date;
  fromStage: string;
  toStage: string;
  /** what proved it wrong, after the move: 'back' (moved back) or 'closed_lost' (closed lost from 报价 or later); null: not (yet) */
  wrong: 'back' | 'closed_lost' | null;
  wrongAt: Date | null;
}

/**
 * Stage judgments of the period: customers (owned by `ownerIds`) moved **forward** in [start, end) (a stage
 * change to a later stage X). A judgment is **wrong** when, after that move (up to now), the customer moved back
 * to a stage before X, or was closed as lost (关闭/丢单) at 报价 or later (and not before X). One row per customer:
 * its first forward move of the period, and the first thing after it that proved it wrong.
 */
export async function stageJudgments(sql: Sql, ownerIds: readonly number[], start: Date, end: Date): Promise<JudgmentRow[]> {
  if (ownerIds.length === 0) return [];
  const moves = await sql.rows<{ id: number; customerId: number; customerName: string; ownerId: number; changedAt: Date | string; fromStage: string; toStage: string }>(
    SQL`SELECT s.id AS id, s.customerId AS customerId, c.name AS customerName, c.ownerId AS ownerId, s.changedAt AS changedAt, s.fromStage AS fromStage, s.toStage AS toStage
      FROM customer c JOIN customer_stage_change s ON s.customerId = c.id
      WHERE c.ownerId IN (${ids(ownerIds)}) AND s.changedAt >= ? AND s.changedAt < ? AND s.kind = 'stage' AND s.fromStage IS NOT NULL AND ${RANK_TO} > ${RANK_FROM}
      ORDER BY s.customerId, s.changedAt, s.id`,
    [...ownerIds, start, end],
  );
  const first = new Map<number, (typeof moves)[number]>();
  for (const m of moves) if (!first.has(Number(m.customerId))) first.set(Number(m.customerId), m);
  if (first.size === 0) return [];
  const customerIds = [...first.keys()];
  // every move back and every close at 报价 or later of these customers; which of them proves a judgment wrong is decided below
  const against = await sql.rows<{ id: number; customerId: number; changedAt: Date | string; kind: string; toStage: string }>(
    SQL`SELECT s.id AS id, s.customerId AS customerId, s.changedAt AS changedAt, s.kind AS kind, s.toStage AS toStage FROM customer_stage_change s
      WHERE s.customerId IN (${ids(customerIds)}) AND ((s.kind = 'stage' AND s.fromStage IS NOT NULL AND ${RANK_TO} < ${RANK_FROM}) OR (s.kind = 'closed_lost' AND ${RANK_TO} >= ?))
      ORDER BY s.customerId, s.changedAt, s.id`,
    [...customerIds, QUOTE_RANK],
  );
  const rankOf = (stage: string) => STAGE_CODES.indexOf(stage as (typeof STAGE_CODES)[number]);
  return customerIds.map((customerId) => {
    const m = first.get(customerId)!;
    const movedAt = sqlDate(m.changedAt)!;
    const judged = rankOf(m.toStage);
    const later = against.find((a) => {
      const at = sqlDate(a.changedAt)!.getTime();
      const after = at > movedAt.getTime() || (at === movedAt.getTime() && Number(a.id) > Number(m.id));
      return Number(a.customerId) === customerId && after && (a.kind === 'closed_lost' ? rankOf(a.toStage) >= judged : rankOf(a.toStage) < judged);
    });
    return {
      customerId, customerName: m.customerName, ownerId: Number(m.ownerId), movedAt, fromStage: m.fromStage, toStage: m.toStage,
      wrong: later ? (later.kind === 'closed_lost' ? ('closed_lost' as const) : ('back' as const)) : null, wrongAt: later ? sqlDate(later.changedAt) : null,
    };
  }).sort((a, b) => a.movedAt.getTime() - b.movedAt.getTime() || a.customerId - b.customerId);
}

// ── new reps' days to first signed deal ──────────────────────────────────────────────────────────

export interface NewRepRow {
  memberId: number;
  joinedAt: Date;
  /** the first move into 签约 of a customer the rep owns, after joining (up to now); null: none yet */
  firstSignedAt: Date | null;
  customerId: number | null;
  customerName: string | null;
}

/**
 * New reps of a period: reps among `memberIds` who joined (COALESCE(joinedAt, createdAt)) in
 * [start − newRepDays, start), i.e. fewer than newRepDays days before the period's start; each with their
 * first signed deal: the earliest stage change into 签约 of a customer they own, at or after joining.
 */
export async function newReps(sql: Sql, memberIds: readonly number[], start: Date, newRepDays: number): Promise<NewRepRow[]> {
  if (memberIds.length === 0) return [];
  const reps = await sql.rows<{ id: number; joinedAt: Date | string }>(
    SQL`SELECT m.id AS id, COALESCE(m.joinedAt, m.createdAt) AS joinedAt FROM member m
      WHERE m.id IN (${ids(memberIds)}) AND m.role = 'rep' AND COALESCE(m.joinedAt, m.createdAt) >= ? AND COALESCE(m.joinedAt, m.createdAt) < ? ORDER BY m.id`,
    [...memberIds, new Date(start.getTime() - newRepDays * 86_400_000), start],
  );
  const out: NewRepRow[] = [];
  for (const r of reps) {
    const joinedAt = sqlDate(r.joinedAt)!;
    const [signed] = await sql.rows<{ changedAt: Date | string; customerId: number; customerName: string }>(
      SQL`SELECT s.changedAt AS changedAt, c.id AS customerId, c.name AS customerName FROM customer c JOIN customer_stage_change s ON s.customerId = c.id
        WHERE c.ownerId = ? AND s.kind = 'stage' AND s.toStage = 'signed' AND s.changedAt >= ? ORDER BY s.changedAt, s.id LIMIT 1`,
      [Number(r.id), joinedAt],
    );
    out.push({ memberId: Number(r.id), joinedAt, firstSignedAt: signed ? sqlDate(signed.changedAt) : null, customerId: signed ? Number(signed.customerId) : null, customerName: signed?.customerName ?? null });
  }
  return out;
}

/** Members' join dates (COALESCE(joinedAt, createdAt)): the contact-efficiency hours start there. */
export async function joinDates(sql: Sql, memberIds: readonly number[]): Promise<Map<number, Date>> {
  if (memberIds.length === 0) return new Map();
  const rows = await sql.rows<{ id: number; joinedAt: Date | string }>(SQL`SELECT id, COALESCE(joinedAt, createdAt) AS joinedAt FROM member WHERE id IN (${ids(memberIds)})`, [...memberIds]);
  return new Map(rows.map((r) => [Number(r.id), sqlDate(r.joinedAt)!]));
}
