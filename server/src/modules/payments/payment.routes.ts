import { z } from 'zod';
import { payOrderSchema } from '@anchor/shared';
import { idParam, route, type AnyRoute } from '../../http/route';
import { NOTIFY_PATH, type PaymentService } from './payment.service';

export function paymentRoutes(payments: PaymentService): AnyRoute[] {
  return [
    route({
      method: 'post', path: '/receivables/:id/pay-orders', tag: '回款', summary: '微信支付 Native 收款码：该期未回款金额；已有未过期的同额订单则复用', can: 'payments.order',
      response: payOrderSchema, errors: ['WECHATPAY_OFF', 'WECHATPAY_UPSTREAM_FAILED', 'PAY_ORDER_NOT_OPEN'],
      handler: (ctx) => payments.createOrder(ctx.state.member, idParam(ctx, 'id', '回款')),
    }),
    route({
      method: 'post', path: '/pay-orders/:id/close', tag: '回款', summary: '关闭未支付的微信支付订单（已支付的按支付处理）', can: 'payments.order',
      response: payOrderSchema, errors: ['WECHATPAY_OFF', 'WECHATPAY_UPSTREAM_FAILED', 'PAY_ORDER_NOT_OPEN'],
      handler: (ctx) => payments.closeOrder(ctx.state.member, idParam(ctx, 'id', '支付订单')),
    }),
    route({
      method: 'get', path: '/pay-orders/:id/qr.png', tag: '回款', summary: '微信支付收款码（PNG，由 code_url 生成）', can: 'payments.order', errors: ['PAY_ORDER_NOT_OPEN'],
      handler: async (ctx) => {
        const png = await payments.qrPng(ctx.state.member, idParam(ctx, 'id', '支付订单'));
        ctx.type = 'image/png';
        ctx.set('Cache-Control', 'private, no-store');
        ctx.body = png;
      },
    }),
    route({
      method: 'post', path: NOTIFY_PATH.replace('/api/v1', ''), tag: '回款', access: 'public',
      summary: '微信支付支付结果通知（验签、解密、核对金额后入账一次；成功 200 {"code":"SUCCESS"}，失败 4xx/5xx {"code":"FAIL"}）',
      response: z.object({ code: z.enum(['SUCCESS', 'FAIL']), message: z.string() }),
      handler: async (ctx) => {
        const raw = (ctx.request as { rawBody?: string }).rawBody ?? '';
        const answer = await payments.handleNotify(
          { serial: ctx.get('wechatpay-serial') || undefined, signature: ctx.get('wechatpay-signature') || undefined, timestamp: ctx.get('wechatpay-timestamp') || undefined, nonce: ctx.get('wechatpay-nonce') || undefined },
          raw,
        );
        ctx.status = answer.status;
        ctx.state.errorCode = answer.reason;
        return answer.body;
      },
    }),
  ];
}
