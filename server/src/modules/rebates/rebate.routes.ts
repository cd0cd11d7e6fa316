import { z } from 'zod';
import { REBATE_STATES, dbId, isoDate, labelled, rebateCalculateSchema, rebateDecisionSchema, rebateRequestCreateSchema, rebateVersionInputSchema } from '@anchor/shared';
import { idempotencyKeyOf } from '../../http/idempotency';
import { uploadedFile } from '../../http/upload';
import { idParam, route, type AnyRoute, type MemberContext } from '../../http/route';
import type { RebateRequests } from './rebate-request.service';
import type { RebateRules } from './rebate-rules.service';
import type { RebateSheet } from './rebate-sheet';

const pageQuery = {
  page: labelled(z.coerce.number().int().min(1).max(100000), '页码').default(1),
  pageSize: labelled(z.coerce.number().int().min(1).max(100), '每页条数').default(20),
};

function sendXlsx(ctx: MemberContext, filename: string, body: NodeJS.ReadableStream) {
  ctx.set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  ctx.set('Content-Disposition', `attachment; filename="rebate-rules.xlsx"; filename*=UTF-8''${encodeURIComponent(filename)}`);
  ctx.body = body;
}

/** The rebate calculator's surface: finance's rule table, the rep's calculator and requests, finance's queue, the customer's documents. */
export function rebateRoutes(rules: RebateRules, requests: RebateRequests, sheet: RebateSheet): AnyRoute[] {
  return [
    // ── the rule table (finance and admins edit; everyone who sells reads) ─────────────────────────────
    route({
      method: 'get', path: '/rebate-rules', tag: '返点', summary: '返点规则表：某版本（versionId）或某日（at，默认今天）生效的版本及其规则，和全部版本', can: 'rebates.policy.read',
      query: z.object({ versionId: dbId('版本', { coerce: true }).optional(), at: isoDate('日期').optional() }).strict(),
      handler: (_ctx, { query }) => rules.table(query.versionId ?? null, query.at ?? null),
    }),
    route({
      method: 'post', path: '/rebate-rules/versions', tag: '返点', summary: '保存返点规则表为新版本（自生效日期起使用，旧版本保留）；同一规则键的金额区间重叠或有空档时拒绝并指出行号', can: 'rebates.policy.manage', status: 201,
      body: rebateVersionInputSchema, errors: ['REBATE_TABLE_INVALID'],
      handler: (ctx, { body }) => rules.saveVersion(ctx.state.member, body),
    }),
    route({
      method: 'get', path: '/rebate-rules/export.xlsx', tag: '返点', summary: '导出返点规则表（某版本，默认今天生效的；无规则时为空模板），可原样导入', can: 'rebates.policy.read', produces: 'xlsx',
      query: z.object({ versionId: dbId('版本', { coerce: true }).optional() }).strict(),
      handler: async (ctx, { query }) => {
        const table = await rules.table(query.versionId ?? null, null);
        sendXlsx(ctx, table.version ? `返点政策-第${table.version.version}版.xlsx` : '返点政策模板.xlsx', sheet.export(table.rules));
      },
    }),
    route({
      method: 'post', path: '/rebate-rules/import/preview', tag: '返点', summary: '返点规则表导入预览：逐行检查（行号、列、原因，含金额区间重叠与空档），不写入', can: 'rebates.policy.manage', upload: sheet.upload,
      errors: ['REBATE_IMPORT_INVALID'],
      handler: (ctx) => sheet.preview(uploadedFile(ctx, 'Excel 文件')),
    }),
    route({
      method: 'post', path: '/rebate-rules/import/commit', tag: '返点', summary: '确认导入：整张表保存为新版本（effectiveFrom 起生效），任何一行有问题则全部不导入', can: 'rebates.policy.manage', upload: sheet.upload, status: 201,
      query: z.object({ effectiveFrom: isoDate('生效日期'), note: labelled(z.string().trim().max(200, '说明最多 200 个字'), '说明').default('') }).strict(),
      errors: ['REBATE_IMPORT_INVALID', 'REBATE_TABLE_INVALID'],
      handler: (ctx, { query }) => sheet.commit(ctx.state.member, uploadedFile(ctx, 'Excel 文件'), query.effectiveFrom, query.note),
    }),
    // ── the calculator and requests (a rep: own customers; a supervisor: the team's) ─────────────────
    route({
      method: 'post', path: '/rebates/calculate', tag: '返点', summary: '返点计算：合规返点区间与金额、仍缺的单据、预计打款日、所用规则（版本、行、键）', can: 'rebates.request.create',
      body: rebateCalculateSchema, errors: ['REBATE_NO_RULE'],
      handler: async (ctx, { body }) => {
        const { ruleRow: _row, ...calc } = await rules.calculate(ctx.state.member, body);
        return calc;
      },
    }),
    route({
      method: 'post', path: '/rebate-requests', tag: '返点', summary: '提交返点申请（所选比例须在合规区间内；进入财务任务池；需 Idempotency-Key 请求头）', can: 'rebates.request.create', status: 201,
      body: rebateRequestCreateSchema, errors: ['REBATE_NO_RULE', 'REBATE_RATE_OUT_OF_RANGE', 'IDEMPOTENCY_KEY_REQUIRED'],
      handler: async (ctx, { body }) => {
        const created = await requests.create(ctx.state.member, body, idempotencyKeyOf(ctx));
        ctx.status = created.status;
        if (created.replayed) ctx.set('Idempotent-Replayed', 'true');
        return created.request;
      },
    }),
    route({
      method: 'get', path: '/rebate-requests', tag: '返点', summary: '返点申请列表（销售看自己的，主管看团队，总监看大区，财务看全部），可按状态、客户筛选；含各状态数量', can: 'rebates.request.read',
      query: z.object({ state: labelled(z.enum(REBATE_STATES), '状态').optional(), customerId: dbId('客户', { coerce: true }).optional(), ...pageQuery }).strict(),
      handler: (ctx, { query }) => requests.list(ctx.state.member, query),
    }),
    route({
      method: 'get', path: '/rebate-requests/:id', tag: '返点', summary: '返点申请详情（含每次状态变化）', can: 'rebates.request.read',
      handler: (ctx) => requests.get(ctx.state.member, idParam(ctx, 'id', '返点申请')),
    }),
    route({
      method: 'post', path: '/rebate-requests/:id/decision', tag: '返点', summary: '财务处理：approve 通过、reject 驳回（须填理由）、documents_missing 退回补资料（须选缺少的单据）、paid 标记已打款；重复的同一操作不再生效', can: 'rebates.request.review',
      body: rebateDecisionSchema, errors: ['REBATE_STATE_CONFLICT'],
      handler: async (ctx, { body }) => {
        const { request, changed } = await requests.decide(ctx.state.member, idParam(ctx, 'id', '返点申请'), body);
        return { ...request, changed };
      },
    }),
    route({
      method: 'post', path: '/rebate-requests/:id/resubmit', tag: '返点', summary: '补齐单据后重新提交（回到财务任务池）', can: 'rebates.request.create',
      errors: ['REBATE_STATE_CONFLICT', 'REBATE_DOCUMENTS_MISSING'],
      handler: async (ctx) => {
        const { request, changed } = await requests.resubmit(ctx.state.member, idParam(ctx, 'id', '返点申请'));
        return { ...request, changed };
      },
    }),
    // ── the customer's rebate documents (attachments of purpose rebate_document, owned by the customer) ───
    route({
      method: 'get', path: '/customers/:id/rebate-documents', tag: '返点', summary: '客户已上传的返点单据（类型、上传人、时间）', can: 'rebates.request.read',
      handler: async (ctx) => ({ items: await requests.documents(ctx.state.member, idParam(ctx, 'id', '客户')) }),
    }),
    route({
      method: 'post', path: '/customers/:id/rebate-documents', tag: '返点', summary: '上传一份返点单据（documentType：合同扫描件、发票 …；PDF 或图片）', can: 'rebates.request.create', status: 201,
      upload: requests.documentUpload,
      query: z.object({ documentType: labelled(z.string().trim().min(1, '请选择单据类型').max(30), '单据类型') }).strict(),
      handler: (ctx, { query }) => requests.uploadDocument(ctx.state.member, idParam(ctx, 'id', '客户'), query.documentType, uploadedFile(ctx, '单据')),
    }),
  ];
}
