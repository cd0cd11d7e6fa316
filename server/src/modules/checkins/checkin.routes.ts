import { z } from 'zod';
import { checkinInputSchema, checkinSchema, checkinTeamSchema, checkinTodaySchema, dbId, followUpFixSchema, followUpStateSchema, isValidIsoDate, labelled } from '@anchor/shared';
import { route, type AnyRoute } from '../../http/route';
import type { CheckinService } from './checkin.service';

const teamQuery = z
  .object({
    day: labelled(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '格式应为 YYYY-MM-DD').refine(isValidIsoDate, '不是有效的日期'), '日期').optional(),
    teamId: dbId('团队', { coerce: true }).optional(),
  })
  .strict();

export function checkinRoutes(checkins: CheckinService): AnyRoute[] {
  return [
    route({
      method: 'get', path: '/checkins/today', tag: '打卡', summary: '我今天的三次打卡：早间、每次拜访后、晚间（含拜访预填与明日候选客户；visit=提醒链接里的拜访，前一天的也列出）', can: 'checkins.create',
      response: checkinTodaySchema,
      query: z.object({ visit: dbId('拜访', { coerce: true }).optional() }).strict(),
      handler: (ctx, { query }) => checkins.today(ctx.state.member, query.visit),
    }),
    route({
      method: 'post', path: '/checkins', tag: '打卡', summary: '打卡（早间 / 拜访后 / 晚间）；窗口内为按时，窗口后为迟到，窗口开始前拒绝', can: 'checkins.create', status: 201,
      body: checkinInputSchema, response: checkinSchema,
      errors: ['CHECKIN_DONE', 'CHECKIN_NOT_OPEN', 'CHECKIN_INCOMPLETE', 'CHECKIN_NO_VISIT'],
      handler: async (ctx, { body }) => {
        ctx.status = 201;
        return checkins.checkIn(ctx.state.member, body);
      },
    }),
    route({
      method: 'post', path: '/checkins/follow-up', tag: '打卡', summary: '晚间打卡当场补设客户的约定动作与下次跟进（随之设定提醒）', can: 'checkins.create',
      body: followUpFixSchema, response: followUpStateSchema, errors: ['FOLLOW_UP_ACTION_DONE'],
      handler: (ctx, { body }) => checkins.fixFollowUp(ctx.state.member, body),
    }),
    route({
      method: 'get', path: '/checkins/team', tag: '打卡', summary: '团队当天打卡一览：谁已打卡、迟到、缺卡', can: 'checkins.team.read', query: teamQuery,
      response: checkinTeamSchema,
      handler: (ctx, { query }) => checkins.team(ctx.state.member, query),
    }),
    route({
      method: 'get', path: '/admin/policy-warnings', tag: '管理', summary: '策略配置中需要管理员补填的项（如本年/明年的节假日 checkins.holidays；管理员）', can: 'checkins.calendar.read',
      response: z.object({ items: z.array(z.object({ key: z.string(), message: z.string() })) }),
      handler: async () => ({ items: checkins.calendarWarnings() }),
    }),
  ];
}
