import { z } from 'zod';
import { labelled } from '@anchor/shared';
import type { DataSource } from 'typeorm';
import { route, type AnyRoute } from '../http/route';
import { Delivery } from './delivery.entity';
import type { ChannelHealthEntry } from '../channels/channel-health';

/** What admins see of message delivery: failures to fix (a bad robot key) and what is still queued. */
export function outboxRoutes(db: DataSource, channelStatus: () => Promise<ChannelHealthEntry[]>): AnyRoute[] {
  return [
    route({
      method: 'get', path: '/admin/channel-health', tag: '管理', summary: '消息通道状态（凭据被拒、接口故障的原因与起始时间，排队条数；管理员）', access: ['admin'],
      handler: () => channelStatus(),
    }),
    route({
      method: 'get', path: '/admin/deliveries', tag: '管理', summary: '消息投递记录（失败原因、排队中的消息；管理员）', access: ['admin'],
      query: z
        .object({
          status: labelled(z.enum(['failed', 'pending', 'sent']), '状态').default('failed'),
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
            nextAttemptAt: d.nextAttemptAt.toISOString(), sentAt: d.sentAt?.toISOString() ?? null, createdAt: d.createdAt.toISOString(),
          })),
          total, page: query.page, pageSize: query.pageSize,
        };
      },
    }),
  ];
}
