import { z } from 'zod';
import { customerLocationInputSchema, customerLocationSchema, labelled, locationProposalsSchema, signinInputSchema, signinSchema } from '@anchor/shared';
import { idempotencyKeyOf } from '../../http/idempotency';
import { idParam, route, type AnyRoute } from '../../http/route';
import type { SigninService } from './signin.service';

const pageQuery = {
  page: labelled(z.coerce.number().int().min(1).max(100000), '页码').default(1),
  pageSize: labelled(z.coerce.number().int().min(1).max(100), '每页条数').default(20),
};

const signinPageSchema = z.object({ items: z.array(signinSchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });

/** Sign in at a customer, read a customer's sign-ins, and set or confirm where the customer is. */
export function signinRoutes(signins: SigninService): AnyRoute[] {
  return [
    route({
      method: 'post', path: '/customers/:id/signins', tag: '外勤签到', summary: '在客户处签到（位置、精度；与客户位置的距离由服务器计算；需 Idempotency-Key 请求头）', can: 'signins.create',
      status: 201, response: signinSchema,
      errors: ['IDEMPOTENCY_KEY_REQUIRED', 'IDEMPOTENCY_KEY_REUSED'],
      body: signinInputSchema,
      handler: async (ctx, { body }) => {
        const stored = await signins.signIn(ctx.state.member, idParam(ctx, 'id', '客户'), body, idempotencyKeyOf(ctx));
        ctx.status = stored.status;
        if (stored.replayed) ctx.set('Idempotent-Replayed', 'true');
        ctx.type = 'application/json';
        return stored.json;
      },
    }),
    route({
      method: 'get', path: '/customers/:id/signins', tag: '外勤签到', summary: '客户的签到记录（mine=true 只看自己的；day=today 或 YYYY-MM-DD 按本地日期）', can: 'signins.read',
      response: signinPageSchema,
      query: z
        .object({
          mine: labelled(z.enum(['true', 'false']), '只看自己').default('false'),
          day: labelled(z.union([z.literal('today'), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '须为 today 或 YYYY-MM-DD')]), '日期').optional(),
          ...pageQuery,
        })
        .strict(),
      handler: (ctx, { query }) => signins.list(ctx.state.member, idParam(ctx, 'id', '客户'), { ...query, mine: query.mine === 'true' }),
    }),
    route({
      method: 'get', path: '/signins/location-proposals', tag: '外勤签到', summary: '位置待确认：由签到推算、等待确认的客户位置（主管本团队，管理员全部）', can: 'signins.location.manage',
      response: locationProposalsSchema,
      query: z.object({ pageSize: labelled(z.coerce.number().int().min(1).max(100), '每页条数').default(20) }).strict(),
      handler: async (ctx, { query }) => (await signins.proposals(ctx.state.member, query.pageSize))!,
    }),
    route({
      method: 'get', path: '/customers/:id/location', tag: '外勤签到', summary: '客户位置（已设置、待确认的建议位置或尚无）', can: 'signins.read',
      response: customerLocationSchema,
      handler: (ctx) => signins.location(ctx.state.member, idParam(ctx, 'id', '客户')),
    }),
    route({
      method: 'put', path: '/customers/:id/location', tag: '外勤签到', summary: '设置客户位置（坐标；WGS-84 换算为 GCJ-02 保存）', can: 'signins.location.manage',
      response: customerLocationSchema,
      body: customerLocationInputSchema,
      handler: (ctx, { body }) => signins.setLocation(ctx.state.member, idParam(ctx, 'id', '客户'), body),
    }),
    route({
      method: 'post', path: '/customers/:id/location/confirm', tag: '外勤签到', summary: '确认由签到推算的建议位置', can: 'signins.location.manage',
      response: customerLocationSchema,
      errors: ['NO_LOCATION_PROPOSAL'],
      handler: (ctx) => signins.confirmLocation(ctx.state.member, idParam(ctx, 'id', '客户')),
    }),
  ];
}
