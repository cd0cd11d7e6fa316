import { z } from 'zod';
import { CONTRACT_STATES, contractPageSchema, contractSchema, contractSupportAnswerSchema, dbId, labelled } from '@anchor/shared';
import { uploadedFile } from '../../http/upload';
import { idParam, route, type AnyRoute } from '../../http/route';
import type { ContractService } from './contract.service';

const pageQuery = {
  page: labelled(z.coerce.number().int().min(1).max(100000), '页码').default(1),
  pageSize: labelled(z.coerce.number().int().min(1).max(100), '每页条数').default(20),
};

/** Contracts: list by state, draft, edit (draft or rejected), submit into the approval chain, scans, marketing's answer. */
export function contractRoutes(contracts: ContractService, maxScanBytes: number): AnyRoute[] {
  return [
    route({
      method: 'get', path: '/contracts', tag: '合同', summary: '合同列表（销售本人、主管本组、总监本大区、财务与管理员全部；市场只看有市场支持请求的），可按状态、客户筛选', can: 'contracts.read',
      response: contractPageSchema,
      query: z.object({ state: labelled(z.enum(CONTRACT_STATES), '状态').optional(), customerId: dbId('客户', { coerce: true }).optional(), ...pageQuery }).strict(),
      handler: (ctx, { query }) => contracts.list(ctx.state.member, query),
    }),
    route({
      method: 'post', path: '/contracts', tag: '合同', summary: '起草合同（金额、产品明细、回款计划须与金额相等、关键条款、需市场支持、扫描件）', can: 'contracts.submit',
      status: 201, response: contractSchema, errors: ['CONTRACT_CUSTOMER_CLOSED'],
      body: contracts.schemas.create,
      handler: (ctx, { body }) => contracts.create(ctx.state.member, body),
    }),
    route({
      method: 'get', path: '/contracts/:id', tag: '合同', summary: '合同详情：条款、扫描件、审批进度（每一步：谁、状态、时间、理由）、市场支持答复', can: 'contracts.read',
      response: contractSchema,
      handler: (ctx) => contracts.get(ctx.state.member, idParam(ctx, 'id', '合同')),
    }),
    route({
      method: 'put', path: '/contracts/:id', tag: '合同', summary: '修改合同（仅草稿或被驳回的合同）', can: 'contracts.submit',
      response: contractSchema, errors: ['CONTRACT_NOT_EDITABLE'],
      body: contracts.schemas.update,
      handler: (ctx, { body }) => contracts.update(ctx.state.member, idParam(ctx, 'id', '合同'), body),
    }),
    route({
      method: 'post', path: '/contracts/:id/submit', tag: '合同', summary: '提交审批（草稿或被驳回后重新提交：按 approvals.contract 从第一步开始）；勾选需市场支持时同时通知市场负责人', can: 'contracts.submit',
      response: contractSchema, errors: ['CONTRACT_NOT_SUBMITTABLE', 'CONTRACT_CUSTOMER_CLOSED'],
      handler: (ctx) => contracts.submit(ctx.state.member, idParam(ctx, 'id', '合同')),
    }),
    route({
      method: 'post', path: '/contract-scans', tag: '合同', summary: '上传合同扫描件（PDF、JPEG、PNG，按内容识别），保存合同时以 scanIds 关联', can: 'contracts.submit',
      upload: { what: '合同扫描件', maxBytes: maxScanBytes }, status: 201,
      handler: async (ctx) => {
        const stored = await contracts.uploadScan(ctx.state.member, uploadedFile(ctx, '合同扫描件'));
        return { id: stored.id, contentType: stored.contentType, size: stored.size };
      },
    }),
    route({
      method: 'post', path: '/contracts/:id/marketing-support/answer', tag: '合同', summary: '市场负责人答复需市场支持请求（文字 + 素材中心的素材），答复一次', can: 'marketing.support.answer',
      response: contractSchema, errors: ['CONTRACT_NO_SUPPORT', 'CONTRACT_SUPPORT_ANSWERED', 'TASK_ACTION_NOT_ALLOWED'],
      body: contractSupportAnswerSchema,
      handler: (ctx, { body }) => contracts.answerSupport(ctx.state.member, idParam(ctx, 'id', '合同'), body),
    }),
  ];
}
