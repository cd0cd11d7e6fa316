import { z } from 'zod';
import { VISIT_FIELD_LABELS, dbId, labelled } from '@anchor/shared';
import { malformedRequest } from '../../http/errors';
import { route, type AnyRoute, type MemberContext } from '../../http/route';
import type { PlayService } from './play.service';

const keyOf = (ctx: MemberContext) => {
  const key = String(ctx.params.key ?? '');
  if (!/^[0-9a-f]{16}$/.test(key)) throw malformedRequest('打法编号格式不正确', { key: '打法编号应为 16 位十六进制' });
  return key;
};
const regionQuery = z.object({ regionId: dbId('大区', { coerce: true }).optional() }).strict();

/** Winning plays: the visit form's suggestions, the directors' table, hiding a play. */
export function playRoutes(plays: PlayService): AnyRoute[] {
  return [
    route({
      method: 'get', path: '/plays/suggestions', tag: '赢单打法', summary: '填写拜访时按所选业务瓶颈推荐的赢单打法（本大区，前几条）；瓶颈已不在选项中或数据不足时为空并说明原因', can: 'plays.read',
      query: z
        .object({
          bottleneck: labelled(z.string().trim().min(1).max(50), VISIT_FIELD_LABELS.bottleneck),
          objective: labelled(z.string().trim().min(1).max(20), VISIT_FIELD_LABELS.objective).optional(),
          customerId: dbId(VISIT_FIELD_LABELS.customerId, { coerce: true }).optional(),
        })
        .strict(),
      handler: (ctx, { query }) => plays.suggestions(ctx.state.member, query),
    }),
    route({
      method: 'get', path: '/plays', tag: '赢单打法', summary: '赢单打法表：本大区（管理员可选大区）每个业务瓶颈的打法、支持次数与成功率，新人用与不用打法的推进率', can: 'plays.manage',
      query: regionQuery,
      handler: (ctx, { query }) => plays.table(ctx.state.member, query),
    }),
    route({
      method: 'post', path: '/plays/:key/hide', tag: '赢单打法', summary: '隐藏一条打法：不再推荐，重新计算后仍隐藏', can: 'plays.manage',
      query: regionQuery,
      handler: (ctx, { query }) => plays.hide(ctx.state.member, keyOf(ctx), query.regionId),
    }),
    route({
      method: 'post', path: '/plays/:key/unhide', tag: '赢单打法', summary: '取消隐藏一条打法', can: 'plays.manage',
      query: regionQuery,
      handler: (ctx, { query }) => plays.unhide(ctx.state.member, keyOf(ctx), query.regionId),
    }),
  ];
}
