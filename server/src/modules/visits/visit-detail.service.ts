import type { DataSource } from 'typeorm';
import { agreedActionText, offlineSavedNote, signinChip, type VisitDetail } from '@anchor/shared';
import type { Policy } from '../../config/policy';
import type { Clock } from '../../clock';
import { notFound } from '../../http/errors';
import type { CustomerService } from '../customers';
import type { Member } from '../org';
import type { OrgService } from '../org';
import { scopeIncludes } from '../org';
import type { SigninService } from '../signins';
import type { TodoService } from '../tasks';
import type { PhotoService } from './photo.service';
import { Visit } from './visit.entity';
import { actionDoneView } from './action-done.service';

/**
 * One visit as the detail page shows it. Who may read it: its rep, whoever confirms its to-do, and
 * anyone whose scope holds the customer (supervisor: team; director: region; admin, finance and
 * marketing: all, read-only). Anyone else gets the same 404 as a visit that does not exist.
 */
export class VisitDetailService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly org: OrgService,
    private readonly photos: PhotoService,
    private readonly policy: Policy,
    private readonly customers: CustomerService,
    private readonly todos: TodoService,
    private readonly signins: SigninService,
  ) {}

  async get(caller: Member, id: number): Promise<VisitDetail> {
    const visit = await this.db.getRepository(Visit).findOne({ where: { id } });
    if (!visit) throw notFound('拜访记录');
    const [customer, todo] = await Promise.all([
      this.customers.summaryOf(visit.customerId),
      this.todos.ofVisit(visit.id),
    ]);
    if (!customer) throw notFound('拜访记录');
    const mayRead =
      visit.memberId === caller.id ||
      todo?.assigneeId === caller.id ||
      scopeIncludes(await this.org.scopeOf(caller, 'visits.read'), customer.ownerId);
    if (!mayRead) throw notFound('拜访记录');

    const people = await this.org.membersByIds([
      visit.memberId, ...(todo ? [todo.assigneeId] : []), ...(todo?.confirmedById ? [todo.confirmedById] : []), ...(visit.actionDoneById ? [visit.actionDoneById] : []),
    ]);
    const evidence = visit.actionDoneAt ? ((await this.photos.idsOfActions([visit.id])).get(visit.id) ?? []) : [];
    const canCompleteAction =
      !visit.actionDoneAt && !!visit.submittedAt && !!visit.nextFollowUpAt && scopeIncludes(await this.org.scopeOf(caller, 'visits.actions.complete'), visit.memberId);
    const who = (memberId: number) => ({ id: memberId, name: people.get(memberId)?.name ?? '' });
    const photoIds = (await this.photos.idsOfVisits([visit.id])).get(visit.id) ?? [];
    const signin = (await this.signins.ofVisits([visit.id])).get(visit.id) ?? null;
    return {
      id: visit.id,
      status: visit.submittedAt ? 'submitted' : 'pending',
      customer: { id: customer.id, name: customer.name },
      rep: who(visit.memberId),
      objective: visit.objective,
      painPoint: visit.painPoint,
      dialogueSummary: visit.dialogueSummary,
      bottleneck: visit.bottleneck,
      valuePoint: visit.valuePoint,
      agreedAction: visit.agreedAction,
      agreedActionNote: visit.agreedActionNote,
      agreedActionText: agreedActionText(visit.agreedAction, visit.agreedActionNote),
      nextFollowUpAt: visit.nextFollowUpAt?.toISOString() ?? null,
      nextFollowUpForm: visit.nextFollowUpForm,
      alert: !!visit.alert,
      customerVerbatim: visit.customerVerbatim,
      photoIds,
      submittedAt: visit.submittedAt?.toISOString() ?? null,
      savedAt: visit.savedAt?.toISOString() ?? null,
      offlineNote: visit.submittedAt
        ? offlineSavedNote(visit.savedAt, visit.submittedAt, this.policy.limits.offlineTimeShownAfterMinutes, this.policy.timeZone)
        : null,
      createdAt: visit.createdAt.toISOString(),
      signin: signin ? { id: signin.id, distance: signin.distance, tooFar: signin.tooFar, inaccurate: signin.inaccurate, chip: signin.chip, at: signin.createdAt } : null,
      signinChip: signinChip(signin),
      todo: todo
        ? {
            id: todo.id,
            status: todo.confirmedAt ? 'confirmed' : 'open',
            assignee: who(todo.assigneeId),
            dueAt: todo.dueAt.toISOString(),
            overdue: !todo.confirmedAt && todo.dueAt.getTime() < this.clock.now().getTime(),
            confirmedAt: todo.confirmedAt?.toISOString() ?? null,
            confirmedBy: todo.confirmedById ? who(todo.confirmedById) : null,
            discussRequestedAt: todo.discussRequestedAt?.toISOString() ?? null,
            escalatedAt: todo.escalatedAt?.toISOString() ?? null,
            canConfirm: todo.assigneeId === caller.id,
          }
        : null,
      customerFeedback: visit.customerFeedback ?? null,
      actionDone: actionDoneView(visit, people, evidence),
      canCompleteAction,
    };
  }
}
