import { z } from 'zod';
import { labelled, manualPaymentSchema, pageOf, RECEIVABLE_STATES, receivableDetailSchema, receivableSchema } from '@anchor/shared';
import { idParam, route, type AnyRoute } from '../../http/route';
import { uploadedFile } from '../../http/upload';
import type { ReceivableService } from './receivable.service';

export function receivableRoutes(receivables: ReceivableService): AnyRoute[] {
  return [
    route({
      method: 'get', path: '/receivables', tag: '回款', summary: '回款列表（销售本人、主管本组、总监本区、财务全部），按到期日排序', can: 'receivables.read',
      query: z
        .object({
          state: labelled(z.enum(RECEIVABLE_STATES), '状态').optional(),
          customerId: labelled(z.coerce.number().int().min(1).max(2147483647), '客户').optional(),
          page: labelled(z.coerce.number().int().min(1).max(100000), '页码').default(1),
          pageSize: labelled(z.coerce.number().int().min(1).max(100), '每页条数').default(20),
        })
        .strict(),
      response: pageOf(receivableSchema),
      handler: (ctx, { query }) => receivables.list(ctx.state.member, query),
    }),
    route({
      method: 'get', path: '/receivables/:id', tag: '回款', summary: '一期回款：已回款记录与微信支付订单', can: 'receivables.read', response: receivableDetailSchema,
      handler: (ctx) => receivables.detail(ctx.state.member, idParam(ctx, 'id', '回款')),
    }),
    route({
      method: 'post', path: '/payment-vouchers', tag: '回款', summary: '上传回款凭证（JPEG、PNG、WebP 图片或 PDF，按内容识别；登记回款时引用其 id）', can: 'receivables.record',
      upload: { what: '回款凭证', maxBytes: receivables.voucherMaxBytes }, status: 201,
      response: z.object({ id: z.number().int(), contentType: z.string(), size: z.number().int() }),
      handler: (ctx) => receivables.uploadVoucher(ctx.state.member, uploadedFile(ctx, '回款凭证')),
    }),
    route({
      method: 'post', path: '/receivables/:id/payments', tag: '回款', summary: '财务登记线下回款（银行转账等，附凭证：先 POST /payment-vouchers）', can: 'receivables.record',
      status: 201, body: manualPaymentSchema, response: receivableDetailSchema,
      errors: ['RECEIVABLE_PAID', 'PAYMENT_EXCEEDS_REMAINING', 'PAYMENT_REFERENCE_USED', 'PAYMENT_DATE_INVALID'],
      handler: (ctx, { body }) => receivables.recordManual(ctx.state.member, idParam(ctx, 'id', '回款'), body),
    }),
  ];
}
