import { z } from 'zod';
import { labelled } from '@anchor/shared';
import { idParam, route, type AnyRoute } from '../../http/route';
import type { TaskService } from './task.service';

const pageQuery = {
  page: labelled(z.coerce.number().int().min(1).max(100000), '页码').default(1),
  pageSize: labelled(z.coerce.number().int().min(1).max(100), '每页条数').default(20),
};

/** The app's surface of the task engine: my tasks, my pool's, the ones I asked for, escalated ones; one with its history; act on it. */
export function taskRoutes(tasks: TaskService): AnyRoute[] {
  return [
    route({
      method: 'get', path: '/tasks', tag: '任务', summary: '任务：as=mine 指派给我，as=pool 我所在角色池待处理，as=requested 我发起的，as=escalated 总监/管理员可见的超时升级，as=handled 我处理过或转交出去的（含本人/角色池已被处理的）', access: 'member',
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
  ];
}
