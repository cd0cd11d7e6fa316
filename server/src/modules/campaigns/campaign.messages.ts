import type { MessagePlanner } from '../module';

/** A step is due by the end of its day: said as 「11-27 23:59」, not as the next day's 00:00. */
const lastMinute = (iso: unknown): string => new Date(Date.parse(String(iso)) - 60_000).toISOString();

/** The stage of an exception's resolution, as the rep reads it. */
const RESOLVED: Record<string, string> = { answered: '已答复', reassigned: '已改派给其他同事', dropped: '已移出专项' };

/**
 * Campaign messages (WeCom app texts, each linking into the app): the launch to each rep, an overdue step to
 * the rep (once) and then to the supervisor (once), and the owner's answer to an exception report. The
 * exception itself reaches the owner as a task card (the task engine's task.card).
 */
export const campaignMessages: Record<string, MessagePlanner> = {
  'campaign.launched': async (sql, { payload: p }, kit) => {
    const rep = await kit.member(sql, p.memberId);
    if (!rep?.wecomUserId || !kit.agentid) return [];
    const text = `【专项任务】${String(p.campaignName)} 已启动：你有 ${Number(p.targets)} 位目标客户，${String(p.endsOn)} 截止。\n第一步：${String(p.firstStep)}\n${kit.link('campaigns', { id: Number(p.campaignId) })}`;
    return [kit.wecomText(rep.wecomUserId, kit.agentid, text)];
  },
  'campaign.step_overdue': async (sql, { payload: p }, kit) => {
    const rep = await kit.member(sql, p.memberId);
    if (!rep?.wecomUserId || !kit.agentid) return [];
    const text = `【专项提醒】${String(p.campaignName)}：${String(p.customerName)} 的第 ${Number(p.seq)} 步「${String(p.stepTitle)}」已于 ${kit.local(lastMinute(p.dueAt))} 到期，尚未完成（需要：${String(p.evidence)}）。\n${kit.link('campaigns', { id: Number(p.campaignId) })}`;
    return [kit.wecomText(rep.wecomUserId, kit.agentid, text)];
  },
  'campaign.step_overdue_supervisor': async (sql, { payload: p }, kit) => {
    const supervisor = await kit.member(sql, p.supervisorId);
    if (!supervisor?.wecomUserId || !kit.agentid) return [];
    const text = `【专项逾期】${String(p.campaignName)}：${String(p.repName)} 负责的 ${String(p.customerName)} 第 ${Number(p.seq)} 步「${String(p.stepTitle)}」已于 ${kit.local(lastMinute(p.dueAt))} 到期，提醒后仍未完成。\n${kit.link('campaignBoard', { id: Number(p.campaignId) })}`;
    return [kit.wecomText(supervisor.wecomUserId, kit.agentid, text)];
  },
  'campaign.exception_resolved': async (sql, { payload: p }, kit) => {
    const rep = await kit.member(sql, p.memberId);
    if (!rep?.wecomUserId || !kit.agentid) return [];
    const answer = p.text ? `：${String(p.text)}` : '';
    const text = `【专项异常】${String(p.campaignName)} · ${String(p.customerName)}（${String(p.reason)}）${RESOLVED[String(p.resolution)] ?? '已处理'}${answer}\n${kit.link('campaigns', { id: Number(p.campaignId) })}`;
    return [kit.wecomText(rep.wecomUserId, kit.agentid, text)];
  },
};
