import { z } from 'zod';
import { labelled } from '@anchor/shared';
import type { DataSource } from 'typeorm';
import type { Clock } from '../clock';
import { SQL, placeholders, sqlDate, withSqlTransaction } from '../db/sql';
import { notFound } from '../http/errors';
import { outboxError } from './outbox.errors';
import { idParam, route, type AnyRoute } from '../http/route';
import { Delivery, type DeliveryChannel } from './delivery.entity';
import type { ChannelHealthEntry } from '../channels/channel-health';

const CHANNELS = ['wecom_app', 'wecom_card_update', 'wecom_robot', 'dingtalk_robot', 'wechat_subscribe'] as const satisfies readonly DeliveryChannel[];
const STATUS_TEXT: Record<string, string> = { pending: '排队中', sent: '已发送', failed: '发送失败', dead: '死信', unknown: '结果未知', skipped: '已跳过' };
/** What an admin may put back in its queue: refused, dead-lettered, or a robot post whose answer was lost. */
const RESENDABLE = ['failed', 'dead', 'unknown'];
const iso = (value: Date | string | null | undefined) => sqlDate(value as Date | string | null)?.toISOString() ?? null;

/**
 * What admins see of message delivery: failures to fix (a bad robot key), dead letters (kept failing),
 * what is still queued and how old each target's queue is; and the re-send of what failed.
 * A re-send puts the same delivery back at its place in the target's queue with the same body, so the
 * message's dedupe key (WeCom task_id, duplicate check) is unchanged: a card that did arrive is not shown twice.
 */
export function outboxRoutes(db: DataSource, clock: Clock, channelStatus: () => Promise<ChannelHealthEntry[]>): AnyRoute[] {
  /** Who a target is, as admins know them: a member's name for a WeCom/WeChat id, a team's name for its robots. */
  const namesOf = async (targets: string[]): Promise<Map<string, string>> => {
    const names = new Map<string, string>();
    const wecom = [...new Set(targets.filter((t) => t.startsWith('wecom_app:')).map((t) => t.slice('wecom_app:'.length)))];
    const wechat = [...new Set(targets.filter((t) => t.startsWith('wechat:')).map((t) => t.slice('wechat:'.length)))];
    const teams = [...new Set(targets.map((t) => /:team:(\d+)$/.exec(t)?.[1]).filter((id): id is string => !!id))];
    if (wecom.length) for (const m of (await db.query(`SELECT name, wecomUserId FROM member WHERE wecomUserId IN (${placeholders(wecom.length)})`, wecom)) as { name: string; wecomUserId: string }[]) names.set(`wecom_app:${m.wecomUserId}`, m.name);
    if (wechat.length) for (const m of (await db.query(`SELECT name, wechatOpenId FROM member WHERE wechatOpenId IN (${placeholders(wechat.length)})`, wechat)) as { name: string; wechatOpenId: string }[]) names.set(`wechat:${m.wechatOpenId}`, m.name);
    if (teams.length) {
      const rows = (await db.query(`SELECT id, name FROM team WHERE id IN (${placeholders(teams.length)})`, teams)) as { id: number; name: string }[];
      for (const t of targets) {
        const id = /:team:(\d+)$/.exec(t)?.[1];
        const team = rows.find((r) => String(r.id) === id);
        if (team) names.set(t, `${team.name}（群）`);
      }
    }
    return names;
  };
  /** Of these deliveries, the to-do cards whose to-do is confirmed by now: re-sending them would put live 确认 buttons on a settled to-do. */
  const settledCards = async (rows: { id: number; channel: string; subject: string | null }[]): Promise<Set<number>> => {
    const todoOf = new Map<number, number>();
    for (const r of rows) {
      const m = r.channel === 'wecom_app' ? /^todo:(\d+)$/.exec(r.subject ?? '') : null;
      if (m) todoOf.set(Number(r.id), Number(m[1]));
    }
    const todoIds = [...new Set(todoOf.values())];
    if (!todoIds.length) return new Set();
    const confirmed = new Set<number>();
    for (let i = 0; i < todoIds.length; i += 1000) {
      const chunk = todoIds.slice(i, i + 1000);
      for (const t of (await db.query(`SELECT id FROM todo WHERE confirmedAt IS NOT NULL AND id IN (${placeholders(chunk.length)})`, chunk)) as { id: number }[]) confirmed.add(Number(t.id));
    }
    return new Set([...todoOf].filter(([, todo]) => confirmed.has(todo)).map(([delivery]) => delivery));
  };
  const view = (d: Delivery, names: Map<string, string>) => ({
    id: d.id, outboxId: d.outboxId, channel: d.channel,
    // robot targets name the team, never the key
    target: d.target, targetName: names.get(d.target) ?? null, status: d.status, attempts: d.attempts, lastError: d.lastError,
    nextAttemptAt: d.nextAttemptAt.toISOString(), sentAt: d.sentAt?.toISOString() ?? null, createdAt: d.createdAt.toISOString(),
    pendingSince: d.pendingSince?.toISOString() ?? null,
    ...(d.status === 'unknown' ? { note: '可能已送达：群机器人没有回应，可能已发到群里；确认群里没有这条后再重发' } : {}),
  });
  return [
    route({
      method: 'get', path: '/admin/channel-health', tag: '管理', summary: '消息通道状态（凭据被拒、接口故障的原因与起始时间，排队条数；管理员）', can: 'deliveries.manage',
      handler: () => channelStatus(),
    }),
    route({
      method: 'get', path: '/admin/deliveries', tag: '管理', summary: '消息投递记录（失败原因、死信、排队中的消息；管理员）', can: 'deliveries.manage',
      query: z
        .object({
          status: labelled(z.enum(['failed', 'dead', 'unknown', 'pending', 'sent', 'skipped']), '状态').default('failed'),
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
        const names = await namesOf(rows.map((d) => d.target));
        return { items: rows.map((d) => view(d, names)), total, page: query.page, pageSize: query.pageSize };
      },
    }),
    route({
      method: 'post', path: '/admin/deliveries/:id/resend', tag: '管理', summary: '重新发送一条失败、死信或结果未知（可能已送达）的投递（同一消息体，去重标识不变；管理员）', can: 'deliveries.manage',
      errors: ['DELIVERY_TODO_CONFIRMED', 'DELIVERY_NOT_RESENDABLE'],
      handler: async (ctx) => {
        const id = idParam(ctx, 'id', '投递记录');
        const now = clock.now();
        const before = await db.getRepository(Delivery).findOneBy({ id });
        if (!before) throw notFound('投递记录');
        if (RESENDABLE.includes(before.status) && (await settledCards([before])).has(before.id)) {
          throw outboxError('DELIVERY_TODO_CONFIRMED');
        }
        const changed = await withSqlTransaction(db, (sql) =>
          sql.exec(SQL`UPDATE delivery SET status = 'pending', attempts = 0, nextAttemptAt = ?, pendingSince = ?, attemptStartedAt = NULL WHERE id = ? AND status IN (${placeholders(RESENDABLE.length)})`, [now, now, id, ...RESENDABLE]),
        );
        const delivery = await db.getRepository(Delivery).findOneBy({ id });
        if (!delivery) throw notFound('投递记录');
        if (changed === 0) throw outboxError('DELIVERY_NOT_RESENDABLE', { message: `只有发送失败、死信或结果未知的投递可以重新发送，这条投递的状态是「${STATUS_TEXT[delivery.status] ?? delivery.status}」` });
        return view(delivery, await namesOf([delivery.target]));
      },
    }),
    route({
      method: 'post', path: '/admin/deliveries/resend', tag: '管理', summary: '重新发送一个渠道的全部失败或死信投递（如故障恢复后；管理员）', can: 'deliveries.manage',
      body: z
        .object({
          channel: labelled(z.enum(CHANNELS), '渠道'),
          status: labelled(z.enum(['failed', 'dead']), '状态'),
        })
        .strict(),
      handler: async (_ctx, { body }) => {
        const now = clock.now();
        const candidates = (await db.query('SELECT id, channel, subject FROM delivery WHERE channel = ? AND status = ? ORDER BY id', [body.channel, body.status])) as { id: number; channel: string; subject: string | null }[];
        const settled = await settledCards(candidates);
        const ids = candidates.map((c) => Number(c.id)).filter((id) => !settled.has(id));
        let resent = 0;
        for (let i = 0; i < ids.length; i += 1000) {
          const chunk = ids.slice(i, i + 1000);
          resent += await withSqlTransaction(db, (sql) =>
            sql.exec(SQL`UPDATE delivery SET status = 'pending', attempts = 0, nextAttemptAt = ?, pendingSince = ?, attemptStartedAt = NULL WHERE status = ? AND id IN (${placeholders(chunk.length)})`, [now, now, body.status, ...chunk]),
          );
        }
        // cards of to-dos confirmed meanwhile stay where they are: the to-do is settled, its card is not wanted
        return { resent, skippedSettled: settled.size, channel: body.channel, status: body.status };
      },
    }),
    route({
      method: 'get', path: '/admin/delivery-targets', tag: '管理', summary: '每个投递对象的排队情况（排队数、最久等待时长、暂停至、最近错误；管理员）', can: 'deliveries.manage',
      handler: async () => {
        const now = clock.now();
        const groups = (await db.query(
          `SELECT target, MIN(channel) AS channel, COUNT(*) AS pendingCount, MIN(COALESCE(pendingSince, createdAt)) AS oldestPendingAt, MIN(outboxId) AS headOutboxId
           FROM delivery WHERE status = 'pending' GROUP BY target ORDER BY oldestPendingAt LIMIT 500`,
        )) as { target: string; channel: DeliveryChannel; pendingCount: number | string; oldestPendingAt: Date | string; headOutboxId: number }[];
        const items = [];
        const names = await namesOf(groups.map((g) => g.target));
        for (const g of groups) {
          const [head] = (await db.query(
            "SELECT attempts, lastError, nextAttemptAt FROM delivery WHERE target = ? AND status = 'pending' ORDER BY outboxId, id LIMIT 1",
            [g.target],
          )) as { attempts: number; lastError: string | null; nextAttemptAt: Date | string }[];
          const [state] = (await db.query('SELECT blockedUntil FROM channel_target WHERE target = ?', [g.target])) as { blockedUntil: Date | string | null }[];
          const oldest = sqlDate(g.oldestPendingAt as Date | string)!;
          const blockedUntil = sqlDate(state?.blockedUntil ?? null);
          items.push({
            target: g.target,
            targetName: names.get(g.target) ?? null,
            channel: g.channel,
            pendingCount: Number(g.pendingCount),
            oldestPendingAt: oldest.toISOString(),
            oldestPendingAgeSeconds: Math.max(0, Math.round((now.getTime() - oldest.getTime()) / 1000)),
            headAttempts: Number(head?.attempts ?? 0),
            nextAttemptAt: iso(head?.nextAttemptAt),
            blockedUntil: blockedUntil && blockedUntil.getTime() > now.getTime() ? blockedUntil.toISOString() : null,
            lastError: head?.lastError ?? null,
          });
        }
        return { items };
      },
    }),
  ];
}
