import { In, IsNull, Not, Between, type DataSource } from 'typeorm';
import { agreedActionText, nextFollowUpInstant, type FollowUpFixInput } from '@anchor/shared';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { SQL, sqlDate, withSqlTransaction, type Sql } from '../../db/sql';
import { invalid, notFound } from '../../http/errors';
import { cancelJobs, scheduleJobs } from '../../jobs/job-scheduler';
import { Visit } from './visit.entity';
import { visitError } from './visits.errors';

/** A customer's standing follow-up: what its latest visit agreed, and when the next follow-up is. */
export interface CustomerFollowUp {
  customerId: number;
  visitId: number;
  agreedAction: string | null;
  nextFollowUpAt: Date | null;
}

/** A submitted visit as the check-ins read it. */
export interface SubmittedVisit {
  id: number;
  customerId: number;
  memberId: number;
  submittedAt: Date;
  customerVerbatim: string | null;
  dialogueSummary: string | null;
  agreedAction: string | null;
  agreedActionNote: string | null;
  nextFollowUpAt: Date | null;
  nextFollowUpForm: string | null;
}

const fields = { id: true, customerId: true, memberId: true, submittedAt: true, customerVerbatim: true, dialogueSummary: true, agreedAction: true, agreedActionNote: true, nextFollowUpAt: true, nextFollowUpForm: true } as const;

/** Visits submitted in [from, to), for a job in its transaction (the check-ins' window-end sweep). */
export async function visitsSubmittedBetween(sql: Sql, from: Date, to: Date): Promise<Array<{ id: number; memberId: number; customerId: number; submittedAt: Date }>> {
  const rows = await sql.rows<{ id: number; memberId: number; customerId: number; submittedAt: Date | string }>(
    SQL`SELECT id, memberId, customerId, submittedAt FROM visit WHERE submittedAt >= ? AND submittedAt < ? ORDER BY id`,
    [from, to],
  );
  return rows.map((r) => ({ id: Number(r.id), memberId: Number(r.memberId), customerId: Number(r.customerId), submittedAt: sqlDate(r.submittedAt)! }));
}

/**
 * What the daily check-ins read from visits, and the one change they make: the evening's "set the
 * follow-up on the spot" moves a customer's latest visit's agreed action and next follow-up, and its
 * reminder with it.
 */
export class FollowUpService {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  /** One submitted visit (null when there is none). */
  async submitted(id: number): Promise<SubmittedVisit | null> {
    const v = await this.db.getRepository(Visit).findOne({ where: { id, submittedAt: Not(IsNull()) }, select: fields });
    return v ? (v as SubmittedVisit) : null;
  }

  /** A member's visits submitted in [from, to], oldest first. */
  async submittedBy(memberId: number, from: Date, to: Date): Promise<SubmittedVisit[]> {
    const rows = await this.db.getRepository(Visit).find({ where: { memberId, submittedAt: Between(from, to) }, order: { submittedAt: 'ASC', id: 'ASC' }, select: fields, take: 200 });
    return rows as SubmittedVisit[];
  }

  /** Each customer's latest submitted visit: its agreed action (as text) and next follow-up. */
  async latestOf(customerIds: number[]): Promise<Map<number, CustomerFollowUp>> {
    const out = new Map<number, CustomerFollowUp>();
    if (customerIds.length === 0) return out;
    const rows = await this.db.getRepository(Visit).find({
      where: { customerId: In([...new Set(customerIds)]), submittedAt: Not(IsNull()) },
      order: { submittedAt: 'DESC', id: 'DESC' },
      select: { id: true, customerId: true, agreedAction: true, agreedActionNote: true, nextFollowUpAt: true },
    });
    for (const v of rows) {
      if (out.has(v.customerId)) continue;
      out.set(v.customerId, { customerId: v.customerId, visitId: v.id, agreedAction: v.agreedAction ? agreedActionText(v.agreedAction, v.agreedActionNote) : null, nextFollowUpAt: v.nextFollowUpAt });
    }
    return out;
  }

  /**
   * Sets the agreed action and next follow-up of the customer's latest visit and moves its reminder
   * (the pending one is cancelled, a new one due reminderLeadMinutes before). The caller checked that
   * the customer is theirs. A customer never visited has nothing to follow up: record a visit first.
   */
  async setFollowUp(memberId: number, input: FollowUpFixInput): Promise<CustomerFollowUp> {
    const { agreedActions, followUpForms } = this.policy.options;
    const fieldErrors: Record<string, string> = {};
    if (!agreedActions.includes(input.agreedAction)) fieldErrors.agreedAction = `约定动作须为以下之一：${agreedActions.join('、')}`;
    if (!followUpForms.includes(input.nextFollowUpForm)) fieldErrors.nextFollowUpForm = `下次跟进形式须为以下之一：${followUpForms.join('、')}`;
    if (input.agreedAction === '其他' && !input.agreedActionNote?.trim()) fieldErrors.agreedActionNote = '约定动作选择「其他」时请填写约定动作说明';
    const next = nextFollowUpInstant(input.nextFollowUpDate, input.nextFollowUpTime, {
      now: () => this.clock.now(), timeZone: this.policy.timeZone, horizonDays: this.policy.limits.nextFollowUpHorizonDays,
    });
    if ('error' in next) fieldErrors.nextFollowUpDate = `下次跟进时间${next.error}`;
    if (Object.keys(fieldErrors).length || 'error' in next) throw invalid(fieldErrors);
    const latest = (await this.latestOf([input.customerId])).get(input.customerId);
    if (!latest) throw invalid({ customerId: '该客户还没有拜访记录：请先记录一次拜访，再设定跟进' }, '该客户还没有拜访记录：请先记录一次拜访，再设定跟进');
    const now = this.clock.now();
    await withSqlTransaction(this.db, async (sql) => {
      // A done action stays the action it was (its completion counts on the dashboards): never rewritten.
      const changed = await sql.exec(
        'UPDATE visit SET agreedAction = ?, agreedActionNote = ?, nextFollowUpAt = ?, nextFollowUpForm = ?, followUpSetAt = ? WHERE id = ? AND submittedAt IS NOT NULL AND actionDoneAt IS NULL',
        [input.agreedAction, input.agreedActionNote || null, next.at, input.nextFollowUpForm, now, latest.visitId],
      );
      if (changed !== 1) {
        const [row] = await sql.rows<{ actionDoneAt: unknown }>(SQL`SELECT actionDoneAt FROM visit WHERE id = ?`, [latest.visitId]);
        if (row?.actionDoneAt) throw visitError('FOLLOW_UP_ACTION_DONE');
        throw notFound('拜访记录');
      }
      await cancelJobs(sql, 'visit.reminder', `visit:${latest.visitId}`);
      const remindAt = new Date(Math.max(now.getTime(), next.at.getTime() - this.policy.limits.reminderLeadMinutes * 60_000));
      await scheduleJobs(sql, [{ kind: 'visit.reminder', dueAt: remindAt, payload: { visitId: latest.visitId, memberId }, subject: `visit:${latest.visitId}` }]);
    });
    return { customerId: input.customerId, visitId: latest.visitId, agreedAction: agreedActionText(input.agreedAction, input.agreedActionNote), nextFollowUpAt: next.at };
  }
}
