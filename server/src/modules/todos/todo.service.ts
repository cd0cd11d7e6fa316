import { In, IsNull, Not, type DataSource, type EntityManager } from 'typeorm';
import type { OrgService } from '../org';
import type { Clock } from '../../clock';
import { withTransaction } from '../../db/transaction';
import { AppError, notFound } from '../../http/errors';
import { cancelJobs } from '../../jobs/job-scheduler';
import { enqueueMessages } from '../../outbox/outbox';
import { sqlOf } from '../../db/sql';
import type { Member } from '../org';
import { scopeIncludes, type Scope } from '../org';
import type { Policy } from '../../config/policy';
import { Todo } from './todo.entity';

export interface TodoView {
  id: number;
  status: 'open' | 'confirmed';
  customerId: number;
  visitId: number | null;
  assigneeId: number;
  repId: number;
  snapshot: Todo['snapshot'];
  dueAt: string;
  overdue: boolean;
  confirmedAt: string | null;
  confirmedBy: number | null;
  confirmedVia: Todo['confirmedVia'];
  confirmComment: string | null;
  escalatedAt: string | null;
  /** marked 已升级 wherever it shows */
  escalated: boolean;
  /** how long past its confirm-by time, in minutes (0 when not overdue or confirmed) */
  overdueMinutes: number;
  /** who confirms it, by name (the director's screen names rep and supervisor) */
  assignee: { id: number; name: string; role: string } | null;
  discussRequestedAt: string | null;
  reminderAt: string | null;
  createdAt: string;
}

export class TodoService {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
  ) {}

  toView(t: Todo, assignee: Pick<Member, 'id' | 'name' | 'role'> | null = null): TodoView {
    const next = t.snapshot.actionItems.nextFollowUpAt;
    const lateMs = t.confirmedAt ? 0 : this.clock.now().getTime() - t.dueAt.getTime();
    return {
      id: t.id, status: t.confirmedAt ? 'confirmed' : 'open', customerId: t.customerId, visitId: t.visitId, assigneeId: t.assigneeId, repId: t.repId,
      snapshot: t.snapshot, dueAt: t.dueAt.toISOString(), overdue: !t.confirmedAt && t.dueAt.getTime() < this.clock.now().getTime(),
      confirmedAt: t.confirmedAt?.toISOString() ?? null, confirmedBy: t.confirmedById, confirmedVia: t.confirmedVia, confirmComment: t.confirmComment,
      escalatedAt: t.escalatedAt?.toISOString() ?? null,
      escalated: t.escalatedAt !== null,
      overdueMinutes: lateMs > 0 ? Math.floor(lateMs / 60_000) : 0,
      assignee: assignee ? { id: assignee.id, name: assignee.name, role: assignee.role } : null,
      discussRequestedAt: t.discussRequestedAt?.toISOString() ?? null,
      reminderAt: next ? new Date(new Date(next).getTime() - this.policy.limits.reminderLeadMinutes * 60_000).toISOString() : null,
      createdAt: t.createdAt.toISOString(),
    };
  }

  /**
   * The supervisor's cards (assigned to them), a rep's next actions (from their visits), or, for a
   * director, the to-dos escalated in their reach.
   */
  /** A customer's to-dos, newest first (at most `take`), and how many (the timeline shows them). */
  ofCustomer(customerId: number, take: number): Promise<[Todo[], number]> {
    return this.db.getRepository(Todo).findAndCount({ where: { customerId }, order: { id: 'DESC' }, take });
  }

  /** The latest to-do a visit created, if any. */
  ofVisit(visitId: number): Promise<Todo | null> {
    return this.db.getRepository(Todo).findOne({ where: { visitId }, order: { id: 'DESC' } });
  }

  /** The home screen's counts: open to-dos the member confirms, their own waiting, and (with a scope) escalated ones. */
  async homeCounts(memberId: number, escalatedScope: Scope | null): Promise<{ toConfirm: number; myOpen: number; escalated: number }> {
    const todos = this.db.getRepository(Todo);
    const toConfirm = await todos.count({ where: { assigneeId: memberId, confirmedAt: IsNull() } });
    const myOpen = await todos.count({ where: { repId: memberId, confirmedAt: IsNull() } });
    const escalated = escalatedScope
      ? await todos.count({ where: { escalatedAt: Not(IsNull()), confirmedAt: IsNull(), ...(escalatedScope.kind === 'owners' ? { repId: In(escalatedScope.memberIds) } : {}) } })
      : 0;
    return { toConfirm, myOpen, escalated };
  }

  async list(caller: Member, options: { as: 'assignee' | 'rep' | 'escalated'; status: 'open' | 'confirmed' | 'all'; page: number; pageSize: number }) {
    let who: Record<string, unknown>;
    if (options.as === 'escalated') {
      const scope = await this.org.scopeOf(caller);
      who = { escalatedAt: Not(IsNull()), ...(scope.kind === 'owners' ? { repId: In(scope.memberIds) } : {}) };
    } else who = options.as === 'assignee' ? { assigneeId: caller.id } : { repId: caller.id };
    const where = {
      ...who,
      ...(options.status === 'open' ? { confirmedAt: IsNull() } : options.status === 'confirmed' ? { confirmedAt: Not(IsNull()) } : {}),
    };
    const [rows, total] = await this.db.getRepository(Todo).findAndCount({
      where,
      order: options.as === 'escalated' ? { escalatedAt: 'DESC', id: 'DESC' } : options.status === 'open' ? { dueAt: 'ASC', id: 'ASC' } : { createdAt: 'DESC', id: 'DESC' },
      skip: (options.page - 1) * options.pageSize,
      take: options.pageSize,
    });
    return { items: await this.views(rows), total, page: options.page, pageSize: options.pageSize };
  }

  /** Views with the confirmer named (one lookup for the page). */
  async views(rows: Todo[]): Promise<TodoView[]> {
    const people = await this.org.membersByIds(rows.map((t) => t.assigneeId));
    return rows.map((t) => this.toView(t, people.get(t.assigneeId) ?? null));
  }

  /**
   * A to-do visible to the caller: its assignee or its rep, or — once escalated — a director or admin
   * whose reach holds the rep. Anyone else sees nothing.
   */
  async get(caller: Member, id: number): Promise<TodoView> {
    const todo = await this.db.getRepository(Todo).findOne({ where: { id } });
    if (!todo) throw notFound('待办');
    if (todo.assigneeId !== caller.id && todo.repId !== caller.id) {
      // a role without the right to follow escalations reaches none (scopeOf answers an empty scope)
      const escalatedInReach = todo.escalatedAt !== null && scopeIncludes(await this.org.scopeOf(caller, 'todos.escalations.read'), todo.repId);
      if (!escalatedInReach) throw notFound('待办');
    }
    return (await this.views([todo]))[0]!;
  }

  /** `work` in the caller's transaction when it has one (a chat callback records its nonce in it), else in a new one. */
  private inTransaction<T>(outer: EntityManager | undefined, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return outer ? work(outer) : withTransaction(this.db, work);
  }

  /**
   * Confirms once, from wherever: a second confirmation (another tap, a chat callback) changes nothing
   * and answers the state as it is. The escalation timer is cancelled with it. With `outer`, it runs in
   * that transaction: a chat callback's nonce is recorded with the confirmation or not at all.
   */
  async confirm(confirmerId: number, id: number, via: NonNullable<Todo['confirmedVia']>, comment: string | null, outer?: EntityManager): Promise<{ todo: TodoView; changed: boolean }> {
    const now = this.clock.now();
    const { row, changed } = await this.inTransaction(outer, async (manager) => {
      const repo = manager.getRepository(Todo);
      const todo = await repo.findOne({ where: { id } });
      if (!todo || todo.assigneeId !== confirmerId) throw notFound('待办');
      const result = await repo.update({ id, confirmedAt: IsNull() }, { confirmedAt: now, confirmedById: confirmerId, confirmedVia: via, confirmComment: comment });
      const changed = (result.affected ?? 0) === 1;
      if (changed) {
        await cancelJobs(sqlOf(manager), 'todo.escalate', todo.visitId ? `visit:${todo.visitId}` : `todo:${id}`);
        await enqueueMessages(sqlOf(manager), [{ kind: 'todo.confirmed', teamId: null, payload: { todoId: id, visitId: todo.visitId, confirmedById: confirmerId, via } }], now);
      }
      return { row: await repo.findOneOrFail({ where: { id } }), changed };
    });
    return { todo: (await this.views([row]))[0]!, changed };
  }

  /**
   * 需要沟通: the assignee wants to talk before confirming. The rep is told once (a second tap changes
   * nothing); the to-do stays open, so its escalation still runs if nobody confirms it.
   */
  async requestDiscussion(requesterId: number, id: number, via: NonNullable<Todo['discussRequestedVia']>, outer?: EntityManager): Promise<{ todo: TodoView; changed: boolean }> {
    const now = this.clock.now();
    const { row, changed } = await this.inTransaction(outer, async (manager) => {
      const repo = manager.getRepository(Todo);
      const todo = await repo.findOne({ where: { id } });
      if (!todo || todo.assigneeId !== requesterId) throw notFound('待办');
      if (todo.confirmedAt) throw new AppError(409, 'CONFLICT', '该待办已确认，无需再沟通');
      const result = await repo.update({ id, discussRequestedAt: IsNull(), confirmedAt: IsNull() }, { discussRequestedAt: now, discussRequestedVia: via });
      const changed = (result.affected ?? 0) === 1;
      if (changed) await enqueueMessages(sqlOf(manager), [{ kind: 'todo.discuss', teamId: null, payload: { todoId: id, requestedById: requesterId } }], now);
      return { row: await repo.findOneOrFail({ where: { id } }), changed };
    });
    return { todo: (await this.views([row]))[0]!, changed };
  }
}
