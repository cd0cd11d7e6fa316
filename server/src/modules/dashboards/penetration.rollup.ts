import { SQL, constSql, placeholders, sqlDate, type ConstSql, type Sql } from '../../db/sql';
import { SOURCES, penetrationByMonth, type Dialect, type KeyTrigger } from './dashboards.sql';

/**
 * The penetration rollup (动作穿透率): dashboard_penetration_month holds, per owner, key action and local
 * month, the key actions DUE BEFORE THE CUT (trigger + deadline < the start of today, local) in that month
 * and, of those, the ones done on time — the same COUNT and SUM as `penetrationByMonth`. Once its due
 * instant has passed, a key action's "done on time" cannot change by a later completion (it would be late);
 * what can still change it is an edit of its row: a to-do cancelled, an untouched lead closed, reopened or
 * reassigned, a customer moved to another owner. The dashboards add, live, the key actions due since the
 * cut (from the raw rows); the sum equals `penetrationByMonth` over the raw rows
 * (tests/server/dashboards-penetration-rollup.test.ts).
 *
 * Kept by the recurring job `dashboards.rollup` (with the visit rollup, in its transaction): when the cut
 * passes into a new day the months it passed are recounted for every owner; the owners whose rows were
 * edited since the last run (owner changes, untouched leads written to, to-dos cancelled) are recounted
 * for every month. So an edit of a key action already due shows from the next run (every 10 minutes),
 * as a 设定跟进 does in the visit rollup (README «At scale»).
 */

export const PENETRATION_ROLLUP = 'penetration_month';
const CHUNK = 500;

export interface KeyActionDef {
  id: string;
  trigger: KeyTrigger;
  deadlineHours: number;
}

export interface MonthClock {
  /** the local month (`YYYY-MM`) of an instant */
  monthOf(at: Date): string;
  /** the instant a local month starts */
  monthStart(month: string): Date;
  nextMonth(month: string): string;
}

const paramsText = (actions: readonly KeyActionDef[], timeZone: string) =>
  JSON.stringify({ v: 1, timeZone, actions: actions.map((a) => [a.id, a.trigger, a.deadlineHours]) });

/** The rollup's cut if its rows were counted with these key actions and time zone, else null (the raw rows answer). */
export async function penetrationRollupCut(sql: Sql, actions: readonly KeyActionDef[], timeZone: string): Promise<Date | null> {
  const [row] = await sql.rows<{ cutAt: Date | string; params: string }>(SQL`SELECT cutAt, params FROM dashboard_rollup_state WHERE name = ? AND buildingFrom IS NULL`, [PENETRATION_ROLLUP]);
  return row && row.params === paramsText(actions, timeZone) ? sqlDate(row.cutAt) : null;
}

function monthsFrom(first: string, last: string, clock: MonthClock): string[] {
  const out: string[] = [];
  for (let m = first; m <= last; m = clock.nextMonth(m)) out.push(m);
  return out;
}

/**
 * Counts into the rollup the key actions of `action` due in `months` (consecutive) and before `cut`, of the
 * owners `owners` (null: all). The one definition of a rollup row: `penetrationByMonth`'s due and done.
 */
async function countInto(sql: Sql, d: Dialect, action: KeyActionDef, months: readonly string[], cut: Date, clock: MonthClock, owners: readonly number[] | null): Promise<void> {
  if (months.length === 0) return;
  const s = SOURCES[action.trigger];
  const deadline = action.deadlineHours * 3600;
  const shift = (at: Date) => new Date(at.getTime() - deadline * 1000);
  let bucket: ConstSql = constSql('CASE');
  const bucketParams: unknown[] = [];
  for (const month of months) {
    bucket = SQL`${bucket} WHEN ${s.trigger} >= ? AND ${s.trigger} < ? THEN ?`;
    bucketParams.push(shift(clock.monthStart(month)), shift(clock.monthStart(clock.nextMonth(month))), month);
  }
  bucket = SQL`${bucket} END`;
  const end = clock.monthStart(clock.nextMonth(months[months.length - 1]!));
  const until = end.getTime() < cut.getTime() ? end : cut;
  const who = owners === null ? SQL`${s.owner} IS NOT NULL` : SQL`${s.owner} IN (${placeholders(owners.length)})`;
  const onTime = SQL`${s.completion} IS NOT NULL AND ${d.seconds(s.trigger, s.completion)} <= ?`;
  await sql.exec(
    SQL`INSERT INTO dashboard_penetration_month (ownerId, action, month, due, done)
      SELECT ${s.owner}, ?, ${bucket}, COUNT(*), SUM(CASE WHEN ${onTime} THEN 1 ELSE 0 END)
      FROM ${s.from} WHERE ${s.where} AND ${who} AND ${s.trigger} >= ? AND ${s.trigger} < ?
      GROUP BY 1, 3`,
    [action.id, ...bucketParams, deadline, ...(owners ?? []), shift(clock.monthStart(months[0]!)), shift(until)],
  );
}

/** The local month of the earliest trigger in the rows (null: none). */
async function firstMonth(sql: Sql, actions: readonly KeyActionDef[], clock: MonthClock): Promise<string | null> {
  let first: Date | null = null;
  for (const trigger of new Set(actions.map((a) => a.trigger))) {
    const s = SOURCES[trigger];
    const [row] = await sql.rows<{ at: Date | string | null }>(SQL`SELECT MIN(${s.trigger}) AS at FROM ${s.from} WHERE ${s.where}`);
    const at = sqlDate(row?.at ?? null);
    if (at && (!first || at.getTime() < first.getTime())) first = at;
  }
  return first ? clock.monthOf(first) : null;
}

export interface PenetrationRefresh {
  complete: boolean;
  /** months counted by the build in this run */
  builtMonths: number;
  /** owners recounted for their edits */
  recountedOwners: number;
}

/**
 * The recurring job's work: move the cut to `cut` (the start of today, local). No state, or other key
 * actions or time zone: built from scratch as of the build's cut, one month per statement, as many as
 * `budgetMs` allows per run (the dashboards read the raw rows until it is complete).
 */
export async function refreshPenetrationRollup(
  sql: Sql, d: Dialect, cut: Date, now: Date, actions: readonly KeyActionDef[], timeZone: string, clock: MonthClock, budgetMs: number,
): Promise<PenetrationRefresh> {
  const started = Date.now();
  const [state] = await sql.rows<{ cutAt: Date | string; params: string; buildingFrom: string | null; refreshedAt: Date | string }>(
    SQL`SELECT cutAt, params, buildingFrom, refreshedAt FROM dashboard_rollup_state WHERE name = ?`, [PENETRATION_ROLLUP],
  );
  let previous: Date;
  let building: string | null;
  let lastRun: Date;
  if (!state || state.params !== paramsText(actions, timeZone)) {
    await sql.exec(constSql('DELETE FROM dashboard_penetration_month'));
    previous = cut;
    lastRun = cut;
    const first = await firstMonth(sql, actions, clock);
    building = first ?? clock.monthOf(cut);
    await sql.exec(SQL`DELETE FROM dashboard_rollup_state WHERE name = ?`, [PENETRATION_ROLLUP]);
    await sql.exec(SQL`INSERT INTO dashboard_rollup_state (name, cutAt, params, buildingFrom, refreshedAt) VALUES (?, ?, ?, ?, ?)`, [PENETRATION_ROLLUP, cut, paramsText(actions, timeZone), building, now]);
  } else {
    previous = sqlDate(state.cutAt)!;
    building = state.buildingFrom;
    lastRun = building !== null ? previous : sqlDate(state.refreshedAt)!;
  }
  // the last month with a due instant before a cut
  const lastMonthBefore = (at: Date) => clock.monthOf(new Date(at.getTime() - 1));
  let builtMonths = 0;
  if (building !== null) {
    const last = lastMonthBefore(previous);
    let month = building;
    while (month <= last && (builtMonths === 0 || Date.now() - started < budgetMs)) {
      for (const a of actions) await countInto(sql, d, a, [month], previous, clock, null);
      builtMonths++;
      month = clock.nextMonth(month);
    }
    if (month <= last) {
      await sql.exec(SQL`UPDATE dashboard_rollup_state SET buildingFrom = ?, refreshedAt = ? WHERE name = ?`, [month, now, PENETRATION_ROLLUP]);
      return { complete: false, builtMonths, recountedOwners: 0 };
    }
  }
  // the cut moved: the months it passed, for every owner
  if (cut.getTime() > previous.getTime()) {
    for (const month of monthsFrom(clock.monthOf(previous), lastMonthBefore(cut), clock)) {
      await sql.exec(SQL`DELETE FROM dashboard_penetration_month WHERE month = ?`, [month]);
      for (const a of actions) await countInto(sql, d, a, [month], cut, clock, null);
    }
  }
  // owners whose key actions were edited since the last run: every month of theirs
  const owners = new Set<number>();
  const add = (rows: Array<{ id: unknown }>) => rows.forEach((r) => r.id !== null && r.id !== undefined && owners.add(Number(r.id)));
  const triggers = new Set(actions.map((a) => a.trigger));
  if (triggers.has('lead_assigned')) {
    add(await sql.rows(SQL`SELECT fromOwnerId AS id FROM customer_owner_change WHERE changedAt >= ? UNION SELECT toOwnerId AS id FROM customer_owner_change WHERE changedAt >= ?`, [lastRun, lastRun]));
    // an untouched lead closed, reopened or given a fresh clock (a touched one keeps its key action whatever happens, but its owner)
    add(await sql.rows(SQL`SELECT DISTINCT ownerId AS id FROM customer WHERE updatedAt >= ? AND leadAssignedAt IS NOT NULL AND firstTouchAt IS NULL`, [lastRun]));
  }
  if (triggers.has('visit_submitted')) {
    add(await sql.rows(SQL`SELECT DISTINCT requesterId AS id FROM task WHERE completedAt >= ? AND outcome = 'cancelled' AND kind = 'visit_next_action'`, [lastRun]));
  }
  if (owners.size) {
    const [range] = await sql.rows<{ first: string | null }>(constSql('SELECT MIN(month) AS first FROM dashboard_penetration_month'));
    const first = [range?.first ?? null, await firstMonth(sql, actions, clock)].filter((m): m is string => m !== null).sort()[0] ?? null;
    if (first !== null) {
      const months = monthsFrom(first, lastMonthBefore(cut), clock);
      const list = [...owners];
      for (let i = 0; i < list.length; i += CHUNK) {
        const chunk = list.slice(i, i + CHUNK);
        await sql.exec(SQL`DELETE FROM dashboard_penetration_month WHERE ownerId IN (${placeholders(chunk.length)})`, chunk);
        for (const a of actions) await countInto(sql, d, a, months, cut, clock, chunk);
      }
    }
  }
  await sql.exec(SQL`UPDATE dashboard_rollup_state SET cutAt = ?, buildingFrom = NULL, refreshedAt = ? WHERE name = ?`, [cut, now, PENETRATION_ROLLUP]);
  return { complete: true, builtMonths, recountedOwners: owners.size };
}

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

/**
 * `penetrationByMonth` from the rollup: its rows for the months (those due before the cut) plus, from the
 * raw rows, the key actions due since the cut. `months[i]` is the month [monthStarts[i], monthStarts[i+1]).
 */
export async function penetrationRolled(
  sql: Sql, d: Dialect, action: KeyActionDef, ownerIds: readonly number[], months: readonly string[], monthStarts: readonly Date[], now: Date, cut: Date,
): Promise<Array<{ month: number; due: number; done: number }>> {
  if (ownerIds.length === 0 || months.length === 0) return [];
  const acc = months.map((_, i) => ({ month: i, due: 0, done: 0 }));
  const index = new Map(months.map((m, i) => [m, i]));
  const rows = await sql.rows<{ month: string; due: unknown; done: unknown }>(
    SQL`SELECT month, SUM(due) AS due, SUM(done) AS done FROM dashboard_penetration_month
      WHERE ownerId IN (${placeholders(ownerIds.length)}) AND action = ? AND month IN (${placeholders(months.length)}) GROUP BY month`,
    [...ownerIds, action.id, ...months],
  );
  for (const r of rows) {
    const a = acc[index.get(r.month)!]!;
    a.due += num(r.due);
    a.done += num(r.done);
  }
  if (now.getTime() >= cut.getTime()) {
    for (const r of await penetrationByMonth(sql, d, action.trigger, ownerIds, monthStarts, action.deadlineHours * 3600, now, cut)) {
      const a = acc[r.month];
      if (!a) continue;
      a.due += r.due;
      a.done += r.done;
    }
  }
  return acc.filter((a) => a.due > 0);
}
