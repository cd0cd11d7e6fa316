import { In, IsNull, type DataSource, type EntityManager } from 'typeorm';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { sqlOf } from '../../db/sql';
import { withTransaction } from '../../db/transaction';
import { invalid, notFound } from '../../http/errors';
import { enqueueMessages } from '../../outbox/outbox';
import type { Member, OrgService } from '../org';
import { Approval, type ApprovalStep } from './approval.entity';
import type { TaskKinds } from './task-kind';
import { Task } from './task.entity';
import type { TaskService } from './task.service';

/** What a module asks to have approved. */
export interface ApprovalRequest {
  /** a kind with a chain in policy `approvals` and a task kind of the same name */
  kind: string;
  subjectType: string;
  subjectId: number;
  requesterId: number;
  /** in integer fen; thresholds (minAmountFen) compare against it (none: 0) */
  amountFen?: number | null;
  customerId?: number | null;
  /** what each step's card shows */
  snapshot: Record<string, unknown>;
}

export interface ApprovalView {
  id: number;
  kind: string;
  subjectType: string;
  subjectId: number;
  requesterId: number;
  amountFen: number | null;
  state: Approval['state'];
  currentStep: number;
  steps: ApprovalStep[];
  reason: string | null;
  decidedAt: string | null;
}

/**
 * Approvals: ordered chains of tasks from policy `approvals.<kind>`. Starting one fixes its steps (a
 * step with `minAmountFen` only when the amount reaches it) and creates the first step's task; each
 * approve creates the next; approving the last completes it and runs the kind's `onApproved` hook,
 * once, in that transaction; a reject ends it with the reason and tells the requester.
 */
export class ApprovalService {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
    private readonly kinds: TaskKinds,
    private readonly tasks: TaskService,
  ) {}

  /** The steps policy gives `kind` for `amountFen`, each with who acts on it. */
  async resolveSteps(kind: string, requester: Member, amountFen: number | null, manager: EntityManager): Promise<ApprovalStep[]> {
    const chain = this.policy.approvals[kind];
    if (!chain) throw new Error(`no approval chain for ${kind} in policy approvals`);
    const steps: ApprovalStep[] = [];
    for (const step of chain) {
      if (step.minAmountFen !== undefined && (amountFen ?? 0) < step.minAmountFen) continue;
      if (step.assignee === 'pool') {
        steps.push({ rule: 'pool', assigneeId: null, pool: step.pool! });
        continue;
      }
      const found = step.assignee === 'supervisor' ? await this.supervisorOf(requester, manager) : await this.directorOf(requester, manager);
      if (!found) throw invalid({ kind: step.assignee === 'supervisor' ? '找不到申请人的主管，无法发起审批' : '找不到申请人所在大区的总监，无法发起审批' });
      steps.push({ rule: step.assignee, assigneeId: found.id, pool: null });
    }
    return steps;
  }

  private async supervisorOf(member: Member, manager: EntityManager): Promise<Member | null> {
    return member.managerId ? this.org.findActiveMember(member.managerId, manager) : null;
  }

  /** Up the manager line to the first director (a director's own request goes to themselves' superior line). */
  private async directorOf(member: Member, manager: EntityManager): Promise<Member | null> {
    let at: Member | null = member;
    for (let hops = 0; at?.managerId && hops < 6; hops++) {
      at = await this.org.findActiveMember(at.managerId, manager);
      if (at?.role === 'director') return at;
    }
    return null;
  }

  /** Starts an approval in the caller's transaction (or its own) and creates its first step's task. */
  async start(request: ApprovalRequest, outer?: EntityManager): Promise<ApprovalView> {
    const work = async (manager: EntityManager) => {
      this.kinds.get(request.kind);
      const requester = await this.org.findActiveMember(request.requesterId, manager);
      if (!requester) throw notFound('申请人');
      if (request.amountFen != null && (!Number.isSafeInteger(request.amountFen) || request.amountFen < 0)) throw invalid({ amountFen: '金额须为不小于 0 的整数（分）' });
      const steps = await this.resolveSteps(request.kind, requester, request.amountFen ?? null, manager);
      const repo = manager.getRepository(Approval);
      const approval = await repo.save(
        repo.create({
          kind: request.kind, subjectType: request.subjectType, subjectId: request.subjectId, requesterId: requester.id, amountFen: request.amountFen ?? null,
          steps, currentStep: 0, state: 'open', decidedAt: null, reason: null, createdAt: this.clock.now(),
        }),
      );
      await this.createStep(manager, approval, 0, request.snapshot, request.customerId ?? null);
      return approval;
    };
    const approval = outer ? await work(outer) : await withTransaction(this.db, work);
    return this.toView(approval);
  }

  private createStep(manager: EntityManager, approval: Approval, index: number, snapshot: Record<string, unknown>, customerId: number | null): Promise<Task> {
    const step = approval.steps[index]!;
    return this.tasks.create(manager, {
      kind: approval.kind, subjectType: approval.subjectType, subjectId: approval.subjectId, customerId, requesterId: approval.requesterId,
      assigneeId: step.assigneeId, assigneePool: step.pool, approvalId: approval.id, stepIndex: index,
      snapshot: { ...snapshot, amountFen: approval.amountFen, step: index + 1, steps: approval.steps.length },
    });
  }

  /**
   * A step's task was just settled (approved or rejected) in `manager`'s transaction: move the chain.
   * Guarded by the chain's state and current step, so a step decides it once.
   */
  async decideStep(manager: EntityManager, task: Task, byId: number, reason: string | null, now: Date): Promise<void> {
    const repo = manager.getRepository(Approval);
    const approval = await repo.findOne({ where: { id: task.approvalId! } });
    if (!approval || approval.state !== 'open' || approval.currentStep !== task.stepIndex) return;
    const kind = this.kinds.get(approval.kind);
    const sql = sqlOf(manager);
    const decision = { approval: { id: approval.id, kind: approval.kind, subjectType: approval.subjectType, subjectId: approval.subjectId, requesterId: approval.requesterId, amountFen: approval.amountFen }, byId, reason, now, manager, sql };
    const guard = { id: approval.id, state: 'open' as const, currentStep: approval.currentStep };
    if (task.outcome === 'rejected') {
      if (((await repo.update(guard, { state: 'rejected', decidedAt: now, reason })).affected ?? 0) !== 1) return;
      await kind.onRejected?.(decision);
      if (!kind.quietDecision) await enqueueMessages(sql, [{ kind: 'approval.decided', teamId: null, payload: { approvalId: approval.id, taskId: task.id } }], now);
      return;
    }
    const next = approval.currentStep + 1;
    if (next < approval.steps.length) {
      if (((await repo.update(guard, { currentStep: next })).affected ?? 0) !== 1) return;
      const { amountFen: _a, step: _s, steps: _n, card: _c, ...snapshot } = task.snapshot;
      await this.createStep(manager, { ...approval, currentStep: next }, next, snapshot, task.customerId);
      return;
    }
    if (((await repo.update(guard, { state: 'approved', decidedAt: now })).affected ?? 0) !== 1) return;
    await kind.onApproved?.(decision);
    if (!kind.quietDecision) await enqueueMessages(sql, [{ kind: 'approval.decided', teamId: null, payload: { approvalId: approval.id, taskId: task.id } }], now);
  }

  /** The open task of an approval's current step (its owner acts on it through the engine), or null once decided. */
  async openTaskOf(approvalIds: number[], manager: EntityManager = this.db.manager): Promise<Map<number, number>> {
    const ids = approvalIds.filter((id) => Number.isSafeInteger(id));
    if (ids.length === 0) return new Map();
    const rows = await manager.getRepository(Task).find({ where: { approvalId: In(ids), completedAt: IsNull() }, select: { id: true, approvalId: true } });
    return new Map(rows.map((t) => [t.approvalId!, t.id]));
  }

  async get(id: number): Promise<ApprovalView> {
    const approval = await this.db.getRepository(Approval).findOne({ where: { id } });
    if (!approval) throw notFound('审批');
    return this.toView(approval);
  }

  /** The approvals of a subject, newest first (its owner shows where each stands). */
  async ofSubject(subjectType: string, subjectId: number): Promise<ApprovalView[]> {
    return (await this.db.getRepository(Approval).find({ where: { subjectType, subjectId }, order: { id: 'DESC' } })).map((a) => this.toView(a));
  }

  toView(a: Approval): ApprovalView {
    return {
      id: a.id, kind: a.kind, subjectType: a.subjectType, subjectId: a.subjectId, requesterId: a.requesterId, amountFen: a.amountFen,
      state: a.state, currentStep: a.currentStep, steps: a.steps, reason: a.reason, decidedAt: a.decidedAt?.toISOString() ?? null,
    };
  }
}

