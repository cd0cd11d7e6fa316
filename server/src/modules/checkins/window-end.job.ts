import { CHECKIN_KIND_LABELS, addDays, dayWindow, isWorkingDay, localDay, visitWindow } from '@anchor/shared';
import type { Policy } from '../../config/policy';
import { SQL, placeholders } from '../../db/sql';
import { everyMinutes, type RecurringJob } from '../../jobs/job-runner';
import { outboxStatement, type NewMessage } from '../../outbox/outbox';
import { activeMembersWithRole, membersById } from '../org';
import { visitsSubmittedBetween } from '../visits';
import { CHECKIN_ROLES } from './checkin.service';

/**
 * When a window has closed: a 缺卡 (missing) row for each member who did not check in, and ONE reminder
 * each (WeCom text / subscribe message through the outbox). A recurring job: claimed by one server per
 * run, in one transaction with its rows. The morning/evening windows are marked handled in
 * `checkin_window` (unique day + kind), an after-visit window by its missing row, so a second run, a
 * second server or a restart finds nothing left to do. Days off chase nobody.
 *
 * Windows closed within the last 24 hours are looked at: a server down over a window's end still writes it
 * when one is back; a reminder goes only for today's windows (yesterday's is no use to anyone now).
 */
const LOOKBACK_MS = 24 * 3600_000;

export function windowEndJob(policy: Policy, isSqlite: boolean): RecurringJob {
  const tz = policy.timeZone;
  const rules = policy.checkins;
  const ignore = isSqlite ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
  return {
    kind: 'checkins.window_end',
    nextAfter: everyMinutes(policy.recurring['checkins.window_end'].everyMinutes),
    run: async (_jobs, sql, now) => {
      const today = localDay(now, tz);
      const messages: NewMessage[] = [];
      const rows: Record<string, unknown>[] = [];
      let members: Array<{ id: number; teamId: number | null }> | null = null;
      for (const day of [addDays(today, -1), today]) {
        if (!isWorkingDay(day, rules)) continue;
        for (const kind of ['morning', 'evening'] as const) {
          const { closes } = dayWindow(kind, day, rules, tz);
          // closed, and within the last day (a fresh install does not fill in the days before it)
          if (now.getTime() <= closes.getTime() || now.getTime() - closes.getTime() > LOOKBACK_MS) continue;
          // the marker decides: inserted now → this run handles the window; already there → done before
          if ((await sql.exec(SQL`${ignore} INTO checkin_window (day, kind, createdAt) VALUES (?, ?, ?)`, [day, kind, now])) !== 1) continue;
          members ??= (await Promise.all(CHECKIN_ROLES.map((r) => activeMembersWithRole(sql, r)))).flat();
          const done = new Set((await sql.rows<{ memberId: number }>(SQL`SELECT memberId FROM checkin WHERE day = ? AND slot = ?`, [day, kind])).map((r) => Number(r.memberId)));
          for (const m of members.filter((x) => !done.has(x.id))) {
            const remind = day === today;
            rows.push({ memberId: m.id, teamId: m.teamId, day, kind, slot: kind, visitId: null, customerId: null, status: 'missing', answers: null, checkedInAt: null, windowClosesAt: closes, remindedAt: remind ? now : null, createdAt: now });
            if (remind) messages.push({ kind: 'checkin.reminder', teamId: m.teamId, payload: { memberId: m.id, kind, day, closes: closes.toISOString() } });
          }
        }
      }
      // After-visit windows that closed within the last day (and after the previous run: those have rows).
      const closedBy = new Date(now.getTime() - rules.afterVisitMinutes * 60_000);
      const visits = await visitsSubmittedBetween(sql, new Date(closedBy.getTime() - LOOKBACK_MS), closedBy);
      const open = visits.filter((v) => isWorkingDay(localDay(v.submittedAt, tz), rules) && now.getTime() > visitWindow(v.submittedAt, rules).closes.getTime());
      if (open.length) {
        const have = new Set(
          (await sql.rows<{ visitId: number }>(SQL`SELECT visitId FROM checkin WHERE kind = 'visit' AND visitId IN (${placeholders(open.length)})`, open.map((v) => v.id))).map((r) => Number(r.visitId)),
        );
        const reps = await membersById(sql, open.map((v) => v.memberId));
        for (const v of open.filter((x) => !have.has(x.id) && reps.get(x.memberId)?.active && (CHECKIN_ROLES as readonly string[]).includes(reps.get(x.memberId)!.role))) {
          const teamId = reps.get(v.memberId)!.teamId;
          const closes = visitWindow(v.submittedAt, rules).closes;
          rows.push({ memberId: v.memberId, teamId, day: localDay(v.submittedAt, tz), kind: 'visit', slot: `visit:${v.id}`, visitId: v.id, customerId: v.customerId, status: 'missing', answers: null, checkedInAt: null, windowClosesAt: closes, remindedAt: now, createdAt: now });
          messages.push({ kind: 'checkin.reminder', teamId, payload: { memberId: v.memberId, kind: 'visit', day: localDay(v.submittedAt, tz), visitId: v.id, closes: closes.toISOString() } });
        }
      }
      if (rows.length === 0) return;
      // A rep checking in this very moment makes this insert fail on the unique key: the run is retried.
      for (let i = 0; i < rows.length; i += 500) await sql.insert('checkin', rows.slice(i, i + 500));
      if (messages.length) await sql.batch([outboxStatement(sql, messages, now)]);
    },
  };
}

export const windowLabel = (kind: string) => CHECKIN_KIND_LABELS[kind as keyof typeof CHECKIN_KIND_LABELS] ?? '打卡';
