import { In, IsNull, type DataSource, type EntityManager } from 'typeorm';
import {
  CONTRACT_STATE_LABELS,
  EDITABLE_CONTRACT_STATES,
  can,
  contractNumber,
  formatYuan,
  makeContractSchemas,
  type ContractCreateInput,
  type ContractPage,
  type ContractSchemas,
  type ContractState,
  type ContractSummary,
  type ContractSupportAnswerInput,
  type ContractUpdateInput,
  type ContractView,
} from '@anchor/shared';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { sqlOf } from '../../db/sql';
import { withTransaction } from '../../db/transaction';
import { notFound } from '../../http/errors';
import { enqueueMessages } from '../../outbox/outbox';
import type { AttachmentService, StoredAttachment } from '../attachments';
import type { CustomerService } from '../customers';
import type { MaterialService } from '../materials';
import { scopeIncludes, type Member, type OrgService, type Scope } from '../org';
import type { ApprovalDecision, ApprovalService, SubjectTask, TaskService } from '../tasks';
import type { TimelineService } from '../visits';
import { Contract, ContractSupport, type ContractInstalment } from './contract.entity';
import { CONTRACT_APPROVAL_KIND, CONTRACT_SUPPORT_KIND, type ContractApprovalSnapshot, type ContractSupportSnapshot } from './contract.kinds';
import { contractError } from './contracts.errors';

/** What the receivables module needs to turn an approved contract's instalments into receivables. */
export interface ReceivableInput {
  contractId: number;
  customerId: number;
  ownerId: number;
  instalments: { seq: number; dueDate: string; amountFen: number }[];
}

/** Runs in the transaction that approved the contract's last step (the receivables hand-off joins here). */
export type ContractApprovedListener = (manager: EntityManager, input: ReceivableInput) => Promise<unknown>;

/**
 * The receivables hand-off: exactly what `createForContract` takes, read in the caller's transaction
 * (the deciding one), instalments in their order.
 */
export async function receivableInputFor(manager: EntityManager, contractId: number): Promise<ReceivableInput> {
  const c = await manager.getRepository(Contract).findOneOrFail({ where: { id: contractId } });
  return {
    contractId: c.id,
    customerId: c.customerId,
    ownerId: c.ownerId,
    instalments: [...c.instalments].sort((a, b) => a.seq - b.seq).map((p) => ({ seq: p.seq, dueDate: p.dueDate, amountFen: p.amountFen })),
  };
}

const HISTORY_VISITS = 5;

const linesText = (c: Pick<Contract, 'lines'>) => c.lines.map((l) => `${l.model} ×${l.quantity}`).join('，');
const instalmentsText = (items: readonly ContractInstalment[]) => items.map((p) => `${p.seq}. ${p.dueDate} ${formatYuan(p.amountFen)}`).join('；');

/**
 * Contracts: drafts a rep edits until they submit; submission starts the policy chain (approvals.contract)
 * through the task engine and, when 需市场支持 is ticked, one request to the marketing lead pool; the last
 * approval moves the customer to 签约 (the customers module's stage change, kept in its history).
 */
export class ContractService {
  readonly schemas: ContractSchemas;
  private readonly approvedListeners: ContractApprovedListener[] = [];

  constructor(
    private readonly db: DataSource,
    policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
    private readonly customers: CustomerService,
    private readonly tasks: TaskService,
    private readonly approvals: ApprovalService,
    private readonly attachments: AttachmentService,
    private readonly timeline: TimelineService,
    private readonly materials: MaterialService,
  ) {
    this.schemas = makeContractSchemas(policy.options.productModels);
    // a scan is seen by whoever sees its contract
    attachments.registerOwner('contract', async (caller, attachment) => {
      const contract = await this.db.getRepository(Contract).findOne({ where: { id: attachment.ownerId! } });
      return !!contract && (await this.visible(caller, contract));
    });
  }

  /** Something else to do when a contract is approved, in that transaction (the receivables hand-off). */
  whenApproved(listener: ContractApprovedListener): void {
    this.approvedListeners.push(listener);
  }

  // ── who sees and changes what ─────────────────────────────────────────────────────────────
  private readScope(caller: Member): Promise<Scope> {
    return this.org.scopeOf(caller, 'contracts.read');
  }

  /**
   * Rep own, supervisor team, director region, finance and admin all; marketing only the contracts that
   * asked it for support.
   */
  async visible(caller: Member, contract: Contract, manager: EntityManager = this.db.manager): Promise<boolean> {
    if (!can(caller.role, 'contracts.read')) return false;
    if (caller.role === 'marketing') return (await manager.getRepository(ContractSupport).count({ where: { contractId: contract.id } })) > 0;
    return scopeIncludes(await this.readScope(caller), contract.ownerId);
  }

  private async mayChange(caller: Member, contract: Contract): Promise<boolean> {
    return can(caller.role, 'contracts.submit') && scopeIncludes(await this.org.scopeOf(caller, 'contracts.submit'), contract.ownerId);
  }

  /** The contract if the caller sees it; else 404 exactly as for one that does not exist. */
  private async load(caller: Member, id: number, manager: EntityManager = this.db.manager): Promise<Contract> {
    const contract = await manager.getRepository(Contract).findOne({ where: { id } });
    if (!contract || !(await this.visible(caller, contract, manager))) throw notFound('合同');
    return contract;
  }

  /** One the caller may change (rep own, supervisor team): else 404, as for one out of reach. */
  private async loadForChange(caller: Member, id: number, manager: EntityManager): Promise<Contract> {
    const contract = await this.load(caller, id, manager);
    if (!(await this.mayChange(caller, contract))) throw notFound('合同');
    return contract;
  }

  // ── drafts ──────────────────────────────────────────────────────────────────────────────
  async create(caller: Member, input: ContractCreateInput): Promise<ContractView> {
    const now = this.clock.now();
    const id = await withTransaction(this.db, async (manager) => {
      const customer = await this.customers.findInScope(caller, input.customerId, manager);
      if (!scopeIncludes(await this.org.scopeOf(caller, 'contracts.submit'), customer.ownerId)) throw notFound('客户');
      if (customer.closedAt) throw contractError('CONTRACT_CUSTOMER_CLOSED');
      const repo = manager.getRepository(Contract);
      const saved = await repo.save(
        repo.create({
          customerId: customer.id, ownerId: customer.ownerId, createdById: caller.id, state: 'draft', amountFen: input.amountFen, lines: input.lines, instalments: input.instalments,
          keyTerms: input.keyTerms, needsMarketing: input.needsMarketing, approvalId: null, submittedAt: null, decidedAt: null, rejectReason: null, createdAt: now, updatedAt: now,
        }),
      );
      await this.attachments.attach(sqlOf(manager), caller, 'contract_scan', input.scanIds, { kind: 'contract', id: saved.id, customerId: customer.id }, 'scanIds');
      return saved.id;
    });
    return this.get(caller, id);
  }

  /**
   * Replaces a draft's (or a rejected contract's) terms. Only those two states change; scans are kept
   * (evidence) and the ids given that are new are attached.
   */
  async update(caller: Member, id: number, input: ContractUpdateInput): Promise<ContractView> {
    const now = this.clock.now();
    await withTransaction(this.db, async (manager) => {
      const contract = await this.loadForChange(caller, id, manager);
      if (!EDITABLE_CONTRACT_STATES.includes(contract.state)) throw contractError('CONTRACT_NOT_EDITABLE', { message: `合同${CONTRACT_STATE_LABELS[contract.state]}，不能修改（只有草稿或被驳回的合同可以修改）` });
      const result = await manager.getRepository(Contract).update(
        { id, state: In([...EDITABLE_CONTRACT_STATES]) },
        { amountFen: input.amountFen, lines: input.lines, instalments: input.instalments, keyTerms: input.keyTerms, needsMarketing: input.needsMarketing, updatedAt: now },
      );
      if ((result.affected ?? 0) !== 1) throw contractError('CONTRACT_NOT_EDITABLE');
      const attached = new Set((await this.attachments.idsOf('contract', [id], 'contract_scan')).get(id) ?? []);
      const fresh = input.scanIds.filter((s) => !attached.has(s));
      await this.attachments.attach(sqlOf(manager), caller, 'contract_scan', fresh, { kind: 'contract', id, customerId: contract.customerId }, 'scanIds');
    });
    return this.get(caller, id);
  }

  uploadScan(caller: Member, bytes: Buffer): Promise<StoredAttachment> {
    return this.attachments.upload(caller, 'contract_scan', bytes);
  }

  // ── submission ──────────────────────────────────────────────────────────────────────────
  /**
   * Submits a draft, or resubmits a rejected contract (a new chain from its first step). With 需市场支持
   * ticked, the marketing lead pool gets its request with the submission (once per contract): marketing
   * prepares while the contract is in approval, the way a sales team asks for it before signing.
   */
  async submit(caller: Member, id: number): Promise<ContractView> {
    const now = this.clock.now();
    // the support snapshot is read first (a frozen picture of the customer as it is when submitted)
    const peek = await this.load(caller, id);
    if (!(await this.mayChange(caller, peek))) throw notFound('合同');
    const supportSnapshot = peek.needsMarketing ? await this.supportSnapshot(caller, peek) : null;
    await withTransaction(this.db, async (manager) => {
      const contract = await this.loadForChange(caller, id, manager);
      if (!EDITABLE_CONTRACT_STATES.includes(contract.state)) throw contractError('CONTRACT_NOT_SUBMITTABLE', { message: `合同${CONTRACT_STATE_LABELS[contract.state]}，不能再次提交` });
      const customer = await this.customers.findInScope(caller, contract.customerId, manager);
      if (customer.closedAt) throw contractError('CONTRACT_CUSTOMER_CLOSED');
      // the state decides a race: two taps start one chain
      const moved = await manager.getRepository(Contract).update({ id, state: contract.state }, { state: 'submitted', submittedAt: now, decidedAt: null, rejectReason: null, updatedAt: now });
      if ((moved.affected ?? 0) !== 1) throw contractError('CONTRACT_NOT_SUBMITTABLE');
      const owner = (await this.org.membersByIds([contract.ownerId])).get(contract.ownerId);
      const snapshot: ContractApprovalSnapshot = {
        contractId: id, number: contractNumber(id), customer: { id: customer.id, name: customer.name }, owner: { id: contract.ownerId, name: owner?.name ?? '' },
        amountFen: contract.amountFen, lines: linesText(contract), instalments: instalmentsText(contract.instalments), keyTerms: contract.keyTerms.slice(0, 200), needsMarketing: contract.needsMarketing,
      };
      const approval = await this.approvals.start(
        { kind: CONTRACT_APPROVAL_KIND, subjectType: 'contract', subjectId: id, requesterId: caller.id, amountFen: contract.amountFen, customerId: customer.id, snapshot: { ...snapshot } },
        manager,
      );
      await manager.getRepository(Contract).update({ id }, { approvalId: approval.id });
      if (contract.needsMarketing && supportSnapshot && (await manager.getRepository(ContractSupport).count({ where: { contractId: id } })) === 0) {
        const task = await this.tasks.create(manager, {
          kind: CONTRACT_SUPPORT_KIND, subjectType: 'contract', subjectId: id, customerId: customer.id, requesterId: caller.id, assigneePool: 'marketing_lead', snapshot: { ...supportSnapshot },
        });
        await manager.getRepository(ContractSupport).insert({ contractId: id, taskId: task.id, snapshot: { ...supportSnapshot }, answerText: null, answerMaterials: null, answeredById: null, answeredAt: null, createdAt: now });
      }
    });
    return this.get(caller, id);
  }

  /** The customer's profile, its interaction history (visits, first touch, grade) and the contract's key terms, as they are now. */
  private async supportSnapshot(caller: Member, contract: Contract): Promise<ContractSupportSnapshot> {
    const customer = await this.customers.get(caller, contract.customerId);
    const { items } = await this.timeline.forCustomer(caller, contract.customerId, 1, 100);
    const visits = items.flatMap((e) => (e.type === 'visit' && e.status === 'submitted' ? [e] : []));
    const touch = items.find((e) => e.type === 'first_touch');
    return {
      contractId: contract.id,
      number: contractNumber(contract.id),
      customer: {
        id: customer.id, name: customer.name, industry: customer.industry, stage: customer.stage, stageLabel: customer.stageLabel, grade: customer.grade, hospitalLevel: customer.hospitalLevel,
        departmentActivity: customer.departmentActivity, province: customer.province, city: customer.city, contactName: customer.contactName, owner: customer.owner?.name ?? '',
      },
      history: {
        visitCount: visits.length,
        lastVisitAt: visits[0]?.at ?? null,
        visits: visits.slice(0, HISTORY_VISITS).map((v) => ({ at: v.at, by: v.by.name, objective: v.objective, painPoint: v.painPoint, agreedAction: v.agreedActionText })),
        firstTouch: touch && touch.type === 'first_touch' ? { at: touch.at, by: touch.by.name, method: touch.method, verbatim: touch.verbatim, onTime: touch.onTime } : null,
        grade: customer.grade,
      },
      terms: { amountFen: contract.amountFen, lines: linesText(contract), instalments: instalmentsText(contract.instalments), keyTerms: contract.keyTerms },
      requester: { id: caller.id, name: caller.name },
    };
  }

  // ── the chain's hooks (in the deciding transaction) ─────────────────────────────────────────
  /** The last step approved: the contract is approved, the customer moves to 签约, the hand-off runs. */
  async approved(d: ApprovalDecision): Promise<void> {
    const repo = d.manager.getRepository(Contract);
    const contract = await repo.findOne({ where: { id: d.approval.subjectId, approvalId: d.approval.id } });
    if (!contract) return;
    await repo.update({ id: contract.id, state: 'submitted' }, { state: 'approved', decidedAt: d.now, updatedAt: d.now });
    await this.customers.moveStage(d.manager, contract.customerId, 'signed', d.byId, `合同 ${contractNumber(contract.id)} 审批通过`);
    const input = await receivableInputFor(d.manager, contract.id);
    for (const listener of this.approvedListeners) await listener(d.manager, input);
  }

  /** A step rejected: back to the rep to edit and resubmit (the engine's approval.decided tells them, in this transaction). */
  async rejected(d: ApprovalDecision): Promise<void> {
    await d.manager
      .getRepository(Contract)
      .update({ id: d.approval.subjectId, approvalId: d.approval.id, state: 'submitted' }, { state: 'rejected', decidedAt: d.now, rejectReason: d.reason, updatedAt: d.now });
  }

  // ── 需市场支持: marketing's answer ──────────────────────────────────────────────────────────
  /**
   * Marketing answers the request: text and materials from the material center. The answer is stored
   * once, the task settles (已答复) in the same transaction, and the rep is told (outbox).
   */
  async answerSupport(caller: Member, id: number, input: ContractSupportAnswerInput): Promise<ContractView> {
    const contract = await this.load(caller, id);
    const picked: Array<{ id: number; title: string; kind: string }> = [];
    for (const materialId of [...new Set(input.materialIds)]) {
      const m = await this.materials.visible(caller, materialId).catch(() => null);
      if (!m) throw notFound(`素材 #${materialId}`);
      picked.push({ id: m.id, title: m.title, kind: m.kind });
    }
    const now = this.clock.now();
    await withTransaction(this.db, async (manager) => {
      const support = await manager.getRepository(ContractSupport).findOne({ where: { contractId: contract.id } });
      if (!support) throw contractError('CONTRACT_NO_SUPPORT');
      if (support.answeredAt) throw contractError('CONTRACT_SUPPORT_ANSWERED');
      // the engine checks the caller acts for the marketing lead pool, and settles the task once
      await this.tasks.act(caller.id, support.taskId, 'confirm', 'app', { comment: input.text.slice(0, 200) }, manager);
      const result = await manager
        .getRepository(ContractSupport)
        .update({ id: support.id, answeredAt: IsNull() }, { answerText: input.text, answerMaterials: picked, answeredById: caller.id, answeredAt: now });
      if ((result.affected ?? 0) !== 1) throw contractError('CONTRACT_SUPPORT_ANSWERED');
      await enqueueMessages(sqlOf(manager), [{ kind: 'contract.support_answered', teamId: null, payload: { contractId: contract.id, ownerId: contract.ownerId, byId: caller.id, customerName: (await this.customers.namesOf([contract.customerId])).get(contract.customerId) ?? '' } }], now);
    });
    return this.get(caller, id);
  }

  // ── reading ─────────────────────────────────────────────────────────────────────────────
  async list(caller: Member, query: { state?: ContractState | undefined; customerId?: number | undefined; page: number; pageSize: number }): Promise<ContractPage> {
    const qb = this.db.getRepository(Contract).createQueryBuilder('c');
    if (caller.role === 'marketing') qb.innerJoin(ContractSupport, 's', 's.contractId = c.id');
    else {
      const scope = await this.readScope(caller);
      if (scope.kind === 'owners') {
        if (!scope.memberIds.length) return { items: [], total: 0, page: query.page, pageSize: query.pageSize };
        qb.andWhere('c.ownerId IN (:...owners)', { owners: scope.memberIds });
      }
    }
    if (query.state) qb.andWhere('c.state = :state', { state: query.state });
    if (query.customerId) qb.andWhere('c.customerId = :customerId', { customerId: query.customerId });
    const [rows, total] = await qb.orderBy('c.updatedAt', 'DESC').addOrderBy('c.id', 'DESC').skip((query.page - 1) * query.pageSize).take(query.pageSize).getManyAndCount();
    return { items: await this.summaries(rows), total, page: query.page, pageSize: query.pageSize };
  }

  private async summaries(rows: Contract[]): Promise<ContractSummary[]> {
    const names = await this.customers.namesOf(rows.map((c) => c.customerId));
    const people = await this.org.membersByIds(rows.map((c) => c.ownerId));
    const waiting = new Map<number, string>();
    for (const c of rows.filter((r) => r.state === 'submitted' && r.approvalId)) {
      const a = await this.approvals.get(c.approvalId!);
      const step = a.steps[a.currentStep];
      if (!step) continue;
      const who = step.assigneeId ? ((await this.org.membersByIds([step.assigneeId])).get(step.assigneeId)?.name ?? '') : this.tasks.pools.label(step.pool ?? '');
      waiting.set(c.id, `第 ${a.currentStep + 1}/${a.steps.length} 步 · ${who}`);
    }
    return rows.map((c) => ({
      id: c.id, number: contractNumber(c.id), customer: { id: c.customerId, name: names.get(c.customerId) ?? '' }, owner: { id: c.ownerId, name: people.get(c.ownerId)?.name ?? '' },
      state: c.state, stateLabel: CONTRACT_STATE_LABELS[c.state], amountFen: c.amountFen, needsMarketing: c.needsMarketing, submittedAt: c.submittedAt?.toISOString() ?? null,
      decidedAt: c.decidedAt?.toISOString() ?? null, rejectReason: c.rejectReason, waitingAt: waiting.get(c.id) ?? null, createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString(),
    }));
  }

  async get(caller: Member, id: number): Promise<ContractView> {
    const contract = await this.load(caller, id);
    const [summary] = await this.summaries([contract]);
    const scanIds = (await this.attachments.idsOf('contract', [id], 'contract_scan')).get(id) ?? [];
    const described = await this.attachments.describe(scanIds);
    const tasks = await this.tasks.ofSubject('contract', id);
    const chains = await this.approvals.ofSubject('contract', id);
    const support = await this.db.getRepository(ContractSupport).findOne({ where: { contractId: id } });
    const people = await this.org.membersByIds([
      ...tasks.flatMap((t) => [t.assigneeId, t.completedById, ...t.comments.map((c) => c.byId)]),
      ...chains.flatMap((a) => a.steps.map((s) => s.assigneeId)),
      support?.answeredById ?? null,
    ].filter((x): x is number => x !== null));
    const who = (memberId: number | null) => (memberId === null ? null : { id: memberId, name: people.get(memberId)?.name ?? '' });
    const approvals = chains.map((a) => ({
      id: a.id, state: a.state, startedAt: this.startOf(tasks, a.id), decidedAt: a.decidedAt, reason: a.reason,
      steps: a.steps.map((step, index) => {
        const task = tasks.find((t) => t.approvalId === a.id && t.stepIndex === index) ?? null;
        return {
          index, rule: step.rule, assignee: step.assigneeId ? (people.get(step.assigneeId)?.name ?? '') : this.tasks.pools.label(step.pool ?? ''),
          state: stepState(task),
          decidedBy: task?.completedAt ? who(task.completedById) : null, decidedAt: task?.completedAt?.toISOString() ?? null,
          reason: task?.outcome === 'rejected' ? task.comment : null, taskId: task?.id ?? null,
          comments: (task?.comments ?? []).map((c) => ({ by: who(c.byId), comment: c.comment, at: c.at.toISOString() })),
        };
      }),
    }));
    const mayChange = await this.mayChange(caller, contract);
    return {
      ...summary!,
      lines: contract.lines,
      instalments: contract.instalments,
      keyTerms: contract.keyTerms,
      scans: scanIds.map((s) => ({ id: s, contentType: described.get(s)?.contentType ?? '', size: described.get(s)?.size ?? 0 })),
      can: {
        edit: mayChange && EDITABLE_CONTRACT_STATES.includes(contract.state),
        submit: mayChange && EDITABLE_CONTRACT_STATES.includes(contract.state),
        answerSupport: !!support && !support.answeredAt && can(caller.role, 'marketing.support.answer'),
      },
      approvals,
      support: support
        ? {
            taskId: support.taskId, createdAt: support.createdAt.toISOString(), state: support.answeredAt ? 'answered' : 'open',
            answer: support.answeredAt ? { text: support.answerText ?? '', by: who(support.answeredById), at: support.answeredAt.toISOString(), materials: support.answerMaterials ?? [] } : null,
          }
        : null,
    };
  }

  private startOf(tasks: SubjectTask[], approvalId: number): string {
    const first = tasks.find((t) => t.approvalId === approvalId && t.stepIndex === 0);
    return (first?.createdAt ?? this.clock.now()).toISOString();
  }
}

function stepState(task: SubjectTask | null): 'waiting' | 'open' | 'approved' | 'rejected' {
  if (!task) return 'waiting';
  if (!task.completedAt) return 'open';
  return task.outcome === 'rejected' ? 'rejected' : 'approved';
}
