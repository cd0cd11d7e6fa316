import { formatYuan } from '@anchor/shared';
import type { MessagePlanner } from '../module';
import { customerName } from '../customers';

/**
 * Receivable messages (WeCom app text): the rep's reminder before and on the due day, and the overdue
 * escalation to the rep's supervisor. Each links to the receivable in the app.
 */
export const receivableMessages: Record<string, MessagePlanner> = {
  'receivable.reminder': async (sql, { payload }, kit) => {
    const rep = await kit.member(sql, payload.ownerId);
    if (!rep?.wecomUserId || !kit.agentid) return [];
    const name = (await customerName(sql, Number(payload.customerId))) ?? '';
    const when = payload.stage === 'due' ? '今天到期' : `将于 ${String(payload.dueDate)} 到期`;
    const text = `【回款提醒】${name} 第 ${String(payload.seq)} 期回款${when}，未回款 ${formatYuan(Number(payload.remainingFen))}\n${kit.link('receivables', { id: Number(payload.receivableId) })}`;
    return [kit.wecomText(rep.wecomUserId, kit.agentid, text)];
  },
  'receivable.overdue': async (sql, { payload }, kit) => {
    const supervisor = payload.supervisorId ? await kit.member(sql, payload.supervisorId) : null;
    if (!supervisor?.wecomUserId || !kit.agentid) return [];
    const rep = await kit.member(sql, payload.ownerId);
    const name = (await customerName(sql, Number(payload.customerId))) ?? '';
    const text = `【回款逾期】${name} 第 ${String(payload.seq)} 期回款已于 ${String(payload.dueDate)} 到期，仍未回款 ${formatYuan(Number(payload.remainingFen))}（负责人：${rep?.name ?? ''}）\n${kit.link('receivables', { id: Number(payload.receivableId) })}`;
    return [kit.wecomText(supervisor.wecomUserId, kit.agentid, text)];
  },
};
