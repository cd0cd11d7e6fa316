import { formatYuan } from '@anchor/shared';
import { customerName } from '../customers';
import type { MessagePlanner } from '../module';

/** A WeChat Pay payment credited tells the rep (WeCom app text), once: written with the credit. */
export const paymentMessages: Record<string, MessagePlanner> = {
  'payment.received': async (sql, { payload }, kit) => {
    const rep = payload.ownerId ? await kit.member(sql, payload.ownerId) : null;
    if (!rep?.wecomUserId || !kit.agentid) return [];
    const name = (await customerName(sql, Number(payload.customerId))) ?? '';
    const text = `【回款到账】${name} 第 ${String(payload.seq ?? '')} 期通过微信支付回款 ${formatYuan(Number(payload.amountFen))}\n${kit.link('receivables', { id: Number(payload.receivableId) })}`;
    return [kit.wecomText(rep.wecomUserId, kit.agentid, text)];
  },
};
