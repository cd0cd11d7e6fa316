import { agreedActionText, weappPage } from '@anchor/shared';
import { SQL, sqlDate } from '../../db/sql';
import type { PlannedDelivery } from '../../outbox/message-builder';
import type { MessagePlanner } from '../module';
import { customerName } from '../customers';
import type { Visit } from './visit.entity';

type ReminderRow = Pick<Visit, 'id' | 'customerId' | 'agreedAction' | 'agreedActionNote' | 'nextFollowUpForm'> & { nextFollowUpAt: Date | string };

/** The outbox messages the visit module plans: the rep's follow-up reminder. */
export const visitMessages: Record<string, MessagePlanner> = {
  'visit.reminder': async (sql, { payload: p }, kit) => {
    const [visit] = await sql.rows<ReminderRow>(SQL`SELECT id, customerId, agreedAction, agreedActionNote, nextFollowUpAt, nextFollowUpForm FROM visit WHERE id = ?`, [p.visitId]);
    const rep = await kit.member(sql, p.memberId);
    if (!visit || !rep) return [];
    const name = (await customerName(sql, visit.customerId)) ?? '';
    const when = kit.local(sqlDate(visit.nextFollowUpAt)?.toISOString());
    const action = agreedActionText(visit.agreedAction, visit.agreedActionNote);
    const out: PlannedDelivery[] = [];
    const templateId = kit.env.wechatReminderTemplateId;
    // One send per consent: take one now; none left means no subscribe message (chat still goes).
    const consented = kit.env.wechat && templateId && rep.wechatOpenId ? await kit.takeSubscribeConsent(sql, rep.id, templateId) : false;
    if (consented) {
      out.push({
        channel: 'wechat_subscribe',
        target: `wechat:${rep.wechatOpenId}`,
        body: {
          touser: rep.wechatOpenId,
          template_id: templateId,
          // The visit it reminds of: what was agreed, with the customer's name and a way to it.
          page: weappPage('visitDetail', { id: visit.id }),
          data: { thing1: { value: name.slice(0, 20) }, time2: { value: when }, thing3: { value: `${action} · ${visit.nextFollowUpForm}`.slice(0, 20) } },
        },
      });
    }
    const agentid = kit.agentid;
    if (agentid && rep.wecomUserId) {
      out.push(kit.wecomText(rep.wecomUserId, agentid, `【跟进提醒】${when} ${visit.nextFollowUpForm}跟进 ${name}：${action}\n${kit.link('visitDetail', { id: visit.id })}`));
    }
    return out;
  },
};
