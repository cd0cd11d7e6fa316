import { z } from 'zod';
import { labelled, pageOf, timelineEntrySchema, todoSchema, visitSubmittedSchema } from '@anchor/shared';
import { idempotencyKeyOf, type OnceResult } from '../../http/idempotency';
import { uploadedFile } from '../../http/upload';
import { idParam, route, type AnyRoute, type MemberContext } from '../../http/route';
import type { TodoService } from '../tasks';
import { answerDownload } from '../attachments';
import type { PhotoService } from './photo.service';
import type { TimelineService } from './timeline.service';
import type { VisitService } from './visit.service';
import { visitError } from './visits.errors';
import { invalid } from '../../http/errors';

// optional fields: a bad value there is not an unclosed action (「动作未闭环」 would mislead the rep)
const NOT_ANCHORS = new Set(['customerFeedback', 'playKey']);

const pageQuery = {
  page: labelled(z.coerce.number().int().min(1).max(100000), '页码').default(1),
  pageSize: labelled(z.coerce.number().int().min(1).max(100), '每页条数').default(20),
};

function answer(ctx: MemberContext, stored: OnceResult): unknown {
  ctx.status = stored.status;
  if (stored.replayed) ctx.set('Idempotent-Replayed', 'true');
  // The stored text itself: serialized once, and a replay answers byte for byte the same.
  ctx.type = 'application/json';
  return stored.json;
}

export function visitRoutes(visits: VisitService, todos: TodoService, photos: PhotoService, timeline: TimelineService): AnyRoute[] {
  return [
    route({
      method: 'post', path: '/photos', tag: '拜访', summary: '上传照片（JPEG/PNG/WebP，按内容识别，单张 ≤ 5 MB）', can: 'visits.create', upload: { what: '照片', maxBytes: photos.maxBytes }, status: 201,
      errors: ['QUOTA_EXCEEDED'],
      handler: (ctx) => photos.upload(ctx.state.member, uploadedFile(ctx, '照片')),
    }),
    route({
      method: 'get', path: '/photos/:id', tag: '拜访', summary: '查看照片（限可见客户；支持 Range，对象存储中的大文件 302 到临时链接）', can: 'visits.read',
      errors: ['RANGE_NOT_SATISFIABLE'],
      handler: async (ctx) => {
        answerDownload(ctx, await photos.download(ctx.state.member, idParam(ctx, 'id', '照片'), ctx.get('range') || undefined));
      },
    }),
    route({
      method: 'post', path: '/visits', tag: '拜访', summary: '提交拜访记录（三要素必填；需 Idempotency-Key 请求头）', can: 'visits.create',
      response: visitSubmittedSchema,
      errors: ['ACTION_NOT_CLOSED', 'VALIDATION_FAILED', 'VISIT_TOO_OLD', 'SIGNIN_NOT_LINKABLE', 'IDEMPOTENCY_KEY_REQUIRED', 'IDEMPOTENCY_KEY_REUSED'],
      body: visits.schema, checkBody: (raw) => visits.check(raw), invalid: (fields) => (Object.keys(fields).every((k) => NOT_ANCHORS.has(k)) ? invalid(fields) : visitError('ACTION_NOT_CLOSED', { fields })),
      handler: async (ctx, { body }) => answer(ctx, await visits.submit(ctx.state.member, body, idempotencyKeyOf(ctx))),
    }),
    route({
      method: 'get', path: '/visits/pending', tag: '拜访', summary: '我待完成的拜访（客户进入「拜访」阶段时自动生成）', access: 'member',
      handler: async (ctx) => ({ items: await visits.pending(ctx.state.member) }),
    }),
    route({
      method: 'post', path: '/customers/:id/first-touch', tag: '拜访', summary: '记录线索的首次触达（需 Idempotency-Key 请求头）', can: 'visits.create', body: visits.firstTouchSchema,
      errors: ['NOT_AWAITING_FIRST_TOUCH', 'FIRST_TOUCH_RECORDED', 'IDEMPOTENCY_KEY_REQUIRED', 'IDEMPOTENCY_KEY_REUSED'],
      handler: async (ctx, { body }) => answer(ctx, await visits.firstTouch(ctx.state.member, idParam(ctx, 'id', '客户'), body, idempotencyKeyOf(ctx))),
    }),
    route({
      method: 'get', path: '/customers/:id/timeline', tag: '客户', summary: '客户时间线：拜访、首次触达、阶段变更、待办（新的在前）', can: 'customers.read', query: z.object(pageQuery).strict(),
      response: pageOf(timelineEntrySchema),
      handler: (ctx, { query }) => timeline.forCustomer(ctx.state.member, idParam(ctx, 'id', '客户'), query.page, query.pageSize),
    }),
    route({
      method: 'get', path: '/todos', tag: '待办', summary: '待办：as=assignee 为我要确认的卡片，as=rep 为我的下一步动作及其状态，as=escalated 为总监可见的超时升级', access: 'member',
      response: pageOf(todoSchema),
      query: z
        .object({
          as: labelled(z.enum(['assignee', 'rep', 'escalated']), '视角').default('assignee'),
          status: labelled(z.enum(['open', 'confirmed', 'all']), '状态').default('open'),
          ...pageQuery,
        })
        .strict(),
      handler: (ctx, { query }) => todos.list(ctx.state.member, query),
    }),
    route({
      method: 'get', path: '/todos/:id', tag: '待办', summary: '待办详情', access: 'member',
      response: todoSchema,
      handler: (ctx) => todos.get(ctx.state.member, idParam(ctx, 'id', '待办')),
    }),
    route({
      method: 'post', path: '/todos/:id/confirm', tag: '待办', summary: '确认待办（可重复调用，只确认一次）', access: 'member',
      response: todoSchema,
      body: z.object({ comment: labelled(z.string().trim().max(200), '备注').optional() }).strict(),
      handler: async (ctx, { body }) => (await todos.confirm(ctx.state.member.id, idParam(ctx, 'id', '待办'), 'app', body.comment || null)).todo,
    }),
    route({
      method: 'post', path: '/todos/:id/discuss', tag: '待办', summary: '需要沟通：请销售先与主管沟通（待办保持未确认，只通知一次）', access: 'member',
      response: todoSchema,
      errors: ['TODO_ALREADY_CONFIRMED'],
      handler: async (ctx) => (await todos.requestDiscussion(ctx.state.member.id, idParam(ctx, 'id', '待办'), 'app')).todo,
    }),
  ];
}
