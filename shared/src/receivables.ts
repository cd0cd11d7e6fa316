import { z } from 'zod';
import { labelled } from './validation';

/** Receivables (回款) and their payments; money is integer fen everywhere, shown as ¥1,234.56. */
export const RECEIVABLE_STATES = ['open', 'partly_paid', 'paid', 'overdue'] as const;
export type ReceivableState = (typeof RECEIVABLE_STATES)[number];
export const RECEIVABLE_STATE_LABELS: Record<ReceivableState, string> = { open: '待回款', partly_paid: '部分回款', paid: '已回款', overdue: '已逾期' };

export const PAYMENT_METHODS = ['wechatpay', 'bank_transfer', 'cash', 'check', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const PAYMENT_METHOD_LABELS: Record<PaymentMethod, string> = { wechatpay: '微信支付', bank_transfer: '银行转账', cash: '现金', check: '支票', other: '其他' };
/** What finance may record by hand (WeChat Pay is only ever credited by its notification or query). */
export const MANUAL_PAYMENT_METHODS = ['bank_transfer', 'cash', 'check', 'other'] as const;

export const PAY_ORDER_STATES = ['open', 'paid', 'closed', 'mismatch'] as const;
export type PayOrderState = (typeof PAY_ORDER_STATES)[number];
export const PAY_ORDER_STATE_LABELS: Record<PayOrderState, string> = { open: '待支付', paid: '已支付', closed: '已关闭', mismatch: '金额不符，待财务核对' };

export const paymentRecordSchema = z.object({
  id: z.number().int(),
  amountFen: z.number().int(),
  method: z.enum(PAYMENT_METHODS),
  reference: z.string(),
  paidAt: z.string(),
  byId: z.number().int().nullable(),
  byName: z.string().nullable(),
  voucherAttachmentId: z.number().int().nullable(),
  note: z.string().nullable(),
});
export type PaymentRecord = z.infer<typeof paymentRecordSchema>;

export const payOrderSchema = z.object({
  id: z.number().int(),
  receivableId: z.number().int(),
  outTradeNo: z.string(),
  amountFen: z.number().int(),
  state: z.enum(PAY_ORDER_STATES),
  codeUrl: z.string().nullable(),
  expiresAt: z.string(),
  paidAt: z.string().nullable(),
  createdAt: z.string(),
});
export type PayOrder = z.infer<typeof payOrderSchema>;

export const receivableSchema = z.object({
  id: z.number().int(),
  contractId: z.number().int(),
  customerId: z.number().int(),
  customerName: z.string(),
  ownerId: z.number().int(),
  ownerName: z.string(),
  seq: z.number().int(),
  dueDate: z.string(),
  amountFen: z.number().int(),
  paidFen: z.number().int(),
  remainingFen: z.number().int(),
  state: z.enum(RECEIVABLE_STATES),
  paidAt: z.string().nullable(),
});
export type Receivable = z.infer<typeof receivableSchema>;

export const receivableDetailSchema = receivableSchema.extend({
  payments: z.array(paymentRecordSchema),
  orders: z.array(payOrderSchema),
});
export type ReceivableDetail = z.infer<typeof receivableDetailSchema>;

export const RECEIVABLE_LABELS = { amountFen: '金额', method: '方式', reference: '流水号', paidAt: '到账日期', voucherAttachmentId: '凭证', note: '备注', state: '状态', customerId: '客户' } as const;

export const manualPaymentSchema = z
  .object({
    amountFen: labelled(z.number().int('须为整数（分）').min(1, '须大于 0').max(2_000_000_000, '过大'), RECEIVABLE_LABELS.amountFen),
    method: labelled(z.enum(MANUAL_PAYMENT_METHODS), RECEIVABLE_LABELS.method),
    reference: labelled(z.string().trim().min(1, '不能为空').max(64, '最多 64 个字符'), RECEIVABLE_LABELS.reference),
    paidAt: labelled(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '须为 YYYY-MM-DD'), RECEIVABLE_LABELS.paidAt),
    voucherAttachmentId: labelled(z.number().int().min(1).max(2147483647), RECEIVABLE_LABELS.voucherAttachmentId),
    note: labelled(z.string().trim().max(200, '最多 200 个字'), RECEIVABLE_LABELS.note).optional(),
  })
  .strict();
export type ManualPaymentInput = z.infer<typeof manualPaymentSchema>;
