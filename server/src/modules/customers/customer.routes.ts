import { z } from 'zod';
import { customerSchema, labelled, pageOf } from '@anchor/shared';
import { uploadedFile } from '../../http/upload';
import { idParam, route, type AnyRoute, type MemberContext } from '../../http/route';
import type { CustomerExcel } from './customer-excel';
import type { CustomerService } from './customer.service';

const pageQuery = z
  .object({
    page: labelled(z.coerce.number().int().min(1).max(100000), '页码').default(1),
    pageSize: labelled(z.coerce.number().int().min(1).max(100), '每页条数').default(20),
  })
  .strict();


function sendXlsx(ctx: MemberContext, filename: string, body: NodeJS.ReadableStream) {
  ctx.set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  ctx.set('Content-Disposition', `attachment; filename="customers.xlsx"; filename*=UTF-8''${encodeURIComponent(filename)}`);
  ctx.body = body;
}

export function customerRoutes(customers: CustomerService, excel: CustomerExcel): AnyRoute[] {
  const { create, update, list, reassign } = customers.schemas;
  const exportQuery = list.omit({ page: true, pageSize: true });
  return [
    route({
      method: 'get', path: '/customers', tag: '客户', summary: '客户列表：按客户名称、联系人、联系电话的任意片段搜索（忽略空格、全角半角、大小写；最多计 1000 条，超出时 totalCapped 为 true），筛选、分页，限本人可见范围', can: 'customers.read', query: list,
      response: pageOf(customerSchema),
      handler: (ctx, { query }) => customers.list(ctx.state.member, query),
    }),
    route({
      method: 'post', path: '/customers', tag: '客户', summary: '新建客户', can: 'customers.create', body: create, status: 201,
      response: customerSchema,
      errors: ['DUPLICATE_CUSTOMER'],
      handler: (ctx, { body }) => customers.create(ctx.state.member, body),
    }),
    route({
      method: 'get', path: '/customers/export.xlsx', tag: '客户', summary: '导出可见范围内的客户（.xlsx，与导入格式相同）', can: 'customers.export', query: exportQuery, produces: 'xlsx',
      handler: async (ctx, { query }) => sendXlsx(ctx, '客户列表.xlsx', await excel.export(ctx.state.member, query)),
    }),
    route({
      method: 'get', path: '/customers/import/template.xlsx', tag: '客户', summary: '下载导入模板', can: 'customers.import', produces: 'xlsx',
      handler: async (ctx) => sendXlsx(ctx, '客户导入模板.xlsx', excel.template()),
    }),
    route({
      method: 'post', path: '/customers/import/preview', tag: '客户', summary: '导入预览：逐行检查，不写入任何数据', can: 'customers.import', upload: excel.upload,
      errors: ['IMPORT_INVALID'],
      handler: (ctx) => excel.preview(ctx.state.member, uploadedFile(ctx, 'Excel 文件')),
    }),
    route({
      method: 'post', path: '/customers/import/commit', tag: '客户', summary: '确认导入：全部成功或全部不导入', can: 'customers.import', upload: excel.upload, status: 201,
      errors: ['IMPORT_INVALID', 'DUPLICATE_CUSTOMER'],
      handler: (ctx) => excel.commit(ctx.state.member, uploadedFile(ctx, 'Excel 文件')),
    }),
    route({
      method: 'get', path: '/customers/:id', tag: '客户', summary: '客户详情', can: 'customers.read',
      response: customerSchema,
      handler: (ctx) => customers.get(ctx.state.member, idParam(ctx, 'id', '客户')),
    }),
    route({
      method: 'patch', path: '/customers/:id', tag: '客户', summary: '修改客户（阶段变更会记入历史）', can: 'customers.update', body: update,
      response: customerSchema,
      errors: ['DUPLICATE_CUSTOMER'],
      handler: (ctx, { body }) => customers.update(ctx.state.member, idParam(ctx, 'id', '客户'), body),
    }),
    route({
      method: 'post', path: '/customers/:id/reassign', tag: '客户', summary: '改派负责人（主管及以上）', can: 'customers.assign', body: reassign,
      response: customerSchema,
      handler: (ctx, { body }) => customers.reassign(ctx.state.member, idParam(ctx, 'id', '客户'), body.ownerId),
    }),
    route({
      method: 'post', path: '/customers/:id/close', tag: '客户', summary: '关闭客户（丢单）：原因取自 policy options.lostReasons（「其他」需说明）；保留当前阶段，记入阶段历史', can: 'customers.close',
      body: customers.closeSchemas.close,
      response: customerSchema,
      errors: ['CUSTOMER_CLOSED'],
      handler: (ctx, { body }) => customers.close(ctx.state.member, idParam(ctx, 'id', '客户'), body),
    }),
    route({
      method: 'post', path: '/customers/:id/reopen', tag: '客户', summary: '重新打开已丢单的客户（主管及以上；记入阶段历史）', can: 'customers.reopen',
      body: customers.closeSchemas.reopen,
      response: customerSchema,
      errors: ['CUSTOMER_NOT_CLOSED'],
      handler: (ctx, { body }) => customers.reopen(ctx.state.member, idParam(ctx, 'id', '客户'), body.note ?? null),
    }),
    route({
      method: 'get', path: '/customers/:id/stage-history', tag: '客户', summary: '阶段变更历史（谁、何时、从、到）', can: 'customers.read', query: pageQuery,
      handler: (ctx, { query }) => customers.stageHistory(ctx.state.member, idParam(ctx, 'id', '客户'), query.page, query.pageSize),
    }),
  ];
}
