import { addDays, formatYuan, localDay, localInstant, type ManualPaymentInput, type PaymentMethod, type PayOrder, type ReceivableDetail, type Receivable as ReceivableView, type ReceivableState } from '@anchor/shared';
import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { isSqlite } from '../../db/data-source';
import { joinSql, placeholders, SQL, sqlDate, sqlOf, withSqlTransaction, type ConstSql, type Sql } from '../../db/sql';
import { isDuplicateKeyError } from '../../db/transaction';
import { invalid, notFound } from '../../http/errors';
import { scheduleJobs, type JobSpec } from '../../jobs/job-scheduler';
import type { AttachmentService } from '../attachments';
import type { CustomerService } from '../customers';
import type { Member, OrgService } from '../org';
import { receivableError } from './receivables.errors';

export interface Instalment {
  seq: number;
  /** YYYY-MM-DD */
  dueDate: string;
  amountFen: number;
}

export interface CreditInput {
  receivableId: number;
  amountFen: number;
  method: PaymentMethod;
  /** the payment's own id: WeChat Pay transaction_id, the bank's flow number; (method, reference) is credited once */
  reference: string;
  paidAt: Date;
  byId: number | null;
  voucherAttachmentId?: number | null;
  note?: string | null;
}

export interface ReceivableRow {
  id: number;
  contractId: number;
  customerId: number;
  ownerId: number;
  seq: number;
  dueDate: string;
  amountFen: number;
  paidFen: number;
  paidAt: Date | null;
}

/** The pay orders of a receivable, as the payments module (listed after this one) tells them. */
export type OrdersProvider = (receivableId: number) => Promise<PayOrder[]>;

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const validDay = (d: string) => DAY_RE.test(d) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d);
const iso = (d: Date | string | null): string | null => sqlDate(d)?.toISOString() ?? null;
const num = (v: unknown) => Number(v);

export function receivableState(r: { amountFen: number; paidFen: number; dueDate: string }, today: string): ReceivableState {
  if (r.paidFen >= r.amountFen) return 'paid';
  if (r.dueDate < today) return 'overdue';
  return r.paidFen > 0 ? 'partly_paid' : 'open';
}

/** The SQL condition of a state (the list filter), the same rule as `receivableState`. */
function stateCondition(state: ReceivableState): ConstSql {
  switch (state) {
    case 'paid':
      return SQL`r.paidFen >= r.amountFen`;
    case 'overdue':
      return SQL`r.paidFen < r.amountFen AND r.dueDate < ?`;
    case 'partly_paid':
      return SQL`r.paidFen > 0 AND r.paidFen < r.amountFen AND r.dueDate >= ?`;
    default:
      return SQL`r.paidFen = 0 AND r.dueDate >= ?`;
  }
}

const SELECT_RECEIVABLE = SQL`SELECT r.id AS id, r.contractId AS contractId, r.customerId AS customerId, r.ownerId AS ownerId, r.seq AS seq, r.dueDate AS dueDate, r.amountFen AS amountFen, r.paidFen AS paidFen, r.paidAt AS paidAt FROM receivable r`;

function rowOf(r: Record<string, unknown>): ReceivableRow {
  return {
    id: num(r.id), contractId: num(r.contractId), customerId: num(r.customerId), ownerId: num(r.ownerId), seq: num(r.seq), dueDate: String(r.dueDate),
    amountFen: num(r.amountFen), paidFen: num(r.paidFen), paidAt: sqlDate(r.paidAt as Date | string | null),
  };
}

/**
 * Receivables: created from an approved contract's instalments (`createForContract`, in the approval's
 * transaction), credited by WeChat Pay or by finance (`credit`, once per method + reference), reminded
 * and escalated by one-off jobs written with them, read in the caller's reach.
 */
export class ReceivableService {
  private ordersProvider: OrdersProvider = async () => [];

  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
    private readonly customers: CustomerService,
    private readonly attachments: AttachmentService,
  ) {
    // a voucher is seen by whoever sees its receivable
    attachments.registerOwner('payment', async (caller, attachment) => {
      if (attachment.ownerId === null) return false;
      const [p] = await withSqlTransaction(this.db, (sql) => sql.rows<{ receivableId: number }>(SQL`SELECT receivableId FROM receivable_payment WHERE id = ?`, [attachment.ownerId]));
      if (!p) return false;
      return (await this.findInScope(caller, num(p.receivableId)).catch(() => null)) !== null;
    });
  }

  /** A voucher (bank slip photo or PDF) finance uploads before recording the payment it proves. */
  async uploadVoucher(caller: Member, bytes: Buffer): Promise<{ id: number; contentType: string; size: number }> {
    const stored = await this.attachments.upload(caller, 'payment_voucher', bytes);
    return { id: stored.id, contentType: stored.contentType, size: stored.size };
  }

  get voucherMaxBytes(): number {
    return this.attachments.maxBytes('payment_voucher');
  }

  /** The payments module tells a receivable's orders (it is listed after this module). */
  setOrdersProvider(provider: OrdersProvider): void {
    this.ordersProvider = provider;
  }

  today(): string {
    return localDay(this.clock.now(), this.policy.timeZone);
  }

  /**
   * An approved contract's instalments become receivables, in the caller's transaction (the approval's),
   * with their reminder and escalation timers. Answers the new ids in the order of `instalments`.
   */
  async createForContract(manager: EntityManager, input: { contractId: number; customerId: number; ownerId: number; instalments: Instalment[] }): Promise<number[]> {
    const bad: Record<string, string> = {};
    if (!input.instalments.length) bad.instalments = '至少需要一期回款';
    const seqs = new Set<number>();
    input.instalments.forEach((i, n) => {
      if (!Number.isInteger(i.seq) || i.seq < 1 || seqs.has(i.seq)) bad[`instalments.${n}.seq`] = '期数须为不重复的正整数';
      seqs.add(i.seq);
      if (!validDay(i.dueDate)) bad[`instalments.${n}.dueDate`] = '到期日须为有效日期 YYYY-MM-DD';
      if (!Number.isInteger(i.amountFen) || i.amountFen <= 0 || i.amountFen > 2_000_000_000) bad[`instalments.${n}.amountFen`] = '金额须为正整数（分）';
    });
    // the contracts module validates the terms a rep typed (sum, days); arriving here bad is a bug, and nothing is written
    if (Object.keys(bad).length) throw new Error(`createForContract: instalments invalid: ${JSON.stringify(bad)}`);
    const sql = sqlOf(manager);
    const now = this.clock.now();
    await sql.insert(
      'receivable',
      input.instalments.map((i) => ({ contractId: input.contractId, customerId: input.customerId, ownerId: input.ownerId, seq: i.seq, dueDate: i.dueDate, amountFen: i.amountFen, paidFen: 0, createdAt: now })),
    );
    const rows = await sql.rows<{ id: number; seq: number; dueDate: string }>(SQL`SELECT id, seq, dueDate FROM receivable WHERE contractId = ? ORDER BY seq`, [input.contractId]);
    const bySeq = new Map(rows.map((r) => [num(r.seq), { id: num(r.id), dueDate: String(r.dueDate) }]));
    const ids = input.instalments.map((i) => bySeq.get(i.seq)!.id);
    await scheduleJobs(sql, ids.flatMap((id, n) => this.timersFor(id, input.instalments[n]!.dueDate, now)));
    return ids;
  }

  /** Reminders to the rep before and on the due day, the escalation after the grace (each at policy remindAt, local time); none in the past. */
  private timersFor(id: number, dueDate: string, now: Date): JobSpec[] {
    const p = this.policy.receivables;
    const tz = this.policy.timeZone;
    const at = (day: string) => localInstant(day, p.remindAt, tz);
    const specs: JobSpec[] = [
      ...(p.remindDaysBefore > 0 ? [{ kind: 'receivables.remind', dueAt: at(addDays(dueDate, -p.remindDaysBefore)), payload: { receivableId: id, stage: 'before' }, subject: `receivable:${id}` }] : []),
      { kind: 'receivables.remind', dueAt: at(dueDate), payload: { receivableId: id, stage: 'due' }, subject: `receivable:${id}` },
      { kind: 'receivables.escalate', dueAt: at(addDays(dueDate, p.overdueGraceDays + 1)), payload: { receivableId: id }, subject: `receivable:${id}` },
    ];
    return specs.filter((s) => s.dueAt.getTime() > now.getTime() || s.kind === 'receivables.escalate');
  }

  /**
   * Credits money to a receivable in the caller's transaction, once per (method, reference): a second
   * credit of the same payment changes nothing and answers `credited: false`. The receivable row is
   * updated first (its lock orders concurrent credits), then the payment row is inserted.
   */
  async credit(manager: EntityManager | Sql, input: CreditInput): Promise<{ credited: boolean; paymentId: number | null }> {
    const sql = 'exec' in manager && 'rows' in manager ? (manager as Sql) : sqlOf(manager as EntityManager);
    const [existing] = await sql.rows<{ id: number }>(SQL`SELECT id FROM receivable_payment WHERE method = ? AND reference = ?`, [input.method, input.reference]);
    if (existing) return { credited: false, paymentId: num(existing.id) };
    const changed = await sql.exec(
      // paidAt first: MySQL evaluates SET left to right with the values already assigned, SQLite with the old ones
      SQL`UPDATE receivable SET paidAt = CASE WHEN paidFen + ? >= amountFen THEN ? ELSE paidAt END, paidFen = paidFen + ? WHERE id = ?`,
      [input.amountFen, input.paidAt, input.amountFen, input.receivableId],
    );
    if (changed !== 1) throw notFound('回款');
    try {
      await sql.insert('receivable_payment', [
        {
          receivableId: input.receivableId, amountFen: input.amountFen, method: input.method, reference: input.reference, paidAt: input.paidAt, byId: input.byId,
          voucherAttachmentId: input.voucherAttachmentId ?? null, note: input.note ?? null, createdAt: this.clock.now(),
        },
      ]);
    } catch (error) {
      // a racing credit of the same payment won: the caller's transaction must roll back our UPDATE
      if (isDuplicateKeyError(error)) throw receivableError('PAYMENT_REFERENCE_USED');
      throw error;
    }
    const [row] = await sql.rows<{ id: number }>(SQL`SELECT id FROM receivable_payment WHERE method = ? AND reference = ?`, [input.method, input.reference]);
    return { credited: true, paymentId: row ? num(row.id) : null };
  }

  /** Finance records a bank transfer (or cash, a check …) with its voucher. */
  async recordManual(caller: Member, id: number, input: ManualPaymentInput): Promise<ReceivableDetail> {
    const today = this.today();
    if (!validDay(input.paidAt)) throw invalid({ paidAt: '到账日期须为有效日期 YYYY-MM-DD' });
    if (input.paidAt > today) throw receivableError('PAYMENT_DATE_INVALID', { fields: { paidAt: '到账日期不能晚于今天' } });
    await withSqlTransaction(this.db, async (sql) => {
      const r = await this.lockedRow(sql, id);
      if (!r || !(await this.inScope(caller, r))) throw notFound('回款');
      const remaining = r.amountFen - r.paidFen;
      if (remaining <= 0) throw receivableError('RECEIVABLE_PAID');
      if (input.amountFen > remaining) throw receivableError('PAYMENT_EXCEEDS_REMAINING', { fields: { amountFen: `金额超过未回款金额 ${formatYuan(remaining)}` } });
      const paidAt = localInstant(input.paidAt, '12:00', this.policy.timeZone);
      const out = await this.credit(sql, { receivableId: id, amountFen: input.amountFen, method: input.method, reference: input.reference, paidAt, byId: caller.id, voucherAttachmentId: input.voucherAttachmentId, note: input.note ?? null });
      if (!out.credited) throw receivableError('PAYMENT_REFERENCE_USED', { fields: { reference: '该流水号已登记过' } });
      await this.attachments.attach(sql, caller, 'payment_voucher', [input.voucherAttachmentId], { kind: 'payment', id: out.paymentId!, customerId: r.customerId }, 'voucherAttachmentId');
    });
    return this.detail(caller, id);
  }

  /** The row under a write lock (MariaDB; SQLite has one writer). */
  async lockedRow(sql: Sql, id: number): Promise<ReceivableRow | null> {
    const [r] = isSqlite(this.db)
      ? await sql.rows<Record<string, unknown>>(SQL`${SELECT_RECEIVABLE} WHERE r.id = ?`, [id])
      : await sql.rows<Record<string, unknown>>(SQL`${SELECT_RECEIVABLE} WHERE r.id = ? FOR UPDATE`, [id]);
    return r ? rowOf(r) : null;
  }

  private async inScope(caller: Member, r: Pick<ReceivableRow, 'ownerId'>): Promise<boolean> {
    const scope = await this.org.scopeOf(caller, 'receivables.read');
    return scope.kind === 'all' || scope.memberIds.includes(r.ownerId);
  }

  /** A receivable the caller may see (404 otherwise, like a missing one). */
  async findInScope(caller: Member, id: number): Promise<ReceivableRow> {
    const [r] = await withSqlTransaction(this.db, (sql) => sql.rows<Record<string, unknown>>(SQL`${SELECT_RECEIVABLE} WHERE r.id = ?`, [id]));
    if (!r || !(await this.inScope(caller, rowOf(r)))) throw notFound('回款');
    return rowOf(r);
  }

  async row(sql: Sql, id: number): Promise<ReceivableRow | null> {
    const [r] = await sql.rows<Record<string, unknown>>(SQL`${SELECT_RECEIVABLE} WHERE r.id = ?`, [id]);
    return r ? rowOf(r) : null;
  }

  private async views(rows: ReceivableRow[]): Promise<ReceivableView[]> {
    const today = this.today();
    const [names, owners] = await Promise.all([this.customers.namesOf(rows.map((r) => r.customerId)), this.org.membersByIds(rows.map((r) => r.ownerId))]);
    return rows.map((r) => ({
      id: r.id, contractId: r.contractId, customerId: r.customerId, customerName: names.get(r.customerId) ?? '', ownerId: r.ownerId, ownerName: owners.get(r.ownerId)?.name ?? '',
      seq: r.seq, dueDate: r.dueDate, amountFen: r.amountFen, paidFen: r.paidFen, remainingFen: Math.max(0, r.amountFen - r.paidFen), state: receivableState(r, today), paidAt: iso(r.paidAt),
    }));
  }

  /** The caller's reach (rep own, supervisor team, director region, finance and admin all), soonest due first. */
  async list(caller: Member, query: { state?: ReceivableState | undefined; customerId?: number | undefined; page: number; pageSize: number }) {
    const scope = await this.org.scopeOf(caller, 'receivables.read');
    const where: ConstSql[] = [SQL`1 = 1`];
    const params: unknown[] = [];
    if (scope.kind === 'owners') {
      where.push(SQL`r.ownerId IN (${placeholders(scope.memberIds.length)})`);
      params.push(...scope.memberIds);
    }
    if (query.customerId) {
      where.push(SQL`r.customerId = ?`);
      params.push(query.customerId);
    }
    if (query.state) {
      where.push(stateCondition(query.state));
      if (query.state !== 'paid') params.push(this.today());
    }
    const cond = joinSql(where, ' AND ');
    // what is still owed first, the longest overdue at the top; settled instalments after
    const { rows, total } = await withSqlTransaction(this.db, async (sql) => {
      const [count] = await sql.rows<{ n: number }>(SQL`SELECT COUNT(*) AS n FROM receivable r WHERE ${cond}`, params);
      const page = await sql.rows<Record<string, unknown>>(SQL`${SELECT_RECEIVABLE} WHERE ${cond} ORDER BY CASE WHEN r.paidFen >= r.amountFen THEN 1 ELSE 0 END, r.dueDate ASC, r.id ASC LIMIT ? OFFSET ?`, [
        ...params, query.pageSize, (query.page - 1) * query.pageSize,
      ]);
      return { rows: page.map(rowOf), total: num(count?.n ?? 0) };
    });
    return { items: await this.views(rows), total, page: query.page, pageSize: query.pageSize };
  }

  async detail(caller: Member, id: number): Promise<ReceivableDetail> {
    const r = await this.findInScope(caller, id);
    const [view] = await this.views([r]);
    const payments = await withSqlTransaction(this.db, (sql) =>
      sql.rows<Record<string, unknown>>(SQL`SELECT id, amountFen, method, reference, paidAt, byId, voucherAttachmentId, note FROM receivable_payment WHERE receivableId = ? ORDER BY paidAt, id`, [id]),
    );
    const by = await this.org.membersByIds(payments.map((p) => num(p.byId)).filter((x) => x > 0));
    return {
      ...view!,
      payments: payments.map((p) => ({
        id: num(p.id), amountFen: num(p.amountFen), method: p.method as PaymentMethod, reference: String(p.reference), paidAt: iso(p.paidAt as string)!,
        byId: p.byId === null ? null : num(p.byId), byName: p.byId === null ? null : (by.get(num(p.byId))?.name ?? null),
        voucherAttachmentId: p.voucherAttachmentId === null ? null : num(p.voucherAttachmentId), note: (p.note as string | null) ?? null,
      })),
      orders: await this.ordersProvider(id),
    };
  }

  /**
   * On-time payment rate per customer, 0–100, for grading's paymentHistory: of the receivables due by
   * today (or already paid), the share paid in full by the end of their due day. A customer with none
   * due yet is absent (grading keeps it missing → neutral).
   */
  async onTimeRates(sql: Sql, customerIds: number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    if (!customerIds.length) return out;
    const today = this.today();
    const rows = await sql.rows<{ customerId: number; dueDate: string; amountFen: number; paidFen: number; paidAt: Date | string | null }>(
      SQL`SELECT customerId, dueDate, amountFen, paidFen, paidAt FROM receivable WHERE customerId IN (${placeholders(customerIds.length)}) AND (dueDate < ? OR paidFen >= amountFen)`,
      [...customerIds, today],
    );
    const tally = new Map<number, { due: number; onTime: number }>();
    for (const r of rows) {
      const t = tally.get(num(r.customerId)) ?? { due: 0, onTime: 0 };
      t.due++;
      if (num(r.paidFen) >= num(r.amountFen) && r.paidAt && localDay(sqlDate(r.paidAt)!, this.policy.timeZone) <= String(r.dueDate)) t.onTime++;
      tally.set(num(r.customerId), t);
    }
    for (const [id, t] of tally) out.set(id, Math.round((1000 * t.onTime) / t.due) / 10);
    return out;
  }
}
