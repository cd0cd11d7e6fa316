import { SQL } from '../../db/sql';
import type { MessagePlanner } from '../module';

/**
 * The first open of a share link tells its rep, once (the share's firstOpenedAt decided it): a WeCom app
 * text 「王主任（市一医院）打开了您分享的《快装方案》」 with a link to the customer (or the material).
 */
export const materialMessages: Record<string, MessagePlanner> = {
  'material.share_opened': async (sql, { payload }, kit) => {
    const [share] = await sql.rows<{ memberId: number; title: string; materialId: number; customerId: number | null }>(
      SQL`SELECT s.memberId AS memberId, m.title AS title, s.materialId AS materialId, s.customerId AS customerId FROM material_share s JOIN material m ON m.id = s.materialId WHERE s.id = ?`,
      [payload.shareId],
    );
    if (!share) return [];
    const rep = await kit.member(sql, share.memberId);
    if (!rep?.wecomUserId || !kit.agentid) return [];
    // who opened it was named when the open was recorded (the customers module owns their names)
    const who = typeof payload.who === 'string' && payload.who ? payload.who : '客户';
    // a way on from the chat: the customer's page (its timeline shows the open), else the material's shares
    const link = share.customerId ? kit.link('customer', { id: Number(share.customerId) }) : kit.link('material', { id: Number(share.materialId) });
    return [kit.wecomText(rep.wecomUserId, kit.agentid, `【素材】${who}打开了您分享的《${share.title}》\n${link}`)];
  },
};
