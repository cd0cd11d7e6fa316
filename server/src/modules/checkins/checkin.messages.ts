import { weappPage } from '@anchor/shared';
import type { MessagePlanner } from '../module';
import { windowLabel } from './window-end.job';

/** What the subscribe message's third field says (a `thing`: at most 20 characters). */
const WHAT_TO_DO = '还没有打卡，补打记为迟到';

/**
 * The ONE reminder after a window closed without the member's check-in: a WeChat subscribe message when
 * the member has an openid and a consent left for the check-in template (the consent is taken: one send
 * per 「允许」), otherwise a WeCom app text. Never both: the spec promises one reminder, not two.
 */
export const checkinMessages: Record<string, MessagePlanner> = {
  'checkin.reminder': async (sql, { payload: p }, kit) => {
    const rep = await kit.member(sql, p.memberId);
    if (!rep) return [];
    const label = windowLabel(String(p.kind));
    const closes = kit.local(typeof p.closes === 'string' ? p.closes : null);
    const params = p.visitId ? { visit: Number(p.visitId) } : {};
    const templateId = kit.env.wechatCheckinTemplateId;
    const consented = kit.env.wechat && templateId && rep.wechatOpenId ? await kit.takeSubscribeConsent(sql, rep.id, templateId) : false;
    if (consented) {
      return [
        {
          channel: 'wechat_subscribe',
          target: `wechat:${rep.wechatOpenId}`,
          body: {
            touser: rep.wechatOpenId,
            template_id: templateId,
            page: weappPage('checkins', params),
            data: { thing1: { value: label.slice(0, 20) }, time2: { value: closes }, thing3: { value: WHAT_TO_DO } },
          },
        },
      ];
    }
    const agentid = kit.agentid;
    if (agentid && rep.wecomUserId) {
      return [kit.wecomText(rep.wecomUserId, agentid, `【打卡提醒】${label}已于 ${closes} 截止，你还没有打卡。现在补打会记为迟到。\n${kit.link('checkins', params)}`)];
    }
    return [];
  },
};
