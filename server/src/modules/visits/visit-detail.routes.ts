import { z } from 'zod';
import { actionDoneSchema, labelled, visitDetailSchema } from '@anchor/shared';
import type { ActionDoneService } from './action-done.service';
import { idParam, route, type AnyRoute } from '../../http/route';
import type { VisitDetailService } from './visit-detail.service';

// 1,2,3 → [1, 2, 3]: the visits behind the cards a screen shows (at most one page of them)
const visitIdList = labelled(
  z
    .string()
    .regex(/^\d{1,10}(,\d{1,10}){0,99}$/, '格式应为以逗号分隔的编号（最多 100 个）')
    .transform((s) => s.split(',').map(Number)),
  '拜访记录',
);

export function visitDetailRoutes(details: VisitDetailService, actions: ActionDoneService): AnyRoute[] {
  return [
    route({
      method: 'get', path: '/visits/:id', tag: '拜访', summary: '拜访详情：全部要素、客户、销售、照片及其待办（销售本人、确认人、主管、总监、管理员按范围可见）', can: 'visits.read',
      response: visitDetailSchema,
      handler: (ctx) => details.get(ctx.state.member, idParam(ctx, 'id', '拜访记录')),
    }),
    route({
      method: 'post', path: '/visits/:id/action-done', tag: '拜访',
      summary: '标记约定动作完成（拜访的销售本人或其主管；可附说明和照片凭证；只能标记一次，按时 = 不晚于下次跟进时间）', can: 'visits.actions.complete',
      body: actionDoneSchema,
      errors: ['AGREED_ACTION_DONE', 'NO_AGREED_ACTION'],
      handler: (ctx, { body }) => actions.complete(ctx.state.member, idParam(ctx, 'id', '拜访记录'), body),
    }),
    route({
      method: 'get', path: '/agreed-actions', tag: '拜访', summary: '这些拜访的约定动作是否已完成、我能否标记完成（待办页用；看不到的拜访不列出）', can: 'visits.read',
      query: z.object({ visitIds: visitIdList }).strict(),
      handler: async (ctx, { query }) => ({ items: await actions.states(ctx.state.member, query.visitIds) }),
    }),
  ];
}
