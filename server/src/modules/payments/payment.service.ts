import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { instantToWallClock, zoneOffsetMinutes, type PayOrder as PayOrderView, type PayOrderState } from '@anchor/shared';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../clock';
import type { Env } from '../../config/env';
import type { Policy } from '../../config/policy';
import { isSqlite } from '../../db/data-source';
import { SQL, sqlDate, withSqlTransaction, type Sql } from '../../db/sql';
import { transaction } from '../../db/transaction';
import { notFound } from '../../http/errors';
import type { Logger } from '../../logger';
import { outboxStatement } from '../../outbox/outbox';
import { UpstreamError } from '../../channels/http-client';
import {
  AeadError, decryptAead, NotifyVerifyError, verifyNotification, type NotifyEnvelope, type NotifyHeaders, type PlatformKeys, type WechatPayTransaction,
} from '../../channels/wechatpay/wechatpay-crypto';
import { WechatPayApiError, type WechatPayClient } from '../../channels/wechatpay/wechatpay.client';
import type { PlatformCertificateStore } from '../../channels/wechatpay/platform-certificates';
import type { Member } from '../org';
import type { ReceivableService } from '../receivables';
import type { TaskService } from '../tasks';
import { paymentError } from './payments.errors';

export const NOTIFY_PATH = '/api/v1/channels/wechatpay/notify';
export const MISMATCH_KIND = 'payment.mismatch';
/** Paid by WeChat Pay after the instalment was already settled (a bank transfer recorded meanwhile): finance refunds or keeps it. */
export const OVERPAID_KIND = 'payment.overpaid';

type OrderRow = { id: number; receivableId: number; outTradeNo: string; amountFen: number; state: PayOrderState; codeUrl: string | null; expiresAt: Date; transactionId: string | null; paidAt: Date | null; createdAt: Date };

const ORDER_COLUMNS = SQL`id, receivableId, outTradeNo, amountFen, state, codeUrl, expiresAt, transactionId, paidAt, createdAt`;

function orderOf(r: Record<string, unknown>): OrderRow {
  return {
    id: Number(r.id), receivableId: Number(r.receivableId), outTradeNo: String(r.outTradeNo), amountFen: Number(r.amountFen), state: r.state as PayOrderState,
    codeUrl: (r.codeUrl as string | null) ?? null, expiresAt: sqlDate(r.expiresAt as string)!, transactionId: (r.transactionId as string | null) ?? null,
    paidAt: sqlDate(r.paidAt as string | null), createdAt: sqlDate(r.createdAt as string)!,
  };
}

export function viewOf(o: OrderRow): PayOrderView {
  return {
    id: o.id, receivableId: o.receivableId, outTradeNo: o.outTradeNo, amountFen: o.amountFen, state: o.state, codeUrl: o.state === 'open' ? o.codeUrl : null,
    expiresAt: o.expiresAt.toISOString(), paidAt: o.paidAt?.toISOString() ?? null, createdAt: o.createdAt.toISOString(),
  };
}

/** RFC 3339 in the policy zone, whole seconds: `2026-12-03T20:30:00+08:00` (the same string on every retry). */
export function rfc3339(instant: Date, timeZone: string): string {
  const offset = zoneOffsetMinutes(instant, timeZone);
  const wall = instantToWallClock(instant, timeZone).toISOString().slice(0, 19);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** What the notify route answers: the protocol's bodies, the status decides. */
export interface NotifyAnswer {
  status: number;
  body: { code: 'SUCCESS' | 'FAIL'; message: string };
  outcome: 'credited' | 'already' | 'mismatch' | 'not_success' | 'unknown_order' | 'refused' | 'retry';
  reason?: string;
}
const OK = (outcome: NotifyAnswer['outcome']): NotifyAnswer => ({ status: 200, body: { code: 'SUCCESS', message: '成功' }, outcome });
const FAIL = (status: number, outcome: NotifyAnswer['outcome'], reason: string): NotifyAnswer => ({ status, body: { code: 'FAIL', message: '失败' }, outcome, reason });

/**
 * WeChat Pay for receivables: Native orders (one open order per receivable, reused; closable), the
 * notification (verified, decrypted, compared with the order, then credited once in the transaction
 * that moves the order out of `open`), and the query that settles orders whose notification never came.
 */
export class PaymentService {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly env: Env,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly receivables: ReceivableService,
    private readonly tasks: TaskService,
    private readonly client: WechatPayClient | null,
    private readonly keys: PlatformKeys | null,
    /** platform-certificate mode: downloaded and rotated certificates (main.ts starts its timer on every server) */
    readonly certificates: PlatformCertificateStore | null = null,
  ) {
    receivables.setOrdersProvider((id) => this.ordersOf(id));
  }

  get enabled(): boolean {
    return !!this.client && !!this.keys;
  }

  async ordersOf(receivableId: number): Promise<PayOrderView[]> {
    const rows = await withSqlTransaction(this.db, (sql) => sql.rows<Record<string, unknown>>(SQL`SELECT ${ORDER_COLUMNS} FROM pay_order WHERE receivableId = ? ORDER BY id DESC`, [receivableId]));
    return rows.map((r) => viewOf(orderOf(r)));
  }

  private async orderInScope(caller: Member, id: number): Promise<OrderRow> {
    const [r] = await withSqlTransaction(this.db, (sql) => sql.rows<Record<string, unknown>>(SQL`SELECT ${ORDER_COLUMNS} FROM pay_order WHERE id = ?`, [id]));
    if (!r) throw notFound('支付订单');
    const order = orderOf(r);
    await this.receivables.findInScope(caller, order.receivableId).catch(() => {
      throw notFound('支付订单');
    });
    return order;
  }

  private newOutTradeNo(receivableId: number): string {
    // [0-9A-Za-z_-], ≤ 32: the receivable, the time, 8 random hex
    return `AR${receivableId}_${this.clock.now().getTime().toString(36)}${randomBytes(4).toString('hex')}`.slice(0, 32);
  }

  /**
   * The pay QR for what is still owed. An open, unexpired order for the same amount is reused (its
   * code_url, or the same order sent again: the sanctioned retry); one for another amount (a manual
   * payment came in since) or about to expire is closed and replaced. Two callers at once get one order:
   * the receivable's row lock orders them.
   */
  async createOrder(caller: Member, receivableId: number): Promise<PayOrderView> {
    if (!this.client) throw paymentError('WECHATPAY_OFF');
    await this.receivables.findInScope(caller, receivableId);
    const now = this.clock.now();
    const { order, stale } = await transaction(this.db, async ({ sql }) => {
      const r = await this.receivables.lockedRow(sql, receivableId);
      if (!r) throw notFound('回款');
      const remaining = r.amountFen - r.paidFen;
      if (remaining <= 0) throw paymentError('PAY_ORDER_NOT_OPEN', { message: '该期回款已结清，无需支付' });
      const open = (await sql.rows<Record<string, unknown>>(SQL`SELECT ${ORDER_COLUMNS} FROM pay_order WHERE receivableId = ? AND state = 'open' ORDER BY id DESC`, [receivableId])).map(orderOf);
      // reusable: the amount still owed, and payable for at least a minute more
      const reusable = open.find((o) => o.amountFen === remaining && o.expiresAt.getTime() - now.getTime() > 60_000);
      if (reusable) return { order: reusable, stale: open.filter((o) => o.id !== reusable.id) };
      const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + this.policy.payments.orderExpireMinutes * 60_000);
      const outTradeNo = this.newOutTradeNo(receivableId);
      await sql.insert('pay_order', [{ receivableId, outTradeNo, amountFen: remaining, state: 'open', codeUrl: null, expiresAt, createdById: caller.id, createdAt: now }]);
      const [row] = await sql.rows<Record<string, unknown>>(SQL`SELECT ${ORDER_COLUMNS} FROM pay_order WHERE outTradeNo = ?`, [outTradeNo]);
      return { order: orderOf(row!), stale: open };
    });
    for (const o of stale) await this.closeQuietly(o);
    if (order.codeUrl) return viewOf(order);
    const receivable = await withSqlTransaction(this.db, (sql) => this.receivables.row(sql, receivableId));
    try {
      const { codeUrl } = await this.client.nativeOrder({
        outTradeNo: order.outTradeNo,
        description: `回款 第${receivable?.seq ?? ''}期 合同${receivable?.contractId ?? ''}`.slice(0, 127),
        amountFen: order.amountFen,
        notifyUrl: `${this.env.publicUrl}${NOTIFY_PATH}`,
        timeExpire: rfc3339(order.expiresAt, this.policy.timeZone),
        attach: `receivable:${receivableId}`,
      });
      await withSqlTransaction(this.db, (sql) => sql.exec(SQL`UPDATE pay_order SET codeUrl = ? WHERE id = ? AND codeUrl IS NULL`, [codeUrl, order.id]));
      return viewOf({ ...order, codeUrl });
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, orderId: order.id }, 'wechatpay native order failed');
      // the order row stays open without a code: the next request sends the same order again
      throw paymentError('WECHATPAY_UPSTREAM_FAILED', error instanceof WechatPayApiError && error.status < 500 ? { message: `微信支付拒绝下单：${error.detail || error.code}` } : {});
    }
  }

  async qrPng(caller: Member, orderId: number): Promise<Buffer> {
    const order = await this.orderInScope(caller, orderId);
    if (order.state !== 'open' || !order.codeUrl) throw paymentError('PAY_ORDER_NOT_OPEN');
    return QRCode.toBuffer(order.codeUrl, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 360 });
  }

  /** Closes an open order at WeChat Pay and here; one paid meanwhile is settled instead (and answered as paid). */
  async closeOrder(caller: Member, orderId: number): Promise<PayOrderView> {
    if (!this.client) throw paymentError('WECHATPAY_OFF');
    const order = await this.orderInScope(caller, orderId);
    if (order.state !== 'open') throw paymentError('PAY_ORDER_NOT_OPEN');
    try {
      await this.client.close(order.outTradeNo);
    } catch (error) {
      if (!(error instanceof WechatPayApiError && error.code === 'ORDER_PAID')) throw paymentError('WECHATPAY_UPSTREAM_FAILED');
      const t = await this.client.query(order.outTradeNo);
      if (t) await transaction(this.db, ({ sql }) => this.settle(sql, t));
      return viewOf(await this.reload(orderId));
    }
    await withSqlTransaction(this.db, (sql) => sql.exec(SQL`UPDATE pay_order SET state = 'closed', closedAt = ? WHERE id = ? AND state = 'open'`, [this.clock.now(), orderId]));
    return viewOf(await this.reload(orderId));
  }

  private async reload(id: number): Promise<OrderRow> {
    const [r] = await withSqlTransaction(this.db, (sql) => sql.rows<Record<string, unknown>>(SQL`SELECT ${ORDER_COLUMNS} FROM pay_order WHERE id = ?`, [id]));
    return orderOf(r!);
  }

  private async closeQuietly(o: OrderRow): Promise<void> {
    try {
      await this.client?.close(o.outTradeNo);
      await withSqlTransaction(this.db, (sql) => sql.exec(SQL`UPDATE pay_order SET state = 'closed', closedAt = ? WHERE id = ? AND state = 'open'`, [this.clock.now(), o.id]));
    } catch (error) {
      // paid meanwhile (ORDER_PAID) or unreachable: the query job settles or closes it later
      this.logger.warn({ err: (error as Error).message, orderId: o.id }, 'closing a replaced pay order failed; left for the query job');
    }
  }

  /**
   * The notification: verify (headers, skew, SIGNTEST, serial → key, signature over the raw body),
   * decrypt (tag and AAD checked), then settle in one transaction. Any refusal changes nothing.
   */
  async handleNotify(headers: NotifyHeaders, rawBody: string): Promise<NotifyAnswer> {
    if (!this.keys || !this.env.wechatPay) return FAIL(404, 'refused', 'wechatpay off');
    this.certificates?.refreshIfDue();
    const nowSeconds = () => Math.floor(this.clock.now().getTime() / 1000);
    const skew = this.policy.payments.notifySkewSeconds;
    let transactionJson: WechatPayTransaction;
    try {
      let envelope: NotifyEnvelope;
      try {
        envelope = verifyNotification(headers, rawBody, this.keys, nowSeconds(), skew);
      } catch (error) {
        // a serial not yet known (WeChat Pay rotated its certificate): one download, then verified or refused
        if (!(error instanceof NotifyVerifyError && error.reason === 'unknown_serial' && this.certificates)) throw error;
        await this.certificates.ensure(headers.serial!);
        envelope = verifyNotification(headers, rawBody, this.keys, nowSeconds(), skew);
      }
      const r = envelope.resource;
      transactionJson = JSON.parse(decryptAead(this.env.wechatPay.apiV3Key, r.nonce, r.associated_data ?? '', r.ciphertext)) as WechatPayTransaction;
    } catch (error) {
      if (error instanceof NotifyVerifyError) return FAIL(401, 'refused', error.reason);
      if (error instanceof AeadError) return FAIL(400, 'refused', 'decrypt');
      return FAIL(400, 'refused', 'plaintext');
    }
    if (transactionJson.mchid !== this.env.wechatPay.mchId || transactionJson.appid !== this.env.wechatPay.appId || typeof transactionJson.out_trade_no !== 'string') {
      return FAIL(400, 'refused', 'merchant');
    }
    try {
      return OK(await transaction(this.db, ({ sql }) => this.settle(sql, transactionJson)));
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, code: (error as { code?: string }).code }, 'wechatpay notify: settling failed, asked to re-deliver');
      return FAIL(500, 'retry', 'database');
    }
  }

  /**
   * One transaction's state as WeChat Pay reports it, applied to its order, in the caller's transaction:
   * SUCCESS with the order's amount moves the order open → paid and credits the receivable; another
   * amount moves it to mismatch and opens a task in finance's pool; anything already settled is left.
   */
  async settle(sql: Sql, t: WechatPayTransaction): Promise<NotifyAnswer['outcome']> {
    const lock = isSqlite(this.db) ? SQL`` : SQL` FOR UPDATE`;
    const [row] = await sql.rows<Record<string, unknown>>(SQL`SELECT ${ORDER_COLUMNS} FROM pay_order WHERE outTradeNo = ?${lock}`, [t.out_trade_no]);
    if (!row) return 'unknown_order';
    const order = orderOf(row);
    if (t.trade_state !== 'SUCCESS') {
      if (t.trade_state === 'CLOSED' && order.state === 'open') await sql.exec(SQL`UPDATE pay_order SET state = 'closed', closedAt = ? WHERE id = ? AND state = 'open'`, [this.clock.now(), order.id]);
      return 'not_success';
    }
    if (order.state === 'paid' || order.state === 'mismatch') return 'already';
    const total = Number(t.amount?.total);
    const paidAt = t.success_time && !Number.isNaN(Date.parse(t.success_time)) ? new Date(t.success_time) : this.clock.now();
    const now = this.clock.now();
    if (total !== order.amountFen) {
      if ((await sql.exec(SQL`UPDATE pay_order SET state = 'mismatch', notifiedFen = ?, transactionId = ?, paidAt = ? WHERE id = ? AND state IN ('open', 'closed')`, [Number.isFinite(total) ? total : null, t.transaction_id ?? null, paidAt, order.id])) !== 1) return 'already';
      const r = await this.receivables.row(sql, order.receivableId);
      await this.tasks.openForSubjects(sql, MISMATCH_KIND, 'pay_order', [
        {
          subjectId: order.id, customerId: r?.customerId ?? null, requesterId: r?.ownerId ?? null, assigneePool: 'finance',
          snapshot: { outTradeNo: order.outTradeNo, transactionId: t.transaction_id ?? '', orderFen: order.amountFen, notifiedFen: Number.isFinite(total) ? total : null, receivableId: order.receivableId, seq: r?.seq ?? null, contractId: r?.contractId ?? null },
        },
      ]);
      this.logger.warn({ orderId: order.id, orderFen: order.amountFen, notifiedFen: total }, 'wechatpay amount mismatch: flagged to finance, not credited');
      return 'mismatch';
    }
    if ((await sql.exec(SQL`UPDATE pay_order SET state = 'paid', transactionId = ?, notifiedFen = ?, paidAt = ? WHERE id = ? AND state IN ('open', 'closed')`, [t.transaction_id ?? null, total, paidAt, order.id])) !== 1) return 'already';
    const credit = await this.receivables.credit(sql, { receivableId: order.receivableId, amountFen: total, method: 'wechatpay', reference: t.transaction_id || order.outTradeNo, paidAt, byId: null });
    if (credit.credited) {
      const r = await this.receivables.row(sql, order.receivableId);
      await sql.batch([outboxStatement(sql, [{ kind: 'payment.received', teamId: null, payload: { receivableId: order.receivableId, ownerId: r?.ownerId ?? null, customerId: r?.customerId ?? null, amountFen: total, seq: r?.seq ?? null } }], now)]);
      // the money came in and is recorded; what exceeds the instalment is finance's to refund or keep
      if (r && r.paidFen > r.amountFen) {
        await this.tasks.openForSubjects(sql, OVERPAID_KIND, 'pay_order', [
          {
            subjectId: order.id, customerId: r.customerId, requesterId: r.ownerId, assigneePool: 'finance',
            snapshot: { outTradeNo: order.outTradeNo, transactionId: t.transaction_id ?? '', amountFen: r.amountFen, paidFen: r.paidFen, receivableId: r.id, seq: r.seq, contractId: r.contractId },
          },
        ]);
      }
    }
    return credit.credited ? 'credited' : 'already';
  }

  /**
   * The recurring query: open orders older than queryAfterMinutes, oldest first, queryBatch of them;
   * a paid one is settled like a notification, one WeChat Pay closed or never knew and past its expiry
   * is closed here. No transaction is open while WeChat Pay is asked: the orders are picked in one short
   * read, each answer is applied in its own short transaction (settle's state guard makes a repeat a
   * no-op), and a slow or failing WeChat Pay holds no lock or connection. An order whose query failed
   * stays open for the next run; the run stops starting queries after half the job's lease (the rest next time).
   */
  async queryOpen(now: Date): Promise<{ queried: number; settled: number; closed: number; failed: number }> {
    const counts = { queried: 0, settled: 0, closed: 0, failed: 0 };
    if (!this.client) return counts;
    const before = new Date(now.getTime() - this.policy.payments.queryAfterMinutes * 60_000);
    const rows = (
      await withSqlTransaction(this.db, (sql) =>
        sql.rows<Record<string, unknown>>(SQL`SELECT ${ORDER_COLUMNS} FROM pay_order WHERE state = 'open' AND createdAt <= ? ORDER BY createdAt, id LIMIT ?`, [before, this.policy.payments.queryBatch]),
      )
    ).map(orderOf);
    const started = performance.now();
    const budgetMs = (this.policy.jobs.leaseSeconds * 1000) / 2;
    for (const o of rows) {
      if (performance.now() - started > budgetMs) break;
      counts.queried++;
      let t: WechatPayTransaction | null;
      try {
        t = await this.client.query(o.outTradeNo);
      } catch (error) {
        if (!(error instanceof UpstreamError)) throw error;
        counts.failed++;
        this.logger.warn({ err: error.message, orderId: o.id }, 'wechatpay query failed; the order stays open for the next run');
        continue;
      }
      if (t?.trade_state === 'SUCCESS') {
        const outcome = await transaction(this.db, ({ sql }) => this.settle(sql, t));
        if (outcome === 'credited' || outcome === 'mismatch') counts.settled++;
      } else if (t?.trade_state === 'CLOSED' || t?.trade_state === 'REVOKED' || (o.expiresAt.getTime() < now.getTime() && (t === null || t.trade_state === 'NOTPAY'))) {
        counts.closed += await withSqlTransaction(this.db, (sql) => sql.exec(SQL`UPDATE pay_order SET state = 'closed', closedAt = ? WHERE id = ? AND state = 'open'`, [now, o.id]));
      }
    }
    return counts;
  }
}

