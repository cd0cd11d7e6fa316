import type { PlannedDelivery } from '../../outbox/message-builder';
import type { MessagePlanner } from '../module';
import { moveLine, digestLines, digestTitle, type DigestPayload } from './weekly-digest';
import { WEEKLY_DIGEST_MESSAGE } from './weekly-digest.job';

/**
 * The weekly digest's ONE card per person, where they read chat: a WeCom app card to them when the app is
 * configured and they have a WeCom account; else their team's group robot (DingTalk if the team has one,
 * else WeCom): a director has no team group, so without WeCom their digest has nowhere to go. The
 * figures were fixed when the digest was produced; only the channel is decided now.
 */
export const digestMessages: Record<string, MessagePlanner> = {
  [WEEKLY_DIGEST_MESSAGE]: async (sql, { payload }, kit) => {
    const p = payload as DigestPayload;
    const person = await kit.member(sql, p.memberId);
    if (!person) return [];
    // the dashboards opened on the week the card is about (the reach is the reader's own)
    const url = kit.link('dashboards', { from: p.last.from, to: p.last.to });
    const title = digestTitle(p);
    const lines = digestLines(p);
    const agentid = kit.agentid;
    if (agentid && person.wecomUserId) {
      const card: PlannedDelivery = {
        channel: 'wecom_app',
        target: `wecom_app:${person.wecomUserId}`,
        body: {
          touser: person.wecomUserId,
          msgtype: 'template_card',
          agentid,
          template_card: {
            card_type: 'text_notice',
            source: { desc: '锚点 · 周报' },
            main_title: { title: title.slice(0, 26), desc: lines[0]!.slice(0, 30) },
            emphasis_content: { title: String(p.overdue), desc: '当前逾期客户' },
            sub_title_text: lines.join('\n'),
            horizontal_content_list: p.moves.map((m) => {
              const [keyname, ...rest] = moveLine(m).split('：');
              return { keyname: keyname!.slice(0, 10), value: rest.join('：').slice(0, 30) };
            }),
            jump_list: [{ type: 1, title: '打开仪表盘', url }],
            card_action: { type: 1, url },
            // one per person and week: a resend after a lost answer is refused by WeCom, not shown twice
            task_id: `anchor_digest_${person.id}_${p.week.replace('-', '_')}`,
          },
        },
      };
      return [card];
    }
    const robots = kit.robots(person.teamId, await kit.team(sql, person.teamId), { title: `${title}（${person.name}）`, lines, url, button: '打开仪表盘' });
    const one = robots.find((r) => r.channel === 'dingtalk_robot') ?? robots[0];
    return one ? [one] : [];
  },
};
