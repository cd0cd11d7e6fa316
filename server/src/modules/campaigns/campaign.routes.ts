import { z } from 'zod';
import { campaignCreateSchema, campaignExceptionSchema, campaignResolveSchema, campaignTargetPreviewSchema, dbId, labelled } from '@anchor/shared';
import type { Policy } from '../../config/policy';
import { uploadedFile } from '../../http/upload';
import { idParam, route, type AnyRoute } from '../../http/route';
import type { CampaignExceptions } from './campaign-exceptions.service';
import type { CampaignService } from './campaign.service';
import { targetSheetUpload } from './campaign-targets';

const TARGET_STATES = ['open', 'done', 'dropped', 'overdue', 'exception', 'converted', 'at'] as const;

/** Campaign task flows: the manager's plan, launch, board and close; the rep's flow and exception reports; the owner's answers. */
export function campaignRoutes(campaigns: CampaignService, exceptions: CampaignExceptions, policy: Policy): AnyRoute[] {
  return [
    // ── the manager's side (a supervisor for the team, a director for the region) ──────────────────
    route({
      method: 'get', path: '/campaigns', tag: '专项任务', summary: '专项任务列表（自己创建的，及管理范围内销售参与的）', can: 'campaigns.manage',
      handler: (ctx) => campaigns.list(ctx.state.member),
    }),
    route({
      method: 'post', path: '/campaigns', tag: '专项任务', summary: '创建专项任务（launch=true 时立即启动）：目标客户按条件筛选或按名单，话术包与素材，有序的进度步骤；无目标客户、超出管理范围、步骤期限为负或顺序颠倒、目标/素材/阶段不存在时拒绝并指出字段', can: 'campaigns.manage', status: 201,
      body: campaignCreateSchema, errors: ['CAMPAIGN_INVALID'],
      handler: (ctx, { body }) => campaigns.create(ctx.state.member, body),
    }),
    route({
      method: 'post', path: '/campaigns/targets/preview', tag: '专项任务', summary: '目标客户预览：筛选条件（行业、等级、阶段、城市、医院等级）和/或客户编号在管理范围内选中的客户', can: 'campaigns.manage',
      body: campaignTargetPreviewSchema,
      handler: (ctx, { body }) => campaigns.previewTargets(ctx.state.member, body.filter, body.customerIds),
    }),
    route({
      method: 'post', path: '/campaigns/targets/xlsx', tag: '专项任务', summary: '按 Excel 名单匹配目标客户（「客户名称」列或第一列）：逐行给出匹配到的客户或原因，不写入', can: 'campaigns.manage', upload: targetSheetUpload(policy),
      errors: ['CAMPAIGN_IMPORT_INVALID'],
      handler: (ctx) => campaigns.matchSheet(ctx.state.member, uploadedFile(ctx, 'Excel 文件')),
    }),
    // ── the rep's flow (before /campaigns/:id) ───────────────────────────────────────────────────
    route({
      method: 'get', path: '/campaigns/mine', tag: '专项任务', summary: '我的专项任务流：进行中专项里我负责的目标客户、每位的下一步、话术与素材、异常原因选项', can: 'campaigns.participate',
      handler: (ctx) => campaigns.mine(ctx.state.member),
    }),
    route({
      method: 'get', path: '/campaigns/:id', tag: '专项任务', summary: '专项任务详情（步骤、话术包、素材、筛选条件）', can: 'campaigns.manage',
      handler: (ctx) => campaigns.get(ctx.state.member, idParam(ctx, 'id', '专项任务')),
    }),
    route({
      method: 'post', path: '/campaigns/:id/launch', tag: '专项任务', summary: '启动专项任务：每位销售收到自己的目标客户与第一步', can: 'campaigns.manage',
      errors: ['CAMPAIGN_STATE_CONFLICT'],
      handler: (ctx) => campaigns.launch(ctx.state.member, idParam(ctx, 'id', '专项任务')),
    }),
    route({
      method: 'post', path: '/campaigns/:id/close', tag: '专项任务', summary: '结束专项任务：冻结此刻的进度与达成（之后的记录不再计入）', can: 'campaigns.manage',
      errors: ['CAMPAIGN_STATE_CONFLICT'],
      handler: (ctx) => campaigns.close(ctx.state.member, idParam(ctx, 'id', '专项任务')),
    }),
    route({
      method: 'get', path: '/campaigns/:id/board', tag: '专项任务', summary: '专项看板：按销售与团队的各步骤进度、逾期步骤、待处理异常、目标达成（结束后为冻结的数字）', can: 'campaigns.manage',
      handler: (ctx) => campaigns.board(ctx.state.member, idParam(ctx, 'id', '专项任务')),
    }),
    route({
      method: 'get', path: '/campaigns/:id/targets', tag: '专项任务', summary: '看板下钻：目标客户及每一步的完成记录（拜访、分享、阶段变化）或期限，可按销售、团队、步骤、状态筛选', can: 'campaigns.manage',
      query: z.object({
        repId: dbId('销售', { coerce: true }).optional(),
        teamId: dbId('团队', { coerce: true }).optional(),
        seq: labelled(z.coerce.number().int().min(1).max(10), '步骤').optional(),
        state: labelled(z.enum(TARGET_STATES), '状态').optional(),
      }).strict(),
      handler: (ctx, { query }) => campaigns.targets(ctx.state.member, idParam(ctx, 'id', '专项任务'), query),
    }),
    // ── exception reports ────────────────────────────────────────────────────────────────────────
    route({
      method: 'post', path: '/campaign-targets/:id/exceptions', tag: '专项任务', summary: '上报目标客户的异常（原因、说明、可选照片）：成为专项负责人的待办任务（按钮卡片）', can: 'campaigns.participate', status: 201,
      body: campaignExceptionSchema, errors: ['CAMPAIGN_STATE_CONFLICT', 'CAMPAIGN_EXCEPTION_OPEN'],
      handler: (ctx, { body }) => exceptions.report(ctx.state.member, idParam(ctx, 'id', '目标客户'), body),
    }),
    route({
      method: 'post', path: '/campaign-exceptions/:id/resolve', tag: '专项任务', summary: '专项负责人处理异常：answer 答复、reassign 改派给管理范围内的其他销售、drop 移出专项', can: 'campaigns.manage',
      body: campaignResolveSchema, errors: ['CAMPAIGN_EXCEPTION_SETTLED', 'CAMPAIGN_STATE_CONFLICT'],
      handler: (ctx, { body }) => exceptions.resolve(ctx.state.member, idParam(ctx, 'id', '异常上报'), body),
    }),
  ];
}
