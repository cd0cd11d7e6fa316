import { readEnvKeys } from './wechatpay-setup';
import { defineModule } from '../module';
import type { TaskKindDefinition } from '../tasks';
import { PayOrders1765600000001 } from './migrations/1765600000001-pay-orders';
import { PayOrder } from './pay-order.entity';
import { paymentMessages } from './payment.messages';
import { paymentRoutes } from './payment.routes';
import { MISMATCH_KIND, OVERPAID_KIND, PaymentService } from './payment.service';
import { PAYMENT_ERRORS } from './payments.errors';
import { everyMinutes } from '../../jobs/job-runner';
import { formatYuan } from '@anchor/shared';

export type { PaymentService, NotifyAnswer } from './payment.service';
export { NOTIFY_PATH } from './payment.service';

export interface PaymentExports {
  payments: PaymentService;
}

declare module '../module' {
  interface ModuleExports {
    payments: PaymentExports;
  }
}

/** A notified amount that differs from the order: finance checks it (nothing was credited). */
const mismatchKind: TaskKindDefinition = {
  name: MISMATCH_KIND,
  label: '微信支付金额不符',
  actions: ['confirm', 'comment'],
  actionLabels: { confirm: '已核对' },
  dueHours: (policy) => policy.tasks.approvalStepHours,
  escalateTo: 'admins',
  render: (snapshot) => {
    const s = snapshot as { outTradeNo?: string; transactionId?: string; orderFen?: number; notifiedFen?: number | null; seq?: number | null; contractId?: number | null };
    return {
      title: `订单 ${s.outTradeNo ?? ''}`,
      lines: [
        `合同 ${s.contractId ?? ''} 第 ${s.seq ?? ''} 期`,
        `订单金额：${formatYuan(Number(s.orderFen ?? 0))}`,
        `通知金额：${s.notifiedFen === null || s.notifiedFen === undefined ? '无' : formatYuan(s.notifiedFen)}`,
        `微信支付单号：${s.transactionId ?? ''}`,
        '未入账，请核对后线下处理',
      ],
    };
  },
};

/** A WeChat payment credited on top of an instalment already settled: finance decides (refund or keep). */
const overpaidKind: TaskKindDefinition = {
  name: OVERPAID_KIND,
  label: '微信支付超额回款',
  actions: ['confirm', 'comment'],
  actionLabels: { confirm: '已处理' },
  dueHours: (policy) => policy.tasks.approvalStepHours,
  escalateTo: 'admins',
  render: (snapshot) => {
    const s = snapshot as { outTradeNo?: string; transactionId?: string; amountFen?: number; paidFen?: number; seq?: number | null; contractId?: number | null };
    const amount = Number(s.amountFen ?? 0);
    const paid = Number(s.paidFen ?? 0);
    return {
      title: `订单 ${s.outTradeNo ?? ''}`,
      lines: [
        `合同 ${s.contractId ?? ''} 第 ${s.seq ?? ''} 期`,
        `应收：${formatYuan(amount)}，已收：${formatYuan(paid)}，多收 ${formatYuan(paid - amount)}`,
        `微信支付单号：${s.transactionId ?? ''}`,
        '已入账，请决定退款或留作下期',
      ],
    };
  },
};

/**
 * WeChat Pay (微信支付 Native) for receivables: pay orders and their QR codes, the notification that
 * credits a receivable once, and the recurring query that settles what notifications missed.
 */
export const paymentsModule = defineModule({
  name: 'payments',
  entities: [PayOrder],
  migrations: [PayOrders1765600000001],
  errors: PAYMENT_ERRORS,
  permissions: ['payments.order'],
  messages: paymentMessages,
  taskKinds: [mismatchKind, overpaidKind],
  services: ({ db, policy, env, clock, logger, use }): PaymentExports => {
    const { client, keys, certificates } = readEnvKeys(env, clock, policy, logger);
    return { payments: new PaymentService(db, policy, env, clock, logger, use('receivables').receivables, use('tasks').tasks, client, keys, certificates) };
  },
  routes: (s) => paymentRoutes(s.payments),
  recurring: (s, { policy }) => [
    {
      kind: 'payments.query_open',
      nextAfter: everyMinutes(policy.recurring['payments.query_open'].everyMinutes),
      // WeChat Pay is asked with no transaction open; each answer is settled in its own (payment.service.ts)
      outside: async (now) => {
        await s.payments.queryOpen(now);
      },
      run: async () => undefined,
    },
  ],
});
