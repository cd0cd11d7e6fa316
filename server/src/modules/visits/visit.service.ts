import { In, IsNull, type DataSource } from 'typeorm';
import { boundSavedAt, checkVisit, signinChip, makeFirstTouchSchema, makeVisitSchema, nextFollowUpInstant, visitTooOldMessage, type FirstTouchInput, type StageCode, type VisitInput, type VisitOptions } from '@anchor/shared';
import type { Clock } from '../../clock';
import { HOUR_MS } from '../../clock';
import type { Policy } from '../../config/policy';
import { forbidden, notFound } from '../../http/errors';
import { visitError } from './visits.errors';
import { once, storedAnswer, type OnceResult } from '../../http/idempotency';
import { cancelJobs, jobStatement, type JobSpec } from '../../jobs/job-scheduler';
import { sqlDate, type Statement } from '../../db/sql';
import { adjustWaitingVisits, claimFirstTouch, customerForVisitStatement, followedUpStatement, leadClockOf, type CustomerForVisit, type CustomerService } from '../customers';
import type { Member } from '../org';
import type { OrgService } from '../org';
import { activeMemberStatement, scopeIncludes } from '../org';
import { visitTodoStatements, type TodoSnapshot } from '../tasks';
import type { SigninService } from '../signins';
import type { PhotoService } from './photo.service';
import { Visit } from './visit.entity';
import { completeWaitingVisitStatements, dropVisitStatement, insertFirstTouch, insertVisitStatement, waitingVisitId, type SubmittedVisitFields, type WaitingVisitRow } from './visit.sql';

/** Test seam: a failure injected mid-transaction must leave nothing behind. */
export interface VisitFaults {
  afterVisitInsert?: () => void;
}

export interface VisitView {
  id: number;
  customerId: number;
  memberId: number;
  status: 'pending' | 'submitted';
  objective: string | null;
  painPoint: string | null;
  dialogueSummary: string | null;
  bottleneck: string | null;
  valuePoint: string | null;
  agreedAction: string | null;
  agreedActionNote: string | null;
  nextFollowUpAt: string | null;
  nextFollowUpForm: string | null;
  alert: boolean;
  customerVerbatim: string | null;
  /** 积极 / 中性 / 消极, or null when the rep gave none */
  customerFeedback: string | null;
  /** the winning play whose value point the rep copied (赢单打法), or null */
  playKey: string | null;
  photoIds: number[];
  submittedAt: string | null;
  /** when the rep saved it (earlier than submittedAt for a visit saved offline) */
  savedAt: string | null;
  createdAt: string;
  /** the supervisor's to-do this visit created (none when the rep has no supervisor) */
  todo?: { assigneeId: number; status: 'open'; dueAt: string } | null;
  /** the sign-in the visit links (已签到 · 120 m), when the rep picked one */
  signin?: { id: number; distance: number | null; tooFar: boolean; chip: string } | null;
}


export function visitOptionsOf(policy: Policy): VisitOptions {
  const { visitObjectives, bottlenecks, agreedActions, followUpForms, firstTouchMethods, customerFeedback } = policy.options;
  return { visitObjectives, bottlenecks, agreedActions, followUpForms, firstTouchMethods, customerFeedback, anchors: policy.anchors };
}

export class VisitService {
  readonly schema;
  readonly firstTouchSchema;

  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
    private readonly customers: CustomerService,
    private readonly photos: PhotoService,
    private readonly signins: SigninService,
    private readonly faults: VisitFaults = {},
  ) {
    this.schema = makeVisitSchema(visitOptionsOf(policy));
    this.firstTouchSchema = makeFirstTouchSchema(visitOptionsOf(policy));
    // Stage automation: moving a customer to 拜访 leaves a visit for its owner to complete.
    customers.onStageChange(async (manager, change) => {
      if (change.to !== 'visit') return;
      const waiting = await manager.getRepository(Visit).count({ where: { customerId: change.customer.id, memberId: change.customer.ownerId, submittedAt: IsNull() } });
      if (waiting > 0) return;
      await manager.getRepository(Visit).insert(this.pendingVisit(change.customer.id, change.customer.ownerId));
      await adjustWaitingVisits(manager, change.customer.id, 1);
    });
    // A new owner takes over the visit left waiting (one; a second one would be a duplicate).
    customers.onOwnerChange(async (manager, { customerId, to }) => {
      const visits = manager.getRepository(Visit);
      const waiting = await visits.find({ where: { customerId, submittedAt: IsNull() }, order: { id: 'ASC' }, select: { id: true, memberId: true } });
      const keep = waiting.find((v) => v.memberId === to) ?? waiting[0];
      if (!keep) return;
      if (keep.memberId !== to) await visits.update({ id: keep.id }, { memberId: to });
      const duplicates = waiting.filter((v) => v.id !== keep.id).map((v) => v.id);
      if (duplicates.length === 0) return;
      await visits.delete({ id: In(duplicates) });
      await adjustWaitingVisits(manager, customerId, -duplicates.length);
    });
  }

  get followUpRules() {
    return { now: () => this.clock.now(), timeZone: this.policy.timeZone, horizonDays: this.policy.limits.nextFollowUpHorizonDays };
  }

  check(raw: unknown) {
    return checkVisit(this.schema, raw, this.followUpRules);
  }

  private pendingVisit(customerId: number, memberId: number): Partial<Visit> {
    return {
      customerId, memberId, objective: null, painPoint: null, dialogueSummary: null, bottleneck: null, valuePoint: null, agreedAction: null,
      agreedActionNote: null, nextFollowUpAt: null, nextFollowUpForm: null, alert: false, customerVerbatim: null, submittedAt: null, savedAt: null, customerFeedback: null, playKey: null,
    };
  }

  toView(v: Visit, photoIds: number[] = []): VisitView {
    return {
      id: v.id, customerId: v.customerId, memberId: v.memberId, status: v.submittedAt ? 'submitted' : 'pending',
      objective: v.objective, painPoint: v.painPoint, dialogueSummary: v.dialogueSummary, bottleneck: v.bottleneck, valuePoint: v.valuePoint,
      agreedAction: v.agreedAction, agreedActionNote: v.agreedActionNote, nextFollowUpAt: v.nextFollowUpAt?.toISOString() ?? null,
      nextFollowUpForm: v.nextFollowUpForm, alert: !!v.alert, customerVerbatim: v.customerVerbatim, customerFeedback: v.customerFeedback ?? null, playKey: v.playKey ?? null, photoIds,
      submittedAt: v.submittedAt?.toISOString() ?? null, savedAt: v.savedAt?.toISOString() ?? null, createdAt: v.createdAt.toISOString(),
    };
  }

  /**
   * One transaction: the customer's last follow-up, the visit (completing a waiting one if there is),
   * its photos, the supervisor's to-do with its escalation timer, the rep's reminder, and the chat
   * messages to deliver. Any failure leaves none of it.
   */
  /** Visits left for the member to fill (stage automation made them), oldest first (at most `take`), and how many. */
  waitingFor(memberId: number, take: number): Promise<[Array<Pick<Visit, 'id' | 'customerId' | 'createdAt'>>, number]> {
    return this.db.getRepository(Visit).findAndCount({
      where: { memberId, submittedAt: IsNull() },
      order: { id: 'ASC' },
      take,
      select: { id: true, customerId: true, createdAt: true },
    });
  }

  async submit(caller: Member, input: VisitInput, idempotencyKey: string): Promise<OnceResult> {
    const idempotency = { memberId: caller.id, key: idempotencyKey, route: 'POST /visits', request: input };
    // Checks that depend on the time of arrival: a replay keeps the first answer instead.
    const received = this.clock.now();
    const maxAgeDays = this.policy.limits.offlineVisitMaxAgeDays;
    const saved = boundSavedAt(input.savedAt, received, maxAgeDays);
    if ('tooOld' in saved) {
      const replay = await storedAnswer(this.db, idempotency);
      if (replay) return replay;
      throw visitError('VISIT_TOO_OLD', { message: visitTooOldMessage(saved.tooOld, maxAgeDays, this.policy.timeZone), fields: { savedAt: `离线保存已超过 ${maxAgeDays} 天` } });
    }
    const savedAt = saved.savedAt;
    // judged as of the save: the follow-up was in the future when the rep promised it
    const next = nextFollowUpInstant(input.nextFollowUpDate, input.nextFollowUpTime, { ...this.followUpRules, now: () => savedAt });
    if ('error' in next) {
      const replay = await storedAnswer(this.db, idempotency);
      if (replay) return replay;
      throw visitError('ACTION_NOT_CLOSED', { fields: { nextFollowUpDate: `下次跟进时间${next.error}` } });
    }
    const scope = await this.org.scopeOf(caller, 'visits.create');
    // Plain SQL, one round trip per step: this is the path a team hits all day.
    return once(this.db, idempotency, async (sql) => {
      // the 48 h clock runs from receipt, whenever the rep saved it
      const now = this.clock.now();
      const fields: SubmittedVisitFields = {
        objective: input.objective, painPoint: input.painPoint, dialogueSummary: input.dialogueSummary, bottleneck: input.bottleneck,
        valuePoint: input.valuePoint, agreedAction: input.agreedAction, agreedActionNote: input.agreedActionNote || null,
        nextFollowUpAt: next.at, nextFollowUpForm: input.nextFollowUpForm, alert: input.alert, customerVerbatim: input.customerVerbatim || null, submittedAt: now,
        savedAt: savedAt.getTime() > now.getTime() ? now : savedAt,
        customerFeedback: input.customerFeedback ?? null,
        // only when the rep copied a suggested play's value point (the form sends it then, never by itself)
        playKey: input.playKey ?? null,
      };
      // First round trip: read the customer and insert the visit. Out of scope rolls the insert back
      // with everything else; if a visit was waiting for this rep, that one is completed instead.
      const [read, supervisor, inserted] = await sql.batch([
        customerForVisitStatement(input.customerId),
        // the rep's supervisor confirms the next action, if there is one still active
        activeMemberStatement(caller.managerId),
        insertVisitStatement(sql, { customerId: input.customerId, memberId: caller.id, ...fields, createdAt: now }),
      ]);
      const customer = (read!.rows as CustomerForVisit[])[0];
      if (!customer || !scopeIncludes(scope, customer.ownerId)) throw notFound('客户');
      const supervisorId = (supervisor!.rows as { id: number }[])[0]?.id ?? null;
      let visitId = Number(inserted!.insertId);
      let createdAt = now;
      let droppedVisitId: number | null = null;
      if (Number(customer.waitingVisits) > 0) {
        // Rare: stage automation left a visit here. Complete this rep's (and drop the row just
        // inserted), unless a concurrent submit completed it first.
        const waitingId = await waitingVisitId(sql, customer.id, caller.id);
        if (waitingId) {
          const [completed, created] = await sql.batch(completeWaitingVisitStatements(fields, waitingId));
          if (completed!.affected === 1) {
            droppedVisitId = visitId;
            visitId = waitingId;
            createdAt = sqlDate((created!.rows as WaitingVisitRow[])[0]!.createdAt)!;
          }
        }
      }
      // The customer row is updated in the last round trip; nothing before it locks what others wait for.
      const tail: Statement[] = [
        followedUpStatement(customer.id, now, droppedVisitId !== null),
        ...(droppedVisitId ? [dropVisitStatement(droppedVisitId)] : []),
      ];
      this.faults.afterVisitInsert?.();
      await this.photos.attach(sql, caller, input.photoIds, { visitId, customerId: customer.id }, 'photoIds');
      // the rep's sign-in there that day (外勤签到): its chip goes on the supervisor's card
      const signin = input.signinId ? await this.signins.linkToVisit(sql, caller, input.signinId, { visitId, customerId: customer.id, savedAt: fields.savedAt! }) : null;

      // Everything below is keyed by the visit (one to-do per visit), so it goes in the last batch.
      const jobs: JobSpec[] = [];
      let todo: VisitView['todo'] = null;
      if (supervisorId) {
        const stage = customer.stage as StageCode;
        const snapshot: TodoSnapshot = {
          customer: {
            id: customer.id, name: customer.name, stage, stageLabel: this.customers.stageLabel(stage), grade: customer.grade, industry: customer.industry,
            hospitalLevel: customer.hospitalLevel, lastFollowUpAt: sqlDate(customer.lastFollowUpAt)?.toISOString() ?? null,
          },
          rep: { id: caller.id, name: caller.name },
          visit: {
            id: visitId, objective: input.objective, painPoint: input.painPoint, bottleneck: input.bottleneck, valuePoint: input.valuePoint, submittedAt: now.toISOString(),
            signin: signinChip(signin),
          },
          actionItems: { agreedAction: input.agreedAction, note: input.agreedActionNote || null, nextFollowUpAt: next.at.toISOString(), nextFollowUpForm: input.nextFollowUpForm },
        };
        const dueAt = new Date(now.getTime() + this.policy.limits.todoConfirmHours * HOUR_MS);
        const assigneeId = Number(supervisorId);
        const created = visitTodoStatements(sql, { customerId: customer.id, visitId, assigneeId, repId: caller.id, teamId: caller.teamId, snapshot, dueAt }, now);
        tail.push(...created.statements);
        jobs.push(...created.jobs);
        todo = { assigneeId, status: 'open', dueAt: dueAt.toISOString() };
      }
      const remindAt = new Date(Math.max(now.getTime(), next.at.getTime() - this.policy.limits.reminderLeadMinutes * 60_000));
      jobs.push({ kind: 'visit.reminder', dueAt: remindAt, payload: { visitId, memberId: caller.id }, subject: `visit:${visitId}` });
      tail.push(jobStatement(sql, jobs));

      const visit = { id: visitId, customerId: customer.id, memberId: caller.id, ...fields, createdAt } as Visit;
      const linked = signin ? { id: signin.id, distance: signin.distance, tooFar: signin.tooFar, chip: signin.chip } : null;
      return { status: 201, body: { ...this.toView(visit, [...new Set(input.photoIds)]), todo, signin: linked }, tail };
    });
  }

  async get(caller: Member, id: number): Promise<VisitView> {
    const visit = await this.db.getRepository(Visit).findOne({ where: { id } });
    if (!visit) throw notFound('拜访记录');
    await this.customers.findInScope(caller, visit.customerId).catch(() => {
      throw notFound('拜访记录');
    });
    return this.toView(visit, (await this.photos.idsOfVisits([visit.id])).get(visit.id) ?? []);
  }

  /** The caller's visits waiting to be completed (created by stage automation). */
  async pending(caller: Member): Promise<VisitView[]> {
    const rows = await this.db.getRepository(Visit).find({ where: { memberId: caller.id, submittedAt: IsNull() }, order: { id: 'ASC' }, take: 100 });
    return rows.map((v) => this.toView(v));
  }

  /**
   * 首次触达 of a lead: method, the customer's words, and evidence; on time when within the lead's
   * clock (config: leadFirstTouchHours from assignment).
   */
  async firstTouch(caller: Member, customerId: number, input: FirstTouchInput, idempotencyKey: string): Promise<OnceResult> {
    const scope = await this.org.scopeOf(caller, 'visits.create');
    return once(this.db, { memberId: caller.id, key: idempotencyKey, route: `POST /customers/${customerId}/first-touch`, request: input }, async (sql) => {
      const now = this.clock.now();
      const row = await leadClockOf(sql, customerId);
      if (!row || !scopeIncludes(scope, row.ownerId)) throw notFound('客户');
      if (row.ownerId !== caller.id) throw forbidden('只有客户负责人可以记录首次触达');
      const dueAt = sqlDate(row.firstTouchDueAt);
      if (!row.leadAssignedAt || !dueAt) throw visitError('NOT_AWAITING_FIRST_TOUCH');
      if (row.firstTouchAt) throw visitError('FIRST_TOUCH_RECORDED');
      // The conditional update decides a race between two different first touches.
      if (!(await claimFirstTouch(sql, customerId, now))) throw visitError('FIRST_TOUCH_RECORDED');
      const id = await insertFirstTouch(sql, {
        customerId, memberId: caller.id, method: input.method, verbatim: input.verbatim, evidenceText: input.evidenceText || null, evidencePhotoId: input.evidencePhotoId ?? null, touchedAt: now, dueAt,
      });
      if (input.evidencePhotoId) await this.photos.attach(sql, caller, [input.evidencePhotoId], { firstTouchId: id, customerId }, 'evidencePhotoId');
      await cancelJobs(sql, 'lead.first_touch_due', `customer:${customerId}`);
      return {
        status: 201,
        body: {
          id, customerId, method: input.method, verbatim: input.verbatim, evidenceText: input.evidenceText ?? null, evidencePhotoId: input.evidencePhotoId ?? null,
          touchedAt: now.toISOString(), dueAt: dueAt.toISOString(), onTime: now.getTime() <= dueAt.getTime(),
        },
      };
    });
  }
}
