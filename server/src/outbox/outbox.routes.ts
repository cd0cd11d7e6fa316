import { z } from 'zod';
import { labelled } from '@anchor/shared';
import type { DataSource } from 'typeorm';
import { AppError, notFound } from '../http/errors';
import { idParam, route, type AnyRoute } from '../http/route';
import type { Clock } from '../clock';
import { Delivery } from './delivery.entity';

/**
 * What admins see of message delivery: failures to fix (a bad robot key), what is still queued, and
 * group-robot posts whose answer was lost (unknown: 可能已送达), which only an admin re-sends.
 */
export function outboxRoutes(db: DataSource, clock: Clock): AnyRoute[] {
  return [
    route({
      method: 'get', path: '/admin/deliveries', tag: '管理', summary: '消息投递记录（失败原因、排队中的消息；管理员）', access: ['admin'],
      query: z
        .object({
          status: labelled(z.enum(['failed', 'pending', 'sent', 'unknown', 'skipped']), '状态').default('failed'),
          page: labelled(z.coerce.number().int().min(1).max(100000), '页码').default(1),
          pageSize: labelled(z.coerce.number().int().min(1).max(100), '每页条数').default(20),
        })
        .strict(),
      handler: async (_ctx, { query }) => {
        const [rows, total] = await db.getRepository(Delivery).findAndCount({
          where: { status: query.status },
          order: { id: 'DESC' },
          skip: (query.page - 1) * query.pageSize,
          take: query.pageSize,
        });
        return {
          items: rows.map((d) => ({
            id: d.id, outboxId: d.outboxId, channel: d.channel,
            // robot targets name the team, never the key
            target: d.target, status: d.status, attempts: d.attempts, lastError: d.lastError,
            ...(d.status === 'unknown' ? { note: '可能已送达：群机器人没有回应，可能已发到群里；确认群里没有这条后再重发' } : {}),
            nextAttemptAt: d.nextAttemptAt.toISOString(), sentAt: d.sentAt?.toISOString() ?? null, createdAt: d.createdAt.toISOString(),
          })),
          total, page: query.page, pageSize: query.pageSize,
        };
      },
    }),
    route({
      method: 'post', path: '/admin/deliveries/:id/resend', tag: '管理', summary: '重发一条结果未知（可能已送达）或失败的消息（管理员）', access: ['admin'],
      handler: async (ctx) => {
        const id = idParam(ctx, 'id', '投递记录');
        const delivery = await db.getRepository(Delivery).findOneBy({ id });
        if (!delivery) throw notFound('投递记录');
        if (delivery.status !== 'unknown' && delivery.status !== 'failed') {
          throw new AppError(409, 'CONFLICT', `只能重发结果未知或失败的消息，这条的状态是${delivery.status === 'sent' ? '已发送' : '排队中'}`);
        }
        // Back in its target's queue as it was (same body, same dedupe key), due now.
        const changed = await db
          .createQueryBuilder()
          .update(Delivery)
          .set({ status: 'pending', nextAttemptAt: clock.now(), attemptStartedAt: null })
          .where('id = :id AND status = :status', { id, status: delivery.status })
          .execute();
        if (!changed.affected) throw new AppError(409, 'CONFLICT', '这条消息的状态刚刚变了，请刷新后再试');
        return { id, status: 'pending' };
      },
    }),
  ];
}
