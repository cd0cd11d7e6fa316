import { Brackets, In, IsNull, Not, type DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import {
  actionLabel,
  can,
  scopeOf as scopeRuleOf,
  customerNameKey,
  isCustomerOverdue,
  formatLocalDateTime,
  lostReasonText,
  makeCustomerCloseSchemas,
  overdueCriteria,
  type CustomerCloseInput,
  type OverdueRules,
  makeCustomerSchemas,
  type CustomerCreateInput,
  type CustomerListQuery,
  type CustomerOptions,
  type CustomerSchemas,
  type CustomerUpdateInput,
  type StageCode,
} from '@anchor/shared';
import type { Clock } from '../../clock';
import { HOUR_MS } from '../../clock';
import { cancelJobs, scheduleJobs } from '../../jobs/job-scheduler';
import { sqlOf } from '../../db/sql';
import { enqueueMessages } from '../../outbox/outbox';
import type { Policy } from '../../config/policy';
import { isDuplicateKeyError, withTransaction } from '../../db/transaction';
import { forbidden, invalid, notFound } from '../../http/errors';
import { CUSTOMER_ERRORS, customerError } from './customers.errors';
import type { Member, OrgService } from '../org';
import { CUSTOMER_OWNER_ROLES, scopeIncludes, type Scope } from '../org';
import { Customer } from './customer.entity';
import { CustomerOwnerChange, CustomerStageChange } from './customer-history.entity';
import { applySearch, indexCustomers, moveSearchOwner, prefixMatches, SEARCH_CAP, searchPlan, searchTextOf } from './customer-search';

export interface CustomerView {
  id: number;
  name: string;
  industry: string;
  stage: StageCode;
  stageLabel: string;
  stageChangedAt: string;
  owner: { id: number; name: string } | null;
  grade: string | null;
  lastFollowUpAt: string | null;
  overdue: boolean;
  /** A lead's first-touch clock: due while firstTouchAt is null; both null when the customer was never a lead. */
  firstTouchDueAt: string | null;
  firstTouchAt: string | null;
  province: string | null;
  city: string | null;
  address: string | null;
  contactName: string | null;
  contactPhone: string | null;
  hospitalLevel: string | null;
  departmentActivity: string | null;
  gradingInputs: Customer['gradingInputs'];
  notes: string | null;
  /** 关闭/丢单: when, why (policy options.lostReasons), who; null while open */
  closed: { at: string; reason: string; note: string | null; text: string; by: { id: number; name: string } | null } | null;
  createdAt: string;
  updatedAt: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** A search answers at most SEARCH_CAP matches; totalCapped says there were more (the list shows 1000+). */
export interface CustomerPage extends Page<CustomerView> {
  totalCapped: boolean;
}

export function customerOptionsOf(policy: Policy): CustomerOptions {
  return {
    stages: policy.stages,
    industries: policy.options.industries,
    hospitalLevels: policy.options.hospitalLevels,
    departmentActivity: policy.options.departmentActivity,
    grades: policy.grading.grades.map((g) => g.grade),
  };
}

/** The same words whoever owns the existing customer (customers.errors.ts says why). */
export const DUPLICATE_CUSTOMER_MESSAGE = CUSTOMER_ERRORS.DUPLICATE_CUSTOMER.message;
export const duplicateCustomer = () => customerError('DUPLICATE_CUSTOMER', { fields: { name: `客户名称已存在，请联系主管分配` } });

export interface StageChange {
  customer: Customer;
  from: StageCode | null;
  to: StageCode;
  by: Member;
}
/** Runs inside the transaction that changed the stage. */
export type StageChangeHook = (manager: EntityManager, change: StageChange) => Promise<void>;

export interface OwnerChange {
  customerId: number;
  from: number;
  to: number;
}
/** Runs inside the transaction that gave the customer a new owner. */
export type OwnerChangeHook = (manager: EntityManager, change: OwnerChange) => Promise<void>;

export class CustomerService {
  readonly schemas: CustomerSchemas;
  readonly closeSchemas;
  private readonly stageLabels: Map<StageCode, string>;
  private readonly stageHooks: StageChangeHook[] = [];
  private readonly ownerHooks: OwnerChangeHook[] = [];

  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
  ) {
    this.schemas = makeCustomerSchemas(customerOptionsOf(policy));
    this.closeSchemas = makeCustomerCloseSchemas(policy.options.lostReasons);
    this.stageLabels = new Map(policy.stages.map((s) => [s.code, s.label]));
  }

  onStageChange(hook: StageChangeHook): void {
    this.stageHooks.push(hook);
  }

  onOwnerChange(hook: OwnerChangeHook): void {
    this.ownerHooks.push(hook);
  }

  private async stageChanged(manager: EntityManager, change: StageChange): Promise<void> {
    for (const hook of this.stageHooks) await hook(manager, change);
    // Someone else moved the owner's customer to 拜访: the owner hears at once (WeCom), in this transaction.
    if (change.to === 'visit' && change.customer.ownerId !== change.by.id) {
      await enqueueMessages(sqlOf(manager), [{ kind: 'customer.visit_waiting', teamId: null, payload: { customerId: change.customer.id, ownerId: change.customer.ownerId, changedById: change.by.id } }], this.clock.now());
    }
  }

  /** Starts (or, for a new owner, restarts) leads' first-touch clocks, with the jobs that check them. */
  async startLeadClocks(manager: EntityManager, customerIds: number[], now: Date, restart = false): Promise<void> {
    const dueAt = new Date(now.getTime() + this.policy.limits.leadFirstTouchHours * HOUR_MS);
    for (let i = 0; i < customerIds.length; i += 500) {
      const chunk = customerIds.slice(i, i + 500);
      await manager.getRepository(Customer).update({ id: In(chunk) }, { leadAssignedAt: now, firstTouchDueAt: dueAt });
      if (restart) for (const customerId of chunk) await cancelJobs(sqlOf(manager), 'lead.first_touch_due', `customer:${customerId}`);
      await scheduleJobs(sqlOf(manager), chunk.map((customerId) => ({ kind: 'lead.first_touch_due' as const, dueAt, payload: { customerId }, subject: `customer:${customerId}` })));
    }
  }

  /** The owner's leads still waiting for their first touch, soonest due first (at most `take`), and how many. */
  leadsAwaitingFirstTouch(ownerId: number, take: number): Promise<[Array<Pick<Customer, 'id' | 'name' | 'firstTouchDueAt'>>, number]> {
    return this.db.getRepository(Customer).findAndCount({
      // a lead closed as lost waits for nothing
      where: { ownerId, firstTouchDueAt: Not(IsNull()), firstTouchAt: IsNull(), closedAt: IsNull() },
      order: { firstTouchDueAt: 'ASC', id: 'ASC' },
      take,
      select: { id: true, name: true, firstTouchDueAt: true },
    });
  }

  /** A customer's stage changes, newest first (at most `take`), and how many (the timeline shows them). */
  stageChangesOf(customerId: number, take: number): Promise<[CustomerStageChange[], number]> {
    return this.db.getRepository(CustomerStageChange).findAndCount({ where: { customerId }, order: { changedAt: 'DESC', id: 'DESC' }, take });
  }

  /** Just the name and owner of a customer, for a record that points at it (scope is the caller's check). */
  summaryOf(id: number): Promise<Pick<Customer, 'id' | 'name' | 'ownerId' | 'contactName'> | null> {
    return this.db.getRepository(Customer).findOne({ where: { id }, select: { id: true, name: true, ownerId: true, contactName: true } });
  }

  /** A member's own customers (id and name), most recently followed up first, at most `take`; and how many. */
  ownedBy(ownerId: number, take: number): Promise<[Array<Pick<Customer, 'id' | 'name'>>, number]> {
    return this.db.getRepository(Customer).findAndCount({ where: { ownerId }, order: { lastFollowUpAt: 'DESC', id: 'DESC' }, take, select: { id: true, name: true } });
  }

  /** Customers' id, name and owner by id (another module's list, scoped by the owner). */
  async summariesOf(ids: number[]): Promise<Map<number, Pick<Customer, 'id' | 'name' | 'ownerId'>>> {
    if (!ids.length) return new Map();
    const rows = await this.db.getRepository(Customer).find({ where: { id: In([...new Set(ids)]) }, select: { id: true, name: true, ownerId: true } });
    return new Map(rows.map((c) => [c.id, c]));
  }

  /** Customers' owners by id, in one query (scope checks over a page of records that point at customers). */
  async ownersOf(ids: number[]): Promise<Map<number, number>> {
    if (!ids.length) return new Map();
    const rows = await this.db.getRepository(Customer).find({ where: { id: In([...new Set(ids)]) }, select: { id: true, ownerId: true } });
    return new Map(rows.map((c) => [c.id, c.ownerId]));
  }

  /** Customers' names by id (for lists other modules show). */
  async namesOf(ids: number[]): Promise<Map<number, string>> {
    if (!ids.length) return new Map();
    const rows = await this.db.getRepository(Customer).find({ where: { id: In([...new Set(ids)]) }, select: { id: true, name: true } });
    return new Map(rows.map((c) => [c.id, c.name]));
  }

  stageLabel(code: StageCode): string {
    return this.stageLabels.get(code) ?? code;
  }

  /** The overdue rule's policy bits (the rule itself is @anchor/shared isCustomerOverdue). */
  overdueRules(): OverdueRules {
    return { overdueDays: this.policy.limits.overdueDays, overdueExcludedStages: this.policy.overdueExcludedStages };
  }

  isOverdue(c: Pick<Customer, 'stage' | 'lastFollowUpAt' | 'createdAt' | 'closedAt'>): boolean {
    return isCustomerOverdue(c, this.overdueRules(), this.clock.now());
  }

  toView(c: Customer, owners: Map<number, Member>): CustomerView {
    const owner = owners.get(c.ownerId);
    return {
      id: c.id,
      name: c.name,
      industry: c.industry,
      stage: c.stage,
      stageLabel: this.stageLabel(c.stage),
      stageChangedAt: c.stageChangedAt.toISOString(),
      owner: owner ? { id: owner.id, name: owner.name } : null,
      grade: c.grade,
      lastFollowUpAt: c.lastFollowUpAt?.toISOString() ?? null,
      overdue: this.isOverdue(c),
      firstTouchDueAt: c.firstTouchDueAt?.toISOString() ?? null,
      firstTouchAt: c.firstTouchAt?.toISOString() ?? null,
      province: c.province,
      city: c.city,
      address: c.address,
      contactName: c.contactName,
      contactPhone: c.contactPhone,
      hospitalLevel: c.hospitalLevel,
      departmentActivity: c.departmentActivity,
      gradingInputs: c.gradingInputs,
      notes: c.notes,
      closed:
        c.closedAt && c.closedReason
          ? {
              at: c.closedAt.toISOString(), reason: c.closedReason, note: c.closedNote, text: lostReasonText(c.closedReason, c.closedNote),
              by: c.closedById ? { id: c.closedById, name: owners.get(c.closedById)?.name ?? '' } : null,
            }
          : null,
      createdAt: c.createdAt.toISOString(),
      updatedAt: c.updatedAt.toISOString(),
    };
  }

  async views(customers: Customer[]): Promise<CustomerView[]> {
    const owners = await this.org.membersByIds([...customers.map((c) => c.ownerId), ...customers.flatMap((c) => (c.closedById ? [c.closedById] : []))]);
    return customers.map((c) => this.toView(c, owners));
  }

  /** The caller's scope as a query condition; out of scope rows simply do not exist for them. */
  applyScope(qb: SelectQueryBuilder<Customer>, scope: Scope): SelectQueryBuilder<Customer> {
    if (scope.kind === 'owners') qb.andWhere('c.ownerId IN (:...scopeOwners)', { scopeOwners: scope.memberIds });
    return qb;
  }

  filtered(scope: Scope, query: Omit<CustomerListQuery, 'page' | 'pageSize'>): SelectQueryBuilder<Customer> {
    const qb = this.applyScope(this.db.getRepository(Customer).createQueryBuilder('c'), scope);
    const plan = query.q ? searchPlan(query.q) : null;
    if (plan) applySearch(qb, scope, plan);
    if (query.stage) qb.andWhere('c.stage = :stage', { stage: query.stage });
    if (query.ownerId) qb.andWhere('c.ownerId = :ownerId', { ownerId: query.ownerId });
    if (query.grade) qb.andWhere('c.grade = :grade', { grade: query.grade });
    if (query.overdue !== undefined) {
      // The shared rule in SQL: its parameters come from the same definition (overdueCriteria).
      const { cutoff, excludedStages: excluded } = overdueCriteria(this.overdueRules(), this.clock.now());
      const lateCondition = new Brackets((b) => {
        b.where('c.lastFollowUpAt < :cutoff', { cutoff }).orWhere('(c.lastFollowUpAt IS NULL AND c.createdAt < :cutoff)', { cutoff });
      });
      // a customer closed as lost (丢单) is never overdue (overdueCriteria's openOnly)
      if (query.overdue) {
        if (excluded.length) qb.andWhere('c.stage NOT IN (:...excluded)', { excluded });
        qb.andWhere('c.closedAt IS NULL');
        qb.andWhere(lateCondition);
      } else {
        qb.andWhere(
          new Brackets((b) => {
            b.where('c.closedAt IS NOT NULL');
            if (excluded.length) b.orWhere('c.stage IN (:...excluded)', { excluded });
            b.orWhere(new Brackets((n) => n.where('c.lastFollowUpAt >= :cutoff', { cutoff }).orWhere('(c.lastFollowUpAt IS NULL AND c.createdAt >= :cutoff)', { cutoff })));
          }),
        );
      }
    }
    return qb;
  }

  async list(caller: Member, query: CustomerListQuery): Promise<CustomerPage> {
    const scope = await this.org.scopeOf(caller);
    const recentFirst = (qb: SelectQueryBuilder<Customer>) =>
      // Recent first: the customer most recently followed up (or created) leads the list.
      qb
        .orderBy('COALESCE(c.lastFollowUpAt, c.createdAt)', 'DESC')
        .addOrderBy('c.id', 'DESC')
        .skip((query.page - 1) * query.pageSize)
        .take(query.pageSize);
    if (!query.q || !searchPlan(query.q)) {
      const [rows, total] = await recentFirst(this.filtered(scope, query)).getManyAndCount();
      return { items: await this.views(rows), total, page: query.page, pageSize: query.pageSize, totalCapped: false };
    }
    // A search orders and counts at most SEARCH_CAP matches: "医" matches nearly everyone, and
    // ordering 200 000 of them to show 20 would be the slowest query the list can make.
    const candidates = await prefixMatches(this.db, scope, searchPlan(query.q)!, SEARCH_CAP + 1);
    const matches = this.filtered(scope, query).select('c.id', 'id').limit(SEARCH_CAP + 1);
    if (candidates) matches.andWhere('c.id IN (:...candidates)', { candidates: candidates.length ? candidates : [0] });
    const found = await matches.getRawMany<{ id: number }>();
    const ids = found.slice(0, SEARCH_CAP).map((r) => Number(r.id));
    const rows = ids.length ? await recentFirst(this.db.getRepository(Customer).createQueryBuilder('c').where('c.id IN (:...ids)', { ids })).getMany() : [];
    // capped when the prefix range had more than the cap (the filters then saw only its first part)
    const totalCapped = found.length > SEARCH_CAP || (candidates !== null && candidates.length > SEARCH_CAP);
    return { items: await this.views(rows), total: ids.length, page: query.page, pageSize: query.pageSize, totalCapped };
  }

  /** Loads a customer the caller may see, or answers 404 exactly as for an id that does not exist. */
  async findInScope(caller: Member, id: number, manager: EntityManager = this.db.manager): Promise<Customer> {
    const customer = await manager.getRepository(Customer).findOne({ where: { id } });
    if (!customer) throw notFound('客户');
    const scope = await this.org.scopeOf(caller);
    if (!scopeIncludes(scope, customer.ownerId)) throw notFound('客户');
    return customer;
  }

  async get(caller: Member, id: number): Promise<CustomerView> {
    const customer = await this.findInScope(caller, id);
    return (await this.views([customer]))[0]!;
  }

  /**
   * Who will own a new customer: reps own what they create; supervisors default to themselves;
   * directors and admins must name an owner. The owner must be in the caller's reach.
   */
  async resolveOwner(caller: Member, scope: Scope, ownerId: number | undefined, field = 'ownerId'): Promise<Member> {
    const id = ownerId ?? (CUSTOMER_OWNER_ROLES.includes(caller.role) ? caller.id : undefined);
    if (id === undefined) throw invalid({ [field]: '请选择负责人' });
    // whoever creates only for themselves (a rep) names no one else
    if (scopeRuleOf(caller.role, 'customers.create') === 'own' && id !== caller.id) throw invalid({ [field]: '负责人只能是你自己' });
    const owner = await this.org.findActiveMember(id);
    if (!owner || !scopeIncludes(scope, owner.id)) throw invalid({ [field]: '负责人不存在或不在你的管辖范围内' });
    if (!CUSTOMER_OWNER_ROLES.includes(owner.role)) throw invalid({ [field]: '负责人必须是销售代表或主管' });
    return owner;
  }

  async create(caller: Member, input: CustomerCreateInput): Promise<CustomerView> {
    const scope = await this.org.scopeOf(caller, 'customers.create');
    const owner = await this.resolveOwner(caller, scope, input.ownerId);
    const now = this.clock.now();
    try {
      const saved = await withTransaction(this.db, async (manager) => {
        const customer = await manager.getRepository(Customer).save(this.newCustomer(input, owner.id, caller.id, now));
        await indexCustomers(manager, [customer.id], { fresh: true });
        await manager.getRepository(CustomerStageChange).insert({ customerId: customer.id, fromStage: null, toStage: customer.stage, changedById: caller.id, changedAt: now });
        if (customer.stage === 'lead') await this.startLeadClocks(manager, [customer.id], now);
        await this.stageChanged(manager, { customer, from: null, to: customer.stage, by: caller });
        return manager.getRepository(Customer).findOneOrFail({ where: { id: customer.id } });
      });
      return (await this.views([saved]))[0]!;
    } catch (error) {
      if (isDuplicateKeyError(error)) throw duplicateCustomer();
      throw error;
    }
  }

  newCustomer(input: CustomerCreateInput, ownerId: number, createdById: number, now: Date, lastFollowUpAt: Date | null = null): Partial<Customer> {
    return {
      name: input.name,
      nameKey: customerNameKey(input.name),
      industry: input.industry,
      stage: input.stage as StageCode,
      stageChangedAt: now,
      ownerId,
      grade: input.grade ?? null,
      lastFollowUpAt,
      leadAssignedAt: null,
      firstTouchDueAt: null,
      firstTouchAt: null,
      province: input.province ?? null,
      city: input.city ?? null,
      address: input.address ?? null,
      contactName: input.contactName ?? null,
      contactPhone: input.contactPhone ?? null,
      hospitalLevel: input.hospitalLevel ?? null,
      departmentActivity: input.departmentActivity ?? null,
      gradingInputs: input.gradingInputs ?? null,
      notes: input.notes ?? null,
      searchText: searchTextOf({ name: input.name, contactName: input.contactName ?? null, contactPhone: input.contactPhone ?? null }),
      createdById,
      createdAt: now,
      updatedAt: now,
    };
  }

  async nameTaken(names: string[]): Promise<Set<string>> {
    const keys = [...new Set(names.map(customerNameKey))];
    const taken = new Set<string>();
    for (let i = 0; i < keys.length; i += 1000) {
      const rows = await this.db.getRepository(Customer).find({ where: { nameKey: In(keys.slice(i, i + 1000)) }, select: { nameKey: true } });
      rows.forEach((r) => taken.add(r.nameKey));
    }
    return taken;
  }

  async update(caller: Member, id: number, input: CustomerUpdateInput): Promise<CustomerView> {
    if (input.stage !== undefined && !can(caller.role, 'customers.stage')) throw forbidden(`你的岗位不能${actionLabel('customers.stage')}`);
    const now = this.clock.now();
    try {
      const updated = await withTransaction(this.db, async (manager) => {
        const customer = await this.findInScope(caller, id, manager);
        const changes: Partial<Customer> = {};
        for (const [key, value] of Object.entries(input) as [keyof CustomerUpdateInput, unknown][]) {
          if (value !== undefined) (changes as Record<string, unknown>)[key] = value;
        }
        if (input.name !== undefined) changes.nameKey = customerNameKey(input.name);
        const stageChanged = input.stage !== undefined && input.stage !== customer.stage;
        // a lost customer stays where it was lost until a supervisor reopens it
        if (stageChanged && customer.closedAt) throw customerError('CUSTOMER_CLOSED');
        if (stageChanged) changes.stageChangedAt = now;
        changes.updatedAt = now;
        await manager.getRepository(Customer).update({ id }, changes);
        if (input.name !== undefined || input.contactName !== undefined || input.contactPhone !== undefined) await indexCustomers(manager, [id]);
        const updated = await manager.getRepository(Customer).findOneOrFail({ where: { id } });
        if (stageChanged) {
          await manager.getRepository(CustomerStageChange).insert({ customerId: id, fromStage: customer.stage, toStage: updated.stage, changedById: caller.id, changedAt: now });
          await this.stageChanged(manager, { customer: updated, from: customer.stage, to: updated.stage, by: caller });
        }
        return updated;
      });
      return (await this.views([updated]))[0]!;
    } catch (error) {
      if (isDuplicateKeyError(error)) throw duplicateCustomer();
      throw error;
    }
  }

  /**
   * Another module moves a customer's stage in its own transaction (a contract's last approval → 签约), on
   * behalf of `byId` (kept as who changed it in the stage history, with `note`). The customer row is updated
   * first and only when the stage differs; a customer closed as lost is left where it is (answers false).
   */
  async moveStage(manager: EntityManager, customerId: number, to: StageCode, byId: number, note: string | null = null): Promise<boolean> {
    const now = this.clock.now();
    const customer = await manager.getRepository(Customer).findOne({ where: { id: customerId } });
    if (!customer || customer.closedAt || customer.stage === to) return false;
    const result = await manager.getRepository(Customer).update({ id: customerId, stage: customer.stage, closedAt: IsNull() }, { stage: to, stageChangedAt: now, updatedAt: now });
    if ((result.affected ?? 0) !== 1) return false;
    await manager.getRepository(CustomerStageChange).insert({ customerId, fromStage: customer.stage, toStage: to, changedById: byId, changedAt: now, note: note?.slice(0, 100) ?? null });
    const by = await this.org.findActiveMember(byId, manager);
    const updated = await manager.getRepository(Customer).findOneOrFail({ where: { id: customerId } });
    if (by) await this.stageChanged(manager, { customer: updated, from: customer.stage, to, by });
    return true;
  }

  async reassign(caller: Member, id: number, ownerId: number): Promise<CustomerView> {
    const scope = await this.org.scopeOf(caller, 'customers.assign');
    const now = this.clock.now();
    const updated = await withTransaction(this.db, async (manager) => {
      const customer = await this.findInScope(caller, id, manager);
      const owner = await this.resolveOwner(caller, scope, ownerId);
      if (owner.id === customer.ownerId) return customer;
      await manager.getRepository(Customer).update({ id }, { ownerId: owner.id, updatedAt: now });
      await moveSearchOwner(manager, id, customer.ownerId, owner.id);
      await manager.getRepository(CustomerOwnerChange).insert({ customerId: id, fromOwnerId: customer.ownerId, toOwnerId: owner.id, changedById: caller.id, changedAt: now });
      for (const hook of this.ownerHooks) await hook(manager, { customerId: id, from: customer.ownerId, to: owner.id });
      // A lead not yet touched gives its new owner a fresh clock.
      if (customer.stage === 'lead' && !customer.firstTouchAt) await this.startLeadClocks(manager, [id], now, true);
      return manager.getRepository(Customer).findOneOrFail({ where: { id } });
    });
    return (await this.views([updated]))[0]!;
  }

  async stageHistory(caller: Member, id: number, page: number, pageSize: number) {
    await this.findInScope(caller, id);
    const [rows, total] = await this.db.getRepository(CustomerStageChange).findAndCount({
      where: { customerId: id },
      order: { changedAt: 'DESC', id: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    const people = await this.org.membersByIds(rows.map((r) => r.changedById));
    return {
      items: rows.map((r) => ({
        id: r.id,
        from: r.fromStage,
        fromLabel: r.fromStage ? this.stageLabel(r.fromStage) : null,
        to: r.toStage,
        toLabel: this.stageLabel(r.toStage),
        changedAt: r.changedAt.toISOString(),
        changedBy: { id: r.changedById, name: people.get(r.changedById)?.name ?? '' },
        kind: r.kind ?? 'stage',
        reason: r.reason ?? null,
        note: r.note ?? null,
      })),
      total,
      page,
      pageSize,
    };
  }

  /**
   * 关闭/丢单: the customer is closed as lost where it stands (its stage is kept: "lost from 报价"), with a
   * reason from policy; one stage-history row of kind closed_lost says so. Closing a closed customer is
   * refused and changes nothing (the conditional update decides a race).
   */
  async close(caller: Member, id: number, input: CustomerCloseInput): Promise<CustomerView> {
    const scope = await this.org.scopeOf(caller, 'customers.close');
    const now = this.clock.now();
    const updated = await withTransaction(this.db, async (manager) => {
      const customer = await this.findInScope(caller, id, manager);
      if (!scopeIncludes(scope, customer.ownerId)) throw notFound('客户');
      if (customer.closedAt) throw customerError('CUSTOMER_CLOSED', { message: `客户已于 ${formatLocalDateTime(customer.closedAt, this.policy.timeZone).slice(0, 10)} 关闭（丢单：${lostReasonText(customer.closedReason, customer.closedNote)}），不能重复关闭` });
      const note = input.note?.trim() || null;
      const result = await manager.getRepository(Customer).update({ id, closedAt: IsNull() }, { closedAt: now, closedReason: input.reason, closedNote: note, closedById: caller.id, updatedAt: now });
      if (result.affected !== 1) throw customerError('CUSTOMER_CLOSED');
      await manager.getRepository(CustomerStageChange).insert({
        customerId: id, fromStage: customer.stage, toStage: customer.stage, kind: 'closed_lost', reason: input.reason, note, changedById: caller.id, changedAt: now,
      });
      // a lead lost before its first touch: nobody is to be told it is late
      if (customer.firstTouchDueAt && !customer.firstTouchAt) await cancelJobs(sqlOf(manager), 'lead.first_touch_due', `customer:${id}`);
      return manager.getRepository(Customer).findOneOrFail({ where: { id } });
    });
    return (await this.views([updated]))[0]!;
  }

  /** A supervisor (or above, in reach) reopens a lost customer: it is worked again from the stage it was lost at. */
  async reopen(caller: Member, id: number, note: string | null): Promise<CustomerView> {
    const now = this.clock.now();
    const updated = await withTransaction(this.db, async (manager) => {
      const customer = await this.findInScope(caller, id, manager);
      if (!customer.closedAt) throw customerError('CUSTOMER_NOT_CLOSED');
      const result = await manager.getRepository(Customer).update({ id, closedAt: Not(IsNull()) }, { closedAt: null, closedReason: null, closedNote: null, closedById: null, updatedAt: now });
      if (result.affected !== 1) throw customerError('CUSTOMER_NOT_CLOSED');
      await manager.getRepository(CustomerStageChange).insert({
        customerId: id, fromStage: customer.stage, toStage: customer.stage, kind: 'reopened', reason: customer.closedReason, note: note?.trim() || null, changedById: caller.id, changedAt: now,
      });
      // a lead reopened still untouched gets a fresh first-touch clock, as a reassigned one does
      if (customer.stage === 'lead' && !customer.firstTouchAt) await this.startLeadClocks(manager, [id], now, true);
      return manager.getRepository(Customer).findOneOrFail({ where: { id } });
    });
    return (await this.views([updated]))[0]!;
  }
}
