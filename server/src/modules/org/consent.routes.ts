import { z } from 'zod';
import { labelled } from '@anchor/shared';
import type { DataSource } from 'typeorm';
import { SQL, withSqlTransaction } from '../../db/sql';
import { route, type AnyRoute } from '../../http/route';
import { isSqlite } from '../../db/data-source';

/** The mini-program reports each 「允许」 from wx.requestSubscribeMessage: one more reminder may be sent. */
export function consentRoutes(db: DataSource): AnyRoute[] {
  return [
    route({
      method: 'post', path: '/me/subscribe-consent', tag: '登录', summary: '记录订阅消息授权（每次「允许」可发送一次提醒）', access: 'member',
      body: z.object({ templateId: labelled(z.string().trim().min(1).max(64), '模板 ID'), accepted: labelled(z.number().int().min(1).max(10), '允许次数').default(1) }).strict(),
      handler: async (ctx, { body }) => {
        const sqlite = isSqlite(db);
        const remaining = await withSqlTransaction(db, async (sql) => {
          await sql.exec(SQL`INSERT ${sqlite ? 'OR IGNORE' : 'IGNORE'} INTO subscribe_consent (memberId, templateId, remaining, updatedAt) VALUES (?, ?, 0, ?)`, [ctx.state.member.id, body.templateId, new Date()]);
          await sql.exec('UPDATE subscribe_consent SET remaining = remaining + ?, updatedAt = ? WHERE memberId = ? AND templateId = ?', [body.accepted, new Date(), ctx.state.member.id, body.templateId]);
          const [row] = await sql.rows<{ remaining: number }>(SQL`SELECT remaining FROM subscribe_consent WHERE memberId = ? AND templateId = ?`, [ctx.state.member.id, body.templateId]);
          return Number(row!.remaining);
        });
        return { templateId: body.templateId, remaining };
      },
    }),
  ];
}
