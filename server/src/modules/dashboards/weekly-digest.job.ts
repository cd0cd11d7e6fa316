import type { Role } from '@anchor/shared';
import type { Policy } from '../../config/policy';
import { SQL, placeholders } from '../../db/sql';
import type { RecurringJob } from '../../jobs/job-runner';
import type { Logger } from '../../logger';
import { outboxStatement, type NewMessage } from '../../outbox/outbox';
import type { Member } from '../org';
import { campaignDigestLines } from '../campaigns';
import { dialectOf } from './dashboards.sql';
import { DIGEST_ROLES, digestFigures, dueDigest, movedMost, nextDigestAfter, type DigestPayload } from './weekly-digest';

export const WEEKLY_DIGEST_MESSAGE = 'dashboards.weekly_digest';

type Recipient = Pick<Member, 'id' | 'name' | 'role' | 'teamId' | 'regionId'> & { teamName: string | null; regionName: string | null };

/**
 * The weekly digest (README «Weekly digest»): one recurring row whose next occurrence is the next send
 * time (policy weeklyDigest: weekday and time in the policy time zone, a day off moved to the week's next
 * working day). Each run looks for the digest due now (within catchUpHours of its time) and, for every
 * active supervisor and director, inserts the (member, ISO week) row and, only if that insert landed,
 * the outbox message, in the job's transaction: a second run, a second server or a restart finds the
 * rows there and sends nothing again. A week with nothing that moved still sends the overdue count.
 */
export function weeklyDigestJob(policy: Policy, isSqlite: boolean, logger: Logger): RecurringJob {
  const tz = policy.timeZone;
  const schedule = policy.weeklyDigest;
  const calendar = policy.checkins;
  const ignore = isSqlite ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
  const d = dialectOf(isSqlite);
  return {
    kind: 'dashboards.weekly_digest',
    nextAfter: (now) => nextDigestAfter(now, schedule, calendar, tz),
    run: async (_jobs, sql, now) => {
      const due = dueDigest(now, schedule, calendar, tz);
      if (!due) return;
      const people = await sql.rows<Recipient>(
        SQL`SELECT m.id AS id, m.name AS name, m.role AS role, m.teamId AS teamId, m.regionId AS regionId, t.name AS teamName, r.name AS regionName
          FROM member m LEFT JOIN team t ON t.id = m.teamId LEFT JOIN region r ON r.id = COALESCE(m.regionId, t.regionId)
          WHERE m.role IN (${placeholders(DIGEST_ROLES.length)}) AND m.deactivatedAt IS NULL ORDER BY m.id`,
        [...DIGEST_ROLES],
      );
      if (people.length === 0) return;
      const sent = new Set(
        (await sql.rows<{ memberId: number }>(SQL`SELECT memberId FROM weekly_digest WHERE week = ?`, [due.week])).map((r) => Number(r.memberId)),
      );
      const previous = new Map(
        (await sql.rows<{ memberId: number; overdue: number }>(
          SQL`SELECT w.memberId AS memberId, w.overdue AS overdue FROM weekly_digest w
            WHERE w.week = (SELECT MAX(p.week) FROM weekly_digest p WHERE p.memberId = w.memberId AND p.week < ?)`,
          [due.week],
        )).map((r) => [Number(r.memberId), Number(r.overdue)]),
      );
      const messages: NewMessage[] = [];
      for (const raw of people) {
        const person = { ...raw, id: Number(raw.id), role: raw.role as Role, teamId: raw.teamId === null ? null : Number(raw.teamId), regionId: raw.regionId === null ? null : Number(raw.regionId) };
        if (sent.has(person.id)) continue;
        const { figures, overdue, scope } = await digestFigures(sql, d, policy, person, due, now);
        // a line per running campaign with targets in the reach (its progress as it stands now)
        const campaigns = await campaignDigestLines(sql, policy, scope, now);
        const moves = movedMost(figures, schedule.moves);
        // the unique (member, week) decides: inserted now → this run sends it; already there → sent before
        const inserted = await sql.exec(SQL`${ignore} INTO weekly_digest (memberId, week, overdue, figures, createdAt) VALUES (?, ?, ?, ?, ?)`, [
          person.id, due.week, overdue, JSON.stringify(figures), now,
        ]);
        if (inserted !== 1) continue;
        const payload: DigestPayload = {
          memberId: person.id, week: due.week,
          scopeName: (person.role === 'supervisor' ? person.teamName : person.regionName) ?? person.name,
          last: { from: due.last.from, to: due.last.to }, moves, overdue, overdueBefore: previous.get(person.id) ?? null,
          ...(campaigns.length ? { campaigns } : {}),
        };
        messages.push({ kind: WEEKLY_DIGEST_MESSAGE, teamId: person.teamId, payload });
      }
      if (messages.length) await sql.batch([outboxStatement(sql, messages, now)]);
      logger.info({ week: due.week, digests: messages.length }, 'weekly digests written');
    },
  };
}
