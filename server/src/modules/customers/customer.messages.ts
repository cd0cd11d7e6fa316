import type { PlannedDelivery } from '../../outbox/message-builder';
import type { MessagePlanner } from '../module';
import { customerName } from './customer.sql';

/** The outbox messages the customer module plans: a visit waiting for its owner, an untouched lead. */
export const customerMessages: Record<string, MessagePlanner> = {
  'customer.visit_waiting': async (sql, { payload: p }, kit) => {
    // To the owner at once: the customer moved to 拜访 and a visit waits for them.
    const agentid = kit.agentid;
    const name = await customerName(sql, p.customerId);
    const owner = await kit.member(sql, p.ownerId);
    if (name === null || !owner?.wecomUserId || !agentid) return [];
    const by = (await kit.member(sql, p.changedById))?.name ?? '';
    const text = `【待拜访】${name} 已由 ${by} 移入「拜访」阶段，请尽快完成拜访并填写记录`;
    return [kit.wecomText(owner.wecomUserId, agentid, `${text}\n${kit.link('customer', { id: Number(p.customerId) })}`)];
  },

  'lead.first_touch_overdue': async (sql, { payload: p, teamId }, kit) => {
    const agentid = kit.agentid;
    const name = await customerName(sql, p.customerId);
    const owner = await kit.member(sql, p.ownerId);
    const supervisor = await kit.member(sql, p.supervisorId);
    if (name === null) return [];
    const text = `【线索未触达】${name} 分配给 ${owner?.name ?? ''} 已超过 ${kit.policy.limits.leadFirstTouchHours} 小时仍未首次触达`;
    const url = kit.link('customer', { id: Number(p.customerId) });
    const out: PlannedDelivery[] = [];
    if (agentid && supervisor?.wecomUserId) out.push(kit.wecomText(supervisor.wecomUserId, agentid, `${text}\n${url}`));
    out.push(...kit.robots(teamId, await kit.team(sql, teamId), { title: `线索未触达：${name}`, lines: [text], url, button: '查看客户' }));
    return out;
  },
};
