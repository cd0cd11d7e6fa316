import { z } from 'zod';
import { DB_ID_MAX, labelled, taskPoolListSchema, taskPoolViewSchema } from '@anchor/shared';
import { idParam, route, type AnyRoute } from '../../http/route';
import type { TaskPools } from './task-pools';
import type { TaskService } from './task.service';

const pageQuery = {
  page: labelled(z.coerce.number().int().min(1).max(100000), '页码').default(1),
  pageSize: labelled(z.coerce.number().int().min(1).max(100), '每页条数').default(20),
};

/** The app's surface of the task engine: my tasks, my pool's, the ones I asked for, escalated ones; one with its history; act on it. */
export function taskRoutes(tasks: TaskService, pools: TaskPools): AnyRoute[] {
  return [
    route({
      method: 'get', path: '/tasks', tag: '任务', summary: '任务：as=mine 指派给我，as=pool 我所在任务池待处理，as=requested 我发起的，as=escalated 总监/管理员可见的超时升级，as=handled 我处理过或转交出去的（含本人/任务池已被处理的）', access: 'member',
      query: z
        .object({
          as: labelled(z.enum(['mine', 'pool', 'requested', 'escalated', 'handled']), '视角').default('mine'),
          status: labelled(z.enum(['open', 'settled', 'all']), '状态').default('open'),
          ...pageQuery,
        })
        .strict(),
      handler: (ctx, { query }) => tasks.list(ctx.state.member, query),
    }),
    route({
      method: 'get', path: '/tasks/:id', tag: '任务', summary: '任务详情（含处理记录）', access: 'member',
      handler: (ctx) => tasks.get(ctx.state.member, idParam(ctx, 'id', '任务')),
    }),
    route({
      method: 'get', path: '/tasks/:id/handoff', tag: '任务', summary: '可转交给谁：与我同岗位（同大区）的在职成员；仅任务的处理人可查', access: 'member',
      errors: ['TASK_ACTION_NOT_ALLOWED', 'TASK_ALREADY_SETTLED'],
      handler: (ctx) => tasks.handoffCandidates(ctx.state.member, idParam(ctx, 'id', '任务')),
    }),
    route({
      method: 'post', path: '/tasks/:id/actions', tag: '任务', summary: '处理任务：确认、同意、驳回（须填理由）、评论、需要沟通、转交；处理类操作只生效一次', access: 'member',
      errors: ['TASK_ACTION_NOT_ALLOWED', 'TASK_ALREADY_SETTLED'],
      body: z
        .object({
          action: labelled(z.enum(['confirm', 'approve', 'reject', 'comment', 'request_talk', 'reassign']), '操作'),
          comment: labelled(z.string().trim().max(200), '理由或评论').optional(),
          toMemberId: labelled(z.number().int().min(1).max(2147483647), '接手人').optional(),
        })
        .strict(),
      handler: async (ctx, { body }) => {
        const { task, changed } = await tasks.act(ctx.state.member.id, idParam(ctx, 'id', '任务'), body.action, 'app', { comment: body.comment ?? null, toMemberId: body.toMemberId ?? null });
        return { ...task, changed };
      },
    }),
    route({
      method: 'get', path: '/task-pools', tag: '任务', summary: '任务池（policy taskPools）：名称、角色，需选定成员的池已选定谁（管理员）', can: 'tasks.pools.manage',
      response: taskPoolListSchema,
      handler: async () => ({ items: await pools.list() }),
    }),
    route({
      method: 'put', path: '/task-pools/:id/members', tag: '任务', summary: '选定任务池的成员（管理员；仅 chosen 池；空列表为不限定，由其角色的全部在职成员处理）', can: 'tasks.pools.manage',
      response: taskPoolViewSchema,
      errors: ['TASK_POOL_NOT_FOUND', 'TASK_POOL_NOT_CHOSEN'],
      body: z
        .object({
          memberIds: labelled(z.array(z.number().int().min(1).max(DB_ID_MAX)).max(50, '成员至多选 50 人'), '成员'),
        })
        .strict(),
      handler: (ctx, { body }) => pools.setMembers(ctx.state.member, String((ctx as unknown as { params: Record<string, string> }).params.id ?? ''), body.memberIds),
    }),
  ];
}
