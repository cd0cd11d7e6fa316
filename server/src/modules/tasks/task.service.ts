import { In, IsNull, Not, type DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { SQL, placeholders, sqlOf, type Sql } from '../../db/sql';
import { withTransaction } from '../../db/transaction';
import { invalid, notFound } from '../../http/errors';
import { taskError } from './tasks.errors';
import { cancelJobs, jobStatement, scheduleJobs } from '../../jobs/job-scheduler';
import { enqueueMessages, outboxStatement } from '../../outbox/outbox';
import type { Member, OrgService } from '../org';
import { scopeIncludes } from '../org';
import type { ApprovalService } from './approval.service';
import { TaskAction, type TaskActionName } from './task-action.entity';
import { NEEDS_WORDS, type PersonAction, type TaskKinds } from './task-kind';
import { Task, type TaskOutcome, type TaskVia } from './task.entity';
import type { TaskCard } from './task.messages';
import type { TaskPools } from './task-pools';

const HOUR_MS = 3600_000;

/** A task to create: its kind, subject and who acts (a member or a pool). */
export interface NewTask {
  kind: string;
  subjectType: string;
  subjectId: number | null;
  customerId?: number | null;
  requesterId?: number | null;
  assigneeId?: number | null;
  assigneePool?: string | null;
  approvalId?: number | null;
  stepIndex?: number | null;
  snapshot: Record<string, unknown>;
}

export interface TaskHistoryEntry {
  action: TaskActionName;
  by: { id: number; name: string } | null;
  via: TaskVia | null;
  comment: string | null;
  to: { id: number; name: string } | null;
  at: string;
}

export interface TaskView {
  id: number;
  kind: string;
  kindLabel: string;
  subjectType: string;
  subjectId: number | null;
  customerId: number | null;
  requesterId: number | null;
  assigneeId: number | null;
  assigneePool: string | null;
  /** the pool's name (policy taskPools label), e.g. 财务 */
  assigneePoolLabel: string | null;
  approvalId: number | null;
  stepIndex: number | null;
  state: 'open' | TaskOutcome;
  title: string;
  lines: string[];
  dueAt: string;
  overdue: boolean;
  escalatedAt: string | null;
  completedAt: string | null;
  completedById: number | null;
  completedVia: TaskVia | null;
  /** who settled it (named, for the 已处理 list) */
  completedBy: { id: number; name: string } | null;
  comment: string | null;
  talkRequestedAt: string | null;
  /** what the caller may do with it now (the app shows these buttons) */
  actions: PersonAction[];
  /** the kind's own words for some of those buttons (confirm → 复核完成) */
  actionLabels: Partial<Record<PersonAction, string>>;
  createdAt: string;
  /** as=handled: the viewer's own latest hand-over of it, when they passed it on */
  passedOn?: { to: { id: number; name: string } | null; via: TaskVia | null; at: string } | null;
}

/** One task about a subject, as its owner module shows it (TaskService.ofSubject). */
export interface SubjectTask {
  id: number;
  kind: string;
  approvalId: number | null;
  stepIndex: number | null;
  assigneeId: number | null;
  assigneePool: string | null;
  assigneePoolLabel: string | null;
  createdAt: Date;
  completedAt: Date | null;
  outcome: TaskOutcome | null;
  completedById: number | null;
  comment: string | null;
  comments: Array<{ byId: number | null; comment: string; at: Date }>;
}

export interface TaskDetail extends TaskView {
  history: TaskHistoryEntry[];
}

/** What an action carries besides itself. */
export interface ActionInput {
  /** a comment, a confirmation's note, or a rejection's reason */
  comment?: string | null;
  /** reassign: the new assignee */
  toMemberId?: number | null;
}

const OUTCOME: Partial<Record<PersonAction, TaskOutcome>> = { confirm: 'done', approve: 'approved', reject: 'rejected' };

/**
 * The task engine: creates tasks of any declared kind, lets their assignee (or any member of their
 * pool: the first wins) act on them once, keeps the history, and hands approval steps to the
 * approval chain in the same transaction.
 */
export class TaskService {
  /** set once both are built (each needs the other: a step's decision moves its chain, a chain creates steps) */
  approvals!: ApprovalService;

  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
    readonly kinds: TaskKinds,
    readonly pools: TaskPools,
  ) {}

  /**
   * Creates a task in the caller's transaction, with its escalation timer and its card. The kind must be
   * declared and the assignee given (a member or a pool).
   */
  async create(manager: EntityManager, spec: NewTask): Promise<Task> {
    const kind = this.kinds.get(spec.kind);
    if (!spec.assigneeId && !spec.assigneePool) throw new Error(`task of kind ${spec.kind} without an assignee or a pool`);
    const now = this.clock.now();
    // The snapshot carries what the card shows, so the card is planned (even long after) without the registry.
    const card: TaskCard = { label: kind.label, ...kind.render(spec.snapshot, this.policy.timeZone), actions: [...kind.actions], ...(kind.actionLabels ? { actionLabels: kind.actionLabels } : {}) };
    const task = await manager.getRepository(Task).save(
      manager.getRepository(Task).create({
        kind: spec.kind, subjectType: spec.subjectType, subjectId: spec.subjectId, customerId: spec.customerId ?? null, requesterId: spec.requesterId ?? null,
        assigneeId: spec.assigneeId ?? null, assigneePool: spec.assigneeId ? null : (spec.assigneePool ?? null), approvalId: spec.approvalId ?? null,
        stepIndex: spec.stepIndex ?? null, snapshot: { ...spec.snapshot, card }, dueAt: new Date(now.getTime() + kind.dueHours(this.policy) * HOUR_MS),
        escalationTarget: kind.escalateTo, createdAt: now,
      }),
    );
    const sql = sqlOf(manager);
    await scheduleJobs(sql, [{ kind: 'task.escalate', dueAt: task.dueAt, payload: { taskId: task.id }, subject: `task:${task.id}` }]);
    await enqueueMessages(sql, [{ kind: 'task.card', teamId: null, payload: { taskId: task.id } }], now);
    return task;
  }

  /**
   * Opens one task of `kind` about each subject (of `subjectType`) that has no task of that kind open, in
   * the caller's transaction and set-based, for work that changes many subjects at once (a regrade batch):
   * one read of the open ones, one multi-row INSERT, one read of the new ids, then every escalation timer
   * and card in one batch. Answers subject id → the task opened for it (subjects skipped are absent).
   */
  async openForSubjects(sql: Sql, kind: string, subjectType: string, specs: Array<Omit<NewTask, 'kind' | 'subjectType' | 'subjectId'> & { subjectId: number }>): Promise<Map<number, number>> {
    const opened = new Map<number, number>();
    if (specs.length === 0) return opened;
    const definition = this.kinds.get(kind);
    const ids = [...new Set(specs.map((s) => s.subjectId))];
    const open = await sql.rows<{ subjectId: number }>(
      SQL`SELECT subjectId FROM task WHERE subjectType = ? AND subjectId IN (${placeholders(ids.length)}) AND kind = ? AND completedAt IS NULL`,
      [subjectType, ...ids, kind],
    );
    const busy = new Set(open.map((r) => Number(r.subjectId)));
    const fresh = new Map<number, (typeof specs)[number]>();
    for (const spec of specs) if (!busy.has(spec.subjectId) && !fresh.has(spec.subjectId)) fresh.set(spec.subjectId, spec);
    if (fresh.size === 0) return opened;
    const now = this.clock.now();
    const dueAt = new Date(now.getTime() + definition.dueHours(this.policy) * HOUR_MS);
    await sql.insert('task', [...fresh.values()].map((spec) => {
      if (!spec.assigneeId && !spec.assigneePool) throw new Error(`task of kind ${kind} without an assignee or a pool`);
      const card: TaskCard = { label: definition.label, ...definition.render(spec.snapshot, this.policy.timeZone), actions: [...definition.actions], ...(definition.actionLabels ? { actionLabels: definition.actionLabels } : {}) };
      return {
        kind, subjectType, subjectId: spec.subjectId, customerId: spec.customerId ?? null, requesterId: spec.requesterId ?? null, assigneeId: spec.assigneeId ?? null,
        assigneePool: spec.assigneeId ? null : (spec.assigneePool ?? null), approvalId: spec.approvalId ?? null, stepIndex: spec.stepIndex ?? null,
        snapshot: { ...spec.snapshot, card }, dueAt, escalationTarget: definition.escalateTo, createdAt: now,
      };
    }));
    // the subjects had none open: the open ones now are those just written
    const created = await sql.rows<{ id: number; subjectId: number }>(
      SQL`SELECT id, subjectId FROM task WHERE subjectType = ? AND subjectId IN (${placeholders(fresh.size)}) AND kind = ? AND completedAt IS NULL ORDER BY id`,
      [subjectType, ...fresh.keys(), kind],
    );
    for (const r of created) opened.set(Number(r.subjectId), Number(r.id));
    const taskIds = [...opened.values()];
    await sql.batch([
      jobStatement(sql, taskIds.map((id) => ({ kind: 'task.escalate', dueAt, payload: { taskId: id }, subject: `task:${id}` }))),
      outboxStatement(sql, taskIds.map((id) => ({ kind: 'task.card', teamId: null, payload: { taskId: id } })), now),
    ]);
    return opened;
  }

  /**
   * Whether `member` is the one to act on `task`: its assignee, or a member of its pool (`pools`: the
   * pools they act in, from `TaskPools.idsOf`: roles, and a chosen pool's picked members).
   */
  isActor(task: Pick<Task, 'assigneeId' | 'assigneePool'>, member: Pick<Member, 'id' | 'role' | 'deactivatedAt'>, pools: ReadonlySet<string>): boolean {
    if (member.deactivatedAt) return false;
    return task.assigneeId !== null ? task.assigneeId === member.id : task.assigneePool !== null && pools.has(task.assigneePool);
  }

  /** What `member` (acting in `pools`) may do with `task` now. */
  allowed(task: Task, member: Pick<Member, 'id' | 'role' | 'deactivatedAt'>, pools: ReadonlySet<string>): PersonAction[] {
    const kind = this.kinds.find(task.kind);
    if (!kind) return [];
    const actor = this.isActor(task, member, pools);
    return kind.actions.filter((a) => {
      if (a === 'comment') return actor || task.requesterId === member.id;
      if (!actor || task.completedAt) return false;
      return a !== 'request_talk' || task.talkRequestedAt === null;
    });
  }

  private inTransaction<T>(outer: EntityManager | undefined, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return outer ? work(outer) : withTransaction(this.db, work);
  }

  /**
   * One action on a task, from any surface. Settling actions (confirm, approve, reject) act once: the
   * first one wins (a pool's other members, a replayed click, a second tap change nothing and get the
   * task as it is, `changed: false`). With `outer`, it runs in that transaction (a chat callback
   * records its nonce with it). An approval step's decision moves its chain in the same transaction.
   */
  async act(memberId: number, taskId: number, action: PersonAction, via: TaskVia, input: ActionInput = {}, outer?: EntityManager): Promise<{ task: TaskView; changed: boolean }> {
    const now = this.clock.now();
    const { row, member, pools, changed } = await this.inTransaction(outer, async (manager) => {
      const repo = manager.getRepository(Task);
      const task = await repo.findOne({ where: { id: taskId } });
      const member = await this.org.findActiveMember(memberId, manager);
      if (!task || !member) throw notFound('任务');
      const kind = this.kinds.find(task.kind);
      const pools = await this.pools.idsOf(member, manager);
      const actor = this.isActor(task, member, pools);
      if (!actor && !(action === 'comment' && task.requesterId === member.id)) {
        // A chosen pool's task (e.g. the marketing lead's) seen by someone of its roles who was not picked: refused, saying who acts.
        if (task.assigneeId === null && task.assigneePool !== null && this.pools.hasRoleOf(task.assigneePool, member)) {
          throw taskError('TASK_ACTION_NOT_ALLOWED', { message: `该任务由选定的「${this.pools.label(task.assigneePool)}」成员处理` });
        }
        throw notFound('任务');
      }
      if (!kind?.actions.includes(action)) throw taskError('TASK_ACTION_NOT_ALLOWED', { message: `该任务不支持「${ACTION_LABELS[action]}」` });
      const comment = input.comment?.trim() || null;
      if (comment && comment.length > 200) throw invalid({ comment: '内容不能超过 200 个字' });
      if (NEEDS_WORDS.includes(action) && action !== 'reassign' && !comment) {
        throw invalid({ comment: action === 'reject' ? '请填写驳回理由' : '请填写评论内容' });
      }
      const sql = sqlOf(manager);
      const record = (extra: Partial<TaskAction> = {}) =>
        manager.getRepository(TaskAction).insert({ taskId, action, byId: member.id, via, comment, toMemberId: null, at: now, ...extra });
      let changed = false;
      const outcome = OUTCOME[action];
      if (outcome) {
        // First wins: only an open task is settled; whoever comes second changes nothing.
        const result = await repo.update({ id: taskId, completedAt: IsNull() }, { completedAt: now, outcome, completedById: member.id, completedVia: via, comment });
        changed = (result.affected ?? 0) === 1;
        if (changed) {
          await record();
          const settled = await repo.findOneOrFail({ where: { id: taskId } });
          if (kind.legacy) {
            const job = kind.legacy.escalationJob(settled);
            await cancelJobs(sql, job.kind, job.subject);
            await enqueueMessages(sql, kind.legacy.settled(settled, member.id, via), now);
          } else {
            await cancelJobs(sql, 'task.escalate', `task:${taskId}`);
            await enqueueMessages(sql, [{ kind: 'task.settled', teamId: null, payload: { taskId, byId: member.id } }], now);
          }
          if (settled.approvalId !== null) await this.approvals.decideStep(manager, settled, member.id, comment, now);
        }
      } else if (action === 'request_talk') {
        if (task.completedAt) throw taskError('TASK_ALREADY_SETTLED', { message: '该任务已处理，无需再沟通' });
        const result = await repo.update({ id: taskId, talkRequestedAt: IsNull(), completedAt: IsNull() }, { talkRequestedAt: now, talkRequestedVia: via });
        changed = (result.affected ?? 0) === 1;
        if (changed) {
          await record();
          const messages = kind.legacy ? kind.legacy.talk(task, member.id) : [{ kind: 'task.talk', teamId: null, payload: { taskId, byId: member.id } }];
          await enqueueMessages(sql, messages, now);
        }
      } else if (action === 'comment') {
        await record();
        changed = true;
      } else if (action === 'reassign') {
        if (task.completedAt) throw taskError('TASK_ALREADY_SETTLED', { message: '该任务已处理，不能再转交' });
        const to = input.toMemberId ? await this.org.findActiveMember(input.toMemberId, manager) : null;
        if (!to) throw invalid({ toMemberId: '请选择在职的接手人' });
        if (to.id === task.assigneeId) throw invalid({ toMemberId: '接手人与当前处理人相同' });
        const result = await repo.update({ id: taskId, completedAt: IsNull() }, { assigneeId: to.id, assigneePool: null });
        changed = (result.affected ?? 0) === 1;
        if (changed) {
          await record({ toMemberId: to.id });
          // the previous assignee's (or pool's) cards are greyed 「已转交给 …」, then the new assignee gets theirs
          await enqueueMessages(sql, kind.legacy
            ? [{ kind: 'todo.reassigned', teamId: null, payload: { todoId: taskId, fromId: task.assigneeId } }, { kind: 'todo.card', teamId: null, payload: { todoId: taskId, reassigned: true } }]
            : [{ kind: 'task.reassigned', teamId: null, payload: { taskId, fromId: task.assigneeId, toId: to.id } }, { kind: 'task.card', teamId: null, payload: { taskId, round: await manager.getRepository(TaskAction).count({ where: { taskId, action: 'reassign' } }) } }], now);
        }
      }
      return { row: await repo.findOneOrFail({ where: { id: taskId } }), member, pools: await this.pools.idsOf(member, manager), changed };
    });
    // inside a caller's transaction (a chat callback) the names are not needed, and not read on another connection
    const view = this.toView(row, member, pools);
    return { task: outer ? view : (await this.named([view]))[0]!, changed };
  }

  toView(t: Task, viewer: Pick<Member, 'id' | 'role' | 'deactivatedAt'> | null, pools: ReadonlySet<string> = new Set()): TaskView {
    const kind = this.kinds.find(t.kind);
    const shown = kind ? kind.render(t.snapshot, this.policy.timeZone) : { title: t.kind, lines: [] };
    const now = this.clock.now().getTime();
    return {
      id: t.id, kind: t.kind, kindLabel: kind?.label ?? t.kind, subjectType: t.subjectType, subjectId: t.subjectId, customerId: t.customerId, requesterId: t.requesterId,
      assigneeId: t.assigneeId, assigneePool: t.assigneePool, assigneePoolLabel: t.assigneePool === null ? null : this.pools.label(t.assigneePool), approvalId: t.approvalId, stepIndex: t.stepIndex,
      state: t.completedAt ? (t.outcome ?? 'done') : 'open', title: shown.title, lines: shown.lines,
      dueAt: t.dueAt.toISOString(), overdue: !t.completedAt && t.dueAt.getTime() < now, escalatedAt: t.escalatedAt?.toISOString() ?? null,
      completedAt: t.completedAt?.toISOString() ?? null, completedById: t.completedById, completedVia: t.completedVia, completedBy: null, comment: t.comment,
      talkRequestedAt: t.talkRequestedAt?.toISOString() ?? null, actions: viewer ? this.allowed(t, viewer, pools) : [], actionLabels: kind?.actionLabels ?? {}, createdAt: t.createdAt.toISOString(),
    };
  }

  /**
   * The caller's tasks: `mine` (assigned to them), `pool` (waiting in a pool they act in), `requested`
   * (on their behalf), or `escalated` (a director's or admin's reach).
   */
  async list(caller: Member, options: { as: 'mine' | 'pool' | 'requested' | 'escalated' | 'handled'; status: 'open' | 'settled' | 'all'; page: number; pageSize: number }) {
    const state = options.status === 'open' ? { completedAt: IsNull() } : options.status === 'settled' ? { completedAt: Not(IsNull()) } : {};
    const pools = await this.pools.idsOf(caller);
    let where: FindOptionsWhere<Task> | FindOptionsWhere<Task>[];
    let passed = new Map<number, TaskAction>();
    if (options.as === 'handled') {
      // what I decided or passed on, and what was decided in my hands or my pool (a colleague may have been first)
      const mine = await this.db.getRepository(TaskAction).find({ where: { byId: caller.id, action: In(['confirm', 'approve', 'reject', 'reassign']) }, order: { at: 'ASC', id: 'ASC' } });
      passed = new Map(mine.filter((a) => a.action === 'reassign').map((a) => [a.taskId, a]));
      const done = { completedAt: Not(IsNull()) };
      where = [
        { assigneeId: caller.id, ...done },
        ...(pools.size ? [{ assigneePool: In([...pools]), assigneeId: IsNull(), ...done }] : []),
        ...(mine.length ? [{ id: In([...new Set(mine.map((a) => a.taskId))]), ...state }] : []),
      ];
      if (options.status === 'open') where = mine.length ? [where.at(-1)!] : [];
      if (!where.length) return { items: [], total: 0, page: options.page, pageSize: options.pageSize };
    } else if (options.as === 'escalated') {
      if (!['director', 'admin'].includes(caller.role)) return { items: [], total: 0, page: options.page, pageSize: options.pageSize };
      const scope = await this.org.scopeOf(caller);
      where = { escalatedAt: Not(IsNull()), ...state, ...(scope.kind === 'owners' ? { requesterId: In(scope.memberIds) } : {}) };
    } else if (options.as === 'pool') {
      if (pools.size === 0) return { items: [], total: 0, page: options.page, pageSize: options.pageSize };
      where = { assigneePool: In([...pools]), assigneeId: IsNull(), ...state };
    }
    else if (options.as === 'requested') where = { requesterId: caller.id, ...state };
    else where = { assigneeId: caller.id, ...state };
    const [rows, total] = await this.db.getRepository(Task).findAndCount({
      where,
      order: options.status === 'open' ? { dueAt: 'ASC', id: 'ASC' } : { createdAt: 'DESC', id: 'DESC' },
      skip: (options.page - 1) * options.pageSize,
      take: options.pageSize,
    });
    const items = await this.named(rows.map((t) => this.toView(t, caller, pools)), options.as === 'handled' ? passed : undefined);
    return { items, total, page: options.page, pageSize: options.pageSize };
  }

  /** Names who settled each task (and, for the 已处理 list, to whom the viewer passed it on). */
  private async named(views: TaskView[], passed?: Map<number, TaskAction>): Promise<TaskView[]> {
    const ids = views.flatMap((v) => [v.completedById, passed?.get(v.id)?.toMemberId ?? null]).filter((x): x is number => x !== null);
    const people = await this.org.membersByIds(ids);
    const name = (id: number | null) => (id === null ? null : { id, name: people.get(id)?.name ?? '' });
    return views.map((v) => {
      const named: TaskView = { ...v, completedBy: name(v.completedById) };
      if (passed) {
        const p = passed.get(v.id);
        named.passedOn = p ? { to: name(p.toMemberId), via: p.via, at: p.at.toISOString() } : null;
      }
      return named;
    });
  }

  /**
   * Who the caller may hand `id` to: colleagues in their role (and region); only its actor may ask, and
   * only while its kind allows a hand-over and it is open.
   */
  async handoffCandidates(caller: Member, id: number): Promise<{ items: Array<{ id: number; name: string; role: string }> }> {
    const task = await this.db.getRepository(Task).findOne({ where: { id } });
    if (!task || !this.isActor(task, caller, await this.pools.idsOf(caller))) throw notFound('任务');
    if (!this.kinds.find(task.kind)?.actions.includes('reassign')) throw taskError('TASK_ACTION_NOT_ALLOWED', { message: '该任务不支持「转交」' });
    if (task.completedAt) throw taskError('TASK_ALREADY_SETTLED', { message: '该任务已处理，不能再转交' });
    const people = await this.org.colleaguesOf(caller);
    return { items: people.filter((m) => m.id !== task.assigneeId).map((m) => ({ id: m.id, name: m.name, role: m.role })) };
  }

  /** A task with its history, for its assignee, its pool, its requester, anyone who acted on it, or (escalated) a director or admin in reach. */
  async get(caller: Member, id: number): Promise<TaskDetail> {
    const task = await this.db.getRepository(Task).findOne({ where: { id } });
    if (!task) throw notFound('任务');
    const actions = await this.db.getRepository(TaskAction).find({ where: { taskId: id }, order: { at: 'ASC', id: 'ASC' } });
    const pools = await this.pools.idsOf(caller);
    const visible =
      this.isActor(task, caller, pools) ||
      (task.assigneeId === null && task.assigneePool !== null && this.pools.hasRoleOf(task.assigneePool, caller)) ||
      task.requesterId === caller.id ||
      actions.some((a) => a.byId === caller.id) ||
      (task.escalatedAt !== null && ['director', 'admin'].includes(caller.role) && (task.requesterId === null || scopeIncludes(await this.org.scopeOf(caller), task.requesterId)));
    if (!visible) throw notFound('任务');
    const people = await this.org.membersByIds(actions.flatMap((a) => [a.byId, a.toMemberId]).filter((x): x is number => x !== null));
    const name = (id: number | null) => (id === null ? null : { id, name: people.get(id)?.name ?? '' });
    return {
      ...(await this.named([this.toView(task, caller, pools)]))[0]!,
      history: actions.map((a) => ({ action: a.action, by: name(a.byId), via: a.via, comment: a.comment, to: name(a.toMemberId), at: a.at.toISOString() })),
    };
  }

  /** A task's kind, or null when there is no such task (a chat callback routes a click by it). */
  async kindOf(id: number, manager: EntityManager = this.db.manager): Promise<string | null> {
    if (!Number.isSafeInteger(id)) return null;
    return (await manager.getRepository(Task).findOne({ where: { id }, select: { id: true, kind: true } }))?.kind ?? null;
  }

  async isSettled(id: number, manager: EntityManager = this.db.manager): Promise<boolean> {
    return (await manager.getRepository(Task).count({ where: { id, completedAt: Not(IsNull()) } })) > 0;
  }

  /**
   * The tasks about one subject (an approval's steps, a support request), oldest first, with their comments:
   * what the subject's owner shows as its progress (who, state, when, reason). Plain data, no entity.
   */
  async ofSubject(subjectType: string, subjectId: number): Promise<SubjectTask[]> {
    const rows = await this.db.getRepository(Task).find({ where: { subjectType, subjectId }, order: { id: 'ASC' } });
    const comments = rows.length
      ? await this.db.getRepository(TaskAction).find({ where: { taskId: In(rows.map((t) => t.id)), action: 'comment' }, order: { at: 'ASC', id: 'ASC' } })
      : [];
    return rows.map((t) => ({
      id: t.id, kind: t.kind, approvalId: t.approvalId, stepIndex: t.stepIndex, assigneeId: t.assigneeId, assigneePool: t.assigneePool,
      assigneePoolLabel: t.assigneePool ? this.pools.label(t.assigneePool) : null, createdAt: t.createdAt, completedAt: t.completedAt, outcome: t.outcome,
      completedById: t.completedById, comment: t.comment,
      comments: comments.filter((c) => c.taskId === t.id).map((c) => ({ byId: c.byId, comment: c.comment ?? '', at: c.at })),
    }));
  }

  /** A task's history (oldest first), for callers that show it their own way. */
  history(taskId: number): Promise<TaskAction[]> {
    return this.db.getRepository(TaskAction).find({ where: { taskId }, order: { at: 'ASC', id: 'ASC' } });
  }
}

export const ACTION_LABELS: Record<TaskActionName, string> = {
  confirm: '确认', approve: '同意', reject: '驳回', comment: '评论', request_talk: '需要沟通', reassign: '转交', escalate: '升级',
};
