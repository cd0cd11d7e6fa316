import { In, type DataSource } from 'typeorm';
import {
  CHECKIN_KIND_LABELS, EVENING_TOP, addDays, holidayWarnings, nextWorkingDay, dayWindow, isWorkingDay, localDay, localInstant, timing, visitWindow,
  type CheckinInput, type CheckinState, type CheckinSummary, type CheckinTeam, type CheckinToday, type CheckinView, type FollowUpFixInput, type FollowUpState, type PolicyWarning,
} from '@anchor/shared';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { isDuplicateKeyError } from '../../db/transaction';
import { invalid, notFound } from '../../http/errors';
import type { CustomerService } from '../customers';
import type { Member, OrgService } from '../org';
import type { CustomerFollowUp, FollowUpService, SubmittedVisit } from '../visits';
import { Checkin } from './checkin.entity';
import { checkinError } from './checkins.errors';

/** Roles that check in (those granted checkins.create). */
export const CHECKIN_ROLES = ['rep', 'supervisor'] as const;
/** How many of the caller's customers the evening screen offers to choose from. */
const CANDIDATES = 30;

const hhmm = (d: Date, timeZone: string) => new Intl.DateTimeFormat('zh-CN', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);

export class CheckinService {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
    private readonly customers: CustomerService,
    private readonly followUps: FollowUpService,
  ) {}

  private get tz() {
    return this.policy.timeZone;
  }
  private get rules() {
    return this.policy.checkins;
  }

  view(c: Checkin): CheckinView {
    return {
      id: c.id, memberId: c.memberId, day: c.day, kind: c.kind, status: c.status, visitId: c.visitId, customerId: c.customerId,
      answers: c.answers ? (JSON.parse(c.answers) as Record<string, unknown>) : null, checkedInAt: c.checkedInAt?.toISOString() ?? null, windowClosesAt: c.windowClosesAt.toISOString(),
    };
  }

  /** A window's state for the caller now: its row's status, else open / not yet open / missing / a day off. */
  /** What an admin must fill in the check-in calendar (today's local year, and next year's from December). */
  calendarWarnings(): PolicyWarning[] {
    return holidayWarnings(this.rules, localDay(this.clock.now(), this.tz));
  }

  private stateOf(row: Checkin | undefined, window: { opens: Date; closes: Date }, now: Date, working: boolean): CheckinState {
    if (row) return row.status;
    if (!working) return 'off';
    const t = timing(now, window);
    return t === 'before' ? 'not_open' : t === 'on_time' ? 'open' : 'missing';
  }

  private async rowsOf(memberIds: number[], day: string): Promise<Checkin[]> {
    if (memberIds.length === 0) return [];
    return this.db.getRepository(Checkin).find({ where: { memberId: In(memberIds), day }, order: { id: 'ASC' } });
  }

  /** Each customer's follow-up as the evening screen shows it: an agreed action, and a reminder still ahead. */
  private followUpStates(customers: Array<{ id: number; name: string }>, latest: Map<number, CustomerFollowUp>, now: Date): FollowUpState[] {
    return customers.map((c) => {
      const f = latest.get(c.id);
      const ahead = f?.nextFollowUpAt && f.nextFollowUpAt.getTime() > now.getTime() ? f.nextFollowUpAt : null;
      return { customerId: c.id, customerName: c.name, agreedAction: f?.agreedAction ?? null, nextFollowUpAt: ahead?.toISOString() ?? null, hasAction: !!f?.agreedAction, hasReminder: !!ahead };
    });
  }

  private prefillOf(v: SubmittedVisit): { customerWords: string; promisedAction: string } {
    const action = v.agreedAction ? (v.agreedAction === '其他' && v.agreedActionNote ? `${v.agreedAction}（${v.agreedActionNote}）` : v.agreedAction) : '';
    const when = v.nextFollowUpAt ? `，${new Intl.DateTimeFormat('zh-CN', { timeZone: this.tz, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(v.nextFollowUpAt)}${v.nextFollowUpForm ?? ''}跟进` : '';
    return { customerWords: (v.customerVerbatim || v.dialogueSummary || '').slice(0, 300), promisedAction: `${action}${when}`.slice(0, 100) };
  }

  /**
   * The caller's check-in day: each kind's state, today's visits with their prefill, tomorrow's candidates. `linkedVisitId`: the visit a reminder's link names — shown too when it was submitted
   * on an earlier day (a visit near midnight, or a reminder read the next morning), so the link opens
   * something to check in, not a page without it. Another rep's visit is ignored.
   */
  async today(caller: Member, linkedVisitId?: number): Promise<CheckinToday> {
    const now = this.clock.now();
    const day = localDay(now, this.tz);
    const working = isWorkingDay(day, this.rules);
    const rows = await this.rowsOf([caller.id], day);
    const bySlot = new Map(rows.map((r) => [r.slot, r]));
    const morning = dayWindow('morning', day, this.rules, this.tz);
    const evening = dayWindow('evening', day, this.rules, this.tz);
    const visits = await this.followUps.submittedBy(caller.id, localInstant(day, '00:00', this.tz), new Date(localInstant(addDays(day, 1), '00:00', this.tz).getTime() - 1));
    if (linkedVisitId && !visits.some((v) => v.id === linkedVisitId)) {
      const linked = await this.followUps.submitted(linkedVisitId);
      if (linked && linked.memberId === caller.id) {
        visits.unshift(linked);
        const [row] = await this.db.getRepository(Checkin).find({ where: { memberId: caller.id, slot: `visit:${linked.id}` } });
        if (row) bySlot.set(row.slot, row);
      }
    }
    const [owned] = await this.customers.ownedBy(caller.id, CANDIDATES);
    const names = await this.customers.namesOf(visits.map((v) => v.customerId));
    const latest = await this.followUps.latestOf(owned.map((c) => c.id));
    const candidates = this.followUpStates(owned, latest, now).sort(
      (a, b) => Number(b.hasAction && b.hasReminder) - Number(a.hasAction && a.hasReminder) || (a.nextFollowUpAt ?? '9').localeCompare(b.nextFollowUpAt ?? '9'),
    );
    const viewOf = (r: Checkin | undefined) => (r ? this.view(r) : null);
    return {
      day,
      workingDay: working,
      morning: { state: this.stateOf(bySlot.get('morning'), morning, now, working), opens: morning.opens.toISOString(), closes: morning.closes.toISOString(), checkin: viewOf(bySlot.get('morning')) },
      evening: {
        state: this.stateOf(bySlot.get('evening'), evening, now, working), opens: evening.opens.toISOString(), closes: evening.closes.toISOString(), checkin: viewOf(bySlot.get('evening')),
        tomorrow: nextWorkingDay(day, this.rules), candidates,
      },
      visits: visits.map((v) => {
        const w = visitWindow(v.submittedAt, this.rules);
        const row = bySlot.get(`visit:${v.id}`);
        return {
          visitId: v.id, customerId: v.customerId, customerName: names.get(v.customerId) ?? '', submittedAt: v.submittedAt.toISOString(), closes: w.closes.toISOString(),
          state: this.stateOf(row, w, now, true), prefill: this.prefillOf(v), checkin: viewOf(row),
        };
      }),
    };
  }

  /** One line per member: morning, evening, and after-visit counts, from the day's rows. */
  private summarize(rows: Checkin[], day: string, now: Date, visitCount: number): Omit<CheckinSummary, 'day' | 'workingDay'> {
    const working = isWorkingDay(day, this.rules);
    const slot = (s: string) => rows.find((r) => r.slot === s);
    const visitRows = rows.filter((r) => r.kind === 'visit');
    const count = (s: string) => visitRows.filter((r) => r.status === s).length;
    return {
      morning: this.stateOf(slot('morning'), dayWindow('morning', day, this.rules, this.tz), now, working),
      evening: this.stateOf(slot('evening'), dayWindow('evening', day, this.rules, this.tz), now, working),
      visits: { total: Math.max(visitCount, visitRows.length), onTime: count('on_time'), late: count('late'), missing: count('missing'), open: Math.max(0, visitCount - visitRows.length) },
    };
  }

  /** The home screen's line for the caller (null for roles that do not check in). */
  async summary(caller: Member): Promise<CheckinSummary | null> {
    if (!(CHECKIN_ROLES as readonly string[]).includes(caller.role)) return null;
    const now = this.clock.now();
    const day = localDay(now, this.tz);
    const visits = await this.followUps.submittedBy(caller.id, localInstant(day, '00:00', this.tz), now);
    return { day, workingDay: isWorkingDay(day, this.rules), ...this.summarize(await this.rowsOf([caller.id], day), day, now, visits.length) };
  }

  /** The caller's own customer, or 404 as for one that does not exist (another rep's is out of reach). */
  private async ownCustomer(caller: Member, customerId: number): Promise<{ id: number; name: string }> {
    const c = await this.customers.summaryOf(customerId);
    if (!c || c.ownerId !== caller.id) throw notFound('客户');
    return { id: c.id, name: c.name };
  }

  async checkIn(caller: Member, input: CheckinInput): Promise<CheckinView> {
    const now = this.clock.now();
    if (input.kind === 'visit') {
      const visit = await this.followUps.submitted(input.visitId);
      if (!visit || visit.memberId !== caller.id) throw checkinError('CHECKIN_NO_VISIT', { fields: { visitId: '拜访记录不存在或不是你的拜访' } });
      const window = visitWindow(visit.submittedAt, this.rules);
      const prefill = this.prefillOf(visit);
      const customerWords = input.customerWords ?? prefill.customerWords;
      const promisedAction = input.promisedAction ?? prefill.promisedAction;
      const corrected = customerWords !== prefill.customerWords || promisedAction !== prefill.promisedAction;
      const name = (await this.customers.namesOf([visit.customerId])).get(visit.customerId) ?? '';
      return this.store(caller, {
        day: localDay(visit.submittedAt, this.tz), kind: 'visit', slot: `visit:${visit.id}`, visitId: visit.id, customerId: visit.customerId, window, now,
        answers: { customerName: name, customerWords, promisedAction, corrected },
      });
    }
    const day = localDay(now, this.tz);
    const window = dayWindow(input.kind, day, this.rules, this.tz);
    if (timing(now, window) === 'before') {
      throw checkinError('CHECKIN_NOT_OPEN', { message: `${CHECKIN_KIND_LABELS[input.kind]}还没开始：${hhmm(window.opens, this.tz)} 起可以打卡` });
    }
    if (input.kind === 'morning') {
      if (input.customerId === undefined) {
        // only a member without customers (a new supervisor) names no key customer
        const [, owned] = await this.customers.ownedBy(caller.id, 1);
        if (owned > 0) throw invalid({ customerId: '请选择今天的重点客户' });
        return this.store(caller, { day, kind: 'morning', slot: 'morning', visitId: null, customerId: null, window, now, answers: { customerName: null, coreNeed: input.coreNeed } });
      }
      const customer = await this.ownCustomer(caller, input.customerId);
      return this.store(caller, { day, kind: 'morning', slot: 'morning', visitId: null, customerId: customer.id, window, now, answers: { customerName: customer.name, coreNeed: input.coreNeed } });
    }
    // evening: tomorrow's top-3 (all of the caller's customers if fewer), each with an action and a reminder
    const [, owned] = await this.customers.ownedBy(caller.id, 1);
    const needed = Math.min(EVENING_TOP, owned);
    const customers = [];
    for (const id of input.customerIds) customers.push(await this.ownCustomer(caller, id));
    if (customers.length < needed) throw checkinError('CHECKIN_INCOMPLETE', { message: `晚间打卡需要选择 ${needed} 位明日重点客户`, fields: { customerIds: `请选择 ${needed} 位明日重点客户` } });
    const states = this.followUpStates(customers, await this.followUps.latestOf(customers.map((c) => c.id)), now);
    const fields: Record<string, string> = {};
    states.forEach((s, i) => {
      const lacks = [...(s.hasAction ? [] : ['约定动作']), ...(s.hasReminder ? [] : ['跟进提醒'])];
      if (lacks.length) fields[`customerIds.${i}`] = `${s.customerName} 还没有${lacks.join('和')}`;
    });
    if (Object.keys(fields).length) throw checkinError('CHECKIN_INCOMPLETE', { fields });
    return this.store(caller, {
      day, kind: 'evening', slot: 'evening', visitId: null, customerId: null, window, now,
      answers: { tomorrow: nextWorkingDay(day, this.rules), customers: states.map((s) => ({ customerId: s.customerId, customerName: s.customerName, agreedAction: s.agreedAction, nextFollowUpAt: s.nextFollowUpAt })) },
    });
  }

  /**
   * Stores a check-in: on time within its window, late after it. A missing row the window-end job wrote
   * becomes late; a row already done answers 409 (also the loser of two at once, by the unique key).
   */
  private async store(
    caller: Member,
    c: { day: string; kind: Checkin['kind']; slot: string; visitId: number | null; customerId: number | null; window: { opens: Date; closes: Date }; now: Date; answers: Record<string, unknown> },
  ): Promise<CheckinView> {
    const repo = this.db.getRepository(Checkin);
    const status = timing(c.now, c.window) === 'on_time' ? 'on_time' : 'late';
    const done = (row: Checkin | null) =>
      checkinError('CHECKIN_DONE', {
        message: `${CHECKIN_KIND_LABELS[c.kind]}已完成${row?.checkedInAt ? `（${hhmm(row.checkedInAt, this.tz)} 打卡）` : ''}，不能重复打卡`,
      });
    const existing = await repo.findOne({ where: { memberId: caller.id, day: c.day, slot: c.slot } });
    const fields = { status, answers: JSON.stringify(c.answers), checkedInAt: c.now, customerId: c.customerId } as const;
    if (existing) {
      if (existing.status !== 'missing') throw done(existing);
      // the window closed: written as missing, now done late (never as on time)
      const changed = await repo.update({ id: existing.id, status: 'missing' }, { ...fields, status: 'late' });
      if (!changed.affected) throw done(await repo.findOne({ where: { id: existing.id } }));
      return this.view((await repo.findOne({ where: { id: existing.id } }))!);
    }
    try {
      const row = await repo.save(
        repo.create({ memberId: caller.id, teamId: caller.teamId, day: c.day, kind: c.kind, slot: c.slot, visitId: c.visitId, windowClosesAt: c.window.closes, remindedAt: null, ...fields }),
      );
      return this.view(row);
    } catch (error) {
      if (isDuplicateKeyError(error)) throw done(await repo.findOne({ where: { memberId: caller.id, day: c.day, slot: c.slot } }));
      throw error;
    }
  }

  /** The evening's fix on the spot: set a customer's agreed action and follow-up (its reminder follows). */
  async fixFollowUp(caller: Member, input: FollowUpFixInput): Promise<FollowUpState> {
    const customer = await this.ownCustomer(caller, input.customerId);
    const set = await this.followUps.setFollowUp(caller.id, input);
    return this.followUpStates([customer], new Map([[customer.id, set]]), this.clock.now())[0]!;
  }

  /** A team's day at a glance: who is done, late, missing, per kind. Default: today, the caller's team. */
  async team(caller: Member, query: { day?: string | undefined; teamId?: number | undefined }): Promise<CheckinTeam> {
    const now = this.clock.now();
    const day = query.day ?? localDay(now, this.tz);
    // a director or admin has no team of their own: the first team in reach, and the list to switch
    const teams = await this.org.teamsInReach(caller);
    const teamId = query.teamId ?? caller.teamId ?? teams[0]?.id;
    if (teamId === null || teamId === undefined) throw invalid({ teamId: '请选择团队' });
    const team = await this.org.teamById(teamId);
    const scope = await this.org.scopeOf(caller, 'checkins.team.read');
    const inReach = team && (scope.kind === 'all' || caller.teamId === team.id || (caller.role === 'director' && caller.regionId !== null && team.regionId === caller.regionId));
    if (!team || !inReach) throw notFound('团队');
    const members = (await this.org.listMembers(caller)).filter((m) => m.teamId === team.id && (CHECKIN_ROLES as readonly string[]).includes(m.role));
    const rows = await this.rowsOf(members.map((m) => m.id), day);
    const dayStart = localInstant(day, '00:00', this.tz);
    const dayEnd = new Date(Math.min(now.getTime(), localInstant(addDays(day, 1), '00:00', this.tz).getTime() - 1));
    const lines = [];
    for (const m of members) {
      const visits = dayEnd.getTime() >= dayStart.getTime() ? await this.followUps.submittedBy(m.id, dayStart, dayEnd) : [];
      lines.push({ memberId: m.id, name: m.name, role: m.role, ...this.summarize(rows.filter((r) => r.memberId === m.id), day, now, visits.length) });
    }
    const all = lines.flatMap((l) => [l.morning, l.evening]);
    return {
      day, workingDay: isWorkingDay(day, this.rules), teamId: team.id, teamName: team.name, teams: teams.map((t) => ({ id: t.id, name: t.name })), members: lines,
      totals: {
        done: all.filter((s) => s === 'on_time').length + lines.reduce((n, l) => n + l.visits.onTime, 0),
        late: all.filter((s) => s === 'late').length + lines.reduce((n, l) => n + l.visits.late, 0),
        missing: all.filter((s) => s === 'missing').length + lines.reduce((n, l) => n + l.visits.missing, 0),
        open: all.filter((s) => s === 'open').length + lines.reduce((n, l) => n + l.visits.open, 0),
      },
    };
  }
}
