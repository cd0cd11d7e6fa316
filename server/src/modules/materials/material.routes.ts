import { z } from 'zod';
import {
  MATERIAL_KINDS, labelled, materialCreateSchema, materialSchema, materialShareCreateSchema, materialShareSchema, materialTagInputSchema, materialTagSchema,
  materialTagUpdateSchema, materialUpdateSchema, materialUsageSchema, pageOf, usageQuerySchema,
} from '@anchor/shared';
import { AppError } from '../../http/errors';
import { idParam, route, type AnyRoute, type ApiContext } from '../../http/route';
import { answerDownload } from '../attachments';
import type { MaterialService } from './material.service';
import { SHARE_PAGE_JS, goneSharePage, missingSharePage, sharePage } from './share-page';
import type { ShareService } from './share.service';
import type { UsageService } from './usage.service';

const pageQuery = {
  page: labelled(z.coerce.number().int().min(1).max(100000), '页码').default(1),
  pageSize: labelled(z.coerce.number().int().min(1).max(100), '每页条数').default(20),
};
const optionalId = (label: string) => labelled(z.coerce.number().int().min(1).max(2147483647), label).optional();
const tokenOf = (ctx: ApiContext) => String((ctx as unknown as { params: Record<string, string> }).params.token ?? '');

export function materialRoutes(materials: MaterialService, shares: ShareService, usage: UsageService): AnyRoute[] {
  return [
    // ── tags: data marketing edits ──────────────────────────────────────────────────────────────────
    route({
      method: 'get', path: '/material-tags', tag: '素材', summary: '场景标签（停用的只对市场部可见：includeRetired=true）', can: 'materials.read',
      query: z.object({ includeRetired: labelled(z.enum(['true', 'false']), '含已停用').optional() }).strict(),
      response: z.object({ items: z.array(materialTagSchema) }),
      handler: async (ctx, { query }) => ({ items: await materials.tags(ctx.state.member, query.includeRetired === 'true') }),
    }),
    route({
      method: 'post', path: '/material-tags', tag: '素材', summary: '新建场景标签', can: 'materials.manage', status: 201, body: materialTagInputSchema,
      response: materialTagSchema, errors: ['MATERIAL_TAG_TAKEN'],
      handler: (_ctx, { body }) => materials.createTag(body.name),
    }),
    route({
      method: 'patch', path: '/material-tags/:id', tag: '素材', summary: '改名、停用或恢复场景标签', can: 'materials.manage', body: materialTagUpdateSchema,
      response: materialTagSchema, errors: ['MATERIAL_TAG_TAKEN'],
      handler: (ctx, { body }) => materials.updateTag(idParam(ctx, 'id', '标签'), body),
    }),
    // ── materials ───────────────────────────────────────────────────────────────────────────────────
    route({
      method: 'get', path: '/materials', tag: '素材', summary: '素材库：按标签、类型、文字搜索（销售看不到已下架的）', can: 'materials.read',
      query: z
        .object({
          q: labelled(z.string().max(50), '搜索').optional(),
          tagId: optionalId('标签'),
          kind: labelled(z.enum(MATERIAL_KINDS), '类型').optional(),
          retired: labelled(z.enum(['hide', 'include', 'only']), '已下架').optional(),
          ...pageQuery,
        })
        .strict(),
      response: pageOf(materialSchema),
      handler: (ctx, { query }) => materials.list(ctx.state.member, query),
    }),
    route({
      method: 'post', path: '/materials', tag: '素材', summary: '新建素材（文件先经 POST /attachments?purpose=material 上传；话术直接填内容）', can: 'materials.manage', status: 201,
      body: materialCreateSchema, response: materialSchema, errors: ['MATERIAL_TAG_UNKNOWN', 'MATERIAL_FILE_MISMATCH'],
      handler: (ctx, { body }) => materials.create(ctx.state.member, body),
    }),
    route({
      method: 'get', path: '/materials/:id', tag: '素材', summary: '查看素材（记一次浏览；customerId 为给哪位客户看）', can: 'materials.read',
      query: z.object({ customerId: optionalId('客户') }).strict(), response: materialSchema,
      handler: (ctx, { query }) => materials.get(ctx.state.member, idParam(ctx, 'id', '素材'), query.customerId ?? null),
    }),
    route({
      method: 'patch', path: '/materials/:id', tag: '素材', summary: '修改素材的标题、简介、标签和适用提示', can: 'materials.manage', body: materialUpdateSchema,
      response: materialSchema, errors: ['MATERIAL_TAG_UNKNOWN', 'MATERIAL_FILE_MISMATCH'],
      handler: (ctx, { body }) => materials.update(idParam(ctx, 'id', '素材'), body),
    }),
    route({
      method: 'post', path: '/materials/:id/retire', tag: '素材', summary: '下架素材（保留历史，销售不可见，分享链接失效）；retired=false 恢复', can: 'materials.manage',
      body: z.object({ retired: labelled(z.boolean(), '下架').default(true) }).strict(), response: materialSchema,
      handler: (ctx, { body }) => materials.retire(idParam(ctx, 'id', '素材'), body.retired),
    }),
    route({
      method: 'get', path: '/materials/:id/file', tag: '素材', summary: '素材文件（支持 Range 拖动播放；从头请求记一次下载）', can: 'materials.read',
      query: z.object({ customerId: optionalId('客户') }).strict(), errors: ['RANGE_NOT_SATISFIABLE'],
      handler: async (ctx, { query }) => {
        answerDownload(ctx, await materials.file(ctx.state.member, idParam(ctx, 'id', '素材'), ctx.get('range') || undefined, query.customerId ?? null));
      },
    }),
    route({
      method: 'get', path: '/materials/:id/stream', tag: '素材', summary: '素材文件的签名地址（GET /materials/:id 给出，数分钟有效；支持 Range，供播放器直接加载）', access: 'public',
      query: z.object({ m: z.coerce.number().int().min(1).max(2147483647), e: z.coerce.number().int().min(0), s: z.string().max(100) }).strict(),
      errors: ['RANGE_NOT_SATISFIABLE'],
      handler: async (ctx, { query }) => {
        answerDownload(ctx, await materials.stream(idParam(ctx, 'id', '素材'), query, ctx.get('range') || undefined));
      },
    }),
    route({
      method: 'get', path: '/customers/:id/materials', tag: '素材', summary: '适合该客户的素材（按阶段、行业和最近一次拜访的瓶颈）', can: 'materials.read',
      response: z.object({ items: z.array(materialSchema), stage: z.string(), industry: z.string(), bottleneck: z.string().nullable() }),
      handler: (ctx) => materials.forCustomer(ctx.state.member, idParam(ctx, 'id', '客户')),
    }),
    // ── shares ──────────────────────────────────────────────────────────────────────────────────────
    route({
      method: 'post', path: '/materials/:id/shares', tag: '素材', summary: '分享素材：生成免登录链接和二维码（可指定客户）', can: 'materials.read', status: 201,
      body: materialShareCreateSchema, response: materialShareSchema,
      handler: (ctx, { body }) => shares.create(ctx.state.member, idParam(ctx, 'id', '素材'), body.customerId),
    }),
    route({
      method: 'get', path: '/material-shares', tag: '素材', summary: '我的分享及客户打开次数（「王主任 打开了 《快装方案》 2 次」）', can: 'materials.read',
      query: z.object({ customerId: optionalId('客户'), ...pageQuery }).strict(), response: pageOf(materialShareSchema),
      handler: (ctx, { query }) => shares.mine(ctx.state.member, query.customerId ?? null, query.page, query.pageSize),
    }),
    route({
      method: 'post', path: '/material-shares/:id/revoke', tag: '素材', summary: '撤回分享链接（此后打开显示「已撤回」）', can: 'materials.read', response: materialShareSchema,
      handler: (ctx) => shares.revoke(ctx.state.member, idParam(ctx, 'id', '分享')),
    }),
    route({
      method: 'get', path: '/material-shares/:id/qr.png', tag: '素材', summary: '分享链接的二维码（PNG）', can: 'materials.read',
      handler: async (ctx) => {
        const png = await shares.qrPng(ctx.state.member, idParam(ctx, 'id', '分享'));
        ctx.type = 'image/png';
        ctx.set('Cache-Control', 'private, max-age=3600');
        ctx.body = png;
      },
    }),
    route({
      method: 'get', path: '/material-usage', tag: '素材', summary: '素材使用情况：每个素材与每位销售的浏览、下载、分享、客户打开，及从未打开的销售', can: 'materials.usage.read',
      query: usageQuerySchema, response: materialUsageSchema,
      handler: (ctx, { query }) => usage.report(ctx.state.member, query.from, query.to),
    }),
    // ── the public share page: no login, the token is the key ──────────────────────────────────────
    route({
      method: 'get', path: '/s/:token', tag: '素材', summary: '分享页（免登录，仅此素材；每次打开都记录；已撤回 410）', access: 'public', errors: ['SHARE_REVOKED'],
      handler: async (ctx) => {
        ctx.set('Cache-Control', 'no-store');
        ctx.set('Referrer-Policy', 'no-referrer');
        ctx.type = 'text/html; charset=utf-8';
        try {
          const opened = await shares.open(tokenOf(ctx));
          return sharePage(opened.material, opened.share.token, opened.beaconKey);
        } catch (error) {
          if (!(error instanceof AppError) || (error.status !== 404 && error.status !== 410)) throw error;
          ctx.status = error.status;
          ctx.type = 'text/html; charset=utf-8';
          return error.status === 410 ? goneSharePage() : missingSharePage();
        }
      },
    }),
    route({
      method: 'get', path: '/s/:token/file', tag: '素材', summary: '分享页的素材文件（支持 Range）', access: 'public', errors: ['SHARE_REVOKED', 'RANGE_NOT_SATISFIABLE'],
      handler: async (ctx) => {
        answerDownload(ctx, await shares.file(tokenOf(ctx), ctx.get('range') || undefined));
      },
    }),
    route({
      method: 'post', path: '/s/:token/beacon', tag: '素材', summary: '分享页回报视频观看时长（秒）', access: 'public', errors: ['SHARE_REVOKED'],
      body: z.object({ key: labelled(z.string().regex(/^[0-9a-f]{32}$/, '不是有效的打开记录'), '打开记录'), watchedSeconds: labelled(z.number().min(0).max(10_000_000), '观看秒数') }).strict(),
      handler: async (ctx, { body }) => {
        await shares.beacon(tokenOf(ctx), body.key, body.watchedSeconds);
        ctx.status = 204;
      },
    }),
    route({
      method: 'get', path: '/share-page.js', tag: '素材', summary: '分享页脚本（记录视频观看时长）', access: 'public',
      handler: async (ctx) => {
        ctx.type = 'application/javascript; charset=utf-8';
        ctx.set('Cache-Control', 'public, max-age=3600');
        return SHARE_PAGE_JS;
      },
    }),
  ];
}
