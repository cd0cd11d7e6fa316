import { addDays } from '@anchor/shared';
import { SQL, constSql, placeholders, sqlDate, type ConstSql, type Sql } from '../../db/sql';
import { visitAggregates, type Dialect, type VisitAggregate } from './dashboards.sql';

/**
 * The visit rollup (behaviour heatmap, visit quality): dashboard_visit_day holds, per member, local day
 * and objective, the visits submitted before its cut counted AS OF THE CUT (a next contact counts when
 * it came before the cut); the cut's own day holds the day so far. The cut is the job's last run (less
 * `VISIT_CUT_MARGIN_MS`), not midnight: a dashboard adds, live, only what happened since — the visits
 * submitted since the cut (from the raw rows), the earlier visits those closed, and the waiting visits
 * whose promise fell due — minutes of activity instead of a whole day's, which for a director's region
 * was most of a request's time. The sum equals `visitAggregates` over the raw rows
 * (tests/server/dashboards-rollup.test.ts).
 *
 * Written only by the recurring job `dashboards.rollup` (inside its transaction, one server at a time):
 * a day's rows are recounted when the cut passes visits of it, when one of its visits is closed by a later
 * one, when a waiting visit's promise falls due, and when 设定跟进 moved one of its visits' promise
 * (visit.followUpSetAt); a day's sums join its month's row once the cut has passed the whole day.
 */

/** Seconds are counted from here (TIMESTAMPDIFF/julianday, the same as the metric's own). */
export const EPOCH = new Date('2020-01-01T00:00:00Z');
export const VISIT_ROLLUP = 'visit_day';
/**
 * The cut stays this far behind the job's clock: a visit is stamped when it is submitted and committed a
 * moment later, so one stamped just before the job's snapshot may not be in it yet. Transactions are
 * bounded far below this (statements by the query timeout); a late commit before the cut would otherwise
 * be missing from its day's row until something else recounted it.
 */
export const VISIT_CUT_MARGIN_MS = 5 * 60_000;
const CHUNK = 500;

export interface RollupParams {
  graceSeconds: number;
  /** the policy time zone's offset at the cut, minutes east of UTC (a local day in SQL) */
  offsetMinutes: number;
}
// v2: the cut moves with every run (its day's row is the day so far); a v1 state (cut at midnight) is rebuilt
const paramsText = (p: RollupParams) => JSON.stringify({ v: 2, graceSeconds: p.graceSeconds, offsetMinutes: p.offsetMinutes });

/** `YYYY-MM-DD` of an instant in SQL, shifted by `?` minutes (the parameter goes where this stands). */
export function localDayOf(sqlite: boolean, at: ConstSql): { text: ConstSql; param: (minutes: number) => unknown } {
  return sqlite
    ? { text: SQL`strftime('%Y-%m-%d', ${at}, ?)`, param: (m) => `${m >= 0 ? '+' : ''}${m} minutes` }
    : { text: SQL`DATE_FORMAT(DATE_ADD(${at}, INTERVAL ? MINUTE), '%Y-%m-%d')`, param: (m) => m };
}

/** The rollup's state if its rows were counted with these policy values, else null (the dashboards read the raw rows). */
export async function visitRollupCut(sql: Sql, params: RollupParams): Promise<Date | null> {
  const [row] = await sql.rows<{ cutAt: Date | string; params: string }>(SQL`SELECT cutAt, params FROM dashboard_rollup_state WHERE name = ? AND buildingFrom IS NULL`, [VISIT_ROLLUP]);
  return row && row.params === paramsText(params) ? sqlDate(row.cutAt) : null;
}

/**
 * (Re)counts the rollup rows of the visits `where` selects (a condition on `v`, with its parameters), as of
 * `cut`. The one definition of a rollup row: the same sums as `visitAggregates`, split into closed and open.
 */
async function countInto(sql: Sql, d: Dialect, sqlite: boolean, where: ConstSql, whereParams: unknown[], cut: Date, p: RollupParams): Promise<void> {
  const day = localDayOf(sqlite, constSql('v.submittedAt'));
  const closed = constSql('x.nextAt IS NOT NULL');
  await sql.exec(
    SQL`INSERT INTO dashboard_visit_day (memberId, day, objective, visits, painChars, closedVisits, closedWaitSeconds, closedFollowUps, closedOnTime, openVisits, openSubmittedSeconds, openFollowUpsDue)
      SELECT x.memberId, x.day, x.objective, COUNT(*), COALESCE(SUM(${d.chars(constSql('x.painPoint'))}), 0),
        SUM(CASE WHEN ${closed} THEN 1 ELSE 0 END),
        SUM(CASE WHEN ${closed} THEN ${d.seconds(constSql('x.submittedAt'), constSql('x.nextAt'))} ELSE 0 END),
        SUM(CASE WHEN ${closed} AND x.nextFollowUpAt IS NOT NULL THEN 1 ELSE 0 END),
        SUM(CASE WHEN ${closed} AND x.nextFollowUpAt IS NOT NULL AND ${d.seconds(constSql('x.nextFollowUpAt'), constSql('x.nextAt'))} <= ? THEN 1 ELSE 0 END),
        SUM(CASE WHEN ${closed} THEN 0 ELSE 1 END),
        SUM(CASE WHEN ${closed} THEN 0 ELSE ${d.seconds(constSql('?'), constSql('x.submittedAt'))} END),
        SUM(CASE WHEN NOT (${closed}) AND x.nextFollowUpAt IS NOT NULL AND x.nextFollowUpAt <= ? THEN 1 ELSE 0 END)
      FROM (SELECT v.memberId AS memberId, ${day.text} AS day, COALESCE(v.objective, '') AS objective, v.painPoint AS painPoint, v.submittedAt AS submittedAt, v.nextFollowUpAt AS nextFollowUpAt,
              (SELECT MIN(n.submittedAt) FROM visit n WHERE n.customerId = v.customerId AND n.submittedAt > v.submittedAt AND n.submittedAt < ?) AS nextAt
            FROM visit v WHERE v.submittedAt IS NOT NULL AND v.submittedAt < ? AND ${where}) x
      GROUP BY x.memberId, x.day, x.objective`,
    [p.graceSeconds, EPOCH, new Date(cut.getTime() - p.graceSeconds * 1000), day.param(p.offsetMinutes), cut, cut, ...whereParams],
  );
}

/** Recounts the rows of these (member, local day) keys, up to the cut's day (its row: the day until the cut). */
async function recount(sql: Sql, d: Dialect, sqlite: boolean, keys: Iterable<string>, cut: Date, cutDay: string, p: RollupParams, dayStart: (day: string) => Date, nextDay: (day: string) => string): Promise<number> {
  const byDay = new Map<string, number[]>();
  for (const key of keys) {
    const [member, day] = key.split('|') as [string, string];
    if (day > cutDay) continue;
    byDay.set(day, [...(byDay.get(day) ?? []), Number(member)]);
  }
  let n = 0;
  for (const [day, members] of byDay) {
    for (let i = 0; i < members.length; i += CHUNK) {
      const chunk = members.slice(i, i + CHUNK);
      await sql.exec(SQL`DELETE FROM dashboard_visit_day WHERE day = ? AND memberId IN (${placeholders(chunk.length)})`, [day, ...chunk]);
      await countInto(sql, d, sqlite, SQL`v.memberId IN (${placeholders(chunk.length)}) AND v.submittedAt >= ? AND v.submittedAt < ?`, [...chunk, dayStart(day), dayStart(nextDay(day))], cut, p);
      n += chunk.length;
    }
  }
  return n;
}

const SUMS = constSql('SUM(visits), SUM(painChars), SUM(closedVisits), SUM(closedWaitSeconds), SUM(closedFollowUps), SUM(closedOnTime), SUM(openVisits), SUM(openSubmittedSeconds), SUM(openFollowUpsDue)');
const COLUMNS = constSql('visits, painChars, closedVisits, closedWaitSeconds, closedFollowUps, closedOnTime, openVisits, openSubmittedSeconds, openFollowUpsDue');

/**
 * dashboard_visit_month: the sums of a member's day rows of one month (so far: days before the cut), for
 * periods that cover whole months up to the cut — "this month", the default, reads one row per member and
 * objective instead of one per visit day. `members` null: every member.
 */
async function sumMonth(sql: Sql, month: string, members: number[] | null, cutDay: string): Promise<void> {
  const who = members === null ? constSql('1 = 1') : SQL`memberId IN (${placeholders(members.length)})`;
  const ids = members ?? [];
  await sql.exec(SQL`DELETE FROM dashboard_visit_month WHERE month = ? AND ${who}`, [month, ...ids]);
  await sql.exec(
    SQL`INSERT INTO dashboard_visit_month (memberId, month, objective, ${COLUMNS})
      SELECT memberId, ?, objective, ${SUMS} FROM dashboard_visit_day WHERE day >= ? AND day <= ? AND day < ? AND ${who} GROUP BY memberId, objective`,
    [month, `${month}-01`, `${month}-31`, cutDay, ...ids],
  );
}

async function sumMonths(sql: Sql, keys: Iterable<string>, cutDay: string): Promise<void> {
  const byMonth = new Map<string, Set<number>>();
  for (const key of keys) {
    const [member, day] = key.split('|') as [string, string];
    const month = day.slice(0, 7);
    byMonth.set(month, (byMonth.get(month) ?? new Set()).add(Number(member)));
  }
  for (const [month, set] of byMonth) {
    const members = [...set];
    for (let i = 0; i < members.length; i += CHUNK) await sumMonth(sql, month, members.slice(i, i + CHUNK), cutDay);
  }
}

export interface RefreshResult {
  cut: Date;
  /** false while the first build (or a rebuild) is still going: the next run goes on with it */
  complete: boolean;
  /** days counted by the build in this run */
  builtDays: number;
  /** (member, day) keys recounted */
  recounted: number;
}

const BUILD_DAYS_PER_STATEMENT = 4;

/**
 * The recurring job's work: move the cut to `cut` (this run's time less the margin) and recount what that
 * and the writes since the last run changed. No state, or other policy values: the rows are built from scratch, as
 * of the cut the build started with, a few days per statement (each within the query timeout) and as many
 * statements as `budgetMs` allows per run (within the job's lease); the dashboards read the raw rows until
 * it is complete, then the build's cut moves on like any other.
 */
export async function refreshVisitRollup(
  sql: Sql, d: Dialect, sqlite: boolean, asked: Date, now: Date, p: RollupParams, tz: { dayOf: (at: Date) => string; dayStart: (day: string) => Date; nextDay: (day: string) => string }, budgetMs: number,
): Promise<RefreshResult> {
  const started = Date.now();
  const [state] = await sql.rows<{ cutAt: Date | string; params: string; buildingFrom: string | null; refreshedAt: Date | string }>(SQL`SELECT cutAt, params, buildingFrom, refreshedAt FROM dashboard_rollup_state WHERE name = ?`, [VISIT_ROLLUP]);
  let previous: Date;
  let building: string | null;
  let lastRun: Date;
  let cut = asked;
  if (!state || state.params !== paramsText(p)) {
    await sql.exec(constSql('DELETE FROM dashboard_visit_day'));
    await sql.exec(constSql('DELETE FROM dashboard_visit_month'));
    const [oldest] = await sql.rows<{ at: Date | string | null }>(SQL`SELECT MIN(submittedAt) AS at FROM visit WHERE submittedAt IS NOT NULL`);
    const first = sqlDate(oldest?.at ?? null);
    previous = cut;
    lastRun = cut;
    building = first && first.getTime() < cut.getTime() ? tz.dayOf(first) : tz.dayOf(cut);
    await sql.exec(SQL`DELETE FROM dashboard_rollup_state WHERE name = ?`, [VISIT_ROLLUP]);
    await sql.exec(SQL`INSERT INTO dashboard_rollup_state (name, cutAt, params, buildingFrom, refreshedAt) VALUES (?, ?, ?, ?, ?)`, [VISIT_ROLLUP, cut, paramsText(p), building, now]);
  } else {
    previous = sqlDate(state.cutAt)!;
    // never back (another server's clock a little behind): the rows hold everything before `previous`
    if (cut.getTime() < previous.getTime()) cut = previous;
    building = state.buildingFrom;
    lastRun = building !== null ? previous : sqlDate(state.refreshedAt)!;
  }
  let builtDays = 0;
  if (building !== null) {
    // the build counts as of its own cut; what changed after it is the incremental step's, below
    // up to and including the cut's day (counted until the cut)
    const buildUntilDay = tz.nextDay(tz.dayOf(previous));
    let day: string = building;
    while (day < buildUntilDay && (builtDays === 0 || Date.now() - started < budgetMs)) {
      let until: string = day;
      for (let i = 0; i < BUILD_DAYS_PER_STATEMENT && until < buildUntilDay; i++) until = tz.nextDay(until);
      await countInto(sql, d, sqlite, SQL`v.submittedAt >= ? AND v.submittedAt < ?`, [tz.dayStart(day), tz.dayStart(until)], previous, p);
      builtDays += BUILD_DAYS_PER_STATEMENT;
      day = until;
    }
    if (day < buildUntilDay) {
      await sql.exec(SQL`UPDATE dashboard_rollup_state SET buildingFrom = ?, refreshedAt = ? WHERE name = ?`, [day, now, VISIT_ROLLUP]);
      return { cut: previous, complete: false, builtDays, recounted: 0 };
    }
    // complete: the month rows (the whole days before the cut's day), one statement a month
    const buildCutDay = tz.dayOf(previous);
    const [first] = await sql.rows<{ day: string | null }>(constSql('SELECT MIN(day) AS day FROM dashboard_visit_day'));
    for (let month = first?.day?.slice(0, 7) ?? buildCutDay.slice(0, 7); month <= buildCutDay.slice(0, 7); month = nextMonthOf(month)) {
      await sumMonth(sql, month, null, buildCutDay);
    }
  }
  const keys = new Set<string>();
  const add = (rows: Array<{ memberId: number; submittedAt: Date | string }>) => {
    for (const r of rows) keys.add(`${Number(r.memberId)}|${tz.dayOf(sqlDate(r.submittedAt)!)}`);
  };
  const grace = p.graceSeconds * 1000;
  if (cut.getTime() > previous.getTime()) {
    // the days the cut passed
    add(await sql.rows(SQL`SELECT DISTINCT memberId, submittedAt FROM visit WHERE submittedAt >= ? AND submittedAt < ?`, [previous, cut]));
    // earlier visits those closed: their customer's latest visit before the old cut
    add(
      await sql.rows(
        SQL`SELECT p.memberId AS memberId, p.submittedAt AS submittedAt
          FROM (SELECT DISTINCT customerId FROM visit WHERE submittedAt >= ? AND submittedAt < ?) c
          JOIN visit p ON p.customerId = c.customerId AND p.submittedAt < ?
          WHERE NOT EXISTS (SELECT 1 FROM visit q WHERE q.customerId = p.customerId AND q.submittedAt > p.submittedAt AND q.submittedAt < ?)`,
        [previous, cut, previous, previous],
      ),
    );
    // waiting visits whose promise fell due between the two cuts
    add(await sql.rows(SQL`SELECT memberId, submittedAt FROM visit WHERE nextFollowUpAt > ? AND nextFollowUpAt <= ? AND submittedAt < ?`, [new Date(previous.getTime() - grace), new Date(cut.getTime() - grace), previous]));
  }
  // promises moved by 设定跟进 since the last run (or since the build's cut); the margin as for the cut
  add(await sql.rows(SQL`SELECT memberId, submittedAt FROM visit WHERE followUpSetAt >= ? AND submittedAt < ?`, [new Date(lastRun.getTime() - VISIT_CUT_MARGIN_MS), cut]));
  const cutDay = tz.dayOf(cut);
  const recounted = await recount(sql, d, sqlite, keys, cut, cutDay, p, tz.dayStart, tz.nextDay);
  // whole days the cut finished (the previous cut's day and any after it): every member's row joins its month
  const finished = new Set([...keys].filter((k) => k.split('|')[1]! < cutDay));
  for (let day = tz.dayOf(previous); day < cutDay; day = tz.nextDay(day)) {
    for (const r of await sql.rows<{ memberId: number }>(SQL`SELECT DISTINCT memberId FROM dashboard_visit_day WHERE day = ?`, [day])) finished.add(`${Number(r.memberId)}|${day}`);
  }
  await sumMonths(sql, finished, cutDay);
  await sql.exec(SQL`UPDATE dashboard_rollup_state SET cutAt = ?, buildingFrom = NULL, refreshedAt = ? WHERE name = ?`, [cut, now, VISIT_ROLLUP]);
  return { cut, complete: true, builtDays, recounted };
}

function nextMonthOf(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

/**
 * `visitAggregates` from the rollup: its rows for the period's days before the cut, the changes since the
 * cut to those days' visits, and the visits since the cut from the raw rows.
 */
export async function visitAggregatesRolled(
  sql: Sql, d: Dialect, memberIds: readonly number[], start: Date, end: Date, now: Date, graceSeconds: number, cut: Date, dayOf: (at: Date) => string,
): Promise<VisitAggregate[]> {
  if (memberIds.length === 0) return [];
  const acc = new Map<string, VisitAggregate>();
  const cell = (memberId: number, objective: string) => {
    const key = `${memberId}|${objective}`;
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { memberId, objective, visits: 0, waitSeconds: 0, painChars: 0, followUpsDue: 0, followUpsOnTime: 0 }));
    return a;
  };
  const rolledEnd = new Date(Math.min(end.getTime(), cut.getTime()));
  if (start.getTime() < rolledEnd.getTime()) {
    const ids = placeholders(memberIds.length);
    // counted by the database, as the metric's own seconds are (the dialect may put `b` before `a` in its text)
    const nowSeconds = num((await sql.rows<{ s: unknown }>(SQL`SELECT ${d.seconds(constSql('e.a'), constSql('e.b'))} AS s FROM (SELECT ? AS a, ? AS b) e`, [EPOCH, now]))[0]?.s);
    // whole months up to the cut from the month rows, the other days from the day rows
    const [fromDay, untilDay, cutDay] = [dayOf(start), dayOf(rolledEnd), dayOf(cut)];
    const months: string[] = [];
    const dayRanges: Array<[string, string]> = [];
    for (let month = fromDay.slice(0, 7); `${month}-01` < untilDay; month = nextMonthOf(month)) {
      const [first, next] = [`${month}-01`, `${nextMonthOf(month)}-01`];
      const covered: [string, string] = [fromDay > first ? fromDay : first, untilDay < next ? untilDay : next];
      if (covered[0] === first && covered[1] === (cutDay < next ? cutDay : next)) months.push(month);
      else dayRanges.push(covered);
    }
    const sums = SQL`SUM(visits) AS visits, SUM(painChars) AS painChars, SUM(closedWaitSeconds) AS closedWait, SUM(closedFollowUps) AS closedDue, SUM(closedOnTime) AS onTime,
          SUM(openVisits) AS openVisits, SUM(openSubmittedSeconds) AS openSeconds, SUM(openFollowUpsDue) AS openDue`;
    const rows: Array<Record<string, unknown>> = [];
    if (months.length) {
      rows.push(...(await sql.rows<Record<string, unknown>>(
        SQL`SELECT memberId, objective, ${sums} FROM dashboard_visit_month WHERE memberId IN (${ids}) AND month IN (${placeholders(months.length)}) GROUP BY memberId, objective`,
        [...memberIds, ...months],
      )));
    }
    // the cut's own day, counted until the cut, when the period reaches it
    if (rolledEnd.getTime() === cut.getTime() && fromDay <= cutDay) dayRanges.push([cutDay, addDays(cutDay, 1)]);
    for (const [from, until] of dayRanges) {
      if (from >= until) continue;
      rows.push(...(await sql.rows<Record<string, unknown>>(
        SQL`SELECT memberId, objective, ${sums} FROM dashboard_visit_day WHERE memberId IN (${ids}) AND day >= ? AND day < ? GROUP BY memberId, objective`,
        [...memberIds, from, until],
      )));
    }
    for (const r of rows) {
      const a = cell(Number(r.memberId), String(r.objective));
      a.visits += num(r.visits);
      a.painChars += num(r.painChars);
      a.waitSeconds += num(r.closedWait) + num(r.openVisits) * nowSeconds - num(r.openSeconds);
      a.followUpsDue += num(r.closedDue) + num(r.openDue);
      a.followUpsOnTime += num(r.onTime);
    }
    // visits of those days closed since the cut: from open (as counted) to closed by their customer's first contact since
    const graceBefore = new Date(cut.getTime() - graceSeconds * 1000);
    const closedSince = await sql.rows<Record<string, unknown>>(
      SQL`SELECT p.memberId AS memberId, COALESCE(p.objective, '') AS objective,
          ${d.seconds(constSql('?'), constSql('p.submittedAt'))} AS openSeconds, ${d.seconds(constSql('p.submittedAt'), constSql('c.nextAt'))} AS waitSeconds,
          CASE WHEN p.nextFollowUpAt IS NOT NULL THEN 1 ELSE 0 END AS due,
          CASE WHEN p.nextFollowUpAt IS NOT NULL AND ${d.seconds(constSql('p.nextFollowUpAt'), constSql('c.nextAt'))} <= ? THEN 1 ELSE 0 END AS onTime,
          CASE WHEN p.nextFollowUpAt IS NOT NULL AND p.nextFollowUpAt <= ? THEN 1 ELSE 0 END AS dueAtCut
        FROM (SELECT customerId, MIN(submittedAt) AS nextAt FROM visit WHERE submittedAt >= ? GROUP BY customerId) c
        JOIN visit p ON p.customerId = c.customerId AND p.submittedAt >= ? AND p.submittedAt < ?
        WHERE p.memberId IN (${ids}) AND NOT EXISTS (SELECT 1 FROM visit q WHERE q.customerId = p.customerId AND q.submittedAt > p.submittedAt AND q.submittedAt < ?)`,
      [EPOCH, graceSeconds, graceBefore, cut, start, rolledEnd, ...memberIds, cut],
    );
    for (const r of closedSince) {
      const a = cell(Number(r.memberId), String(r.objective));
      a.waitSeconds += num(r.waitSeconds) - (nowSeconds - num(r.openSeconds));
      a.followUpsDue += num(r.due) - num(r.dueAtCut);
      a.followUpsOnTime += num(r.onTime);
    }
    // still waiting, and their promise (+ grace) passed since the cut
    const fellDue = await sql.rows<Record<string, unknown>>(
      SQL`SELECT v.memberId AS memberId, COALESCE(v.objective, '') AS objective, COUNT(*) AS n FROM visit v
        WHERE v.nextFollowUpAt > ? AND v.nextFollowUpAt <= ? AND v.submittedAt >= ? AND v.submittedAt < ? AND v.memberId IN (${ids})
          AND NOT EXISTS (SELECT 1 FROM visit q WHERE q.customerId = v.customerId AND q.submittedAt > v.submittedAt)
        GROUP BY v.memberId, v.objective`,
      [graceBefore, new Date(now.getTime() - graceSeconds * 1000), start, rolledEnd, ...memberIds],
    );
    for (const r of fellDue) cell(Number(r.memberId), String(r.objective)).followUpsDue += num(r.n);
  }
  const liveStart = new Date(Math.max(start.getTime(), cut.getTime()));
  if (liveStart.getTime() < end.getTime()) {
    for (const r of await visitAggregates(sql, d, memberIds, liveStart, end, now, graceSeconds)) {
      const a = cell(r.memberId, r.objective ?? '');
      a.visits += r.visits;
      a.waitSeconds += r.waitSeconds;
      a.painChars += r.painChars;
      a.followUpsDue += r.followUpsDue;
      a.followUpsOnTime += r.followUpsOnTime;
    }
  }
  return [...acc.values()].filter((a) => a.visits > 0);
}
