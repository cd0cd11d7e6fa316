import type { DashboardCounter } from '@anchor/shared';
import { SQL, constSql, placeholders, sqlDate, type ConstSql, type Sql } from '../../db/sql';
import { localDayOf } from './dashboards.rollup';

/**
 * The counters rollup (业务计数): dashboard_counter_day holds, per counter, local day and customer, that a visit
 * submitted that day (before the cut) is the counter's evidence by its words — 要求二次报价's phrases, or
 * 签约后询问交付's phrases within the days after 签约 (`match`, the same condition the raw count uses,
 * dashboards.sql.ts). A counter is a number of distinct customers, so the rows are customers, not sums: the
 * dashboard takes the distinct customers of the period's rows (owned, now, by the members shown), adds those
 * of the visits since the cut from the raw rows, and 报价 entered again from the stage changes (few rows).
 * The union equals the raw count (tests/server/dashboards-counters-rollup.test.ts).
 *
 * A submitted visit's texts do not change, and a stage change is recorded when it happens (after the visit it
 * could qualify), so a day's rows never change once counted: the recurring job `dashboards.rollup` counts the
 * days its cut passes. Rebuilt (a few days per statement, within the job's budget) when the phrases, the
 * days after 签约 or the time zone's offset change.
 */

export const COUNTER_ROLLUP = 'counter_day';
const DAYS_PER_STATEMENT = 8;

export interface CounterMatch {
  counter: DashboardCounter;
  match: { text: ConstSql; params: readonly unknown[] };
}

export interface CounterDays {
  dayOf(at: Date): string;
  dayStart(day: string): Date;
  nextDay(day: string): string;
}

/** The rollup's cut if its rows were counted with these parameters (phrases, days, offset), else null (the raw rows answer). */
export async function counterRollupCut(sql: Sql, params: string): Promise<Date | null> {
  const [row] = await sql.rows<{ cutAt: Date | string; params: string }>(SQL`SELECT cutAt, params FROM dashboard_rollup_state WHERE name = ? AND buildingFrom IS NULL`, [COUNTER_ROLLUP]);
  return row && row.params === params ? sqlDate(row.cutAt) : null;
}

/** Counts the local days [from, until) into the rollup. */
async function countDays(sql: Sql, sqlite: boolean, counters: readonly CounterMatch[], offsetMinutes: number, from: string, until: string, days: CounterDays): Promise<void> {
  const day = localDayOf(sqlite, constSql('v.submittedAt'));
  for (const c of counters) {
    await sql.exec(
      SQL`INSERT INTO dashboard_counter_day (counter, day, customerId)
        SELECT DISTINCT ?, ${day.text}, v.customerId FROM visit v WHERE v.submittedAt >= ? AND v.submittedAt < ? AND ${c.match.text}`,
      [c.counter, day.param(offsetMinutes), days.dayStart(from), days.dayStart(until), ...c.match.params],
    );
  }
}

/**
 * The recurring job's work: move the cut to `cut` (the start of today, local), counting the days it passed.
 * No state, or other parameters: built from scratch as of the build's cut, a few days per statement, as many
 * as `budgetMs` allows per run (the dashboards read the raw rows until it is complete).
 */
export async function refreshCounterRollup(
  sql: Sql, sqlite: boolean, cut: Date, now: Date, counters: readonly CounterMatch[], params: string, offsetMinutes: number, days: CounterDays, budgetMs: number,
): Promise<{ complete: boolean }> {
  const started = Date.now();
  const [state] = await sql.rows<{ cutAt: Date | string; params: string; buildingFrom: string | null }>(SQL`SELECT cutAt, params, buildingFrom FROM dashboard_rollup_state WHERE name = ?`, [COUNTER_ROLLUP]);
  let previous: Date;
  let building: string | null;
  if (!state || state.params !== params) {
    await sql.exec(constSql('DELETE FROM dashboard_counter_day'));
    const [oldest] = await sql.rows<{ at: Date | string | null }>(constSql('SELECT MIN(submittedAt) AS at FROM visit WHERE submittedAt IS NOT NULL'));
    const first = sqlDate(oldest?.at ?? null);
    previous = cut;
    building = first && first.getTime() < cut.getTime() ? days.dayOf(first) : days.dayOf(cut);
    await sql.exec(SQL`DELETE FROM dashboard_rollup_state WHERE name = ?`, [COUNTER_ROLLUP]);
    await sql.exec(SQL`INSERT INTO dashboard_rollup_state (name, cutAt, params, buildingFrom, refreshedAt) VALUES (?, ?, ?, ?, ?)`, [COUNTER_ROLLUP, cut, params, building, now]);
  } else {
    previous = sqlDate(state.cutAt)!;
    building = state.buildingFrom;
  }
  const previousDay = days.dayOf(previous);
  if (building !== null) {
    let day = building;
    let statements = 0;
    while (day < previousDay && (statements === 0 || Date.now() - started < budgetMs)) {
      let until = day;
      for (let i = 0; i < DAYS_PER_STATEMENT && until < previousDay; i++) until = days.nextDay(until);
      await countDays(sql, sqlite, counters, offsetMinutes, day, until, days);
      statements++;
      day = until;
    }
    if (day < previousDay) {
      await sql.exec(SQL`UPDATE dashboard_rollup_state SET buildingFrom = ?, refreshedAt = ? WHERE name = ?`, [day, now, COUNTER_ROLLUP]);
      return { complete: false };
    }
  }
  const cutDay = days.dayOf(cut);
  if (previousDay < cutDay) {
    await sql.exec(SQL`DELETE FROM dashboard_counter_day WHERE day >= ? AND day < ?`, [previousDay, cutDay]);
    await countDays(sql, sqlite, counters, offsetMinutes, previousDay, cutDay, days);
  }
  await sql.exec(SQL`UPDATE dashboard_rollup_state SET cutAt = ?, buildingFrom = NULL, refreshedAt = ? WHERE name = ?`, [cut, now, COUNTER_ROLLUP]);
  return { complete: true };
}

/** The customers (owned, now, by `ownerIds`) of a counter's rows over the local days [from, until). */
export async function counterCustomersRolled(sql: Sql, counter: DashboardCounter, ownerIds: readonly number[], from: string, until: string): Promise<number[]> {
  if (ownerIds.length === 0 || from >= until) return [];
  const rows = await sql.rows<{ id: unknown }>(
    SQL`SELECT DISTINCT h.customerId AS id FROM dashboard_counter_day h JOIN customer c ON c.id = h.customerId
      WHERE h.counter = ? AND h.day >= ? AND h.day < ? AND c.ownerId IN (${placeholders(ownerIds.length)})`,
    [counter, from, until, ...ownerIds],
  );
  return rows.map((r) => Number(r.id));
}
