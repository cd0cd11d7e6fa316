import { SQL, constSql, type ConstSql, type Sql } from '../../db/sql';

/**
 * The mining query: per chunk of visit ids, each visit of the window with what a play is keyed and split by
 * (region, bottleneck, objective, value point, agreed action, the customer's industry and hospital level), its
 * cohort (0: not a new rep; 1: a new rep, no play copied; 2: a new rep who copied a play) and whether a lasting
 * advance followed it, decided in SQL. The rows are added up in the process as they come, chunk by chunk (never
 * all visits at once). Not GROUP BY in SQL: value points are free text, so nearly every visit is its own group and
 * MariaDB sorted them through an on-disk temporary table — measured 2.5× slower than sending the rows (bench/plays.ts).
 * It reads visits, customers, their stage history and the org (`reads` of the module), never writes them.
 */

/** What differs between MariaDB/MySQL and SQLite here: a datetime plus `?` days (the parameter goes where it stands). */
export interface PlayDialect {
  plusDays(at: ConstSql): ConstSql;
  days(n: number): unknown;
}
export const playDialect = (sqlite: boolean): PlayDialect =>
  sqlite
    ? { plusDays: (at) => SQL`strftime('%Y-%m-%d %H:%M:%f', ${at}, ?)`, days: (n) => `+${n} days` }
    : { plusDays: (at) => SQL`DATE_ADD(${at}, INTERVAL ? DAY)`, days: (n) => n };

// The six stages are fixed (SPEC §1): their order as a number. A stage not among them ranks 0.
const rank = (column: ConstSql) =>
  SQL`(CASE ${column} WHEN 'lead' THEN 1 WHEN 'visit' THEN 2 WHEN 'proposal' THEN 3 WHEN 'quote' THEN 4 WHEN 'signed' THEN 5 WHEN 'delivered' THEN 6 ELSE 0 END)`;

/**
 * The visit `v` worked: its customer moved forward a stage (a `stage` change to a later stage) after the
 * visit and within advanceWithinDays of it, and within holdDays of that move neither moved back to an
 * earlier stage nor was closed as lost. Parameters: advanceWithinDays, holdDays (as `days` gives them).
 */
export function advancedCondition(d: PlayDialect): ConstSql {
  return SQL`EXISTS (SELECT 1 FROM customer_stage_change s WHERE s.customerId = v.customerId AND s.kind = 'stage' AND s.fromStage IS NOT NULL
      AND s.changedAt > v.submittedAt AND s.changedAt <= ${d.plusDays(constSql('v.submittedAt'))}
      AND ${rank(constSql('s.toStage'))} > ${rank(constSql('s.fromStage'))}
      AND NOT EXISTS (SELECT 1 FROM customer_stage_change b WHERE b.customerId = s.customerId AND b.changedAt > s.changedAt
        AND b.changedAt <= ${d.plusDays(constSql('s.changedAt'))}
        AND (b.kind = 'closed_lost' OR (b.kind = 'stage' AND b.fromStage IS NOT NULL AND ${rank(constSql('b.toStage'))} < ${rank(constSql('s.toStage'))}))))`;
}

export interface MinedRow {
  regionId: number | string;
  bottleneck: string;
  objective: string;
  valuePoint: string;
  agreedAction: string | null;
  industry: string | null;
  hospitalLevel: string | null;
  cohort: number | string;
  advanced: number | string;
}

/** The first and last visit id submitted in [from, to] (idx_visit_submitted), or null when none. */
export async function visitIdRange(sql: Sql, from: Date, to: Date): Promise<{ lo: number; hi: number } | null> {
  const [row] = await sql.rows<{ lo: number | null; hi: number | null }>(SQL`SELECT MIN(id) AS lo, MAX(id) AS hi FROM visit WHERE submittedAt >= ? AND submittedAt <= ?`, [from, to]);
  return row?.lo == null || row.hi == null ? null : { lo: Number(row.lo), hi: Number(row.hi) };
}

export interface MineParams {
  from: Date;
  to: Date;
  advanceWithinDays: number;
  holdDays: number;
  newRepDays: number;
}

/** The visits with ids in [lo, hi), each with its cohort and whether it worked (see the file's comment). */
export function minedChunk(sql: Sql, d: PlayDialect, lo: number, hi: number, p: MineParams): Promise<MinedRow[]> {
  const region = constSql('COALESCE(m.regionId, t.regionId, 0)');
  const cohort = SQL`(CASE WHEN v.submittedAt < ${d.plusDays(constSql('COALESCE(m.joinedAt, m.createdAt)'))} THEN (CASE WHEN v.playKey IS NULL THEN 1 ELSE 2 END) ELSE 0 END)`;
  return sql.rows<MinedRow>(
    SQL`SELECT ${region} AS regionId, v.bottleneck AS bottleneck, v.objective AS objective, v.valuePoint AS valuePoint, v.agreedAction AS agreedAction,
        c.industry AS industry, c.hospitalLevel AS hospitalLevel, ${cohort} AS cohort,
        CASE WHEN ${advancedCondition(d)} THEN 1 ELSE 0 END AS advanced
      FROM visit v JOIN member m ON m.id = v.memberId LEFT JOIN team t ON t.id = m.teamId JOIN customer c ON c.id = v.customerId
      WHERE v.id >= ? AND v.id < ? AND v.submittedAt >= ? AND v.submittedAt <= ?
        AND v.bottleneck IS NOT NULL AND v.objective IS NOT NULL AND v.valuePoint IS NOT NULL`,
    [d.days(p.newRepDays), d.days(p.advanceWithinDays), d.days(p.holdDays), lo, hi, p.from, p.to],
  );
}
