import { weappPage } from '@anchor/shared';
import type { PlannedDelivery } from '../../outbox/message-builder';
import type { MessagePlanner } from '../module';
import { windowLabel } from './window-end.job';

/** The one reminder after a window closed without the member's check-in. */
export const checkinMessages: Record<string, MessagePlanner> = {
  'checkin.reminder': async (sql, { payload: p }, kit) => {
    const rep = await kit.member(sql, p.memberId);
    if (!rep) return [];
    const label = windowLabel(String(p.kind));
    const closes = kit.local(typeof p.closes === 'string' ? p.closes : null);
    const out: PlannedDelivery[] = [];
    const params = p.visitId ? { visit: Number(p.visitId) } : {};
    const templateId = kit.env.wechatReminderTemplateId;
    // One send per consent, as for follow-up reminders; none left: chat only.
    const consented = kit.env.wechat && templateId && rep.wechatOpenId ? await kit.takeSubscribeConsent(sql, rep.id, templateId) : false;
    if (consented) {
      out.push({
        channel: 'wechat_subscribe',
        target: `wechat:${rep.wechatOpenId}`,
        body: {
          touser: rep.wechatOpenId,
          template_id: templateId,
          page: weappPage('checkins', params),
          data: { thing1: { value: label }, time2: { value: closes }, thing3: { value: '还没有打卡，补打记为迟到' } },
        },
      });
    }
    const agentid = kit.agentid;
    if (agentid && rep.wecomUserId) {
      out.push(kit.wecomText(rep.wecomUserId, agentid, `【打卡提醒】${label}已于 ${closes} 截止，你还没有打卡。现在补打会记为迟到。\n${kit.link('checkins', params)}`));
    }
    return out;
  },
};
