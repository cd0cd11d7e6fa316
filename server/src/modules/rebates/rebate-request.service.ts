import { In, type DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import {
  REBATE_STATE_LABELS, bandLabel, formatPercentBp, rebateFen, ruleKeyLabel,
  type RebateDecisionInput, type RebateDocumentView, type RebateEventView, type RebateRequestCreateInput, type RebateRequestView, type RebateState,
} from '@anchor/shared';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { SQL, sqlOf, withSqlTransaction, type Sql } from '../../db/sql';
import { isDuplicateKeyError, withTransaction } from '../../db/transaction';
import { invalid, notFound } from '../../http/errors';
import type { FileUploadOptions } from '../../http/upload';
import { enqueueMessages } from '../../outbox/outbox';
import type { AttachmentService } from '../attachments';
import type { CustomerService } from '../customers';
import { scopeIncludes, type Member, type OrgService } from '../org';
import type { ApprovalDecision, ApprovalService, TaskService } from '../tasks';
import type { RebateRules } from './rebate-rules.service';
import { RebateDocument, RebateRequest, RebateRequestEvent } from './rebate.entity';
import { rebateError } from './rebates.errors';

export const REBATE_REQUEST_KIND = 'rebate_request';

/**
 * What a finance decision made through this module means, for the approval hook that runs inside the same
 * transaction (keyed by approval id, set just before the engine acts and removed right after): 「缺少单据」
 * settles the finance task as the engine's reject, but the request goes to documents_missing, not rejected.
 */
const documentIntents = new Map<number, { documents: string[]; reason: string | null }>();

const ACTION_WORDS: Record<RebateDecisionInput['action'], string> = { approve: '审核通过', reject: '驳回', documents_missing: '退回补资料', paid: '标记为已打款' };
const ACTION_STATE: Record<RebateDecisionInput['action'], RebateState> = { approve: 'approved', reject: 'rejected', documents_missing: 'documents_missing', paid: 'paid' };

/** One state change, kept and messaged in the transaction that made it. */
async function recordChange(sql: Sql, requestId: number, from: RebateState | null, to: RebateState, byId: number | null, reason: string | null, documents: string[], now: Date, message = true): Promise<void> {
  const eventId = await sql.insert('rebate_request_event', [{ requestId, fromState: from, toState: to, byId, reason, documents: JSON.stringify(documents), at: now }]);
  if (message) await enqueueMessages(sql, [{ kind: 'rebate.changed', teamId: null, payload: { requestId, eventId } }], now);
}

/** The approval hooks of kind rebate_request: the finance pool's decision moves the request (once: guarded by its state and approval). */
export const rebateApprovalHooks = {
  async onApproved(d: ApprovalDecision): Promise<void> {
    const changed = await d.sql.exec(
      SQL`UPDATE rebate_request SET state = 'approved', decidedAt = ?, updatedAt = ?, reason = ? WHERE id = ? AND approvalId = ? AND state = 'pending'`,
      [d.now, d.now, d.reason, d.approval.subjectId, d.approval.id],
    );
    if (changed === 1) await recordChange(d.sql, d.approval.subjectId, 'pending', 'approved', d.byId, d.reason, [], d.now);
  },
  async onRejected(d: ApprovalDecision): Promise<void> {
    const intent = documentIntents.get(d.approval.id);
    if (intent) {
      const changed = await d.sql.exec(
        SQL`UPDATE rebate_request SET state = 'documents_missing', documentsMissing = ?, reason = ?, updatedAt = ? WHERE id = ? AND approvalId = ? AND state = 'pending'`,
        [JSON.stringify(intent.documents), intent.reason, d.now, d.approval.subjectId, d.approval.id],
      );
      if (changed === 1) await recordChange(d.sql, d.approval.subjectId, 'pending', 'documents_missing', d.byId, intent.reason, intent.documents, d.now);
      return;
    }
    const changed = await d.sql.exec(
      SQL`UPDATE rebate_request SET state = 'rejected', decidedAt = ?, updatedAt = ?, reason = ? WHERE id = ? AND approvalId = ? AND state = 'pending'`,
      [d.now, d.now, d.reason, d.approval.subjectId, d.approval.id],
    );
    if (changed === 1) await recordChange(d.sql, d.approval.subjectId, 'pending', 'rejected', d.byId, d.reason, [], d.now);
  },
};

/**
 * Rebate requests and the documents behind them. A request lands in the finance pool as an approval of
 * kind rebate_request (policy approvals.rebate_request: one pool step); finance decides on its task (the
 * chat card, /tasks, or here): approve, reject with a reason, or send it back naming the documents missing
 * (the engine's reject, which the hook turns into documents_missing); the rep files them and resubmits (a
 * new approval round); finance marks an approved one paid. Each move is one event row and one message.
 */
export class RebateRequests {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
    private readonly customers: CustomerService,
    private readonly attachments: AttachmentService,
    private readonly approvals: ApprovalService,
    private readonly tasks: TaskService,
    private readonly rules: RebateRules,
  ) {
    // a rebate document belongs to its customer: whoever sees the customer sees its documents
    attachments.registerOwner('customer', async (caller, attachment) => {
      if (attachment.ownerId === null) return false;
      const owner = (await this.customers.ownersOf([attachment.ownerId])).get(attachment.ownerId);
      return owner !== undefined && scopeIncludes(await this.org.scopeOf(caller), owner);
    });
  }

  /** What the document upload route takes (policy rebates.documentMaxMegabytes). */
  get documentUpload(): FileUploadOptions {
    return { what: '单据', maxBytes: this.attachments.maxBytes('rebate_document') };
  }

  /** The document types filed for a customer (any number of files per type). */
  async attachedTypes(customerId: number): Promise<string[]> {
    const rows = await this.db.getRepository(RebateDocument).find({ where: { customerId }, select: { id: true, documentType: true } });
    return [...new Set(rows.map((r) => r.documentType))];
  }

  /** The customer's rebate documents, for whoever may read its requests (or make them). */
  async documents(caller: Member, customerId: number): Promise<RebateDocumentView[]> {
    const customer = await this.customers.summaryOf(customerId);
    if (!customer || !scopeIncludes(await this.org.scopeOf(caller, 'rebates.request.read'), customer.ownerId)) throw notFound('客户');
    const rows = await this.db.getRepository(RebateDocument).find({ where: { customerId }, order: { id: 'DESC' } });
    const people = await this.org.membersByIds(rows.map((r) => r.uploadedById));
    return rows.map((r) => ({
      id: r.id, customerId: r.customerId, documentType: r.documentType, attachmentId: r.attachmentId,
      uploadedBy: people.has(r.uploadedById) ? { id: r.uploadedById, name: people.get(r.uploadedById)!.name } : null, createdAt: r.createdAt.toISOString(),
    }));
  }

  /** Files one document of a type (policy rebates.documentTypes) to a customer in the caller's reach: the upload and its filing. */
  async uploadDocument(caller: Member, customerId: number, documentType: string, bytes: Buffer): Promise<RebateDocumentView> {
    if (!this.policy.rebates.documentTypes.includes(documentType)) {
      throw invalid({ documentType: `单据类型「${documentType}」不在可选范围内（${this.policy.rebates.documentTypes.join('、')}）` });
    }
    await this.rules.customerFor(caller, customerId);
    const stored = await this.attachments.upload(caller, 'rebate_document', bytes);
    const now = this.clock.now();
    const id = await withSqlTransaction(this.db, async (sql) => {
      await this.attachments.attach(sql, caller, 'rebate_document', [stored.id], { kind: 'customer', id: customerId, customerId }, 'file');
      return sql.insert('rebate_document', [{ customerId, documentType, attachmentId: stored.id, uploadedById: caller.id, createdAt: now }]);
    });
    return { id, customerId, documentType, attachmentId: stored.id, uploadedBy: { id: caller.id, name: caller.name }, createdAt: now.toISOString() };
  }

  /**
   * A request from a calculation and the rate chosen within its range, in the finance pool at once. The
   * same Idempotency-Key again (a phone retrying) answers the request it made.
   */
  async create(caller: Member, input: RebateRequestCreateInput, key: string): Promise<{ status: number; replayed: boolean; request: RebateRequestView }> {
    const repo = this.db.getRepository(RebateRequest);
    const replay = async () => {
      const found = await repo.findOne({ where: { requesterId: caller.id, idempotencyKey: key } });
      return found ? { status: 201, replayed: true, request: (await this.views([found], true))[0]! } : null;
    };
    const earlier = await replay();
    if (earlier) return earlier;
    const calc = await this.rules.calculate(caller, input);
    const customer = calc.customer;
    if (input.rateBp < calc.rateMinBp || input.rateBp > calc.rateMaxBp) {
      const range = `${formatPercentBp(calc.rateMinBp)}–${formatPercentBp(calc.rateMaxBp)}`;
      throw rebateError('REBATE_RATE_OUT_OF_RANGE', { message: `返点比例 ${formatPercentBp(input.rateBp)} 超出合规范围 ${range}`, fields: { rateBp: `须在 ${range} 之间` } });
    }
    const now = this.clock.now();
    const amount = rebateFen(input.amountFen, input.rateBp);
    try {
      const id = await withTransaction(this.db, async (manager) => {
        const sql = sqlOf(manager);
        const requestId = await sql.insert('rebate_request', [{
          customerId: customer.id, requesterId: caller.id, productModel: calc.productModel, deliveryCycle: input.deliveryCycle, amountFen: input.amountFen,
          rateBp: input.rateBp, rebateFen: amount, rateMinBp: calc.rateMinBp, rateMaxBp: calc.rateMaxBp, ruleId: calc.rule.id, versionId: calc.rule.versionId,
          documentsRequired: JSON.stringify(calc.documentsRequired), documentsMissing: JSON.stringify([]), expectedPayoutDate: calc.expectedPayoutDate,
          state: 'pending', round: 1, approvalId: null, reason: null, note: input.note, idempotencyKey: key, createdAt: now, updatedAt: now, decidedAt: null, paidAt: null,
        }]);
        await this.startRound(manager, requestId, caller, customer.name, { ...input, productModel: calc.productModel, rebateFen: amount }, calc.documentsMissing);
        // submitted: the finance pool's task card is its message
        await recordChange(sql, requestId, null, 'pending', caller.id, null, [], now, false);
        return requestId;
      });
      return { status: 201, replayed: false, request: await this.get(caller, id) };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const twin = await replay();
      if (!twin) throw error;
      return twin;
    }
  }

  /** Puts a (re)submitted request in the finance pool: a new approval of one pool step, its task card sent by the engine. */
  private async startRound(
    manager: EntityManager, requestId: number, requester: Member, customerName: string,
    r: { productModel: string; deliveryCycle: string; amountFen: number; rateBp: number; rebateFen: number }, missing: string[],
  ): Promise<void> {
    const approval = await this.approvals.start({
      kind: REBATE_REQUEST_KIND, subjectType: 'rebate_request', subjectId: requestId, requesterId: requester.id, amountFen: r.rebateFen, customerId: null,
      snapshot: {
        requestId, customerName, requesterName: requester.name, productModel: r.productModel, deliveryCycle: r.deliveryCycle,
        orderFen: r.amountFen, rateBp: r.rateBp, rebateFen: r.rebateFen, missing,
      },
    }, manager);
    await sqlOf(manager).exec(SQL`UPDATE rebate_request SET approvalId = ? WHERE id = ?`, [approval.id, requestId]);
  }

  private async visible(caller: Member, request: RebateRequest, action: 'rebates.request.read' | 'rebates.request.create' | 'rebates.request.review'): Promise<boolean> {
    return scopeIncludes(await this.org.scopeOf(caller, action), request.requesterId);
  }

  private async load(caller: Member, id: number, action: 'rebates.request.read' | 'rebates.request.create' | 'rebates.request.review'): Promise<RebateRequest> {
    const request = await this.db.getRepository(RebateRequest).findOne({ where: { id } });
    if (!request || !(await this.visible(caller, request, action))) throw notFound('返点申请');
    return request;
  }

  async get(caller: Member, id: number): Promise<RebateRequestView> {
    return (await this.views([await this.load(caller, id, 'rebates.request.read')], true))[0]!;
  }

  /** Requests in the caller's reach (rep: own; supervisor: team; director: region; finance, admin: all), newest first. */
  async list(caller: Member, query: { state?: RebateState | undefined; customerId?: number | undefined; page: number; pageSize: number }) {
    const scope = await this.org.scopeOf(caller, 'rebates.request.read');
    const where: FindOptionsWhere<RebateRequest> = {
      ...(scope.kind === 'owners' ? { requesterId: In(scope.memberIds) } : {}),
      ...(query.state ? { state: query.state } : {}),
      ...(query.customerId ? { customerId: query.customerId } : {}),
    };
    const [rows, total] = await this.db.getRepository(RebateRequest).findAndCount({ where, order: { id: 'DESC' }, skip: (query.page - 1) * query.pageSize, take: query.pageSize });
    // counts per state for the queue's tabs, in the same reach
    const counts = Object.fromEntries(
      await Promise.all((['pending', 'documents_missing', 'approved', 'rejected', 'paid'] as const).map(async (s) => [s, await this.db.getRepository(RebateRequest).count({ where: { ...where, state: s } })] as const)),
    ) as Record<RebateState, number>;
    return { items: await this.views(rows, false), total, page: query.page, pageSize: query.pageSize, counts };
  }

  /**
   * Finance's decision: approve, reject (reason), documents_missing (which), paid. A decision a request
   * already has answers it as it is (`changed: false`: a replayed click); another one after it is refused
   * (409 naming the state). Approve / reject / documents_missing settle the finance pool's task in the same
   * transaction, through the engine (whoever acts first, from a chat card or here, decides).
   */
  async decide(caller: Member, id: number, input: RebateDecisionInput): Promise<{ request: RebateRequestView; changed: boolean }> {
    const reason = input.reason?.trim() || null;
    const documents = [...new Set(input.documents ?? [])];
    if (input.action === 'reject' && !reason) throw invalid({ reason: '请填写驳回理由' });
    if (input.action === 'documents_missing') {
      if (documents.length === 0) throw invalid({ documents: '请选择缺少的单据' });
      const unknown = documents.filter((d) => !this.policy.rebates.documentTypes.includes(d));
      if (unknown.length) throw invalid({ documents: `单据「${unknown.join('、')}」不在可选范围内（${this.policy.rebates.documentTypes.join('、')}）` });
    }
    const request = await this.load(caller, id, 'rebates.request.review');
    const settled = async (): Promise<{ request: RebateRequestView; changed: boolean }> => {
      const now = await this.db.getRepository(RebateRequest).findOneOrFail({ where: { id } });
      if (now.state === ACTION_STATE[input.action]) return { request: (await this.views([now], true))[0]!, changed: false };
      throw rebateError('REBATE_STATE_CONFLICT', { message: `该返点申请${REBATE_STATE_LABELS[now.state]}，不能再${ACTION_WORDS[input.action]}` });
    };
    const at = this.clock.now();
    if (input.action === 'paid') {
      const changed = await withSqlTransaction(this.db, async (sql) => {
        const n = await sql.exec(SQL`UPDATE rebate_request SET state = 'paid', paidAt = ?, updatedAt = ? WHERE id = ? AND state = 'approved'`, [at, at, id]);
        if (n === 1) await recordChange(sql, id, 'approved', 'paid', caller.id, reason, [], at);
        return n === 1;
      });
      return changed ? { request: await this.get(caller, id), changed: true } : settled();
    }
    if (request.state !== 'pending' || request.approvalId === null) return settled();
    const taskId = (await this.approvals.openTaskOf([request.approvalId])).get(request.approvalId);
    if (taskId === undefined) return settled();
    const comment = input.action === 'documents_missing' ? `缺少单据：${documents.join('、')}${reason ? `；${reason}` : ''}`.slice(0, 200) : reason;
    const { changed } = await withTransaction(this.db, async (manager) => {
      // the request keeps finance's own words as its reason; the documents are named beside them
      if (input.action === 'documents_missing') documentIntents.set(request.approvalId!, { documents, reason });
      try {
        return await this.tasks.act(caller.id, taskId, input.action === 'approve' ? 'approve' : 'reject', 'app', { comment }, manager);
      } finally {
        documentIntents.delete(request.approvalId!);
      }
    });
    return changed ? { request: await this.get(caller, id), changed: true } : settled();
  }

  /**
   * The rep files the documents finance named and sends the request back to the finance pool (a new round).
   * Refused while a named document is still not filed (naming it); a second resubmit answers as it is.
   */
  async resubmit(caller: Member, id: number): Promise<{ request: RebateRequestView; changed: boolean }> {
    const request = await this.load(caller, id, 'rebates.request.create');
    if (request.state === 'pending') return { request: await this.get(caller, id), changed: false };
    if (request.state !== 'documents_missing') throw rebateError('REBATE_STATE_CONFLICT', { message: `该返点申请${REBATE_STATE_LABELS[request.state]}，不能重新提交` });
    const attached = await this.attachedTypes(request.customerId);
    const still = request.documentsMissing.filter((d) => !attached.includes(d));
    if (still.length) throw rebateError('REBATE_DOCUMENTS_MISSING', { message: `仍缺少单据：${still.join('、')}，请先上传再重新提交`, fields: { documents: `请上传：${still.join('、')}` } });
    const requester = await this.org.findActiveMember(request.requesterId);
    if (!requester) throw notFound('申请人');
    const customerName = (await this.customers.namesOf([request.customerId])).get(request.customerId) ?? '';
    const now = this.clock.now();
    const changed = await withTransaction(this.db, async (manager) => {
      const sql = sqlOf(manager);
      const n = await sql.exec(SQL`UPDATE rebate_request SET state = 'pending', round = round + 1, updatedAt = ? WHERE id = ? AND state = 'documents_missing'`, [now, id]);
      if (n !== 1) return false;
      await this.startRound(manager, id, requester, customerName, request, []);
      await recordChange(sql, id, 'documents_missing', 'pending', caller.id, null, request.documentsMissing, now, false);
      return true;
    });
    return { request: await this.get(caller, id), changed };
  }

  private async views(rows: RebateRequest[], withHistory: boolean): Promise<RebateRequestView[]> {
    if (rows.length === 0) return [];
    const customers = await this.customers.namesOf(rows.map((r) => r.customerId));
    const events = withHistory ? await this.db.getRepository(RebateRequestEvent).find({ where: { requestId: In(rows.map((r) => r.id)) }, order: { id: 'ASC' } }) : [];
    const people = await this.org.membersByIds([...rows.map((r) => r.requesterId), ...events.map((e) => e.byId).filter((x): x is number => x !== null)]);
    const tasks = await this.approvals.openTaskOf(rows.filter((r) => r.state === 'pending' && r.approvalId !== null).map((r) => r.approvalId!));
    const attached = new Map<number, string[]>();
    for (const customerId of new Set(rows.filter((r) => r.state === 'documents_missing' || withHistory).map((r) => r.customerId))) attached.set(customerId, await this.attachedTypes(customerId));
    const person = (id: number | null) => (id === null ? null : { id, name: people.get(id)?.name ?? '' });
    // the rule each was calculated with, named as the table names it (versions are cached and never change)
    const keys = new Map<number, string>();
    for (const versionId of new Set(rows.map((r) => r.versionId))) {
      for (const rule of await this.rules.rulesOf(versionId)) keys.set(rule.id, `${ruleKeyLabel(rule)}（${bandLabel(rule)}）`);
    }
    return rows.map((r) => {
      const have = attached.get(r.customerId);
      const needed = r.state === 'documents_missing' ? r.documentsMissing : r.documentsRequired;
      return {
        id: r.id, state: r.state, stateLabel: REBATE_STATE_LABELS[r.state], customer: { id: r.customerId, name: customers.get(r.customerId) ?? '' }, requester: person(r.requesterId)!,
        productModel: r.productModel, deliveryCycle: r.deliveryCycle, amountFen: r.amountFen, rateBp: r.rateBp, rebateFen: r.rebateFen, rateMinBp: r.rateMinBp, rateMaxBp: r.rateMaxBp,
        documentsRequired: r.documentsRequired, documentsMissing: r.documentsMissing, documentsStillMissing: have ? needed.filter((d) => !have.includes(d)) : [],
        expectedPayoutDate: r.expectedPayoutDate, reason: r.reason, note: r.note,
        rule: { id: r.ruleId, versionId: r.versionId, version: r.versionId, key: keys.get(r.ruleId) ?? '' },
        round: r.round, taskId: r.state === 'pending' && r.approvalId !== null ? (tasks.get(r.approvalId) ?? null) : null,
        createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(),
        ...(withHistory
          ? { history: events.filter((e) => e.requestId === r.id).map((e): RebateEventView => ({ from: e.fromState, to: e.toState, by: person(e.byId), reason: e.reason, documents: e.documents, at: e.at.toISOString() })) }
          : {}),
      };
    });
  }

}
