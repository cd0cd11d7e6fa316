import { contractNumber } from '@anchor/shared';
import type { MessagePlanner } from '../module';

/**
 * The contracts module's own message: marketing answered a 需市场支持 request. The rep whose contract it
 * is reads a WeCom app text with a link to the contract page, where the answer and its materials are.
 * (An approval's decision, approved or rejected with its reason, is the task engine's approval.decided.)
 */
export const contractMessages: Record<string, MessagePlanner> = {
  'contract.support_answered': async (sql, { payload }, kit) => {
    const owner = await kit.member(sql, payload.ownerId);
    if (!owner?.wecomUserId || !kit.agentid) return [];
    const contractId = Number(payload.contractId);
    const by = (await kit.person(sql, payload.byId))?.name ?? '';
    const text = `【市场支持已答复】${by} 答复了合同 ${contractNumber(contractId)}（${String(payload.customerName ?? '')}）的市场支持请求\n${kit.link('contract', { id: contractId })}`;
    return [kit.wecomText(owner.wecomUserId, kit.agentid, text)];
  },
};
