import { idParam, route, type AnyRoute } from '../../http/route';
import type { VisitDetailService } from './visit-detail.service';

export function visitDetailRoutes(details: VisitDetailService): AnyRoute[] {
  return [
    route({
      method: 'get', path: '/visits/:id', tag: '拜访', summary: '拜访详情：全部要素、客户、销售、照片及其待办（销售本人、确认人、主管、总监、管理员按范围可见）', can: 'visits.read',
      handler: (ctx) => details.get(ctx.state.member, idParam(ctx, 'id', '拜访记录')),
    }),
  ];
}
